#!/usr/bin/env node
// The project's own steps of projen's release tasks (.projenrc.ts; docs/releasing.md explains the
// procedure). Run from the repository root by the tasks, never by hand:
//
//   node scripts/release.cjs next-version  `bump:next-version`, inside `bump`: prints the version (or
//                                           the bump) to release when the commits alone do not decide
//                                           it, and nothing when they do
//   node scripts/release.cjs baseline      first step of `publish:git`: the released assembly becomes
//                                           the API baseline (api-baseline/), the declared breaking
//                                           changes are emptied, both staged for the release commit
//   node scripts/release.cjs committed     after the release commit: fails when something staged was
//                                           left out of it
//   node scripts/release.cjs tag           last step of `publish:git`: tags the release commit
//                                           v<version>, annotated with the release's changelog entry
//                                           as written (projen's own tag step lets git strip every
//                                           line starting with `#`: the entry's headings, all of the
//                                           first release's entry)
//
// next-version reads what `bump` has found so far (projen hands it on as environment variables):
// LATEST_TAG (the last release tag, empty before the first release), VERSION (the version of that
// tag), SUGGESTED_BUMP (none, patch, minor or major: what commit-and-tag-version derives from the
// conventional commits since the tag) and MAJOR (the major version the release task is restricted
// to). What it prints on stdout becomes the bump; its explanations go to stderr.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

/** The first release of the 0.x line. */
const FIRST_VERSION = '0.1.0';
/** Breaking changes to the stable API a release declares (jsii-diff keys, one a line; `#` comments). */
const ALLOWED_BREAKING_CHANGES = 'allowed-breaking-changes.txt';
/** The last release's assembly and the package.json jsii-diff loads it with. */
const BASELINE_DIR = 'api-baseline';
/** The version the release build wrote (projen's bump), its tag and its changelog entry. */
const VERSION_FILE = path.join('dist', 'version.txt');
const RELEASE_TAG_FILE = path.join('dist', 'releasetag.txt');
const CHANGELOG_ENTRY = path.join('dist', 'changelog.md');

const BUMP_RANK = { none: 0, patch: 1, minor: 2, major: 3 };

function fail(message) {
  console.error(`scripts/release.cjs: ${message}`);
  process.exit(1);
}

