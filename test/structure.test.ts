/**
 * The shape of src/ (issue "API shape", item 6): no import cycle between modules, and src/private/
 * never imports a public module at run time (types only), so private helpers never depend on the
 * constructs that use them.
 */
import * as fs from 'fs';
import * as path from 'path';

const SRC = path.join(__dirname, '..', 'src');

interface ModuleImports {
  readonly file: string;
  /** Imports that exist at run time (not `import type`), resolved to files under src/. */
  readonly runtime: string[];
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(entry => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

function resolve(from: string, specifier: string): string | undefined {
  const base = path.join(path.dirname(from), specifier);
  for (const candidate of [`${base}.ts`, path.join(base, 'index.ts')]) {
    if (fs.existsSync(candidate)) return candidate;
  }
  return undefined;
}

function imports(file: string): ModuleImports {
  const text = fs.readFileSync(file, 'utf8');
  const runtime: string[] = [];
  for (const match of text.matchAll(/^import\s+(type\s+)?[^;]*?from\s+'(\.[^']+)';/gms)) {
    if (match[1]) continue; // `import type`: erased at compile time
    const target = resolve(file, match[2]);
    if (target) runtime.push(target);
  }
  return { file, runtime };
}

const modules = sourceFiles(SRC).map(imports);
const rel = (f: string) => path.relative(SRC, f);

test('src/ has no import cycle', () => {
  const graph = new Map(modules.map(m => [m.file, m.runtime]));
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const cycles: string[] = [];
  const visit = (file: string) => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next].map(rel).join(' -> '));
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const m of modules) if (!state.has(m.file)) visit(m.file);
  expect(cycles).toEqual([]);
});

test('src/private/ imports public modules for their types only', () => {
  const privateDir = path.join(SRC, 'private') + path.sep;
  const offending = modules
    .filter(m => m.file.startsWith(privateDir))
    .flatMap(m => m.runtime.filter(t => !t.startsWith(privateDir)).map(t => `${rel(m.file)} imports ${rel(t)}`));
  expect(offending).toEqual([]);
});

test('src/index.ts only re-exports', () => {
  const lines = fs.readFileSync(path.join(SRC, 'index.ts'), 'utf8').split('\n').filter(l => l.trim() !== '');
  expect(lines.filter(l => !/^export \* from '\.\/[a-z0-9-]+';$/.test(l))).toEqual([]);
});

// jsii-pacmak's Go target copies the members of a base struct into each struct that extends it
// and looks up their @example translations under the extending struct, where the rosetta tablet
// has none: the Go package then fails to build. Examples go on classes and methods instead.
const assemblyFile = path.join(__dirname, '..', '.jsii');
(fs.existsSync(assemblyFile) ? test : test.skip)('no @example on a member of an interface that another interface extends (the Go bindings)', () => {
  const assembly = JSON.parse(fs.readFileSync(assemblyFile, 'utf8'));
  const types: any[] = Object.values(assembly.types);
  const bases = new Set(types.flatMap(t => t.interfaces ?? []));
  const offending = types
    .filter(t => t.kind === 'interface' && bases.has(t.fqn))
    .flatMap(t => (t.properties ?? []).filter((p: any) => p.docs?.example?.includes('\n')).map((p: any) => `${t.fqn}.${p.name}`));
  expect(offending).toEqual([]);
});
