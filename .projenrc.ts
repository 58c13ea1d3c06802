import { cdk8s, javascript, release } from 'projen';

/**
 * cdk8s-stateful: typed cdk8s constructs for stateful services.
 *
 * This file is the only place to change generated configuration. Run `npx projen` after editing it.
 */
const project = new cdk8s.ConstructLibraryCdk8s({
  name: 'cdk8s-stateful',
  description:
    'Typed cdk8s constructs for stateful services: StatefulSets with per-replica storage, headless Services, ' +
    'external data stores and the connection contract between them.',
  keywords: ['cdk8s', 'kubernetes', 'statefulset', 'stateful', 'database', 'persistent-volume', 'argocd'],
  author: 'cdk8s-stateful maintainers',
  authorAddress: 'maintainers@users.noreply.h-seed-3ddd45bc.example',
  repositoryUrl: 'https://github.com/maintainers/main.git',
  defaultReleaseBranch: 'main',
  license: 'Apache-2.0',

  cdk8sVersion: '2.68.12',
  constructsVersion: '10.3.0',
  jsiiVersion: '~6.0.0',
  peerDeps: ['cdk8s-plus-27@^2.9.5'],
  devDeps: [
    // the cdk8s CLI renders examples/ the way app repos do (`cdk8s synth`)
    'cdk8s-cli@2.207.60',
    'tsconfig-paths@^4.2.0',
    // Kubernetes 1.27.1 OpenAPI schemas, used by the tests as the API server's stand-in
    'kubernetes-models@4.3.1',
    'ajv@^8.17.1',
    'ajv-formats@^3.0.1',
    // reads the custom resource definitions in test/crds/ (test/util/k8s-schema.ts)
    'yaml@^2.9.1',
    // cert-manager's published schemas (Certificate, Issuer, ...), registered with
    // registerCustomResource() to validate the Certificates the presets render (test/util/cert-manager.ts);
    // 4.3.1 shares @kubernetes-models/validate 3.x with kubernetes-models 4.3.1
    '@kubernetes-models/cert-manager@4.3.1',
    // property-based tests (test/properties.test.ts, generators in test/util/arbitraries.ts)
    'fast-check@^4.11.0',
    // mutation testing (`npx projen mutation`, stryker.config.json, reports/MUTATION.md). 9.6 is the
    // last release for Node 20 (10.x needs Node 22); the three packages must have one version.
    '@stryker-mutator/core@9.6.1',
    '@stryker-mutator/jest-runner@9.6.1',
    '@stryker-mutator/typescript-checker@9.6.1',
  ],
  // the upgrade guard as a command for CI (src/cli/guard.ts, compiled to lib/)
  bin: { 'cdk8s-stateful-guard': 'bin/cdk8s-stateful-guard' },
  packageManager: javascript.NodePackageManager.NPM,
  // engines.node: the tests and the build run on Node 20; older releases are end-of-life and untested.
  minNodeVersion: '20.0.0',
  projenrcTs: true,

  // No GitHub here: CI is .ci/run.
  github: false,

  // Releases (docs/releasing.md). A maintainer runs `npx projen release`: the version is bumped from the
  // conventional commits since the last release tag (commit-and-tag-version), every package is built
  // at that version into dist/, CHANGELOG.md gets the generated entry, the API baseline moves to the
  // new release (scripts/release.cjs baseline) and the release commit is tagged `v<version>`. Nothing
  // is pushed or published: those are the maintainer's next steps, with the registries' credentials.
  release: true,
  releaseTrigger: release.ReleaseTrigger.manual({ changelogPath: 'CHANGELOG.md', gitPushCommand: '' }),
  // Pre-1.0: a breaking change bumps the minor (commit-and-tag-version's rule below 1.0.0), features
  // and fixes the patch; the bump refuses to leave 0.x (going 1.0 is a deliberate edit here).
  majorVersion: 0,
  // The first release is 0.1.0; afterwards a declared breaking change (allowed-breaking-changes.txt)
  // forces at least a minor bump even when no commit says so (scripts/release.cjs next-version).
  nextVersionCommand: 'node scripts/release.cjs next-version',
  // Stability: everything is experimental unless marked `@stable` (docs/releasing.md, test/api.test.ts).
  stability: 'experimental',
  // API compatibility: jsii-diff against the last release's assembly (api-baseline/), with the breaking
  // changes a release declares in allowed-breaking-changes.txt (see the compat task below).
  compatIgnore: 'allowed-breaking-changes.txt',

  jestOptions: {
    // Snapshots must fail on a mismatch; run `npx projen test:update` to rewrite them on purpose.
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    jestConfig: {
      moduleNameMapper: { '^cdk8s-stateful$': '<rootDir>/src' },
      // <rootDir>/.stryker-tmp/: the sandboxes of a mutation run (inside a sandbox, <rootDir> is the sandbox)
      testPathIgnorePatterns: ['/node_modules/', '/examples/dist/', '<rootDir>/.stryker-tmp/'],
      // api-baseline/package.json names the package too (scripts/release.cjs baseline): not a module of the tests
      modulePathIgnorePatterns: ['<rootDir>/.stryker-tmp/', '<rootDir>/api-baseline/'],
      // every manifest a test synthesizes is validated against the Kubernetes 1.27 schema
      setupFilesAfterEnv: ['<rootDir>/test/util/setup.ts'],
    },
  },

  publishToPypi: {
    distName: 'cdk8s-stateful',
    module: 'cdk8s_stateful',
  },
  publishToMaven: {
    javaPackage: 'io.github.cdk8sstateful',
    mavenGroupId: 'io.github.cdk8s-stateful',
    mavenArtifactId: 'cdk8s-stateful',
  },
  publishToNuget: {
    dotNetNamespace: 'Cdk8sStateful',
    packageId: 'Cdk8sStateful',
  },
  publishToGo: {
    moduleName: 'github.com/maintainers/cdk8s-stateful-go',
  },

  gitignore: [
    '/examples/dist/', '/bench/results/', '/bench/.out/', '/.ci/tmp/', '/.jsii.tabl.json',
    // Stryker's sandboxes, HTML/JSON reports, per-batch configs and raw incremental results
    // (scripts/mutation.cjs; megabytes of JSON, regenerated by a run); the counts in
    // reports/mutation-counts.json, reports/mutation-score.md and reports/MUTATION.md are committed
    '/.stryker-tmp/', '/reports/mutation/', '/reports/stryker/', '/.stryker-batch-*.json',
  ],
});

