import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PassThrough } from 'stream';
import { Yaml } from 'cdk8s';
import { ValidationContext } from 'cdk8s-cli/plugins';
import { main, runCli, USAGE } from '../../../src/gitops/cli/guard';
import {
  KubernetesVersion, UpgradeFinding, UpgradeFindingSeverity, UpgradeGuard, UpgradeGuardValidation,
} from '../../../src/gitops/upgrade-guard';

// ---------------------------------------------------------------------------------------------
// fixtures

const temps: string[] = [];

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guard-cli-test-'));
  temps.push(dir);
  return dir;
}

afterAll(() => {
  for (const dir of temps) fs.rmSync(dir, { recursive: true, force: true });
});

function sts(): any {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'web', namespace: 'shop' },
    spec: {
      serviceName: 'nginx',
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }] } },
      volumeClaimTemplates: [{
        metadata: { name: 'www' },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
      }],
    },
  };
}

function pvc(name = 'files'): any {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name, namespace: 'shop' },
    spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'standard', resources: { requests: { storage: '10Gi' } } },
  };
}

function storageClass(reclaimPolicy: string): any {
  return {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: 'standard' },
    provisioner: 'ebs.csi.aws.com',
    reclaimPolicy,
  };
}

function service(spec: any, name = 'db'): any {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'shop' }, spec: { ports: [{ port: 5432 }], ...spec } };
}

const externalName = (name = 'db') => service({ type: 'ExternalName', externalName: 'db.example.com' }, name);
/** From ExternalName to in-cluster without a type: a warning under client-side apply, refused server-side. */
const inCluster = (name = 'db') => service({ clusterIP: 'None' }, name);

function writeManifests(dir: string, objects: any[], file = 'app.k8s.yaml'): string {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, file), Yaml.stringify(...objects));
  return dir;
}

/** Two directories: `current` and `next`. */
function dirs(current: any[], next: any[]): { current: string; next: string } {
  const root = tempDir();
  return { current: writeManifests(path.join(root, 'current'), current), next: writeManifests(path.join(root, 'next'), next) };
}

/** A StatefulSet with a new serviceName (refused) and a StorageClass with a new reclaim policy (refused). */
function twoRefused(): { current: string; next: string } {
  const after = sts();
  after.spec.serviceName = 'web';
  return dirs([sts(), storageClass('Retain')], [after, storageClass('Delete')]);
}

function run(args: string[], cwd?: string): { status: number; out: string; err: string } {
  let out = '';
  let err = '';
  const status = main(args, { out: t => { out += t; }, err: t => { err += t; }, cwd });
  return { status, out, err };
}

const gitIn = (cwd: string) => (...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'commit.gpgsign=false', ...args], { cwd, stdio: 'pipe' });

/** A repository whose last commit holds dist/ with a StatefulSet; the work tree's dist/ has a new serviceName. */
function repository(): string {
  const repo = tempDir();
  const git = gitIn(repo);
  git('init', '-q');
  writeManifests(path.join(repo, 'dist'), [sts()]);
  git('add', '.');
  git('commit', '-qm', 'current');
  const after = sts();
  after.spec.serviceName = 'web';
  writeManifests(path.join(repo, 'dist'), [after]);
  return repo;
}

// ---------------------------------------------------------------------------------------------

