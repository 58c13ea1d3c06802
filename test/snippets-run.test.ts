import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import * as ts from 'typescript';

/**
 * Every ```ts snippet of the README and of docs/*.md runs and synthesizes, as a user who copies it
 * into a chart would run it: the snippets compile (test/readme.test.ts), and here the library's
 * checks at construction and at synthesis pass too. A snippet that uses `chart` without declaring
 * it runs in a fresh chart of its own; a whole app (```ts fixture=app) runs as written, its
 * `app.synth()` writing to a temporary directory.
 */
const root = path.join(__dirname, '..');
const files = ['README.md', ...fs.readdirSync(path.join(root, 'docs')).filter(f => f.endsWith('.md')).map(f => `docs/${f}`)];

interface Snippet {
  readonly name: string;
  readonly code: string;
  readonly app: boolean;
}

function snippetsOf(file: string): Snippet[] {
  const text = fs.readFileSync(path.join(root, file), 'utf-8');
  return [...text.matchAll(/```ts( fixture=app)?\n([\s\S]*?)```/g)].map((m, i) => ({ name: `${file}#${i + 1}`, code: m[2], app: m[1] !== undefined }));
}

/**
 * Fragments: snippets that continue the text around them, with the objects they need declared
 * (`declare const userDb: IDataStore`), or that read files of a checkout. They compile
 * (test/readme.test.ts) but cannot run alone.
 */
function isFragment(snippet: Snippet): boolean {
  return /^declare const (?!chart\b)/m.test(snippet.code) || /UpgradeGuard\.compareDirectories\(/.test(snippet.code);
}

const all = files.flatMap(snippetsOf);
const snippets = all.filter(s => !isFragment(s));

/** Runs a snippet (transpiled to CommonJS) with `chart` in scope; returns the app to synthesize. */
function run(snippet: Snippet): App | undefined {
  const js = ts.transpileModule(snippet.code, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  }).outputText;
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'snippet-'));
  const app = new App({ outdir });
  const chart = new Chart(app, 'snippet');
  const ownChart = /\b(const|let)\s+chart\b/.test(snippet.code);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const req = (id: string) => require(id === 'cdk8s-stateful' ? '../src' : id);
  // a whole app writes its dist/ into the current directory: a temporary one
  const previous = process.cwd();
  process.chdir(outdir);
  try {
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    if (ownChart) new Function('require', 'exports', 'module', js)(req, {}, { exports: {} });
    else new Function('require', 'exports', 'chart', 'module', js)(req, {}, chart, { exports: {} });
  } finally {
    process.chdir(previous);
  }
  return snippet.app || ownChart ? undefined : app;
}

test('the README and the guides have snippets, and few fragments', () => {
  expect(snippets.length).toBeGreaterThan(50);
  expect(all.filter(isFragment).map(s => s.name)).toHaveLength(6);
});

test.each(snippets.map(s => [s.name, s] as const))('%s runs and synthesizes', (_name, snippet) => {
  jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  const app = run(snippet);
  if (app) expect(() => app.synthYaml()).not.toThrow();
});
