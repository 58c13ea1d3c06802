#!/usr/bin/env node
// Mutation testing of src/ in batches (`npx projen mutation`; reports/MUTATION.md explains it).
//
//   node scripts/mutation.cjs                  run every batch of stryker.batches.json, then print the score
//   node scripts/mutation.cjs pod-rules core   run these batches only
//   node scripts/mutation.cjs --score          only read the committed counts and print the score
//   node scripts/mutation.cjs --survivors core list the surviving and uncovered mutants of these batches
//   node scripts/mutation.cjs x -- --force     arguments after `--` go to `stryker run`
//
// Each batch mutates its modules and, for every mutant, runs only the batch's test files
// (STRYKER_TEST_FILES, stryker.jest.config.cjs); its raw results live in its own incremental file,
// reports/stryker/<batch>.json (local, gitignored: megabytes of JSON), so a batch reruns only the
// mutants whose code or covering tests changed and never forgets the other batches' results. After a
// batch runs, its counts per file go into reports/mutation-counts.json (committed, small); the score
// of src/ is computed from that file and written to reports/mutation-score.md. A fresh clone has no
// raw results: its first run of a batch measures every mutant again.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const { batches, typesOnly } = JSON.parse(fs.readFileSync(path.join(root, 'stryker.batches.json'), 'utf8'));
const base = JSON.parse(fs.readFileSync(path.join(root, 'stryker.config.json'), 'utf8'));

const argv = process.argv.slice(2);
const dashes = argv.indexOf('--');
const own = dashes < 0 ? argv : argv.slice(0, dashes);
const strykerArgs = dashes < 0 ? [] : argv.slice(dashes + 1);
const survivorsOnly = own.includes('--survivors');
const scoreOnly = own.includes('--score') || survivorsOnly;
const names = own.filter(a => !a.startsWith('--'));

for (const name of names) {
  if (!batches.some(b => b.name === name)) {
    console.error(`Unknown batch '${name}'. Batches in stryker.batches.json: ${batches.map(b => b.name).join(', ')}.`);
    process.exit(2);
  }
}

const incrementalFile = name => `reports/stryker/${name}.json`;
const countsFile = path.join(root, 'reports/mutation-counts.json');
const STATUSES = { killed: 'Killed', timeout: 'Timeout', survived: 'Survived', noCoverage: 'NoCoverage', compileError: 'CompileError', runtimeError: 'RuntimeError' };
const counts = fs.existsSync(countsFile) ? JSON.parse(fs.readFileSync(countsFile, 'utf8')) : {};

/** Reads a batch's raw incremental file (if this checkout has one) into the committed counts. */
function recordCounts(batch) {
  const file = path.join(root, incrementalFile(batch.name));
  if (!fs.existsSync(file)) return;
  const report = JSON.parse(fs.readFileSync(file, 'utf8'));
  const files = {};
  for (const mutate of batch.mutate) {
    const entry = report.files[mutate];
    if (!entry) continue;
    files[mutate] = Object.fromEntries(Object.entries(STATUSES).map(([k, status]) => [k, entry.mutants.filter(m => m.status === status).length]));
  }
  counts[batch.name] = files;
}

const failed = [];
if (!scoreOnly) {
  for (const batch of batches.filter(b => names.length === 0 || names.includes(b.name))) {
    const configFile = path.join(root, `.stryker-batch-${batch.name}.json`);
    const config = {
      ...base,
      $schema: undefined,
      mutate: batch.mutate,
      incrementalFile: incrementalFile(batch.name),
      htmlReporter: { fileName: `reports/mutation/${batch.name}.html` },
      jsonReporter: { fileName: `reports/mutation/${batch.name}.json` },
    };
    fs.writeFileSync(configFile, JSON.stringify(config, null, 2));
    console.log(`\n=== batch ${batch.name}: ${batch.mutate.join(', ')}\n    tests: ${batch.tests.join(', ')}\n`);
    const started = Date.now();
    const result = spawnSync('npx', ['stryker', 'run', path.basename(configFile), ...strykerArgs], {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, STRYKER_TEST_FILES: batch.tests.join(',') },
    });
    fs.rmSync(configFile, { force: true });
    console.log(`=== batch ${batch.name}: exit ${result.status}, ${Math.round((Date.now() - started) / 1000)} s`);
    if (result.status !== 0) failed.push(batch.name);
    else recordCounts(batch);
  }
  const sorted = Object.fromEntries(batches.filter(b => counts[b.name]).map(b => [b.name, counts[b.name]]));
  fs.writeFileSync(countsFile, JSON.stringify(sorted, null, 1) + '\n');
}

