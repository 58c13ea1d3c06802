/**
 * One benchmark process: renders one scenario at one size, or imports one module, and prints one
 * JSON line. Started by synth.bench.ts, one fresh process per measurement, so imports, JIT
 * warm-up and memory are those of a real `cdk8s synth`.
 *
 *   node bench/.out/bench/run-scenario.js synth <scenario> <services> [per-service]
 *   node bench/.out/bench/run-scenario.js import <module>
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

function ms(from: bigint, to: bigint): number {
  return Number(to - from) / 1e6;
}

function main(): void {
  const [mode, what, count] = process.argv.slice(2);
  if (mode === 'import') {
    const target = what === 'library' ? path.join(__dirname, '..', 'src', 'index.js') : what;
    const t0 = process.hrtime.bigint();
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the import itself is measured
    require(target);
    const t1 = process.hrtime.bigint();
    console.log(JSON.stringify({ importMs: ms(t0, t1), maxRssKiB: process.resourceUsage().maxRSS }));
    return;
  }
  if (mode !== 'synth') throw new Error('usage: run-scenario.js synth <scenario> <services> | import <module>');
  const services = Number(count);
  const t0 = process.hrtime.bigint();
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- imports are measured, per scenario
  const scenario = require(`./scenario-${what}`) as { addService(chart: unknown, i: number): void };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { App, Chart } = require('cdk8s') as typeof import('cdk8s');
  const t1 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-stateful-bench-')) });
  // One chart for the whole app by default. cdk8s 2.68 validates the whole app again for every
  // chart it renders (Chart.toJson() -> App._synthChart()), so with `charts=per-service` (one chart
  // per service) synthesis is quadratic in cdk8s itself, for every library and for plain
  // ApiObjects alike: that mode measures what each extra validation pass costs.
  const perService = process.argv[5] === 'per-service';
  const shared = perService ? undefined : new Chart(app, 'bench', { namespace: 'bench' });
  for (let i = 0; i < services; i++) scenario.addService(shared ?? new Chart(app, `svc${i}`, { namespace: 'bench' }), i);
  const t2 = process.hrtime.bigint();
  const yaml = app.synthYaml();
  const t3 = process.hrtime.bigint();
  const cpu = process.cpuUsage(cpu0);
  fs.rmSync(app.outdir, { recursive: true, force: true });
  console.log(JSON.stringify({
    importMs: ms(t0, t1),
    constructMs: ms(t1, t2),
    synthMs: ms(t2, t3),
    inProcessMs: ms(t1, t3),
    // CPU time of the same span (user + system): steadier than wall time on a busy machine
    inProcessCpuMs: (cpu.user + cpu.system) / 1000,
    yamlBytes: Buffer.byteLength(yaml),
    objects: (yaml.match(/^kind: /gm) ?? []).length,
    maxRssKiB: process.resourceUsage().maxRSS,
  }));
}

main();
