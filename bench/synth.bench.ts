/**
 * Side-by-side synthesis benchmark: `npx projen bench` (never part of the unit tests).
 *
 * Scenarios (bench/scenario-*.ts), each rendered by `app.synthYaml()` as `cdk8s synth` does, in a
 * fresh process per run:
 *   library     (a) the basic stateful service written with this library
 *   plus        (b) the same service with cdk8s-plus-27 (+ L1 objects and patches for what it lacks)
 *   floor       (c) this library's exact output written as plain ApiObjects (no abstraction)
 *   full        (d) the basic service plus static volumes, a consumer Deployment, a standalone claim
 *                   and a DataStoreConnection: every app-wide check runs
 *   full-floor  (e) the full scenario's exact output written as plain ApiObjects
 *
 * The machine is shared and noisy, so the scenarios compared with each other are measured side by
 * side: the runs are interleaved (round r runs every scenario of a size once, in a rotating order),
 * each row is the median of its runs, and every ratio in the targets table is the median of the
 * ratios within a round (paired).
 *
 * For each scenario and size: median wall time of the whole process, median in-process time
 * (construction + synthYaml) and its CPU time, time per service and median peak RSS; then the
 * import cost of cdk8s, cdk8s-plus-27 and this library. Apps of one chart per service (cdk8s
 * validates the whole app again for each chart it renders) are measured for the floor,
 * cdk8s-plus-27 and this library. Prints a table and the target ratios, and writes
 * bench/RESULTS.md and bench/results/synth.json.
 *
 * Options (environment): BENCH_SIZES="10,100,1000,3000", BENCH_RUNS=<runs per measurement>
 * (default: 7 up to 1000, 5 above; 5 for the one-chart-per-service rows), BENCH_SCENARIOS="library,plus,floor,full,full-floor",
 * BENCH_PER_SERVICE="300,1000" (sizes of the one-chart-per-service rows; "" for none),
 * BENCH_PER_SERVICE_SCENARIOS="floor,plus,library" (add "full" for the full scenario: slow).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

interface Sample {
  readonly wallMs: number;
  readonly importMs: number;
  readonly inProcessMs: number;
  readonly inProcessCpuMs?: number;
  readonly maxRssKiB: number;
  readonly yamlBytes?: number;
  readonly objects?: number;
}

interface Row {
  readonly scenario: string;
  /** `one` chart for the app, or one chart `per-service`. */
  readonly charts: string;
  readonly services: number;
  readonly runs: number;
  readonly wallMs: number;
  readonly inProcessMs: number;
  /** CPU time (user + system) of the in-process span: steadier than wall time on a busy machine. */
  readonly inProcessCpuMs: number;
  readonly perServiceMs: number;
  readonly peakRssMiB: number;
  readonly yamlBytes: number;
  readonly objects: number;
  /** The samples, in round order (paired with the other scenarios of the same size). */
  readonly samples: Sample[];
}

const RUNNER = path.join(__dirname, 'run-scenario.js');
/** The repository (this file runs as bench/.out/bench/synth.bench.js). */
const ROOT = path.resolve(__dirname, '..', '..', '..');
const SIZES = (process.env.BENCH_SIZES ?? '10,100,1000,3000').split(',').map(Number);
const SCENARIOS = (process.env.BENCH_SCENARIOS ?? 'library,plus,floor,full,full-floor').split(',');
const PER_SERVICE = (process.env.BENCH_PER_SERVICE ?? '300,1000').split(',').filter(x => x !== '').map(Number);
const PER_SERVICE_SCENARIOS = (process.env.BENCH_PER_SERVICE_SCENARIOS ?? 'floor,plus,library').split(',');
const LABEL: { [scenario: string]: string } = {
  'library': '(a) basic, this library',
  'plus': '(b) basic, cdk8s-plus-27',
  'floor': '(c) basic, plain ApiObjects',
  'full': '(d) full scenario, this library',
  'full-floor': '(e) full scenario, plain ApiObjects',
};