// unrs-resolver 1.13.0 (pulled in by jest 30 and eslint-import-resolver-typescript) ships bindings for
// linux x64/arm64 only, so the lockfile npm writes lacks the other optional bindings and `npm ci`
// (npm 11) rejects it as out of sync. 1.12.2 publishes every binding.
project.package.addField('overrides', { 'unrs-resolver': '1.12.2' });

// The npm tarball ships what a consumer needs and nothing else: lib/*.js and lib/*.d.ts, .jsii,
// README.md, the guides it links (docs/*.md, so its relative links resolve in node_modules and on
// npmjs.com), LICENSE, API.md and package.json, plus src/*.ts, so the source maps inlined in lib/*.js
// (`../src/<file>.ts`) point at files that exist: stack traces and "go to source" land on real lines.
// test/package.test.ts pins the file list.
// .jsii.tabl.json (the translated doc snippets, see rosetta:extract below) ships too, as in
// aws-cdk-lib: tools that render docs for other languages from the assembly read it.
project.npmignore?.include('/src/');
project.npmignore?.exclude('/.ci/', '/bench/', '/examples/', '/rosetta/', '/test-reports/', '/coverage/', '*.tgz', '/.gitignore');
// mutation testing: its config, results and sandboxes
project.npmignore?.exclude('/stryker.config.json', '/stryker.jest.config.cjs', '/stryker.batches.json', '/scripts/',
  '/reports/', '/.stryker-tmp/', '/.stryker-batch-*.json');

