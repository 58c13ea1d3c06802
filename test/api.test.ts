/**
 * The public API as the registries publish it: the jsii assembly (.jsii) of the library, compiled
 * here from a scratch copy of src/ (so the checkout's lib/ and .jsii are never touched).
 *
 * Stability (docs/releasing.md): the package's default is experimental (package.json `stability`);
 * what the project is prepared to keep is marked `@stable`. jsii records the stability of every
 * type and member in `docs.stability`. A stable element names only stable types (a stable prop of an
 * experimental type would let that type change under it), and the stable surface is pinned in this
 * file's snapshot: anything added to it (a new member of a stable type is stable unless marked
 * `@experimental`) shows as a snapshot difference to review.
 *
 * Compatibility: the `compat` task (run by every compile) compares the assembly with the last
 * release's (api-baseline/) with jsii-diff. Here the baseline is a scratch copy of the library with
 * members the current source no longer has, written by the release's own step
 * (scripts/release.cjs baseline).
 */
import * as fs from 'fs';
import * as path from 'path';
import { editTasks, jsii, projen, removeScratch, ROOT, run, scratchCopy } from './util/scratch';

interface TypeRef { fqn?: string; primitive?: string; collection?: { elementtype: TypeRef }; union?: { types: TypeRef[] } }
interface Docs { stability?: string }
interface Member { name: string; docs?: Docs; type?: TypeRef; parameters?: Array<{ name: string; type: TypeRef }>; returns?: { type: TypeRef } }
interface JsiiType {
  fqn: string;
  kind: 'class' | 'interface' | 'enum';
  name: string;
  docs?: Docs;
  base?: string;
  interfaces?: string[];
  initializer?: Member;
  properties?: Member[];
  methods?: Member[];
  members?: Member[];
}
interface Assembly { name: string; version: string; docs?: Docs; types: Record<string, JsiiType> }

const LIBRARY = ['src', 'package.json', 'tsconfig.json', 'README.md', '.gitignore', '.projen/tasks.json', 'scripts/release.cjs'];
const NAME = 'cdk8s-stateful';

/** The library compiled from a scratch copy of this checkout. */
let current: string | undefined;
/** A scratch copy with members the current source no longer has, compiled, as the release it was. */
let released: string | undefined;
let asm: Assembly;

beforeAll(async () => {
  current = scratchCopy('api', LIBRARY);
  editTasks(current);
  released = scratchCopy('api-released', LIBRARY);
  // the released library had a method on a stable class, a prop of a stable struct and a method
  // on an experimental class that have since gone
  const edit = (file: string, anchor: string, insert: string) => {
    const f = path.join(released!, file);
    const text = fs.readFileSync(f, 'utf-8');
    expect(text).toContain(anchor);
    fs.writeFileSync(f, text.replace(anchor, anchor + insert));
  };
  edit('src/workload/stateful-workload.ts', 'export class StatefulWorkload extends Construct implements IDataStore, IStatefulWorkloadOwner {\n',
    '  /** The host name of a pod (gone since). */\n  public legacyHostName(ordinal: number): string {\n    return this.podHostName(ordinal);\n  }\n\n');
  edit('src/workload/stateful-workload.ts', 'export interface StatefulWorkloadOptions {\n',
    '  /**\n   * An option of the released version (gone since).\n   *\n   * @default - none\n   */\n  readonly legacyOption?: string;\n\n');
  edit('src/engines/postgres.ts', 'export class Postgres extends EnginePreset {\n',
    '  /** The engine name (gone since). */\n  public legacyEngineName(): string {\n    return \'postgres\';\n  }\n\n');

  const [a, b] = await Promise.all([jsii(current), jsii(released)]);
  expect(a.stderr + a.stdout).toMatch(/Errors: 0 \| Warnings: 0/);
  expect(b.stderr + b.stdout).toMatch(/Errors: 0 \| Warnings: 0/);
  asm = JSON.parse(fs.readFileSync(path.join(current, '.jsii'), 'utf-8'));

  // the release writes the baseline from its build (dist/version.txt, .jsii) into api-baseline/ and
  // stages it (the version is package.json's: 0.0.0, or the next one when a release build runs this)
  fs.mkdirSync(path.join(released, 'dist'));
  fs.writeFileSync(path.join(released, 'dist', 'version.txt'), asm.version);
  expect(run(released, 'git', ['init', '-q']).status).toBe(0);
  const written = run(released, process.execPath, ['scripts/release.cjs', 'baseline']);
  expect(written.stderr).toContain(`API baseline: ${NAME} ${asm.version} in api-baseline/`);
  expect(written.status).toBe(0);
  expect(run(released, 'git', ['diff', '--cached', '--name-only']).stdout.split('\n').filter(f => f !== ''))
    .toEqual(['allowed-breaking-changes.txt', 'api-baseline/.jsii', 'api-baseline/package.json']);
}, 300_000);

afterAll(() => {
  removeScratch(current);
  removeScratch(released);
});