describe('cdk8s-stateful-guard: options', () => {
  test.each([[['-h']], [['--help']], [['a', '-h']], [['--help', 'a', 'b', 'c']]])('%j prints the help, exit 0', args => {
    expect(run(args)).toEqual({ status: 0, out: USAGE, err: '' });
  });

  test.each<[string[], string]>([
    [[], 'expected <current> and <next>, got 0 argument(s)'],
    [['a'], 'expected <current> and <next>, got 1 argument(s)'],
    [['a', 'b', 'c'], 'expected <current> and <next>, got 3 argument(s)'],
    [['--git', 'HEAD:dist'], 'with --git, expected only <next>, got 0 argument(s)'],
    [['a', 'b', '--git'], '--git needs a value'],
    [['a', 'b', '--k8s-version'], '--k8s-version needs a value'],
    [['a', 'b', '--accept'], '--accept needs a value'],
    [['--k8s-version=1.26', 'a', 'b'], '--k8s-version: "1.26" is not a Kubernetes version of 1.27 or later (e.g. 1.27, 1.30)'],
    [['--accept=web', 'a', 'b'], '--accept: invalid \'accept\' entry: "web". An entry is <Kind>/<namespace>/<name> (<Kind>/<name> without a namespace), ' +
      'optionally followed by :<field prefix>. Copy it from the "accept:" line of a finding, e.g. StatefulSet/shop/orders-db:spec.volumeClaimTemplates.'],
    [['-x', 'a', 'b'], 'unknown option -x'],
    [['--git-dir', 'a', 'b'], 'unknown option --git-dir'],
    [['a', '--json=true', 'b'], 'unknown option --json=true'],
  ])('%j: usage error, exit 2', (args, message) => {
    expect(run(args)).toEqual({ status: 2, out: '', err: `cdk8s-stateful-guard: ${message}\n\n${USAGE}` });
  });

  test('an error that is not the user\'s is thrown, not reported as a usage error', () => {
    expect(() => run([undefined as any, 'b'])).toThrow(TypeError);
  });

  test('"-" is an argument, not an option', () => {
    const { next } = twoRefused();
    expect(run(['-', next])).toEqual({
      status: 2, out: '', err: "cdk8s-stateful-guard: '-' does not exist: give the directory (or file) of rendered manifests, e.g. dist/\n",
    });
  });

  test.each([[':dist'], [':main:dist']])('a <current> that does not exist and starts with ":" is no git revision: %s', current => {
    const { next } = twoRefused();
    expect(run([current, next]).err).toBe(`cdk8s-stateful-guard: '${current}' does not exist: give the directory (or file) of rendered manifests, e.g. dist/\n`);
  });

  test('a <current> directory with ":" in its name that exists is a directory, not a git revision', () => {
    const root = tempDir();
    const after = sts();
    after.spec.serviceName = 'web';
    const current = writeManifests(path.join(root, 'main:dist'), [sts()]);
    const next = writeManifests(path.join(root, 'next'), [after]);
    const res = run([current, next], root);
    expect(res.err).toBe('');
    expect(res.status).toBe(1);
    expect(res.out).toContain('  field:    spec.serviceName\n  change:   nginx -> web\n');
  });

  test('--k8s-version names the version in the report', () => {
    const { current, next } = twoRefused();
    const findings = UpgradeGuard.compareDirectories(current, next, { kubernetesVersion: KubernetesVersion.V1_30 });
    const res = run(['--k8s-version', '1.30', current, next]);
    expect(res).toEqual({ status: 1, out: UpgradeGuard.formatFindings(findings, { kubernetesVersion: KubernetesVersion.V1_30 }), err: '' });
    expect(res.out).toMatch(/^cdk8s-stateful upgrade guard \(Kubernetes 1\.30\): 2 refused, 0 data loss, 0 warning\(s\)\.\n/);
  });

  test('the report of the default version, without an "Accepted" line when nothing is accepted', () => {
    const { current, next } = twoRefused();
    const res = run([current, next]);
    expect(res).toEqual({ status: 1, out: UpgradeGuard.formatFindings(UpgradeGuard.compareDirectories(current, next)), err: '' });
    expect(res.out).toMatch(/^cdk8s-stateful upgrade guard \(Kubernetes 1\.27\): 2 refused/);
  });

  test('--json prints the findings as JSON and a newline', () => {
    const { current, next } = twoRefused();
    const findings = UpgradeGuard.compareDirectories(current, next);
    expect(findings.length).toBe(2);
    expect(run(['--json', current, next])).toEqual({ status: 1, out: JSON.stringify(findings, undefined, 2) + '\n', err: '' });
    expect(run(['--json', current, current])).toEqual({ status: 0, out: '[]\n', err: '' });
  });

  test('--json leaves out accepted findings', () => {
    const { current, next } = twoRefused();
    const [, storage] = UpgradeGuard.compareDirectories(current, next);
    expect(storage.kind).toBe('StorageClass');
    expect(run(['--json', '--accept', 'StatefulSet/shop/web', current, next])).toEqual({ status: 1, out: JSON.stringify([storage], undefined, 2) + '\n', err: '' });
  });

  test('--accept: only the accepted findings are listed as accepted, a cluster-scoped one without namespace', () => {
    const { current, next } = twoRefused();
    const [, storage] = UpgradeGuard.compareDirectories(current, next);
    expect(run(['--accept', 'StorageClass/standard', current, next])).toEqual({
      status: 1,
      out: UpgradeGuard.formatFindings(UpgradeGuard.compareDirectories(current, next, { accept: ['StorageClass/standard'] })) +
        `\nAccepted (--accept), not counted: REFUSED StorageClass standard ${storage.field}\n`,
      err: '',
    });
  });

  test('--accept, repeated: the accepted findings are joined with "; "', () => {
    const { current, next } = twoRefused();
    const [, storage] = UpgradeGuard.compareDirectories(current, next);
    expect(run(['--accept', 'StatefulSet/shop/web', '--accept=StorageClass/standard', current, next])).toEqual({
      status: 0,
      out: 'cdk8s-stateful upgrade guard (Kubernetes 1.27): no refused update, no data loss.\n\n' +
        `Accepted (--accept), not counted: REFUSED StatefulSet shop/web spec.serviceName; REFUSED StorageClass standard ${storage.field}\n`,
      err: '',
    });
  });

  test('--server-side and --allow-warnings', () => {
    const { current, next } = dirs([externalName()], [inCluster()]);
    const warned = run([current, next]);
    expect(warned.status).toBe(1);
    expect(warned.out).toMatch(/^cdk8s-stateful upgrade guard \(Kubernetes 1\.27\): 0 refused, 0 data loss, 1 warning\(s\)\./);
    expect(run(['--allow-warnings', current, next]).status).toBe(0);
    const refused = run(['--server-side', '--allow-warnings', current, next]);
    expect(refused.status).toBe(1);
    expect(refused.out).toMatch(/^cdk8s-stateful upgrade guard \(Kubernetes 1\.27\): 1 refused, 0 data loss, 0 warning\(s\)\./);
  });
});

