import { execFileSync } from 'child_process';
// the fs module itself (not a namespace copy), so that jest.spyOn reaches the code under test
import fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadGitRevision, loadManifestFile, loadManifestPath } from '../../../src/gitops/private/manifests';

const temps: string[] = [];

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'manifests-test-'));
  temps.push(dir);
  return dir;
}

afterAll(() => {
  for (const dir of temps) fs.rmSync(dir, { recursive: true, force: true });
});

afterEach(() => {
  jest.restoreAllMocks();
});

const cm = (name: string): any => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name } });

function write(dir: string, file: string, text: string): string {
  const full = path.join(dir, file);
  fs.mkdirSync(path.dirname(full), { recursive: true });
  fs.writeFileSync(full, text);
  return full;
}

function asYaml(obj: any): string {
  return JSON.stringify(obj); // JSON is YAML
}

/** Names of the objects read, with the file each came from (relative to `dir`). */
function loaded(dir: string, objects: { obj: any; source?: string }[]): string[] {
  return objects.map(o => `${o.obj.metadata?.name ?? JSON.stringify(o.obj)} ${path.relative(dir, o.source!)}`);
}

describe('loadManifestFile', () => {
  test('every document of a multi-document YAML file, with the file as source', () => {
    const dir = tempDir();
    const file = write(dir, 'app.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n');
    expect(loadManifestFile(file)).toEqual([{ obj: cm('a'), source: file }, { obj: cm('b'), source: file }]);
    expect(loadManifestFile(file, 'origin/main:dist/app.yaml').map(o => o.source)).toEqual(['origin/main:dist/app.yaml', 'origin/main:dist/app.yaml']);
  });

  test('a JSON file', () => {
    const dir = tempDir();
    const file = write(dir, 'app.json', JSON.stringify(cm('a')));
    expect(loadManifestFile(file)).toEqual([{ obj: cm('a'), source: file }]);
  });

  test.each<[string, any, string[]]>([
    ['kind: List', { apiVersion: 'v1', kind: 'List', items: [cm('a'), cm('b')] }, ['a', 'b']],
    ['a typed list (kind ending in List)', { apiVersion: 'v1', kind: 'ConfigMapList', items: [cm('a')] }, ['a']],
    ['nested lists', { kind: 'List', items: [{ kind: 'List', items: [cm('a')] }, cm('b')] }, ['a', 'b']],
    ['empty, scalar and array items of a list', { kind: 'List', items: [null, 'text', 7, true, [cm('x')], cm('a')] }, ['a']],
    ['items whose kind is no list: one object', { kind: 'Listing', items: [cm('a')] }, ['{"kind":"Listing","items":[{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"}}]}']],
    ['a list kind without items: one object', { kind: 'ConfigMapList', metadata: { name: 'no-items' } }, ['no-items']],
    ['items that are no array: one object', { kind: 'List', items: 'none', metadata: { name: 'odd' } }, ['odd']],
    ['items without a kind: one object', { items: [cm('a')], metadata: { name: 'kindless' } }, ['kindless']],
    ['items with a kind that is no string: one object', { kind: 7, items: [cm('a')], metadata: { name: 'numbered' } }, ['numbered']],
  ])('%s', (_, doc, names) => {
    const dir = tempDir();
    const file = write(dir, 'list.json', JSON.stringify(doc));
    expect(loadManifestFile(file).map(o => o.obj.metadata?.name ?? JSON.stringify(o.obj))).toEqual(names);
  });

  test('documents that are no object are left out', () => {
    const dir = tempDir();
    const file = write(dir, 'odd.yaml', 'just text\n---\n42\n---\ntrue\n---\n- a\n- b\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n');
    expect(loadManifestFile(file)).toEqual([{ obj: cm('a'), source: file }]);
  });
});