// Lint the examples and benchmarks too.
project.eslint?.addLintPattern('examples');
project.eslint?.addLintPattern('bench');
// examples/ import 'cdk8s-stateful' through examples/tsconfig.json `paths`: let eslint-plugin-import
// resolve it there too.
if (project.eslint) {
  const tsResolver = project.eslint.config.settings['import/resolver'].typescript;
  tsResolver.project = ['./tsconfig.json', './examples/tsconfig.json'];
  tsResolver.noWarnOnMultipleProjects = true;
}
// Source maps in lib/*.js.map files (with the TypeScript sources inside), not inlined in lib/*.js: an
// inline map with its sources doubles every file Node reads when an app imports the library
// (about 35 ms of the import at 100 files; bench/NOTES.md). Debuggers and --enable-source-maps
// find the .map files next to the .js files, which the package ships.
project.tsconfig?.file.addOverride('compilerOptions.inlineSourceMap', false);
project.tsconfig?.file.addOverride('compilerOptions.sourceMap', true);
// Tests import the examples, which import 'cdk8s-stateful': map it to src/ for `tsc -p test/tsconfig.json`
// too (jest maps it with moduleNameMapper).
project.tsconfigDev.file.addOverride('compilerOptions.paths', { 'cdk8s-stateful': ['../src'] });

// Type-check tests and examples (ts-jest only transpiles them).
const typecheck = project.addTask('typecheck', {
  description: 'Type-check tests, examples and benchmarks',
  steps: [
    { exec: 'tsc --noEmit -p test/tsconfig.json' },
    { exec: 'tsc --noEmit -p examples/tsconfig.json' },
    { exec: 'tsc --noEmit -p bench/tsconfig.json' },
  ],
});
project.testTask.prependSpawn(typecheck);
// CI (.ci/run) runs `npm test` and then the release build, whose `build` would run jest again on the
// same commit: .ci/run sets CDK8S_STATEFUL_TESTED_COMMIT to the commit `npm test` passed on, and
// jest is skipped for that commit only (typecheck and eslint still run). Anywhere else it runs.
{
  const jestStep = project.testTask.steps.find(step => step.exec?.startsWith('jest') || step.execArgs?.[0] === 'jest');
  if (!jestStep) throw new Error('.projenrc.ts: the test task has no jest step to make conditional');
  (jestStep as { condition?: string }).condition =
    '[ -z "${CDK8S_STATEFUL_TESTED_COMMIT:-}" ] || [ "$CDK8S_STATEFUL_TESTED_COMMIT" != "$(git rev-parse HEAD 2>/dev/null)" ]';
}

// `npm run examples`: render every example with the cdk8s CLI, one multi-document YAML per example.
project.addTask('examples', {
  description: 'Render every example to examples/dist/<name>.k8s.yaml with `cdk8s synth`',
  cwd: 'examples',
  steps: [
    { exec: 'tsc --noEmit -p tsconfig.json' },
    { exec: 'cdk8s synth --no-check-upgrade' },
  ],
});

// `npx projen bench`: side-by-side synthesis benchmarks (bench/), never part of the unit tests.
// The library and the benchmark are compiled to plain JavaScript first (bench/.out, gitignored)
// so that no TypeScript compiler runs inside the measured processes.
project.addTask('bench', {
  description: 'Run the synthesis benchmarks in bench/: writes bench/RESULTS.md and bench/results/synth.json',
  steps: [
    { exec: 'rm -rf bench/.out' },
    { exec: 'tsc -p bench/tsconfig.build.json' },
    { exec: 'node bench/.out/bench/synth.bench.js' },
  ],
});

