import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * The npm tarball ships what a consumer needs and nothing else: lib/*.js and lib/*.d.ts, .jsii and
 * its translated doc snippets (.jsii.tabl.json), README.md and the guides it links (docs/*.md, so
 * its relative links resolve for an npm reader), CHANGELOG.md (from the first release on), LICENSE,
 * API.md, package.json, and
 * src/*.ts for the source maps inlined in lib/*.js, and the upgrade guard's command
 * (bin/cdk8s-stateful-guard, the package's `bin`).
 * The rules live in .npmignore (generated from .projenrc.ts).
 */
const root = path.join(__dirname, '..');

/** The files `npm pack` would put in the tarball of the package in `dir`, sorted. */
function packedFiles(dir: string): string[] {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: dir, encoding: 'utf-8', stdio: ['ignore', 'pipe', 'ignore'],
  });
  return (JSON.parse(out)[0].files as Array<{ path: string }>).map(f => f.path).sort();
}

/** What may ship. */
const SHIPPED = [
  /^package\.json$/, /^README\.md$/, /^docs\/[^/]+\.md$/, /^CHANGELOG\.md$/, /^LICENSE$/, /^API\.md$/, /^\.jsii$/, /^\.jsii\.tabl\.json$/,
  /^lib\/.+\.js$/, /^lib\/.+\.js\.map$/, /^lib\/.+\.d\.ts$/, /^src\/.+\.ts$/, /^bin\/cdk8s-stateful-guard$/,
];

const tracked = execFileSync('git', ['ls-files'], { cwd: root, encoding: 'utf-8' }).split('\n').filter(f => f !== '');
const sources = tracked.filter(f => /^src\/.+\.ts$/.test(f));
const guides = tracked.filter(f => /^docs\/[^/]+\.md$/.test(f));
/** 0.0.0 from a checkout, the released version in a release build (docs/releasing.md). */
const { version } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf-8'));
/** What each release commits (scripts/release.cjs baseline, projen's publish:git): the changelog ships, the API baseline does not. */
const RELEASED = ['CHANGELOG.md', 'api-baseline/.jsii', 'api-baseline/package.json'];

test('a checkout after a full build packs exactly lib, src, .jsii and the docs (README, docs/*.md, API.md)', () => {
  // GIVEN every file of the repository (empty), plus what the build, the tests and the examples
  // write next to them
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-stateful-pack-'));
  try {
    const built = [
      ...sources.flatMap(f => [f.replace(/^src\/(.+)\.ts$/, 'lib/$1.js'), f.replace(/^src\/(.+)\.ts$/, 'lib/$1.d.ts')]),
      '.jsii', '.jsii.tabl.json', 'tsconfig.tsbuildinfo', `dist/js/cdk8s-stateful@${version}.jsii.tgz`, `dist/python/cdk8s-stateful-${version}.tar.gz`,
      'coverage/lcov.info', 'test-reports/junit.xml', 'examples/dist/web.k8s.yaml', 'bench/results/synth.json',
      '.ci/tmp/log', 'cdk8s-stateful.tgz', `cdk8s-stateful-${version}.tgz`, 'docs/guide.md',
      // the guides translated by rosetta:docs (their Python pages and the translation cache)
      'dist/docs/python/storage.md', 'dist/docs/docs.tabl.json',
      // a release build: its changelog entry and version in dist/, and what the release commits
      'dist/changelog.md', 'dist/version.txt', 'dist/releasetag.txt', ...RELEASED.filter(f => !tracked.includes(f)),
      // a mutation run (npx projen mutation): its report and a sandbox left behind
      'reports/mutation/mutation.html', 'reports/mutation/mutation.json', '.stryker-tmp/sandbox-a1/src/index.ts', '.stryker-tmp/sandbox-a1/package.json',
    ];
    for (const f of [...tracked, ...built]) {
      fs.mkdirSync(path.join(dir, path.dirname(f)), { recursive: true });
      const real = path.join(root, f);
      const copy = ['package.json', '.npmignore'].includes(f);
      fs.writeFileSync(path.join(dir, f), copy ? fs.readFileSync(real) : '');
    }

    // WHEN
    const files = packedFiles(dir);

    // THEN
    const expected = [
      '.jsii', '.jsii.tabl.json', 'API.md', 'CHANGELOG.md', 'LICENSE', 'README.md', 'bin/cdk8s-stateful-guard', 'package.json',
      ...sources,
      ...guides, 'docs/guide.md',
      ...built.filter(f => f.startsWith('lib/')),
    ].sort();
    expect(files).toEqual(expected);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

let packed: string[] | undefined;
/** The files `npm pack` would ship from this checkout (computed once). */
function packedOnce(): string[] {
  packed ??= packedFiles(root);
  return packed;
}

test('this checkout packs nothing but lib, src, .jsii and the docs', () => {
  const files = packedOnce();
  expect(files.filter(f => !SHIPPED.some(re => re.test(f)))).toEqual([]);
  expect(files).toEqual(expect.arrayContaining(['README.md', 'LICENSE', 'API.md', 'package.json', ...sources]));
  // the guides the README links ship with it
  expect(guides.length).toBeGreaterThan(0);
  expect(files).toEqual(expect.arrayContaining(guides));
  // after `npx projen compile` (the build compiles before it tests), every source has its output
  if (fs.existsSync(path.join(root, 'lib', 'index.js'))) {
    for (const f of sources) {
      expect(files).toContain(f.replace(/^src\/(.+)\.ts$/, 'lib/$1.js'));
      expect(files).toContain(f.replace(/^src\/(.+)\.ts$/, 'lib/$1.d.ts'));
      expect(files).toContain(f.replace(/^src\/(.+)\.ts$/, 'lib/$1.js.map'));
    }
    expect(files).toContain('.jsii');
  }
});

test('the source maps are files next to the modules, with the sources, pointing at the shipped sources', () => {
  const js = path.join(root, 'lib', 'workload', 'stateful-workload.js');
  if (!fs.existsSync(js)) return; // not compiled yet: the build compiles before it tests
  // not inlined: an inline map with its sources doubles what Node reads at import (bench/NOTES.md)
  const text = fs.readFileSync(js, 'utf-8');
  expect(text).not.toMatch(/sourceMappingURL=data:/);
  expect(text).toMatch(/\/\/# sourceMappingURL=stateful-workload\.js\.map\s*$/);
  const sourceMap = JSON.parse(fs.readFileSync(`${js}.map`, 'utf-8'));
  expect(sourceMap.sources).toEqual(['../../src/workload/stateful-workload.ts']);
  expect(sourceMap.sourcesContent).toHaveLength(1);
  // resolved against lib/, the path names a file the tarball ships, and so does the map
  expect(packedOnce()).toContain(path.posix.normalize(path.posix.join('lib/workload', sourceMap.sources[0])));
  expect(packedOnce()).toContain('lib/workload/stateful-workload.js.map');
});

test('engines states the supported Node versions', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf-8'));
  expect(pkg.engines).toEqual({ node: '>= 20.0.0' });
});