describe('cdk8s-stateful-guard: git', () => {
  let repo: string;
  beforeAll(() => {
    repo = repository();
  });

  test.each([[['--git', 'HEAD:dist']], [['--git=HEAD:dist']], [['HEAD:dist']]])('%j reads <current> from git', args => {
    const res = run([...args, path.join(repo, 'dist')], repo);
    expect(res.err).toBe('');
    expect(res.status).toBe(1);
    expect(res.out).toContain('  field:    spec.serviceName\n  change:   nginx -> web\n  server:   ');
    expect(res.out).toContain('\n  manifest: ' + path.join(repo, 'dist', 'app.k8s.yaml') + '\n');
  });

  test('--git=<revision>:<path> is read as given', () => {
    expect(run(['--git=HEAD:nothing', path.join(repo, 'dist')], repo)).toEqual({
      status: 2, out: '', err: "cdk8s-stateful-guard: git revision 'HEAD' has no manifest files (.yaml, .yml, .json) under 'nothing'\n",
    });
  });

  test('with --git, <next> is never read as a git revision', () => {
    expect(run(['--git', 'HEAD:dist', 'other:dist'], repo)).toEqual({
      status: 2, out: '', err: "cdk8s-stateful-guard: 'other:dist' does not exist: give the directory (or file) of rendered manifests, e.g. dist/\n",
    });
  });

  test('the current directory by default', () => {
    const cwd = process.cwd();
    process.chdir(repo);
    try {
      expect(run(['HEAD:dist', 'dist']).status).toBe(1);
    } finally {
      process.chdir(cwd);
    }
  });
});

describe('runCli', () => {
  let exitCode: typeof process.exitCode;
  let argv: string[];
  let out: string;
  let err: string;
  beforeEach(() => {
    exitCode = process.exitCode;
    argv = process.argv;
    out = '';
    err = '';
    jest.spyOn(process.stdout, 'write').mockImplementation((t: any) => { out += t; return true; });
    jest.spyOn(process.stderr, 'write').mockImplementation((t: any) => { err += t; return true; });
  });
  afterEach(() => {
    jest.restoreAllMocks();
    process.exitCode = exitCode;
    process.argv = argv;
  });

  test('prints the report on stdout and sets the exit status', () => {
    const { current, next } = twoRefused();
    runCli([current, next]);
    const status = process.exitCode;
    const [o, e] = [out, err];
    jest.restoreAllMocks();
    expect(status).toBe(1);
    expect(o).toBe(UpgradeGuard.formatFindings(UpgradeGuard.compareDirectories(current, next)));
    expect(e).toBe('');
  });

  test('prints errors on stderr', () => {
    runCli(['--frobnicate', 'a', 'b']);
    const status = process.exitCode;
    const [o, e] = [out, err];
    jest.restoreAllMocks();
    expect(status).toBe(2);
    expect(o).toBe('');
    expect(e).toBe(`cdk8s-stateful-guard: unknown option --frobnicate\n\n${USAGE}`);
  });

  test('reads the arguments after the script by default', () => {
    const { current } = twoRefused();
    process.argv = [process.execPath, 'cdk8s-stateful-guard', current, current];
    runCli();
    const status = process.exitCode;
    const [o, e] = [out, err];
    jest.restoreAllMocks();
    expect(e).toBe('');
    expect(status).toBe(0);
    expect(o).toBe('cdk8s-stateful upgrade guard (Kubernetes 1.27): no refused update, no data loss.\n');
  });
});