// `npx projen mutation`: mutation testing with StrykerJS, never part of build or test. scripts/mutation.cjs
// runs the batches of stryker.batches.json (modules to mutate, and the test files run for each of their
// mutants); each batch keeps its results in its own incremental file, reports/stryker/<batch>.json
// (committed), so a run tests again only the mutants whose code or covering tests changed. Arguments:
// batch names (default: all), `--score` (only recompute reports/mutation-score.md from the committed
// results), and after `--` arguments for `stryker run` (e.g. `-- --force`). See reports/MUTATION.md.
project.addTask('mutation', {
  description: 'Mutation testing of src/ with StrykerJS in batches (stryker.batches.json), incremental; score in reports/mutation-score.md',
  exec: 'node scripts/mutation.cjs',
  receiveArgs: true,
});

// Language packages. The registries of Maven, NuGet and Go are unreachable here, so those targets
// only generate sources. Python builds a real wheel offline with Debian's build/twine
// (apt: python3-build python3-setuptools python3-wheel twine), never pip-installing from PyPI.
//
// Doc snippets: `rosetta:extract` (after compile, in post-compile) compiles every ```ts block of the
// README and every @example of the API against the assembly (fixtures in rosetta/; --strict fails
// the build on a snippet that does not compile) and translates them into .jsii.tabl.json. pacmak
// takes its translations from that tablet and fails on a snippet missing from it, so the Python
// README and docstrings show Python (and Java, C#, Go theirs), never TypeScript labelled as Python.
const rosetta = project.addTask('rosetta:extract', {
  description: 'Compile and translate the README and API doc snippets for the other languages (.jsii.tabl.json)',
  exec: 'jsii-rosetta extract --strict',
});
project.postCompileTask.spawn(rosetta);
// The guides in docs/*.md are not in the assembly (jsii takes README.md only): scripts/rosetta-docs.cjs
// compiles their snippets the same way (strict, fixtures in rosetta/) and writes each page with its
// snippets in Python to dist/docs/python/<page>.md (.ci/run checks them).
const rosettaDocs = project.addTask('rosetta:docs', {
  description: 'Compile (strict) and translate the snippets of docs/*.md: dist/docs/python/<page>.md',
  exec: 'node scripts/rosetta-docs.cjs',
});
project.postCompileTask.spawn(rosettaDocs);
const pacmakCodeOnly = (target: string) =>
  `jsii-pacmak -v --target ${target} --code-only -o dist/${target}-src --rosetta-tablet .jsii.tabl.json --rosetta-unknown-snippets fail`;
project.tasks.tryFind('package:python')?.reset(pacmakCodeOnly('python'));
project.tasks.tryFind('package:python')?.exec(
  'cd dist/python-src/python && /usr/bin/python3 -m build --no-isolation --skip-dependency-check --outdir ../../python .',
);
project.tasks.tryFind('package:python')?.exec('/usr/bin/python3 -m twine check dist/python/*');
for (const target of ['java', 'dotnet', 'go']) {
  project.tasks.tryFind(`package:${target}`)?.reset(pacmakCodeOnly(target));
}


// No silenced jsii warnings: a reserved word (`type`, `namespace`, `override`, ...) in the public API
// makes awkward or broken bindings for Go, C# or Java, so the compile fails on any warning.
project.compileTask.reset('jsii --fail-on-warnings');
project.tasks.tryFind('watch')?.reset('jsii -w --fail-on-warnings');

// ---------------------------------------------------------------------------------------------
// Releases (docs/releasing.md). projen's manual release task: `release` = rm -fr dist, bump, build,
// unbump, "nothing but dist/ changed" (git diff), publish:git (CHANGELOG.md, release commit, tag).

