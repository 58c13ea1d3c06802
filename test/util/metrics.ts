/**
 * Helpers of the metrics tests: Debian's exporters and promtool (packages
 * prometheus-postgres-exporter, prometheus-redis-exporter and prometheus, installed by .ci/run), a
 * scrape over HTTP, the Prometheus text format, and a synthesized PrometheusRule as a Prometheus
 * rules file.
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { get } from 'node:http';
import { stringify } from 'yaml';

/** The Debian binaries the metrics tests run. */
export const DEBIAN = {
  postgresExporter: '/usr/bin/prometheus-postgres-exporter',
  redisExporter: '/usr/bin/prometheus-redis-exporter',
  promtool: '/usr/bin/promtool',
};

/** Fails (never skips) when a Debian binary is missing. */
export function requireBinaries(...paths: string[]): void {
  const missing = paths.filter(p => spawnSync(p, ['--version'], { stdio: 'ignore' }).error !== undefined);
  if (missing.length > 0) {
    throw new Error(`${missing.join(', ')} not installed: the metrics tests run Debian's exporters and promtool. `
      + 'Install them with `apt-get install -y --no-install-recommends prometheus-postgres-exporter prometheus-redis-exporter prometheus` (.ci/run does).');
  }
}

/** An exporter process, its output kept. */
export interface RunningExporter {
  readonly process: ChildProcess;
  output(): string;
}

/**
 * Starts `argv` as the container's user: `runAsUser`, `runAsGroup` and the pod's `fsGroup` as a
 * supplementary group (setpriv; the test runs as root), with exactly `env`.
 */
export function spawnAs(argv: string[], env: Record<string, string>, ids: { user: number; group: number; fsGroup: number }): RunningExporter {
  const child = spawn('setpriv', [`--reuid=${ids.user}`, `--regid=${ids.group}`, `--groups=${ids.fsGroup}`, '--', ...argv], {
    env: { PATH: '/usr/bin:/bin', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', d => output += d);
  child.stderr!.on('data', d => output += d);
  return { process: child, output: () => output };
}

/** Stops a process we started, by its pid: TERM, then KILL after 3 s. */
export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>(resolve => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(timer);
}

/** GETs a URL: the status and body. */
export function httpGet(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = get(url, { timeout: 5000 }, res => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', d => body += d);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`timeout: ${url}`)));
    req.on('error', reject);
  });
}

/** One sample of the Prometheus text format. */
export interface Sample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}

/** The samples of a scrape (comments skipped). */
export function parseSamples(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[3] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2];
    samples.push({ name: m[1], labels, value: Number(m[4]) });
  }
  return samples;
}

/** The samples of one metric, optionally with some label values. */
export function samplesOf(samples: Sample[], name: string, labels: Record<string, string> = {}): Sample[] {
  return samples.filter(s => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
}

/** The metric names an alert expression reads: the identifiers followed by a selector. */
export function metricNames(expr: string): string[] {
  return [...new Set([...expr.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\{/g)].map(m => m[1]))];
}

/**
 * A synthesized PrometheusRule as a Prometheus rules file: its `spec` is the file's content
 * (`groups`, each with `name`, `interval` and `rules`), as the Prometheus Operator writes it.
 */
export function rulesFile(prometheusRule: any): string {
  return stringify({ groups: prometheusRule.spec.groups });
}

/** Runs promtool with args: its exit status and output. */
export function promtool(args: string[]): { status: number | null; output: string } {
  const r = spawnSync(DEBIAN.promtool, args, { encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw r.error;
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

/** Polls `check` every 200 ms until it returns a value other than undefined. */
export async function poll<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (e) {
      last = e;
    }
    await new Promise(r => setTimeout(r, 200));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${last}` : ''}`);
}
