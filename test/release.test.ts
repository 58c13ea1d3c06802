/**
 * The release procedure (docs/releasing.md), run for real in a scratch git repository: projen's
 * `release` task from this checkout's .projen/tasks.json (bump with commit-and-tag-version, unbump,
 * the "nothing but dist/ changed" check, publish:git with its changelog commit and tag) and the
 * project's own steps (scripts/release.cjs). Only `build` is replaced, by a stand-in that writes
 * what the real build writes for the release steps (the assembly, a package named after the version):
 * the real build is what CI runs (.ci/run, `npx projen release:build`).
 */
import * as fs from 'fs';
import * as path from 'path';
import { editTasks, projen, removeScratch, run, RunResult, scratchCopy } from './util/scratch';

const FAKE_BUILD = `
const fs = require('fs');
const { version, name } = JSON.parse(fs.readFileSync('package.json', 'utf-8'));
fs.writeFileSync('.jsii', JSON.stringify({ name, version, types: {} }));
fs.mkdirSync('dist/js', { recursive: true });
fs.writeFileSync('dist/js/' + name + '@' + version + '.jsii.tgz', '');
fs.writeFileSync('dist/built-version.txt', version);
if (process.env.TAMPER) fs.appendFileSync('README.md', 'changed by the build\\n');
`;

let repo: string;

function git(...args: string[]): string {
  const res = run(repo, 'git', args);
  if (res.status !== 0) throw new Error(`git ${args.join(' ')}: ${res.stderr}`);
  return res.stdout.trim();
}

function commit(message: string): void {
  fs.appendFileSync(path.join(repo, 'README.md'), `${message}\n`);
  git('commit', '-q', '-a', '-m', message);
}

function release(task = 'release', env: Record<string, string> = {}): RunResult {
  return projen(repo, task, env);
}

