/**
 * The shape of src/: the source is grouped by capability (issue "Layout by capability"), and these
 * tests pin the import rules between the groups.
 *
 *   src/connection/  the contract every store and consumer shares (IDataStore, the connection,
 *                    external services): the ground floor of the public code
 *   src/workload/    StatefulWorkload, its Services, claim templates and pod defaults
 *   src/storage/     storage classes, static volumes, standalone and ephemeral claims
 *   src/backup/      logical backups and restores (the Jobs, the kept claim); volume snapshots of a workload's claims: classes, one-off, scheduled, restores
 *   src/metrics/     Prometheus Operator objects (PodMonitor, PrometheusRule) and the exporter
 *                    contract of the presets' metrics hook
 *   src/engines/     the engine presets (Postgres, Redis, Cassandra), their image options and metrics
 *   src/gitops/      schema migrations, sync waves, the upgrade guard and its command
 *   src/network/     NetworkPolicies derived from the wiring (reads every group's facts; the
 *                    groups below learn of it only through the app index's isolation seam)
 *   src/app/         app-wide facilities (warnings)
 *   src/<group>/private/  helpers only that group uses
 *   src/private/     helpers several groups share (validation, quantities, pod rules, the app
 *                    index, warnings)
 *
 * Rules: no import cycle between modules or groups; a group imports at run time only the groups
 * below it (LAYERS); a type-only import against that direction is allowed only where listed
 * (UPWARD_TYPE_IMPORTS); a group's private/ is used by that group only; private code (shared or a
 * group's) imports public modules for their types only; src/index.ts re-exports every group and each
 * group's index.ts every public file of the group.
 */
import * as fs from 'fs';
import * as path from 'path';

const SRC = path.join(__dirname, '..', 'src');

/** Each group and the groups it may import at run time (transitively closed: a lower group's own). */
const LAYERS: Record<string, string[]> = {
  connection: [],
  workload: ['connection'],
  storage: ['connection', 'workload'],
  backup: ['connection', 'workload', 'storage'],
  metrics: ['connection', 'workload'],
  engines: ['connection', 'workload', 'storage', 'backup', 'metrics'],
  gitops: ['connection', 'workload'],
  network: ['connection', 'workload', 'storage', 'backup', 'metrics', 'engines', 'gitops'],
  app: [],
};

/**
 * Type-only imports against the direction of LAYERS, each with its reason. Types are erased at
 * compile time, so they create no run-time dependency.
 */
const UPWARD_TYPE_IMPORTS: Record<string, string> = {
  // a claim template takes the storage class interface; the storage group builds on workloads
  'workload/volume-claim-template.ts -> storage/storage-class.ts': 'IStorageClass',
};

interface Import {
  readonly target: string;
  /** `import type`: erased at compile time. */
  readonly typeOnly: boolean;
}

interface Module {
  readonly file: string;
  readonly imports: Import[];
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

function parse(file: string): Module {
  const text = fs.readFileSync(file, 'utf8');
  const found: Import[] = [];
  for (const match of text.matchAll(/^(?:import|export)\s+(type\s+)?(?:[^;]*?from\s+)?'(\.[^']+)';/gms)) {
    const target = resolve(file, match[2]);
    if (target) found.push({ target, typeOnly: match[1] !== undefined });
  }
  return { file, imports: found };
}

const modules = sourceFiles(SRC).map(parse);
const rel = (f: string) => path.relative(SRC, f).split(path.sep).join('/');

/** Where a file lives: its group (or 'shared' for src/private, 'root' for src/index.ts) and whether it is private. */
function placeOf(file: string): { group: string; private: boolean } {
  const parts = rel(file).split('/');
  if (parts.length === 1) return { group: 'root', private: false };
  if (parts[0] === 'private') return { group: 'shared', private: true };
  return { group: parts[0], private: parts[1] === 'private' };
}