if (survivorsOnly) {
  for (const batch of batches.filter(b => names.length === 0 || names.includes(b.name))) {
    const file = path.join(root, incrementalFile(batch.name));
    if (!fs.existsSync(file)) {
      console.error(`${batch.name}: no raw results in this checkout (${incrementalFile(batch.name)}): run the batch first.`);
      continue;
    }
    const report = JSON.parse(fs.readFileSync(file, 'utf8'));
    for (const [name, entry] of Object.entries(report.files)) {
      const source = entry.source.split('\n');
      for (const m of entry.mutants.filter(x => x.status === 'Survived' || x.status === 'NoCoverage')
        .sort((a, b) => a.location.start.line - b.location.start.line)) {
        const { start, end } = m.location;
        const original = start.line === end.line
          ? source[start.line - 1].slice(start.column - 1, end.column - 1)
          : `${source[start.line - 1].slice(start.column - 1)} ...`;
        console.log(`${name}:${start.line}:${start.column} ${m.status} ${m.mutatorName}: ${JSON.stringify(original.slice(0, 100))} -> ${JSON.stringify((m.replacement ?? '').slice(0, 100))}`);
      }
    }
  }
  process.exit(0);
}

// The score: detected (killed, timed out) over valid mutants (detected, survived, no coverage);
// compile errors (rejected by the type checker) and runtime errors do not count, as in Stryker.
const rows = [];
const missing = [];
// Every file of src/ must be in exactly one batch, or be an index.ts (re-exports) or listed as types-only.
const listed = [...batches.flatMap(b => b.mutate), ...typesOnly];
const sources = fs.readdirSync(path.join(root, 'src'), { recursive: true })
  .map(f => `src/${f.split(path.sep).join('/')}`)
  .filter(f => f.endsWith('.ts') && !f.endsWith('/index.ts'));
const unlisted = sources.filter(f => !listed.includes(f));
const twice = listed.filter((f, i) => listed.indexOf(f) !== i);
if (unlisted.length > 0 || twice.length > 0) {
  console.error(`stryker.batches.json must list every file of src/ once (in a batch or in typesOnly): ${[
    ...unlisted.map(f => `${f} is in no batch`), ...twice.map(f => `${f} is listed twice`)].join('; ')}.`);
  process.exit(2);
}
for (const batch of batches) {
  if (!counts[batch.name]) { missing.push(batch.name); continue; }
  for (const mutate of batch.mutate) {
    const entry = counts[batch.name][mutate];
    if (!entry) { missing.push(`${batch.name}: ${mutate}`); continue; }
    rows.push({ batch: batch.name, file: mutate, ...entry });
  }
}
const score = r => {
  const valid = r.killed + r.timeout + r.survived + r.noCoverage;
  return valid === 0 ? 'n/a' : `${(100 * (r.killed + r.timeout) / valid).toFixed(2)}%`;
};
const total = rows.reduce((t, r) => {
  for (const k of ['killed', 'timeout', 'survived', 'noCoverage', 'compileError', 'runtimeError']) t[k] += r[k];
  return t;
}, { batch: '', file: '**all of src/ measured**', killed: 0, timeout: 0, survived: 0, noCoverage: 0, compileError: 0, runtimeError: 0 });

const lines = [
  '# Mutation score of src/',
  '',
  'Generated by `node scripts/mutation.cjs` from the committed counts in `reports/mutation-counts.json`',
  '(one entry per batch of `stryker.batches.json`); see `reports/MUTATION.md`. Score = (killed + timed out) /',
  '(killed + timed out + survived + no coverage).',
  '',
  '| batch | file | killed | timed out | survived | no coverage | compile errors | score |',
  '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ...[...rows, total].map(r => `| ${r.batch} | ${r.file.startsWith('**') ? r.file : `\`${r.file}\``} | ${r.killed} | ${r.timeout} | ${r.survived} | ${r.noCoverage} | ${r.compileError} | ${score(r)} |`),
  '',
  ...(missing.length > 0 ? [`Not measured yet: ${missing.join('; ')}.`, ''] : [`Every file of \`src/\` is measured but the \`index.ts\` files (re-exports) and ${typesOnly.map(f => `\`${f}\``).join(', ')} (types only, no mutants).`, '']),
];
fs.writeFileSync(path.join(root, 'reports/mutation-score.md'), lines.join('\n'));
console.log(lines.join('\n'));
if (failed.length > 0) {
  console.error(`Batches that failed (see their output above): ${failed.join(', ')}.`);
  process.exit(1);
}