function git(...args) {
  return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

function readRequired(file) {
  if (!fs.existsSync(file)) fail(`no ${file}: run the release build (\`npx projen release\`) first`);
  return fs.readFileSync(file, 'utf8');
}

/** The declared breaking changes: every line of the file that is neither blank nor a comment. */
function declaredBreakingChanges() {
  if (!fs.existsSync(ALLOWED_BREAKING_CHANGES)) return [];
  return fs.readFileSync(ALLOWED_BREAKING_CHANGES, 'utf8').split('\n').map(l => l.trim()).filter(l => l !== '' && !l.startsWith('#'));
}

function nextVersion() {
  const latestTag = (process.env.LATEST_TAG ?? '').trim();
  const version = (process.env.VERSION ?? '').trim();
  const suggested = (process.env.SUGGESTED_BUMP ?? '').trim() || 'none';
  const major = process.env.MAJOR ? Number(process.env.MAJOR) : undefined;

  // No release tag yet: the first release. (projen would release the version package.json holds,
  // 0.0.0, and the history before it does not follow conventional commits.)
  if (latestTag === '') {
    const first = major !== undefined && major > 0 ? `${major}.0.0` : FIRST_VERSION;
    console.error(`first release: ${first}`);
    process.stdout.write(first);
    return;
  }

  // HEAD is the release itself (CI on the release commit, or its packages rebuilt from the tag):
  // build that version again rather than bumping past it or rewriting its tag.
  if (git('rev-parse', 'HEAD') === git('rev-parse', `${latestTag}^{commit}`)) {
    console.error(`HEAD is ${latestTag}: building ${version} again`);
    process.stdout.write(version);
    return;
  }

  // A breaking change of the stable API that was declared (the compat check let it through) is
  // breaking whatever the commit messages say: at least a minor before 1.0, a major after.
  const declared = declaredBreakingChanges();
  if (declared.length > 0) {
    if (!/^\d+\.\d+\.\d+/.test(version)) fail(`VERSION is "${version}", not a version: run through \`npx projen bump\``);
    const needed = version.startsWith('0.') ? 'minor' : 'major';
    if ((BUMP_RANK[suggested] ?? 0) < BUMP_RANK[needed]) {
      console.error(`${declared.length} breaking change(s) declared in ${ALLOWED_BREAKING_CHANGES} (${declared.join(', ')}); `
        + `the commits since ${latestTag} ask for ${suggested === 'none' ? 'no bump' : `a ${suggested} bump`}: releasing a ${needed} bump`);
      process.stdout.write(needed);
      return;
    }
  }
  // Otherwise the commits decide (print nothing).
}

function readHeader(file) {
  // The leading comment block (and blank lines) of the file: what it keeps when it is emptied.
  if (!fs.existsSync(file)) return '';
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const end = lines.findIndex(l => l.trim() !== '' && !l.trim().startsWith('#'));
  return lines.slice(0, end < 0 ? lines.length : end).join('\n').trimEnd() + '\n';
}

function baseline() {
  const version = readRequired(VERSION_FILE).trim();
  const assembly = readRequired('.jsii');
  const asm = JSON.parse(assembly);
  if (asm.version !== version) fail(`.jsii is the assembly of ${asm.version}, the release is ${version}: run the release build (\`npx projen release\`) first`);

  // jsii-diff loads a directory as a package: its package.json (the jsii section, the dependencies it
  // resolves the assembly's own dependencies from, through this repository's node_modules) and .jsii.
  const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8'));
  const manifest = {
    name: pkg.name,
    version,
    description: `The jsii assembly of ${pkg.name} ${version}: the API baseline of the compatibility check (npx projen compat). `
      + 'Written by the release (scripts/release.cjs baseline, docs/releasing.md); never edited by hand.',
    private: true,
    ...(pkg.dependencies ? { dependencies: pkg.dependencies } : {}),
    peerDependencies: pkg.peerDependencies,
    jsii: pkg.jsii,
  };
  fs.mkdirSync(BASELINE_DIR, { recursive: true });
  fs.writeFileSync(path.join(BASELINE_DIR, '.jsii'), assembly);
  fs.writeFileSync(path.join(BASELINE_DIR, 'package.json'), JSON.stringify(manifest, undefined, 2) + '\n');

  // The breaking changes declared for this release are in it now: the next release starts empty.
  const declared = declaredBreakingChanges();
  fs.writeFileSync(ALLOWED_BREAKING_CHANGES, readHeader(ALLOWED_BREAKING_CHANGES));

  git('add', '--', path.join(BASELINE_DIR, '.jsii'), path.join(BASELINE_DIR, 'package.json'), ALLOWED_BREAKING_CHANGES);
  console.error(`API baseline: ${pkg.name} ${version} in ${BASELINE_DIR}/`
    + (declared.length > 0 ? `; ${declared.length} declared breaking change(s) cleared from ${ALLOWED_BREAKING_CHANGES}` : ''));
}

function committed() {
  const left = git('diff', '--cached', '--name-only');
  if (left !== '') fail(`staged but not in the release commit: ${left.split('\n').join(', ')} (was CHANGELOG.md already holding this version?)`);
}

function tag() {
  const releaseTag = readRequired(RELEASE_TAG_FILE).trim();
  const message = readRequired(CHANGELOG_ENTRY).trim() + '\n';
  execFileSync('git', ['tag', '--annotate', '--cleanup=verbatim', '--file=-', releaseTag], { input: message, stdio: ['pipe', 'inherit', 'inherit'] });
  console.error(`tagged ${git('rev-parse', '--short', 'HEAD')} ${releaseTag}`);
}

const commands = { 'next-version': nextVersion, baseline, committed, tag };
const command = commands[process.argv[2]];
if (!command) fail(`unknown command "${process.argv[2] ?? ''}": one of ${Object.keys(commands).join(', ')}`);
command();