function runsFor(services: number): number {
  if (process.env.BENCH_RUNS) return Number(process.env.BENCH_RUNS);
  // medians of 3 swung by up to a fifth between runs on a quiet machine (bench/NOTES.md)
  return services <= 1000 ? 7 : 5;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function once(args: string[]): Sample {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [RUNNER, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`bench run ${args.join(' ')} failed (${r.status}):\n${r.stderr}`);
  const line = r.stdout.trim().split('\n').pop()!;
  return { wallMs, ...JSON.parse(line) };
}

/**
 * Measures `scenarios` at one size side by side: `runs` rounds, each running every scenario once,
 * starting with a different one each round.
 */
function measureTogether(scenarios: string[], services: number, charts = 'one'): Row[] {
  const runs = charts === 'one' ? runsFor(services) : 5;
  const samples = new Map<string, Sample[]>(scenarios.map(x => [x, []]));
  for (let round = 0; round < runs; round++) {
    for (let k = 0; k < scenarios.length; k++) {
      const scenario = scenarios[(round + k) % scenarios.length];
      samples.get(scenario)!.push(once(['synth', scenario, String(services), charts]));
    }
  }
  return scenarios.map(scenario => {
    const own = samples.get(scenario)!;
    const inProcessMs = median(own.map(x => x.inProcessMs));
    return {
      scenario,
      charts,
      services,
      runs,
      wallMs: median(own.map(x => x.wallMs)),
      inProcessMs,
      inProcessCpuMs: median(own.map(x => x.inProcessCpuMs ?? x.inProcessMs)),
      perServiceMs: inProcessMs / services,
      peakRssMiB: median(own.map(x => x.maxRssKiB)) / 1024,
      yamlBytes: own[0].yamlBytes ?? 0,
      objects: own[0].objects ?? 0,
      samples: own,
    };
  });
}

/** The median of the ratios `a / b` of the samples of two rows measured together, round by round. */
function pairedRatio(a: Row | undefined, b: Row | undefined, value: (x: Sample) => number): number | undefined {
  if (!a || !b || a.samples.length !== b.samples.length) return undefined;
  return median(a.samples.map((x, round) => value(x) / value(b.samples[round])));
}

function importCost(module: string): { importMs: number; peakRssMiB: number } {
  const samples: Sample[] = [];
  for (let i = 0; i < 11; i++) samples.push(once(['import', module]));
  return { importMs: median(samples.map(s => s.importMs)), peakRssMiB: median(samples.map(s => s.maxRssKiB)) / 1024 };
}

const fmt = (x: number, digits = 0) => x.toFixed(digits);

function main(): void {
  const saved = path.join(ROOT, 'bench', 'results', 'synth.json');
  if (process.env.BENCH_REPORT_ONLY === 'true') {
    // the targets and tables again from the samples of the last run (e.g. after a change of the targets)
    const last = JSON.parse(fs.readFileSync(saved, 'utf8'));
    report(last.rows, last.imports, last);
    return;
  }
  const rows: Row[] = [];
  const show = (row: Row) => console.log(`${LABEL[row.scenario] ?? row.scenario}${row.charts === 'one' ? '' : ', one chart per service'} x ${row.services}: `
    + `wall ${fmt(row.wallMs)} ms, in-process ${fmt(row.inProcessMs)} ms (CPU ${fmt(row.inProcessCpuMs)} ms, ${fmt(row.perServiceMs, 2)} ms/service), `
    + `peak RSS ${fmt(row.peakRssMiB)} MiB, ${row.objects} objects, median of ${row.runs}`);
  for (const services of SIZES) {
    for (const row of measureTogether(SCENARIOS, services)) {
      rows.push(row);
      show(row);
    }
  }
  for (const services of PER_SERVICE) {
    for (const row of measureTogether(PER_SERVICE_SCENARIOS, services, 'per-service')) {
      rows.push(row);
      show(row);
    }
  }
  const imports = {
    'cdk8s': importCost('cdk8s'),
    'cdk8s-plus-27': importCost('cdk8s-plus-27'),
    'cdk8s-stateful': importCost('library'),
  };
  for (const [m, c] of Object.entries(imports)) console.log(`import ${m}: ${fmt(c.importMs, 1)} ms, peak RSS ${fmt(c.peakRssMiB)} MiB`);
  report(rows, imports);
}

/** Checks the targets, prints them and writes the results (`measuredAt`: the meta of a saved run). */
function report(rows: Row[], imports: { [m: string]: { importMs: number; peakRssMiB: number } }, measuredAt?: any): void {
  const SIZES_MEASURED = [...new Set(rows.filter(r => r.charts === 'one').map(r => r.services))].sort((a, b) => a - b);
  const PER_SERVICE_MEASURED = [...new Set(rows.filter(r => r.charts === 'per-service').map(r => r.services))];
  const get = (scenario: string, services: number, charts = 'one') => rows.find(r => r.scenario === scenario && r.services === services && r.charts === charts);
  // CPU time of the in-process span: on a shared machine, wall time mostly measures the other processes
  const inProcess = (x: Sample) => x.inProcessCpuMs ?? x.inProcessMs;
  const rss = (x: Sample) => x.maxRssKiB;
  const top = Math.max(...SIZES_MEASURED);
  const below = SIZES_MEASURED.filter(x => x < top).pop();
  const checks: Array<{ target: string; measured: string; ok: boolean | undefined }> = [];
  const ratio = (a: number | undefined, b: number | undefined) => (a !== undefined && b ? a / b : undefined);
  const check = (target: string, value: number | undefined, limit: number, unit = 'x', strict = false) => {
    checks.push({
      target,
      measured: value === undefined ? 'not measured' : `${fmt(value, 2)}${unit}`,
      ok: value === undefined ? undefined : strict ? value < limit : value <= limit,
    });
  };
  check(`full scenario ${below} -> ${top} services, in-process CPU time: at most ${fmt(top / (below ?? top) * 1.1, 1)}x`,
    ratio(get('full', top)?.inProcessCpuMs, below ? get('full', below)?.inProcessCpuMs : undefined), top / (below ?? top) * 1.1);
  check(`full scenario at ${top} under 3x the basic scenario at ${top} (in-process CPU)`,
    pairedRatio(get('full', top), get('library', top), inProcess), 3, 'x', true);
  check(`basic scenario at most 1.3x the plain-ApiObject floor, in-process CPU, at ${top}`,
    pairedRatio(get('library', top), get('floor', top), inProcess), 1.3);
  check(`full scenario at most 1.3x its plain-ApiObject floor, in-process CPU, at ${top}`,
    pairedRatio(get('full', top), get('full-floor', top), inProcess), 1.3);
  check(`full scenario's peak RSS at most 1.5x its floor's at ${top}`,
    pairedRatio(get('full', top), get('full-floor', top), rss), 1.5);
  const perService = Math.max(...PER_SERVICE_MEASURED);
  check(`one chart per service, ${perService} services: this library at most 1.0x cdk8s-plus-27, in-process CPU`,
    pairedRatio(get('library', perService, 'per-service'), get('plus', perService, 'per-service'), inProcess), 1);
  check(`one chart per service, ${perService} services: this library at most 2x the plain-ApiObject floor, in-process CPU`,
    pairedRatio(get('library', perService, 'per-service'), get('floor', perService, 'per-service'), inProcess), 2);
  check(`basic scenario no slower than cdk8s-plus-27, whole process, at ${top}`,
    pairedRatio(get('library', top), get('plus', top), x => x.wallMs), 1);
  check(`peak RSS of the basic scenario within 1.2x of the floor at ${top}`,
    pairedRatio(get('library', top), get('floor', top), rss), 1.2);
  check('import at most 20 ms over cdk8s-plus-27',
    imports['cdk8s-stateful'].importMs - imports['cdk8s-plus-27'].importMs, 20, ' ms');
  for (const c of checks) console.log(`${c.ok === undefined ? '-' : c.ok ? 'PASS' : 'MISS'}  ${c.target}: ${c.measured}`);

  const out = path.join(ROOT, 'bench');
  fs.mkdirSync(path.join(out, 'results'), { recursive: true });
  const meta = measuredAt ? { ...measuredAt, rows: undefined, imports: undefined, checks: undefined } : {
    date: new Date().toISOString(),
    node: process.version,
    cpus: `${os.cpus().length} x ${os.cpus()[0]?.model ?? 'unknown'}`,
    memoryGiB: Math.round(os.totalmem() / 1024 ** 3),
    platform: `${os.platform()} ${os.release()}`,
    load: os.loadavg().map(x => x.toFixed(1)).join(', '),
  };
  fs.writeFileSync(path.join(out, 'results', 'synth.json'), JSON.stringify({ ...meta, rows, imports, checks }, null, 2));
  if (process.env.BENCH_WRITE_RESULTS !== 'false') {
    fs.writeFileSync(path.join(out, 'RESULTS.md'), resultsMarkdown(meta, rows, imports, checks));
    console.log(`wrote ${path.join(out, 'RESULTS.md')}`);
    const readme = path.join(ROOT, 'docs', 'contributing.md');
    const text = fs.readFileSync(readme, 'utf8');
    const start = '<!-- bench-table -->\n';
    const end = '<!-- /bench-table -->';
    if (text.includes(start) && text.includes(end)) {
      const table = readmeTable(meta, rows, checks);
      fs.writeFileSync(readme, text.slice(0, text.indexOf(start) + start.length) + table + text.slice(text.indexOf(end)));
      console.log(`updated the table in ${readme}`);
    }
  }
}

/** The short table in docs/contributing.md, Performance (between the bench-table markers): the largest two sizes. */
function readmeTable(meta: any, rows: Row[], checks: Array<{ target: string; measured: string; ok: boolean | undefined }>): string {
  const sizes = [...new Set(rows.filter(r => r.charts === 'one').map(r => r.services))].sort((a, b) => a - b).slice(-2);
  const lines = [
    `| scenario | ${sizes.map(n => `${n} services: in-process (ms / service), peak RSS`).join(' | ')} |`,
    `| --- | ${sizes.map(() => '---:').join(' | ')} |`,
  ];
  for (const scenario of Object.keys(LABEL)) {
    const cells = sizes.map(n => {
      const r = rows.find(x => x.scenario === scenario && x.services === n && x.charts === 'one');
      return r ? `${fmt(r.inProcessMs / 1000, 1)} s (${fmt(r.perServiceMs, 2)}), ${fmt(r.peakRssMiB)} MiB` : '-';
    });
    lines.push(`| ${LABEL[scenario]} | ${cells.join(' | ')} |`);
  }
  const perService = [...new Set(rows.filter(r => r.charts === 'per-service').map(r => r.services))].sort((a, b) => a - b);
  if (perService.length > 0) {
    lines.push('', `| one chart per service | ${perService.map(n => `${n} services: in-process (CPU), peak RSS`).join(' | ')} |`,
      `| --- | ${perService.map(() => '---:').join(' | ')} |`);
    for (const scenario of Object.keys(LABEL)) {
      const found = perService.map(n => rows.find(x => x.scenario === scenario && x.services === n && x.charts === 'per-service'));
      if (found.every(r => r === undefined)) continue;
      lines.push(`| ${LABEL[scenario]} | ${found.map(r => r ? `${fmt(r.inProcessMs / 1000, 1)} s (${fmt(r.inProcessCpuMs / 1000, 1)} s), ${fmt(r.peakRssMiB)} MiB` : '-').join(' | ')} |`);
    }
  }
  lines.push('', `Measured ${meta.date.slice(0, 10)} on ${meta.cpus}, Node ${meta.node} (load average ${meta.load} at the end). Targets:`, '');
  for (const c of checks) lines.push(`- ${c.target}: ${c.measured} (${c.ok === undefined ? 'not measured' : c.ok ? 'met' : '**missed**'})`);
  return lines.join('\n') + '\n';
}

function resultsMarkdown(meta: any, rows: Row[], imports: { [m: string]: { importMs: number; peakRssMiB: number } },
  checks: Array<{ target: string; measured: string; ok: boolean | undefined }>): string {
  const lines = [
    '# Synthesis benchmark results',
    '',
    'Written by `npx projen bench` (bench/synth.bench.ts); do not edit the tables by hand.',
    '',
    `- Date: ${meta.date.slice(0, 10)}`,
    `- Machine: ${meta.cpus}, ${meta.memoryGiB} GiB, ${meta.platform}`,
    `- Node ${meta.node}`,
    '- Each measurement is a fresh `node` process rendering the app with `app.synthYaml()` (one chart, or one chart per service); medians of the runs shown.',
    '- The scenarios of one size are measured side by side: runs interleaved round by round; each ratio in the targets is the median of the ratios within a round.',
    `- Load average when the run ended: ${meta.load} (on ${meta.cpus}): timings on a shared machine are noisy; CPU time is steadier than wall time.`,
    '- Wall: the whole process (start-up and imports included). In-process: construction plus `synthYaml()`.',
    '',
    '| scenario | services | wall (ms) | in-process (ms) | in-process CPU (ms) | ms / service | peak RSS (MiB) | objects | YAML (KiB) | runs |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map(r => `| ${LABEL[r.scenario] ?? r.scenario}${r.charts === 'one' ? '' : ', one chart per service'} | ${r.services} | ${fmt(r.wallMs)} | ${fmt(r.inProcessMs)} | ${fmt(r.inProcessCpuMs)} | ${fmt(r.perServiceMs, 2)} | ${fmt(r.peakRssMiB)} | ${r.objects} | ${fmt(r.yamlBytes / 1024)} | ${r.runs} |`),
    '',
    '| import | time (ms) | peak RSS (MiB) |',
    '| --- | ---: | ---: |',
    ...Object.entries(imports).map(([m, c]) => `| ${m} | ${fmt(c.importMs, 1)} | ${fmt(c.peakRssMiB)} |`),
    '',
    '## Targets',
    '',
    '| target | measured | |',
    '| --- | ---: | --- |',
    ...checks.map(c => `| ${c.target} | ${c.measured} | ${c.ok === undefined ? '-' : c.ok ? 'met' : '**missed**'} |`),
    '',
  ];
  const notes = path.join(ROOT, 'bench', 'NOTES.md');
  if (fs.existsSync(notes)) lines.push(fs.readFileSync(notes, 'utf8'));
  return lines.join('\n');
}

main();