describe('loadManifestPath', () => {
  test('one file', () => {
    const dir = tempDir();
    const file = write(dir, 'app.k8s.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n');
    expect(loadManifestPath(file)).toEqual([{ obj: cm('a'), source: file }]);
  });

  test('an empty directory', () => {
    expect(loadManifestPath(tempDir())).toEqual([]);
  });

  test('every manifest file below a directory, in name order', () => {
    const dir = tempDir();
    // written out of order, so that the directory's own order is not the name order
    for (const name of ['m', 'z', 'c', 'x', 'a', 'q', 'b', 'y']) write(dir, `${name}.yaml`, asYaml(cm(name)));
    expect(loadManifestPath(dir).map(o => o.obj.metadata.name)).toEqual(['a', 'b', 'c', 'm', 'q', 'x', 'y', 'z']);
  });

  test('.yaml, .yml and .json in any case, in subdirectories; no other files, no hidden directories, no node_modules', () => {
    const dir = tempDir();
    write(dir, 'a.yaml', asYaml(cm('yaml')));
    write(dir, 'b.yml', asYaml(cm('yml')));
    write(dir, 'c.json', JSON.stringify(cm('json')));
    write(dir, 'D.YAML', asYaml(cm('upper')));
    write(dir, 'sub/deeper/e.yaml', asYaml(cm('nested')));
    write(dir, 'sub.d/f.yaml', asYaml(cm('dotted-directory')));
    write(dir, 'notes.txt', asYaml(cm('txt')));
    write(dir, 'g.yaml.orig', asYaml(cm('backup')));
    write(dir, 'h.ymlx', asYaml(cm('ymlx')));
    write(dir, 'yaml', asYaml(cm('no-extension')));
    write(dir, '.hidden/i.yaml', asYaml(cm('hidden-directory')));
    write(dir, '.j.yaml', asYaml(cm('hidden-file')));
    write(dir, 'node_modules/pkg/k.yaml', asYaml(cm('node-modules')));
    write(dir, 'sub/node_modules/l.yaml', asYaml(cm('nested-node-modules')));
    expect(loaded(dir, loadManifestPath(dir))).toEqual([
      'yaml a.yaml',
      'yml b.yml',
      'json c.json',
      'upper D.YAML',
      'nested sub/deeper/e.yaml',
      'dotted-directory sub.d/f.yaml',
    ]);
  });

  test('fails when the path does not exist', () => {
    const missing = path.join(tempDir(), 'dist');
    expect(() => loadManifestPath(missing)).toThrow(`'${missing}' does not exist: give the directory (or file) of rendered manifests, e.g. dist/`);
  });
});