describe('runCli with a reader that stops early (| head)', () => {
  /** Many refused changes: a report far larger than a pipe's buffer (64 KiB). */
  function bigChange(): { current: string; next: string } {
    const before = Array.from({ length: 300 }, (_, i) => ({ ...sts(), metadata: { name: `web-${i}`, namespace: 'shop' } }));
    const after = before.map(o => ({ ...o, spec: { ...o.spec, serviceName: 'renamed' } }));
    return dirs(before, after);
  }

  test('the command piped into head: no write EPIPE, and the exit status is still the verdict', () => {
    // GIVEN
    const { current, next } = bigChange();
    const script = [
      "require('ts-node').register({ transpileOnly: true, compilerOptions: { module: 'commonjs' } });",
      `require(${JSON.stringify(path.join(__dirname, '../../../src/gitops/cli/guard.ts'))}).runCli(process.argv.slice(1));`,
    ].join('\n');

    // WHEN the report goes through `head -n 3`, which exits after three lines
    const shell = 'set -o pipefail; node -e "$SCRIPT" "$CURRENT" "$NEXT" 2>"$ERR" | head -n 3; echo "status ${PIPESTATUS[0]}"';
    const err = path.join(tempDir(), 'stderr');
    const out = execFileSync('bash', ['-c', shell], {
      encoding: 'utf8', env: { ...process.env, SCRIPT: script, CURRENT: current, NEXT: next, ERR: err },
    });

    // THEN
    expect(out).toBe('cdk8s-stateful upgrade guard (Kubernetes 1.27): 300 refused, 0 data loss, 0 warning(s).\n\nREFUSED   StatefulSet shop/web-0 (apps/v1)\nstatus 1\n');
    expect(fs.readFileSync(err, 'utf8')).toBe('');
  }, 60_000);

  test('a closed stdout stops the report quietly; other stream errors are thrown', () => {
    // GIVEN a stdout that fails as a closed pipe does, on its first write
    const { current, next } = twoRefused();
    const writes: string[] = [];
    const stdout = new PassThrough();
    stdout.write = ((t: string) => {
      writes.push(t);
      process.nextTick(() => stdout.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' })));
      return true;
    }) as any;
    const stderr = new PassThrough();
    const exitCode = process.exitCode;

    // WHEN
    runCli([current, next], { stdout, stderr });
    const status = process.exitCode;
    process.exitCode = exitCode;
    stdout.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));

    // THEN the verdict stands, and nothing more is written once the pipe is closed
    expect(status).toBe(1);
    expect(writes).toHaveLength(1);
    expect(stderr.read()).toBeNull();
    expect(() => stdout.emit('error', Object.assign(new Error('disk full'), { code: 'ENOSPC' }))).toThrow('disk full');
  });
});

// ---------------------------------------------------------------------------------------------
// the API

describe('KubernetesVersion.of', () => {
  test.each([['1.30.12', 30], ['v1.27.0', 27], ['1.100', 100]])('%s', (text, minor) => {
    expect(KubernetesVersion.of(text).minor).toBe(minor);
  });

  test.each(['x1.30', 'vv1.30', '11.30', '1.30x', '1.30.', '1.30.1.2', '1.30.x', 'v1.30 beta'])('fails on %s', text => {
    expect(() => KubernetesVersion.of(text)).toThrow(`KubernetesVersion: invalid version: "${text}"`);
  });
});