function typeName(fqn: string): string {
  return fqn.startsWith(`${NAME}.`) ? fqn.slice(NAME.length + 1) : fqn;
}

/** Every member of a type with a stability of its own (jsii records one on each). */
function members(t: JsiiType): Array<{ name: string; member: Member }> {
  return [
    ...(t.initializer ? [{ name: `${t.name}.constructor`, member: t.initializer }] : []),
    ...(t.properties ?? []).map(m => ({ name: `${t.name}.${m.name}`, member: m })),
    ...(t.methods ?? []).map(m => ({ name: `${t.name}.${m.name}()`, member: m })),
    ...(t.members ?? []).map(m => ({ name: `${t.name}.${m.name}`, member: m })),
  ];
}

/** The types of this library a type reference names. */
function ownTypes(ref: TypeRef | undefined): string[] {
  if (!ref) return [];
  if (ref.fqn) return ref.fqn.startsWith(`${NAME}.`) ? [ref.fqn] : [];
  if (ref.collection) return ownTypes(ref.collection.elementtype);
  if (ref.union) return ref.union.types.flatMap(ownTypes);
  return [];
}

describe('stability', () => {
  test('every type and every member carries a stability', () => {
    const types = Object.values(asm.types);
    expect(types.length).toBeGreaterThan(50);
    const missing = types.flatMap(t => [
      ...(t.docs?.stability ? [] : [t.name]),
      ...members(t).filter(m => !m.member.docs?.stability).map(m => m.name),
    ]);
    expect(missing).toEqual([]);
    const unknown = types.flatMap(t => [t.docs?.stability, ...members(t).map(m => m.member.docs?.stability)])
      .filter(s => !['stable', 'experimental', 'deprecated'].includes(s!));
    expect(unknown).toEqual([]);
  });

  test('what is not marked @stable is experimental (the package default)', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf-8'));
    expect(pkg.stability).toBe('experimental');
    expect(asm.docs?.stability).toBe('experimental');
  });

  test('the engine presets and the volume snapshots are experimental, and so is a member of a stable type marked @experimental', () => {
    const experimental = [
      'EnginePreset', 'Postgres', 'PostgresProps', 'Redis', 'RedisProps', 'Valkey', 'Cassandra', 'CassandraProps', 'EngineImageOptions',
      'VolumeSnapshotClass', 'WorkloadSnapshot', 'SnapshotSchedule', 'SnapshotRestore', 'UpgradeGuardValidation',
    ];
    for (const name of experimental) {
      expect({ name, stability: asm.types[`${NAME}.${name}`].docs?.stability }).toEqual({ name, stability: 'experimental' });
    }
    const rolling = asm.types[`${NAME}.WorkloadRollingUpdateOptions`];
    expect(rolling.docs?.stability).toBe('stable');
    expect(rolling.properties!.find(p => p.name === 'partition')!.docs?.stability).toBe('stable');
    // alpha in Kubernetes 1.27 (the MaxUnavailableStatefulSet feature gate)
    expect(rolling.properties!.find(p => p.name === 'maxUnavailable')!.docs?.stability).toBe('experimental');
  });

  test('a stable element names only stable types of the library', () => {
    const stability = (fqn: string) => asm.types[fqn]?.docs?.stability;
    const problems: string[] = [];
    for (const t of Object.values(asm.types)) {
      if (t.docs?.stability !== 'stable') continue;
      for (const base of [t.base, ...(t.interfaces ?? [])].filter((b): b is string => !!b && b.startsWith(`${NAME}.`))) {
        if (stability(base) !== 'stable') problems.push(`${t.name} (stable) extends ${typeName(base)} (${stability(base)})`);
      }
      for (const { name, member } of members(t)) {
        if (member.docs?.stability !== 'stable') continue;
        const named = [member.type, ...(member.parameters ?? []).map(p => p.type), member.returns?.type].flatMap(ownTypes);
        for (const fqn of new Set(named)) {
          if (stability(fqn) !== 'stable') {
            problems.push(`${name} (stable) uses ${typeName(fqn)} (${stability(fqn)}): mark the member @experimental, or the type @stable`);
          }
        }
      }
    }
    expect(problems).toEqual([]);
  });

  test('the stable API', () => {
    // A new member of a stable type is stable unless marked @experimental: review what shows here.
    const stable = Object.values(asm.types)
      .filter(t => t.docs?.stability === 'stable')
      .flatMap(t => [`${t.kind} ${t.name}`, ...members(t).filter(m => m.member.docs?.stability === 'stable').map(m => `  ${m.name}`).sort()]);
    expect(stable.join('\n')).toMatchSnapshot();
  });
});

