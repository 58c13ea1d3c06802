import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

/**
 * Every ```ts block of the README (and of docs/*.md) must compile against the library, as a user
 * would write it. A block that uses `chart` without declaring it gets `declare const chart: Chart`.
 */
const root = path.join(__dirname, '..');
const docs = ['README.md', ...(fs.existsSync(path.join(root, 'docs'))
  ? fs.readdirSync(path.join(root, 'docs')).filter(f => f.endsWith('.md')).map(f => `docs/${f}`)
  : [])];

function snippets(file: string): Array<{ name: string; code: string }> {
  const text = fs.readFileSync(path.join(root, file), 'utf-8');
  // ```ts, or ```ts fixture=<name> (the jsii-rosetta fixture, rosetta/<name>.ts-fixture)
  const blocks = [...text.matchAll(/```ts(?: fixture=[\w-]+)?\n([\s\S]*?)```/g)].map(m => m[1]);
  return blocks.map((code, i) => {
    const needsChart = /\bchart\b/.test(code) && !/\b(const|let)\s+chart\b/.test(code);
    const preamble = needsChart ? "declare const chart: import('cdk8s').Chart;\n" : '';
    return { name: `${file}#${i + 1}`, code: preamble + code + '\nexport {};\n' };
  });
}

const all = docs.flatMap(snippets);

test('the README has code snippets', () => {
  expect(all.filter(s => s.name.startsWith('README.md')).length).toBeGreaterThan(0);
});

test('every snippet compiles', () => {
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.Node16,
    moduleResolution: ts.ModuleResolutionKind.Node16,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    esModuleInterop: true,
    experimentalDecorators: true,
    types: ['node'],
    baseUrl: root,
    paths: { 'cdk8s-stateful': ['src'] },
  };
  const files = new Map(all.map((s, i) => [path.join(root, 'examples', `__snippet_${i}.ts`), s]));
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, lang, onError, create) => {
    const snippet = files.get(path.resolve(fileName));
    return snippet ? ts.createSourceFile(fileName, snippet.code, lang) : getSourceFile(fileName, lang, onError, create);
  };
  const fileExists = host.fileExists.bind(host);
  host.fileExists = f => files.has(path.resolve(f)) || fileExists(f);
  const program = ts.createProgram([...files.keys()], options, host);
  const errors = ts.getPreEmitDiagnostics(program)
    .filter(d => d.file && files.has(path.resolve(d.file.fileName)))
    .map(d => {
      const snippet = files.get(path.resolve(d.file!.fileName))!;
      const { line } = d.file!.getLineAndCharacterOfPosition(d.start ?? 0);
      return `${snippet.name} line ${line + 1}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    });
  expect(errors).toEqual([]);
}, 120_000);

describe('the new-app files of the Install section', () => {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf-8');
  const install = readme.slice(readme.indexOf('## Install\n'), readme.indexOf('\n## ', readme.indexOf('## Install\n') + 1));
  const json = [...install.matchAll(/```json\n([\s\S]*?)```/g)].map(m => JSON.parse(m[1]));
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf-8'));

  test('package.json asks for the peer dependencies in the ranges the library accepts, and no other cdk8s-plus', () => {
    const app = json.find(j => j.dependencies);
    expect(app).toBeDefined();
    for (const [name, range] of Object.entries(pkg.peerDependencies)) expect(app.dependencies[name]).toBe(range);
    // a build from a checkout is 0.0.0, a release build the released version: the file name has none
    expect(app.dependencies['cdk8s-stateful']).toBe('file:cdk8s-stateful.tgz');
    expect(Object.keys({ ...app.dependencies, ...app.devDependencies }).filter(d => d.startsWith('cdk8s-plus-'))).toEqual(['cdk8s-plus-27']);
    expect(app.devDependencies['cdk8s-cli']).toBe(`^${pkg.devDependencies['cdk8s-cli']}`);
  });

  test('the registry install, once published, stays within the first release\'s minor', () => {
    expect(install).toContain('npm install cdk8s-stateful@^0.1.0');
    expect(install).toContain('pip install cdk8s-stateful ');
  });

  test('tsconfig.json, cdk8s.yaml, main.ts and the one command are all there', () => {
    expect(json.find(j => j.compilerOptions)?.compilerOptions.module).toBe('node16');
    expect(install).toContain('```yaml\nlanguage: typescript\napp: npx ts-node main.ts\n```');
    expect(install).toMatch(/`main.ts`:\n\n```ts fixture=app\n[\s\S]*app\.synth\(\);/);
    expect(install).toContain('npm install && npx cdk8s synth --no-check-upgrade');
  });
});

describe('links between the README and the guides', () => {
  /** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
  const anchor = (heading: string) => heading.trim().toLowerCase().replace(/[^\w\- ]/g, '').replace(/ /g, '-');
  function anchors(file: string): Set<string> {
    const text = fs.readFileSync(file, 'utf-8').replace(/^```[\s\S]*?^```/gm, '');
    return new Set([...text.matchAll(/^#{1,6} (.+)$/gm)].map(m => anchor(m[1])));
  }

  test.each(docs)('every relative link of %s names a file of the repository, and a heading of it', file => {
    const text = fs.readFileSync(path.join(root, file), 'utf-8').replace(/^```[\s\S]*?^```/gm, '');
    const broken: string[] = [];
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target)) continue; // https:, mailto:
      const [where, hash] = target.split('#');
      const linked = where === '' ? path.join(root, file) : path.resolve(path.dirname(path.join(root, file)), where);
      if (!fs.existsSync(linked)) broken.push(`${target}: no such file`);
      else if (hash !== undefined && !anchors(linked).has(hash)) broken.push(`${target}: no heading #${hash}`);
    }
    expect(broken).toEqual([]);
  });

  test('the README links every guide, and the guides index links every page', () => {
    const pages = docs.filter(f => f.startsWith('docs/') && f !== 'docs/README.md');
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf-8');
    const index = fs.readFileSync(path.join(root, 'docs', 'README.md'), 'utf-8');
    for (const page of pages) {
      expect(readme).toContain(`](${page}`);
      expect(index).toContain(`](${page.slice('docs/'.length)}`);
    }
  });
});

describe('the shell recipes', () => {
  const text = docs.map(file => fs.readFileSync(path.join(root, file), 'utf-8')).join('\n');
  const shell = [...text.matchAll(/```(?:sh|bash|shell)\n([\s\S]*?)```/g)].map(m => m[1]);
  const commands = shell.flatMap(block => block.split('\n')).map(line => line.replace(/#.*$/, '').trim()).filter(Boolean);

  test('every cdk8s synth runs offline (--no-check-upgrade): otherwise the CLI looks for an upgrade on the network first', () => {
    const synths = commands.filter(c => /\bcdk8s synth\b/.test(c));
    expect(synths.length).toBeGreaterThan(0);
    expect(synths.filter(c => !c.includes('--no-check-upgrade'))).toEqual([]);
  });

  test('the guard in CI compares with the change rendered into a directory of its own, never with a dist/ a failed synth emptied', () => {
    const blocks = shell.filter(block => /cdk8s-stateful-guard \S+ \S+/.test(block) && /cdk8s synth/.test(block));
    expect(blocks.length).toBeGreaterThan(0);
    for (const block of blocks) {
      expect(block).toMatch(/set -euo pipefail/);
      const output = /cdk8s synth --no-check-upgrade --output "(\$\w+)"/.exec(block);
      expect(output).not.toBeNull();
      const guard = /npx cdk8s-stateful-guard (\S+) (\S+)/.exec(block)!;
      expect(guard[2]).toBe(`"${output![1]}"`);
    }
  });
});