describe('UpgradeGuard.formatFindings', () => {
  const refused: UpgradeFinding = {
    severity: UpgradeFindingSeverity.REFUSED,
    kind: 'StatefulSet',
    apiVersion: 'apps/v1',
    objectNamespace: 'shop',
    objectName: 'web',
    field: 'spec.serviceName',
    oldValue: 'nginx',
    newValue: 'web',
    message: 'it is refused',
    wayOut: 'do not',
    manifest: 'dist/web.yaml',
  };
  const dataLoss: UpgradeFinding = {
    severity: UpgradeFindingSeverity.DATA_LOSS,
    kind: 'PersistentVolume',
    apiVersion: 'v1',
    objectName: 'data-0',
    field: 'metadata.name',
    oldValue: 'data-0',
    newValue: '(deleted)',
    message: 'it is lost',
    wayOut: 'keep it',
  };
  const warning: UpgradeFinding = {
    severity: UpgradeFindingSeverity.WARNING,
    kind: 'Service',
    apiVersion: 'v1',
    objectNamespace: 'shop',
    objectName: 'db',
    field: 'spec.type',
    oldValue: 'ExternalName',
    newValue: '(not set)',
    message: 'it may fail',
    wayOut: 'state the type',
    manifest: 'dist/db.yaml',
  };

  test('every finding as a block', () => {
    expect(UpgradeGuard.formatFindings([refused, dataLoss, warning])).toBe([
      'cdk8s-stateful upgrade guard (Kubernetes 1.27): 1 refused, 1 data loss, 1 warning(s).',
      '',
      'REFUSED   StatefulSet shop/web (apps/v1)',
      '  field:    spec.serviceName',
      '  change:   nginx -> web',
      '  server:   it is refused',
      '  way out:  do not',
      '  accept:   StatefulSet/shop/web:spec.serviceName',
      '  manifest: dist/web.yaml',
      '',
      'DATA_LOSS PersistentVolume data-0 (v1)',
      '  field:    metadata.name',
      '  change:   data-0 -> (deleted)',
      '  why:      it is lost',
      '  way out:  keep it',
      '  accept:   PersistentVolume/data-0:metadata.name',
      '',
      'WARNING   Service shop/db (v1)',
      '  field:    spec.type',
      '  change:   ExternalName -> (not set)',
      '  why:      it may fail',
      '  way out:  state the type',
      '  accept:   Service/shop/db:spec.type',
      '  manifest: dist/db.yaml',
      '',
    ].join('\n'));
  });

  test.each<[KubernetesVersion | undefined, string]>([
    [undefined, '1.27'], [KubernetesVersion.V1_27, '1.27'], [KubernetesVersion.V1_30, '1.30'], [KubernetesVersion.of('1.33'), '1.33'],
  ])('the Kubernetes version %s', (kubernetesVersion, text) => {
    expect(UpgradeGuard.formatFindings([], { kubernetesVersion })).toBe(`cdk8s-stateful upgrade guard (Kubernetes ${text}): no refused update, no data loss.\n`);
    expect(UpgradeGuard.formatFindings([warning], { kubernetesVersion })).toMatch(new RegExp(`^cdk8s-stateful upgrade guard \\(Kubernetes ${text.replace('.', '\\.')}\\): 0 refused, 0 data loss, 1 warning`));
  });

  test('the version defaults to 1.27 without options', () => {
    expect(UpgradeGuard.formatFindings([])).toBe('cdk8s-stateful upgrade guard (Kubernetes 1.27): no refused update, no data loss.\n');
  });
});

describe('UpgradeGuard.compare: order of findings', () => {
  // in the order the rules find them: the Service (a warning), the StatefulSet's fields, then the deleted claims
  const current = [externalName('a'), externalName('b'), pvc('files'), pvc('more'), sts()];
  const after = sts();
  after.spec.serviceName = 'web';
  after.spec.selector.matchLabels.tier = 'db';
  after.spec.template.metadata.labels.tier = 'db';
  after.spec.volumeClaimTemplates[0].spec.resources.requests.storage = '2Gi';
  const next = [inCluster('a'), inCluster('b'), after];

  test('refused first, then data loss, then warnings; within each, in the order found', () => {
    expect(UpgradeGuard.compare(current, next).map(f => `${f.severity} ${f.kind}/${f.objectName} ${f.field}`)).toEqual([
      'REFUSED StatefulSet/web spec.serviceName',
      'REFUSED StatefulSet/web spec.selector',
      'REFUSED StatefulSet/web spec.volumeClaimTemplates[name=www].spec.resources.requests.storage',
      'DATA_LOSS PersistentVolumeClaim/files metadata.name',
      'DATA_LOSS PersistentVolumeClaim/more metadata.name',
      'WARNING Service/a spec.type',
      'WARNING Service/b spec.type',
    ]);
  });

  test('accepted findings are left out, the others keep their order', () => {
    expect(UpgradeGuard.compare(current, next, { accept: ['StatefulSet/shop/web:spec.se', 'Service/shop/a'] })
      .map(f => `${f.severity} ${f.kind}/${f.objectName} ${f.field}`)).toEqual([
      'REFUSED StatefulSet/web spec.volumeClaimTemplates[name=www].spec.resources.requests.storage',
      'DATA_LOSS PersistentVolumeClaim/files metadata.name',
      'DATA_LOSS PersistentVolumeClaim/more metadata.name',
      'WARNING Service/b spec.type',
    ]);
  });
});

