/**
 * The upgrade guard on files: UpgradeGuard.compareDirectories, the `cdk8s-stateful-guard` command run
 * in-process (directories and git revisions) and as a process, and the cdk8s synth plugin. The rules
 * themselves are tested in test/upgrade-guard.test.ts and test/private/upgrade-rules.test.ts; these
 * tests write files, run git and start processes, so they are kept apart (mutation testing runs the
 * rules' mutants against the fast tests only, stryker.batches.json).
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Yaml } from 'cdk8s';
import { ValidationContext } from 'cdk8s-cli/plugins';
import { main } from '../../src/gitops/cli/guard';
import {
  UpgradeGuard, UpgradeGuardValidation,
} from '../../src/gitops/upgrade-guard';
import { clone, only, pvc, service, sts, STS_127, www } from '../util/guard-fixtures';

// ---------------------------------------------------------------------------------------------
// directories, the command and the cdk8s plugin

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'guard-test-'));
}

function writeManifests(dir: string, file: string, objects: any[]): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, file), Yaml.stringify(...objects));
}

function grownClaims(): { current: string; next: string } {
  const root = tempDir();
  const before = sts();
  const after = clone(before);
  www(after).spec.resources.requests.storage = '2Gi';
  writeManifests(path.join(root, 'current'), 'web.k8s.yaml', [before, pvc()]);
  writeManifests(path.join(root, 'next'), 'web.k8s.yaml', [after, pvc()]);
  return { current: path.join(root, 'current'), next: path.join(root, 'next') };
}

function run(args: string[], cwd?: string): { status: number; out: string; err: string } {
  let out = '';
  let err = '';
  const status = main(args, { out: t => { out += t; }, err: t => { err += t; }, cwd });
  return { status, out, err };
}

describe('UpgradeGuard.compareDirectories', () => {
  test('reads every manifest below both directories and names the file', () => {
    const { current, next } = grownClaims();
    writeManifests(path.join(next, 'nested'), 'extra.yml', [pvc('more')]);
    const finding = only(UpgradeGuard.compareDirectories(current, next));
    expect(finding.manifest).toBe(path.join(next, 'web.k8s.yaml'));
  });

  test('reads JSON files and flattens kind: List', () => {
    const root = tempDir();
    const before = sts();
    const after = clone(before);
    after.spec.serviceName = 'web';
    writeManifests(path.join(root, 'a'), 'all.yaml', [{ apiVersion: 'v1', kind: 'List', items: [before, pvc()] }]);
    fs.mkdirSync(path.join(root, 'b'));
    fs.writeFileSync(path.join(root, 'b', 'web.json'), JSON.stringify(after));
    fs.writeFileSync(path.join(root, 'b', 'files.json'), JSON.stringify(pvc()));
    fs.writeFileSync(path.join(root, 'b', 'README.md'), '# not a manifest');
    expect(only(UpgradeGuard.compareDirectories(path.join(root, 'a'), path.join(root, 'b')))).toMatchObject({
      field: 'spec.serviceName', manifest: path.join(root, 'b', 'web.json'),
    });
  });

  test('fails when a directory does not exist', () => {
    expect(() => UpgradeGuard.compareDirectories('/nonexistent/dist', tempDir())).toThrow(/'\/nonexistent\/dist' does not exist/);
  });
});

describe('cdk8s-stateful-guard', () => {
  test('exit 1 and a readable report when an update is refused', () => {
    const { current, next } = grownClaims();
    const { status, out } = run([current, next]);
    expect(status).toBe(1);
    expect(out).toContain('cdk8s-stateful upgrade guard (Kubernetes 1.27): 1 refused, 0 data loss, 0 warning(s).\n\nREFUSED   StatefulSet shop/web (apps/v1)\n' +
      '  field:    spec.volumeClaimTemplates[name=www].spec.resources.requests.storage\n  change:   1Gi -> 2Gi\n  server:   ' + STS_127 + '\n  way out:  ');
    expect(out).toContain('\n  accept:   StatefulSet/shop/web:spec.volumeClaimTemplates[name=www].spec.resources.requests.storage\n' +
      `  manifest: ${path.join(next, 'web.k8s.yaml')}\n`);
  });

  test('--accept leaves out a finding already dealt with, and says so', () => {
    const { current, next } = grownClaims();
    const { status, out } = run(['--accept', 'StatefulSet/shop/web:spec.volumeClaimTemplates', current, next]);
    expect(status).toBe(0);
    expect(out).toBe('cdk8s-stateful upgrade guard (Kubernetes 1.27): no refused update, no data loss.\n\n' +
      'Accepted (--accept), not counted: REFUSED StatefulSet shop/web spec.volumeClaimTemplates[name=www].spec.resources.requests.storage\n');
    expect(run(['--accept=statefulset/shop/web', current, next]).status).toBe(0);
    expect(run(['--accept', 'StatefulSet/shop/web:spec.serviceName', current, next]).status).toBe(1);
    expect(run(['--accept', 'StatefulSet/other/web', current, next]).status).toBe(1);
  });

  test('exit 0 when nothing is found', () => {
    const { current } = grownClaims();
    expect(run([current, current])).toEqual({ status: 0, out: 'cdk8s-stateful upgrade guard (Kubernetes 1.27): no refused update, no data loss.\n', err: '' });
  });

  test('--json prints the findings', () => {
    const { current, next } = grownClaims();
    const { status, out } = run(['--json', current, next]);
    expect(status).toBe(1);
    expect(JSON.parse(out)).toEqual([expect.objectContaining({ severity: 'REFUSED', oldValue: '1Gi', newValue: '2Gi' })]);
  });

  test('--allow-warnings: exit 0 with only warnings', () => {
    const root = tempDir();
    writeManifests(path.join(root, 'a'), 'x.yaml', [sts()]);
    writeManifests(path.join(root, 'b'), 'x.yaml', [service({})]);
    expect(run([path.join(root, 'a'), path.join(root, 'b')]).status).toBe(1);
    expect(run(['--allow-warnings', path.join(root, 'a'), path.join(root, 'b')]).status).toBe(0);
  });

  test('--k8s-version and --server-side', () => {
    const root = tempDir();
    const before = sts();
    const after = clone(before);
    after.spec.revisionHistoryLimit = 2;
    writeManifests(path.join(root, 'a'), 'x.yaml', [before, service({ type: 'ExternalName', externalName: 'db.example.com' })]);
    writeManifests(path.join(root, 'b'), 'x.yaml', [after, service({ clusterIP: 'None' })]);
    const args = [path.join(root, 'a'), path.join(root, 'b')];
    expect(run(['--k8s-version', '1.33', '--allow-warnings', ...args]).status).toBe(0);
    expect(run(['--k8s-version=1.33', '--server-side', '--allow-warnings', ...args]).status).toBe(1);
    expect(run(args).out).toContain('1 refused, 0 data loss, 1 warning(s)');
  });

  test.each<[string, string[], RegExp]>([
    ['no arguments', [], /expected <current> and <next>, got 0 argument\(s\)/],
    ['an unknown option', ['--frobnicate', 'a', 'b'], /unknown option --frobnicate/],
    ['a bad Kubernetes version', ['--k8s-version', '1.20', 'a', 'b'], /--k8s-version: "1.20" is not a Kubernetes version of 1.27 or later/],
    ['--git with two directories', ['--git', 'HEAD:dist', 'a', 'b'], /with --git, expected only <next>, got 2 argument\(s\)/],
    ['a bad --accept', ['--accept', 'web', 'a', 'b'], /--accept: invalid 'accept' entry: "web". An entry is <Kind>\/<namespace>\/<name>/],
    ['a missing directory', ['/nonexistent/a', '/nonexistent/b'], /'\/nonexistent\/a' does not exist/],
  ])('exit 2 on %s', (_, args, message) => {
    const { status, err } = run(args);
    expect(status).toBe(2);
    expect(err).toMatch(message);
  });

  test('--help', () => {
    const { status, out } = run(['--help']);
    expect(status).toBe(0);
    expect(out).toMatch(/^Usage: cdk8s-stateful-guard \[options\] <current> <next>/);
  });

  test('reads the current manifests from a git revision', () => {
    // GIVEN a repository whose last commit holds the current dist/
    const repo = tempDir();
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: repo, stdio: 'pipe' });
    git('init', '-q');
    const before = sts();
    writeManifests(path.join(repo, 'dist'), 'web.k8s.yaml', [before]);
    git('add', '.');
    git('commit', '-qm', 'current');
    const after = clone(before);
    after.spec.serviceName = 'web';
    writeManifests(path.join(repo, 'dist'), 'web.k8s.yaml', [after]);

    // WHEN
    const explicit = run(['--git', 'HEAD:dist', path.join(repo, 'dist')], repo);
    const positional = run(['HEAD:dist', path.join(repo, 'dist')], repo);
    const missing = run(['--git', 'HEAD:nothing', path.join(repo, 'dist')], repo);

    // THEN
    expect(explicit.status).toBe(1);
    expect(explicit.out).toContain('  field:    spec.serviceName\n  change:   nginx -> web\n');
    expect(positional).toEqual(explicit);
    expect(missing.status).toBe(2);
    expect(run(['--git', 'HEAD:.', path.join(repo, 'dist')], path.join(repo, 'dist')).status).toBe(1); // the path is relative to the directory
    expect(missing.err).toContain("git revision 'HEAD' has no manifest files (.yaml, .yml, .json) under 'nothing'");
  });

  test('runs as a process: exit status and output', () => {
    const { current, next } = grownClaims();
    const res = spawnSync(process.execPath, [
      '-r', 'ts-node/register/transpile-only', '-e', "require('./src/gitops/cli/guard').runCli(process.argv.slice(1))", current, next,
    ], { cwd: path.join(__dirname, '..', '..'), encoding: 'utf-8' });
    expect(res.stderr).toBe('');
    expect(res.status).toBe(1);
    expect(res.stdout).toContain('REFUSED   StatefulSet shop/web (apps/v1)');
  });

  test('the bin runs the compiled command', () => {
    const bin = fs.readFileSync(path.join(__dirname, '..', '..', 'bin', 'cdk8s-stateful-guard'), 'utf-8');
    expect(bin).toMatch(/^#!\/usr\/bin\/env node\n/);
    expect(bin).toContain("require('../lib/gitops/cli/guard.js').runCli();");
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf-8'));
    expect(pkg.bin).toEqual({ 'cdk8s-stateful-guard': 'bin/cdk8s-stateful-guard' });
  });
});

describe('UpgradeGuardValidation (cdk8s synth plugin)', () => {
  test('every finding is a violation and the report fails', async () => {
    // GIVEN
    const { current, next } = grownClaims();
    const context = new ValidationContext([path.join(next, 'web.k8s.yaml')], 'cdk8s-stateful', '0.0.0', {}, false);

    // WHEN
    await new UpgradeGuardValidation({ currentDirectory: current }).validate(context);

    // THEN
    const report = context.report.toJson();
    expect(context.report.success).toBe(false);
    expect(report.violations).toEqual([expect.objectContaining({
      ruleName: 'upgrade-guard REFUSED: spec.volumeClaimTemplates[name=www].spec.resources.requests.storage',
      recommendation: `${STS_127} (1Gi -> 2Gi)`,
      violatingConstructs: [expect.objectContaining({
        resourceName: 'StatefulSet shop/web',
        locations: ['spec.volumeClaimTemplates[name=www].spec.resources.requests.storage'],
        manifestPath: path.join(next, 'web.k8s.yaml'),
      })],
    })]);
  });

  test('the report passes when nothing is found', async () => {
    const { current } = grownClaims();
    const context = new ValidationContext([path.join(current, 'web.k8s.yaml')], 'cdk8s-stateful', '0.0.0', {}, false);
    await new UpgradeGuardValidation({ currentDirectory: current, kubernetesVersion: '1.30' }).validate(context);
    expect(context.report.success).toBe(true);
  });

  test('accept', async () => {
    const { current, next } = grownClaims();
    const context = new ValidationContext([path.join(next, 'web.k8s.yaml')], 'cdk8s-stateful', '0.0.0', {}, false);
    await new UpgradeGuardValidation({ currentDirectory: current, accept: ['StatefulSet/shop/web'] }).validate(context);
    expect(context.report.success).toBe(true);
    expect(() => new UpgradeGuardValidation({ currentDirectory: current, accept: ['web'] })).toThrow(/invalid 'accept' entry: "web"/);
  });

  test('fails when neither or both of gitRevision and currentDirectory are set', () => {
    expect(() => new UpgradeGuardValidation({})).toThrow(/UpgradeGuardValidation: invalid properties: \{\}. Exactly one of 'gitRevision'/);
    expect(() => new UpgradeGuardValidation({ gitRevision: 'a:b', currentDirectory: 'c' })).toThrow(/Exactly one of/);
  });
});