describe('loadGitRevision', () => {
  let repo: string;
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'commit.gpgsign=false', ...args], { cwd: repo, stdio: 'pipe' });

  beforeAll(() => {
    repo = tempDir();
    git('init', '-q');
    write(repo, 'dist/b.yaml', asYaml(cm('b')));
    write(repo, 'dist/a.k8s.yml', `${asYaml(cm('a1'))}\n---\n${asYaml(cm('a2'))}\n`);
    write(repo, 'dist/c.json', JSON.stringify({ kind: 'List', items: [cm('c')] }));
    write(repo, 'dist/README.md', asYaml(cm('readme')));
    write(repo, 'dist/sub/d.yaml', asYaml(cm('d')));
    write(repo, 'dist/\u00e9t\u00e9.yaml', asYaml(cm('accented')));
    write(repo, 'top.yaml', asYaml(cm('top')));
    write(repo, 'docs/notes.md', '# notes');
    git('add', '.');
    git('commit', '-qm', 'first');
    // the work tree moves on: only the revision counts
    write(repo, 'dist/b.yaml', asYaml(cm('b-new')));
    write(repo, 'dist/new.yaml', asYaml(cm('new')));
  });

  test('every manifest file of the directory at the revision, in name order, named <revision>:<file>', () => {
    expect(loadGitRevision('HEAD:dist', repo).map(o => `${o.obj.metadata.name} ${o.source}`)).toEqual([
      'a1 HEAD:dist/a.k8s.yml',
      'a2 HEAD:dist/a.k8s.yml',
      'b HEAD:dist/b.yaml',
      'c HEAD:dist/c.json',
      'd HEAD:dist/sub/d.yaml',
      'accented HEAD:dist/\u00e9t\u00e9.yaml',
    ]);
  });

  test('the path is relative to the directory given', () => {
    expect(loadGitRevision('HEAD:.', path.join(repo, 'dist')).map(o => o.source)).toEqual(
      loadGitRevision('HEAD:dist', repo).map(o => o.source));
    expect(loadGitRevision('HEAD:sub', path.join(repo, 'dist')).map(o => o.source)).toEqual(['HEAD:dist/sub/d.yaml']);
  });

  test('an empty path is the directory given', () => {
    expect(loadGitRevision('HEAD:', path.join(repo, 'dist')).map(o => o.source)).toEqual(
      loadGitRevision('HEAD:dist', repo).map(o => o.source));
    expect(loadGitRevision('HEAD:', repo).map(o => o.obj.metadata.name)).toEqual(['a1', 'a2', 'b', 'c', 'd', 'accented', 'top']);
  });

  test('one file', () => {
    expect(loadGitRevision('HEAD:dist/b.yaml', repo)).toEqual([{ obj: cm('b'), source: 'HEAD:dist/b.yaml' }]);
  });

  test('the current directory by default', () => {
    const cwd = process.cwd();
    process.chdir(path.join(repo, 'dist'));
    try {
      expect(loadGitRevision('HEAD:sub').map(o => o.source)).toEqual(['HEAD:dist/sub/d.yaml']);
    } finally {
      process.chdir(cwd);
    }
  });

  test('files in the order of their names as UTF-16 text', () => {
    const other = tempDir();
    execFileSync('git', ['init', '-q'], { cwd: other });
    write(other, '\uff21.yaml', asYaml(cm('fullwidth')));
    write(other, '\u{1f600}.yaml', asYaml(cm('emoji')));
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'commit.gpgsign=false', 'add', '.'], { cwd: other });
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'commit.gpgsign=false', 'commit', '-qm', 'x'], { cwd: other });
    expect(loadGitRevision('HEAD:.', other).map(o => o.obj.metadata.name)).toEqual(['emoji', 'fullwidth']);
  });

  test('reads each file through a temporary directory of its own, and removes it', () => {
    const mkdtemp = jest.spyOn(fs, 'mkdtempSync');
    loadGitRevision('HEAD:dist', repo);
    expect(mkdtemp).toHaveBeenCalledTimes(1);
    expect(mkdtemp).toHaveBeenCalledWith(path.join(os.tmpdir(), 'cdk8s-stateful-guard-'));
    const tmp = mkdtemp.mock.results[0].value as string;
    expect(path.dirname(tmp)).toBe(os.tmpdir());
    expect(path.basename(tmp)).toMatch(/^cdk8s-stateful-guard-.{6}$/);
    expect(fs.existsSync(tmp)).toBe(false);
  });

  test.each([['dist'], ['HEAD'], [':dist'], ['']])('fails on %j: no revision', spec => {
    expect(() => loadGitRevision(spec, repo)).toThrow(new Error(`'${spec}' is not a git revision and path: write <revision>:<path>, e.g. origin/main:dist`));
  });

  test.each([['HEAD:docs', 'docs'], ['HEAD:nothing', 'nothing'], ['HEAD:', '.']])('fails on %j: no manifest files', (spec, rel) => {
    expect(() => loadGitRevision(spec, spec === 'HEAD:' ? path.join(repo, 'docs') : repo))
      .toThrow(new Error(`git revision 'HEAD' has no manifest files (.yaml, .yml, .json) under '${rel}'`));
  });

  test('fails with git\'s message when git cannot read the revision', () => {
    let error: Error | undefined;
    try {
      loadGitRevision('no-such-branch:dist', repo);
    } catch (e: any) {
      error = e;
    }
    expect(error?.message).toBe(`git cannot read 'no-such-branch:dist' in ${repo}: fatal: Not a valid object name no-such-branch`);
  });
});