// ---------------------------------------------------------------------------------------------
// the cdk8s synth plugin

function context(next: string): ValidationContext {
  return new ValidationContext(fs.readdirSync(next).map(f => path.join(next, f)), 'cdk8s-stateful', '0.0.0', {}, false);
}

describe('UpgradeGuardValidation', () => {
  test('fails when neither or both of gitRevision and currentDirectory are set, with the exact message', () => {
    expect(() => new UpgradeGuardValidation({})).toThrow(new Error(
      'UpgradeGuardValidation: invalid properties: {}. Exactly one of \'gitRevision\' (e.g. origin/main:dist) and \'currentDirectory\' ' +
      'says what the cluster runs. Set one of them in cdk8s.yaml.'));
  });

  test('a cluster-scoped object is named without namespace; the summary has the version and the number of findings', async () => {
    const { current, next } = dirs([storageClass('Retain')], [storageClass('Delete')]);
    const ctx = context(next);
    await new UpgradeGuardValidation({ currentDirectory: current, kubernetesVersion: '1.30' }).validate(ctx);
    const report = ctx.report.toJson();
    expect(report.violations.map((v: any) => v.violatingConstructs.map((c: any) => [c.resourceName, c.manifestPath]))).toEqual([
      [['StorageClass standard', path.join(next, 'app.k8s.yaml')]],
    ]);
    expect(report.summary).toMatchObject({ status: 'failure', metadata: { kubernetesVersion: '1.30', findings: '1' } });
  });

  test('the summary when nothing is found', async () => {
    const { current, next } = dirs([sts()], [sts()]);
    const ctx = context(next);
    await new UpgradeGuardValidation({ currentDirectory: current }).validate(ctx);
    expect(ctx.report.toJson().summary).toMatchObject({ status: 'success', metadata: { kubernetesVersion: '1.27', findings: '0' } });
  });

  test.each<[string, boolean | undefined, 'success' | 'failure']>([
    ['only a warning', undefined, 'failure'],
    ['only a warning', false, 'failure'],
    ['only a warning', true, 'success'],
    ['a warning and a refused update', true, 'failure'],
    ['a warning and a refused update', undefined, 'failure'],
  ])('%s, allowWarnings %s: %s', async (what, allowWarnings, status) => {
    const after = sts();
    if (what !== 'only a warning') after.spec.serviceName = 'web';
    const { current, next } = dirs([externalName(), sts()], [inCluster(), after]);
    const ctx = context(next);
    await new UpgradeGuardValidation({ currentDirectory: current, allowWarnings }).validate(ctx);
    const summary = ctx.report.toJson().summary;
    expect(summary.status).toBe(status);
    expect(summary.metadata?.findings).toBe(what === 'only a warning' ? '1' : '2');
  });

  test('reads gitRevision from git, relative to the current directory', async () => {
    const repo = repository();
    const ctx = context(path.join(repo, 'dist'));
    const cwd = process.cwd();
    process.chdir(repo);
    try {
      await new UpgradeGuardValidation({ gitRevision: 'HEAD:dist' }).validate(ctx);
    } finally {
      process.chdir(cwd);
    }
    const report = ctx.report.toJson();
    expect(report.summary.status).toBe('failure');
    expect(report.violations.map((v: any) => v.ruleName)).toEqual(['upgrade-guard REFUSED: spec.serviceName']);
  });

  test('a gitRevision that is none fails', async () => {
    const { next } = twoRefused();
    await expect(new UpgradeGuardValidation({ gitRevision: 'dist' }).validate(context(next))).rejects.toThrow(
      new Error("'dist' is not a git revision and path: write <revision>:<path>, e.g. origin/main:dist"));
  });
});