// API compatibility (`compat`, run by every compile, hence by the build and the release): jsii-diff
// compares the compiled assembly with the last release's, kept in the repository (api-baseline/:
// its .jsii and the package.json jsii-diff loads it with, written by each release). A change that
// breaks a stable element fails unless its key (printed in brackets) is declared in
// allowed-breaking-changes.txt; changes to experimental elements are reported as warnings.
// Kept in the repository rather than rebuilt from the last tag (a worktree, `npm ci`, a jsii compile:
// minutes) or downloaded from npm (only once published, and never the release being prepared): the
// check stays offline and takes a second, and every release commit shows the API it promised.
const API_BASELINE = 'api-baseline';
const ALLOWED_BREAKING_CHANGES = 'allowed-breaking-changes.txt';
const baselineExists = (yes: boolean) =>
  `node -e "process.exit(require('fs').existsSync('${API_BASELINE}/.jsii') ? ${yes ? 0 : 1} : ${yes ? 1 : 0})"`;
const compat = project.tasks.tryFind('compat')!;
compat.description = `API compatibility with the last release (${API_BASELINE}/), breaking changes declared in ${ALLOWED_BREAKING_CHANGES}`;
compat.reset();
compat.addSteps(
  { say: `API compatibility: no release yet (the first release writes ${API_BASELINE}/): nothing to compare with`, condition: baselineExists(false) },
  {
    execArgs: ['jsii-diff', API_BASELINE, '.', '--keys', '--error-on', 'prod', '--ignore-file', ALLOWED_BREAKING_CHANGES],
    condition: baselineExists(true),
  },
);
project.compileTask.spawn(compat);
project.addGitIgnore(`!/${API_BASELINE}/.jsii`);
project.npmignore?.exclude(`/${API_BASELINE}/`, `/${ALLOWED_BREAKING_CHANGES}`);

// The release commit carries the new API baseline (and empties the declared breaking changes) along
// with CHANGELOG.md; a check after it refuses a release commit that left either out. The tag's
// annotation is the changelog entry as written (projen's tag step lets git strip its `#` headings).
const publishGit = project.tasks.tryFind('publish:git')!;
publishGit.prependExec('node scripts/release.cjs baseline');
publishGit.insertStep(2, { exec: 'node scripts/release.cjs committed' });
publishGit.updateStep(3, { exec: 'node scripts/release.cjs tag' });

// `bump` always runs, also on a release commit (projen skips it there): a build of the release
// commit (CI on main just after a release, or the packages rebuilt from a tag) carries the released
// version, never 0.0.0; scripts/release.cjs next-version keeps that version when HEAD is the tag.
// publish:git keeps projen's condition: a release commit is never tagged twice.
project.tryFindObjectFile('.projen/tasks.json')?.addDeletionOverride('tasks.bump.condition');
// commit-and-tag-version runs from node_modules (the devDependency projen adds, at the lockfile's
// version), not through `npx commit-and-tag-version@^13`, which asks the registry first: projen's bump
// runs the installed one when BUMP_PACKAGE is empty. Offline, and seconds faster per bump.
project.tasks.tryFind('bump')!.env('BUMP_PACKAGE', '');
project.tasks.tryFind('unbump')!.env('BUMP_PACKAGE', '');

// Every language is packaged wherever the build runs (projen packages only js when CI is set, for
// GitHub workflows that package the other languages in jobs of their own: there are none here).
project.packageTask.reset();
project.packageTask.spawn(project.tasks.tryFind('package-all')!);

// `release:build`: the release without its commit and tag, what CI runs (.ci/run): every package at
// the next version in dist/ with its changelog (dist/changelog.md, dist/version.txt), then the
// version is reset and the checkout left as it was.
const releaseTask = project.tasks.tryFind('release')!;
const releaseBuild = project.addTask('release:build', {
  description: 'The release build without the release commit and tag: every package at the next version in dist/ (CI)',
  env: releaseTask.envVars,
});
releaseBuild.addSteps(...releaseTask.steps.filter(step => step.spawn !== 'publish:git'));

project.synth();