const read = (file: string) => fs.readFileSync(path.join(repo, file), 'utf-8');
const tags = () => git('tag', '--list').split('\n').filter(t => t !== '');
const subject = () => git('log', '-1', '--format=%s');
/** The CHANGELOG.md entry of the newest release (up to the next `## `). */
const newestEntry = () => read('CHANGELOG.md').trimStart().split(/\n(?=## )/)[0];

beforeAll(() => {
  repo = scratchCopy('release', ['package.json', '.projen/tasks.json', '.gitignore', 'scripts/release.cjs', 'allowed-breaking-changes.txt']);
  editTasks(repo, tasks => tasks.build.steps = [{ exec: 'node fake-build.cjs' }]);
  // the repository's package.json is always 0.0.0 (under a release build, this one is not)
  const pkg = JSON.parse(read('package.json'));
  fs.writeFileSync(path.join(repo, 'package.json'), JSON.stringify({ ...pkg, version: '0.0.0' }, undefined, 2) + '\n');
  fs.writeFileSync(path.join(repo, 'fake-build.cjs'), FAKE_BUILD);
  fs.writeFileSync(path.join(repo, 'README.md'), '# scratch\n');
  git('init', '-q', '-b', 'main');
  fs.appendFileSync(path.join(repo, '.git', 'info', 'exclude'), 'node_modules\n'); // the link to this checkout's
  git('config', 'user.name', 'Release Test');
  git('config', 'user.email', 'release-test@users.noreply.example');
  git('add', '.');
  // a history that does not follow conventional commits, as this repository's before 0.1.0
  git('commit', '-q', '-m', 'StatefulWorkload: claims kept on scale-down');
  commit('README: the install section');
});

afterAll(() => removeScratch(repo));

describe('npx projen release', () => {
  test('the first release is 0.1.0, whatever the history before it', () => {
    // WHEN
    const res = release();

    // THEN
    expect(res.stdout + res.stderr).toContain('first release: 0.1.0');
    expect(res.status).toBe(0);
    // the build ran at the new version; the version is reset afterwards
    expect(read('dist/built-version.txt')).toBe('0.1.0');
    expect(fs.existsSync(path.join(repo, 'dist/js/cdk8s-stateful@0.1.0.jsii.tgz'))).toBe(true);
    expect(read('dist/version.txt')).toBe('0.1.0');
    expect(JSON.parse(read('package.json')).version).toBe('0.0.0');
    // one release commit with the changelog and the API baseline, tagged with the changelog entry
    expect(subject()).toBe('chore(release): 0.1.0');
    expect(git('show', '--name-only', '--format=', 'HEAD').split('\n').sort()).toEqual(['CHANGELOG.md', 'api-baseline/.jsii', 'api-baseline/package.json']);
    expect(newestEntry()).toMatch(/^## 0\.1\.0 \(\d{4}-\d\d-\d\d\)/);
    expect(tags()).toEqual(['v0.1.0']);
    expect(git('cat-file', '-t', 'v0.1.0')).toBe('tag');
    expect(git('rev-parse', 'v0.1.0^{commit}')).toBe(git('rev-parse', 'HEAD'));
    expect(git('tag', '-l', '--format=%(contents)', 'v0.1.0')).toMatch(/^## 0\.1\.0 \(\d{4}-\d\d-\d\d\)$/);
    // the baseline is the released assembly, loadable by jsii-diff as a package
    expect(JSON.parse(read('api-baseline/.jsii')).version).toBe('0.1.0');
    expect(JSON.parse(read('api-baseline/package.json'))).toMatchObject({ name: 'cdk8s-stateful', version: '0.1.0', private: true, jsii: { outdir: 'dist' } });
    // nothing else was left behind
    expect(git('status', '--porcelain')).toBe('');
  }, 120_000);

  test('fixes and features release a patch before 1.0, their changelog entry above the last one', () => {
    commit('fix: claims keep their storage class');
    commit('feat: a new prop');
    commit('docs: a typo');
    const res = release();
    expect(res.status).toBe(0);
    expect(tags()).toEqual(['v0.1.0', 'v0.1.1']);
    expect(subject()).toBe('chore(release): 0.1.1');
    const entry = newestEntry();
    expect(entry).toMatch(/^## \[0\.1\.1\]\(.*\) \(\d{4}-\d\d-\d\d\)\n\n### Features\n\n\* a new prop .*\n\n### Bug Fixes\n\n\* claims keep their storage class /);
    expect(entry).not.toContain('typo');
    expect(read('CHANGELOG.md')).toMatch(/\n## 0\.1\.0 /);
    expect(git('tag', '-l', '--format=%(contents)', 'v0.1.1').trim()).toBe(entry.trim());
    expect(JSON.parse(read('api-baseline/.jsii')).version).toBe('0.1.1');
  }, 120_000);

  test('a breaking change releases a minor before 1.0', () => {
    commit('feat!: the old prop is gone');
    expect(release().status).toBe(0);
    expect(tags()).toContain('v0.2.0');
    expect(newestEntry()).toMatch(/^## \[0\.2\.0\]/);
    expect(newestEntry()).toContain('### ⚠ BREAKING CHANGES\n\n* the old prop is gone');
  }, 120_000);

  test('a declared breaking change releases a minor even when no commit says it breaks, and the release empties the list', () => {
    // GIVEN a breaking change let through by the compat check, committed as a fix
    const header = read('allowed-breaking-changes.txt');
    fs.appendFileSync(path.join(repo, 'allowed-breaking-changes.txt'), 'removed:cdk8s-stateful.StatefulWorkload.podHostName\n');
    commit('fix: podHostName is gone');

    // WHEN
    const res = release();

    // THEN
    expect(res.stdout + res.stderr).toContain('1 breaking change(s) declared in allowed-breaking-changes.txt '
      + '(removed:cdk8s-stateful.StatefulWorkload.podHostName); the commits since v0.2.0 ask for a patch bump: releasing a minor bump');
    expect(res.status).toBe(0);
    expect(tags()).toContain('v0.3.0');
    expect(read('allowed-breaking-changes.txt')).toBe(header);
    expect(git('show', '--name-only', '--format=', 'HEAD').split('\n').sort())
      .toEqual(['CHANGELOG.md', 'allowed-breaking-changes.txt', 'api-baseline/.jsii', 'api-baseline/package.json']);
  }, 120_000);

  test('on the release commit, builds that version again and commits and tags nothing', () => {
    // GIVEN
    const head = git('rev-parse', 'HEAD');
    const tagObject = git('rev-parse', 'v0.3.0');

    // WHEN CI builds the release commit, and when a maintainer runs the release again
    const ci = release('release:build');
    const again = release();

    // THEN
    expect(ci.stdout + ci.stderr).toContain('HEAD is v0.3.0: building 0.3.0 again');
    expect(ci.status).toBe(0);
    expect(again.status).toBe(0);
    expect(read('dist/built-version.txt')).toBe('0.3.0');
    expect(git('rev-parse', 'HEAD')).toBe(head);
    expect(git('rev-parse', 'v0.3.0')).toBe(tagObject);
    expect(tags()).toEqual(['v0.1.0', 'v0.1.1', 'v0.2.0', 'v0.3.0']);
    expect(git('status', '--porcelain')).toBe('');
  }, 120_000);

  test('release:build builds the next version and leaves the checkout as it was', () => {
    commit('fix: one more');
    const head = git('rev-parse', 'HEAD');
    const res = release('release:build');
    expect(res.status).toBe(0);
    expect(read('dist/built-version.txt')).toBe('0.3.1');
    expect(read('dist/changelog.md')).toContain('* one more');
    expect(git('rev-parse', 'HEAD')).toBe(head);
    expect(tags()).not.toContain('v0.3.1');
    expect(JSON.parse(read('package.json')).version).toBe('0.0.0');
    expect(git('status', '--porcelain')).toBe('');
  }, 120_000);

  test('fails when the build changes a committed file, before anything is committed or tagged', () => {
    const head = git('rev-parse', 'HEAD');
    const res = release('release', { TAMPER: '1' });
    expect(res.stdout + res.stderr).toContain('Task "release" failed when executing "git diff --ignore-space-at-eol --exit-code"');
    expect(res.status).not.toBe(0);
    expect(git('rev-parse', 'HEAD')).toBe(head);
    expect(tags()).not.toContain('v0.3.1');
    git('checkout', '--', 'README.md');
  }, 120_000);
});

describe('scripts/release.cjs', () => {
  /** Runs a command of the script in the scratch repository (as the tests above left it: HEAD a commit after v0.3.0). */
  function script(command: string, env: Record<string, string> = {}, declared: string[] = []): RunResult {
    const allowed = path.join(repo, 'allowed-breaking-changes.txt');
    const header = fs.readFileSync(allowed, 'utf-8');
    fs.appendFileSync(allowed, declared.map(d => `${d}\n`).join(''));
    try {
      return run(repo, process.execPath, ['scripts/release.cjs', command], { LATEST_TAG: undefined, VERSION: undefined, SUGGESTED_BUMP: undefined, MAJOR: undefined, ...env });
    } finally {
      fs.writeFileSync(allowed, header);
    }
  }
  const DECLARED = ['removed:cdk8s-stateful.StatefulWorkload.podHostName'];

  test.each([
    ['the first release of 0.x', { LATEST_TAG: '', MAJOR: '0' }, [], '0.1.0'],
    ['the first release, run without the release task\'s MAJOR', { LATEST_TAG: '' }, [], '0.1.0'],
    ['the first release of a major line (majorVersion raised)', { LATEST_TAG: '', MAJOR: '2' }, [], '2.0.0'],
    ['nothing declared: the commits decide', { LATEST_TAG: 'v0.3.0', VERSION: '0.3.0', SUGGESTED_BUMP: 'patch' }, [], ''],
    ['declared, the commits ask for a patch: a minor before 1.0', { LATEST_TAG: 'v0.3.0', VERSION: '0.3.0', SUGGESTED_BUMP: 'patch' }, DECLARED, 'minor'],
    ['declared, the commits already ask for a minor before 1.0', { LATEST_TAG: 'v0.3.0', VERSION: '0.3.0', SUGGESTED_BUMP: 'minor' }, DECLARED, ''],
    ['declared, the commits ask for a minor after 1.0: a major', { LATEST_TAG: 'v0.3.0', VERSION: '1.4.2', SUGGESTED_BUMP: 'minor' }, DECLARED, 'major'],
    ['declared, the commits already ask for a major after 1.0', { LATEST_TAG: 'v0.3.0', VERSION: '1.4.2', SUGGESTED_BUMP: 'major' }, DECLARED, ''],
  ])('next-version: %s', (_, env, declared, expected) => {
    const res = script('next-version', env, declared);
    expect(res.stderr).not.toContain('scripts/release.cjs:');
    expect(res.status).toBe(0);
    expect(res.stdout).toBe(expected);
  });

  test('next-version fails when VERSION is not a version and a breaking change is declared', () => {
    const res = script('next-version', { LATEST_TAG: 'v0.3.0', VERSION: 'latest', SUGGESTED_BUMP: 'patch' }, DECLARED);
    expect(res.stderr).toContain('scripts/release.cjs: VERSION is "latest", not a version: run through `npx projen bump`');
    expect(res.status).toBe(1);
  });

  test('fails when the release build has not run', () => {
    fs.rmSync(path.join(repo, 'dist'), { recursive: true, force: true });
    for (const command of ['baseline', 'tag']) {
      const res = script(command);
      expect(res.stderr).toMatch(/^scripts\/release.cjs: no dist\/(version|releasetag)\.txt: run the release build \(`npx projen release`\) first/);
      expect(res.status).toBe(1);
    }
  });

  test('baseline fails when .jsii is not the assembly of the release', () => {
    fs.mkdirSync(path.join(repo, 'dist'), { recursive: true });
    fs.writeFileSync(path.join(repo, 'dist', 'version.txt'), '0.3.1');
    fs.writeFileSync(path.join(repo, '.jsii'), JSON.stringify({ name: 'cdk8s-stateful', version: '0.0.0' }));
    const res = script('baseline');
    expect(res.stderr).toContain('scripts/release.cjs: .jsii is the assembly of 0.0.0, the release is 0.3.1: run the release build (`npx projen release`) first');
    expect(res.status).toBe(1);
  });

  test('committed fails when something staged is not in the release commit', () => {
    fs.appendFileSync(path.join(repo, 'README.md'), 'staged\n');
    git('add', 'README.md');
    try {
      const res = script('committed');
      expect(res.stderr).toContain('scripts/release.cjs: staged but not in the release commit: README.md');
      expect(res.status).toBe(1);
    } finally {
      git('reset', '-q', '--hard', 'HEAD');
    }
  });

  test('fails on an unknown command', () => {
    const res = script('publish');
    expect(res.stderr).toContain('scripts/release.cjs: unknown command "publish": one of next-version, baseline, committed, tag');
    expect(res.status).toBe(1);
  });
});