test('every source file lives in a group, src/private or is src/index.ts', () => {
  const groups = new Set([...Object.keys(LAYERS), 'private']);
  const stray = modules.map(m => rel(m.file)).filter(f => f !== 'index.ts' && !groups.has(f.split('/')[0]));
  expect(stray).toEqual([]);
});

test('src/ has no import cycle', () => {
  const graph = new Map(modules.map(m => [m.file, m.imports.filter(i => !i.typeOnly).map(i => i.target)]));
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

test('the groups form no cycle (LAYERS is a strict order)', () => {
  const below = (group: string, seen: Set<string> = new Set()): Set<string> => {
    for (const lower of LAYERS[group]) {
      if (!seen.has(lower)) {
        seen.add(lower);
        below(lower, seen);
      }
    }
    return seen;
  };
  expect(Object.keys(LAYERS).filter(g => below(g).has(g))).toEqual([]);
  // closed: a group lists what its lower groups may import too
  const open = Object.keys(LAYERS).filter(g => [...below(g)].some(lower => !LAYERS[g].includes(lower)));
  expect(open).toEqual([]);
});

test('a group imports only the groups below it at run time; upward type imports are listed', () => {
  const offending: string[] = [];
  const usedExceptions = new Set<string>();
  for (const m of modules) {
    const from = placeOf(m.file);
    if (from.group === 'root' || from.group === 'shared') continue;
    for (const i of m.imports) {
      const to = placeOf(i.target);
      if (to.group === 'shared' || to.group === from.group || LAYERS[from.group].includes(to.group)) continue;
      const edge = `${rel(m.file)} -> ${rel(i.target)}`;
      if (i.typeOnly && UPWARD_TYPE_IMPORTS[edge]) {
        usedExceptions.add(edge);
        continue;
      }
      offending.push(`${edge}${i.typeOnly ? ' (type only, not listed)' : ''}`);
    }
  }
  expect(offending).toEqual([]);
  // an exception nobody needs any more is removed from the list
  expect(Object.keys(UPWARD_TYPE_IMPORTS).filter(e => !usedExceptions.has(e))).toEqual([]);
});

test("a group's private/ is used by that group only", () => {
  const offending = modules.flatMap(m => m.imports
    .filter(i => {
      const to = placeOf(i.target);
      return to.private && to.group !== 'shared' && placeOf(m.file).group !== to.group;
    })
    .map(i => `${rel(m.file)} imports ${rel(i.target)}`));
  expect(offending).toEqual([]);
});

test('private code imports public modules for their types only, and src/private no group helper', () => {
  const offending = modules
    .filter(m => placeOf(m.file).private)
    .flatMap(m => m.imports
      .filter(i => {
        const from = placeOf(m.file);
        const to = placeOf(i.target);
        if (to.private) return from.group === 'shared' && to.group !== 'shared';
        return !i.typeOnly;
      })
      .map(i => `${rel(m.file)} imports ${rel(i.target)}${i.typeOnly ? ' (type)' : ''}`));
  expect(offending).toEqual([]);
});

test('src/index.ts re-exports every group and nothing else', () => {
  const lines = fs.readFileSync(path.join(SRC, 'index.ts'), 'utf8').split('\n').filter(l => l.trim() !== '');
  expect(lines.sort()).toEqual(Object.keys(LAYERS).map(g => `export * from './${g}';`).sort());
});

test.each(Object.keys(LAYERS))('src/%s/index.ts re-exports every public file of the group and nothing else', group => {
  const dir = path.join(SRC, group);
  const publicFiles = fs.readdirSync(dir).filter(f => f.endsWith('.ts') && f !== 'index.ts').map(f => f.replace(/\.ts$/, ''));
  const lines = fs.readFileSync(path.join(dir, 'index.ts'), 'utf8').split('\n').filter(l => l.trim() !== '');
  expect(lines.sort()).toEqual(publicFiles.map(f => `export * from './${f}';`).sort());
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
    .flatMap(t => (t.properties ?? []).filter((p: any) => p.docs?.example !== undefined).map((p: any) => `${t.fqn}.${p.name}`));
  expect(offending).toEqual([]);
});
