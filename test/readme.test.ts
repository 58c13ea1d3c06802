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
  const blocks = [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map(m => m[1]);
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