describe('compatibility with the last release (npx projen compat)', () => {
  /** Runs the compat task of the current scratch copy against a baseline (or none) and a declaration file. */
  function compat(baseline: 'released' | 'current' | 'none', declared: string[] = []) {
    const dir = current!;
    fs.rmSync(path.join(dir, 'api-baseline'), { recursive: true, force: true });
    if (baseline === 'released') fs.cpSync(path.join(released!, 'api-baseline'), path.join(dir, 'api-baseline'), { recursive: true });
    if (baseline === 'current') {
      fs.mkdirSync(path.join(dir, 'api-baseline'));
      fs.copyFileSync(path.join(dir, '.jsii'), path.join(dir, 'api-baseline', '.jsii'));
      fs.copyFileSync(path.join(released!, 'api-baseline', 'package.json'), path.join(dir, 'api-baseline', 'package.json'));
    }
    const header = fs.readFileSync(path.join(ROOT, 'allowed-breaking-changes.txt'), 'utf-8');
    fs.writeFileSync(path.join(dir, 'allowed-breaking-changes.txt'), header + declared.map(d => `${d}\n`).join(''));
    const res = projen(dir, 'compat');
    return { status: res.status, output: res.stdout + res.stderr };
  }

  const REMOVED_METHOD = `removed:${NAME}.StatefulWorkload.legacyHostName`;
  // a prop removed from StatefulWorkloadOptions is gone from every struct that extends it
  const REMOVED_PROP = `removed:${NAME}.StatefulWorkloadOptions.legacyOption`;
  const REMOVED_INHERITED_PROP = `removed:${NAME}.StatefulWorkloadProps.legacyOption`;
  const REMOVED_EXPERIMENTAL = `removed:${NAME}.Postgres.legacyEngineName`;

  test('every compile runs it', () => {
    const tasks = JSON.parse(fs.readFileSync(path.join(ROOT, '.projen', 'tasks.json'), 'utf-8')).tasks;
    expect(tasks.compile.steps).toEqual([{ exec: 'jsii --fail-on-warnings' }, { spawn: 'compat' }]);
    expect(tasks.build.steps.map((s: { spawn: string }) => s.spawn)).toEqual(expect.arrayContaining(['compile']));
  });

  test('passes before the first release: nothing to compare with', () => {
    const res = compat('none');
    expect(res.output).toContain('API compatibility: no release yet (the first release writes api-baseline/): nothing to compare with');
    expect(res.output).not.toContain('jsii-diff');
    expect(res.status).toBe(0);
  });

  test('passes when nothing changed', () => {
    const res = compat('current');
    expect(res.output).toContain('jsii-diff api-baseline . --keys --error-on prod --ignore-file allowed-breaking-changes.txt');
    expect(res.output).not.toMatch(/^(err|warn|skip) /m);
    expect(res.status).toBe(0);
  });

  test('fails when a stable element is removed without being declared', () => {
    const res = compat('released');
    expect(res.output).toContain(`Original assembly: ${NAME}@${asm.version}`);
    expect(res.output).toContain(`err  - METHOD ${NAME}.StatefulWorkload.legacyHostName: has been removed [${REMOVED_METHOD}]`);
    expect(res.output).toContain(`err  - PROP ${NAME}.StatefulWorkloadOptions.legacyOption: has been removed [${REMOVED_PROP}]`);
    expect(res.output).toContain(`err  - PROP ${NAME}.StatefulWorkloadProps.legacyOption: has been removed [${REMOVED_INHERITED_PROP}]`);
    expect(res.output).toContain('Task "compat" failed');
    expect(res.status).not.toBe(0);
  });

  test('fails when only some of the breaking changes are declared', () => {
    const res = compat('released', [REMOVED_METHOD]);
    expect(res.output).toContain(`skip - METHOD ${NAME}.StatefulWorkload.legacyHostName: has been removed [${REMOVED_METHOD}]`);
    expect(res.output).toContain(`err  - PROP ${NAME}.StatefulWorkloadOptions.legacyOption: has been removed [${REMOVED_PROP}]`);
    expect(res.status).not.toBe(0);
  });

  test('passes when every breaking change is declared in allowed-breaking-changes.txt', () => {
    const res = compat('released', [REMOVED_METHOD, REMOVED_PROP, REMOVED_INHERITED_PROP]);
    expect(res.output).toContain(`skip - METHOD ${NAME}.StatefulWorkload.legacyHostName: has been removed [${REMOVED_METHOD}]`);
    expect(res.output).toContain(`skip - PROP ${NAME}.StatefulWorkloadOptions.legacyOption: has been removed [${REMOVED_PROP}]`);
    expect(res.output).toContain(`skip - PROP ${NAME}.StatefulWorkloadProps.legacyOption: has been removed [${REMOVED_INHERITED_PROP}]`);
    expect(res.output).not.toMatch(/^err /m);
    expect(res.status).toBe(0);
  });

  test('a breaking change of an experimental element is a warning, never an error', () => {
    const res = compat('released', [REMOVED_METHOD, REMOVED_PROP, REMOVED_INHERITED_PROP]);
    expect(res.output).toContain(`warn - METHOD ${NAME}.Postgres.legacyEngineName: has been removed [${REMOVED_EXPERIMENTAL}]`);
    expect(res.output).toContain(`warn - PROP ${NAME}.PostgresProps.legacyOption: has been removed [removed:${NAME}.PostgresProps.legacyOption]`);
    expect(res.status).toBe(0);
  });
});
