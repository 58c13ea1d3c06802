/**
 * Benchmark: how long and how much memory synthesizing many stateful workloads takes.
 *
 * Run with `npx projen bench` (not part of the unit tests: timings never gate a test). Prints one
 * JSON line per scenario and writes them to bench/results/synth.json (gitignored), so runs can
 * be compared over time on the same machine.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Chart, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { DataStoreConnection, PersistentVolumeClaim, PersistentVolumeSet, PersistentVolumeSource, StatefulWorkload, StorageClass } from '../src';

interface Result {
  readonly scenario: string;
  readonly workloads: number;
  readonly objects: number;
  readonly medianMs: number;
  readonly heapDeltaMiB: number;
}

function build(workloads: number): App {
  const app = new App({ outdir: fs.mkdtempSync('/tmp/cdk8s-stateful-bench-') });
  const chart = new Chart(app, 'bench', { namespace: 'bench' });
  const fast = StorageClass.localDisks(chart, 'fast', { metadata: { name: 'fast' } });
  for (let i = 0; i < workloads; i++) {
    const db = new StatefulWorkload(chart, `db${i}`, {
      metadata: { name: `db-${i}` },
      replicas: 3,
      containers: [{ name: 'db', image: 'docker.io/library/postgres:16', ports: [{ name: 'postgres', number: 5432 }], securityContext: { user: 999, group: 999 } }],
      volumeClaimTemplates: [{ name: 'data', storage: Size.gibibytes(10), storageClass: fast, mountPath: '/var/lib/postgresql/data' }],
    });
    db.exposePod(0, { name: `db-${i}-primary` });
    new PersistentVolumeSet(chart, `pv${i}`, {
      workload: db,
      claimTemplate: db.volumeClaimTemplates[0],
      sources: [0, 1, 2].map(o => PersistentVolumeSource.local('/mnt/disks/ssd0', `node-${o}`)),
      bindToClaims: true,
    });
    const consumer = new kplus.Deployment(chart, `app${i}`, { replicas: 1, containers: [{ image: 'registry.example.com/app:1' }] });
    // a standalone claim: its validation looks at every pod-running object of the app
    const files = new PersistentVolumeClaim(chart, `files${i}`, { storage: Size.gibibytes(1) });
    consumer.containers[0].mount('/data', files);
    new DataStoreConnection(chart, `conn${i}`, { store: db, consumers: [consumer.containers[0]] });
  }
  return app;
}

function measure(workloads: number, runs: number): Result {
  const times: number[] = [];
  let objects = 0;
  global.gc?.();
  const before = process.memoryUsage().heapUsed;
  for (let r = 0; r < runs; r++) {
    const start = process.hrtime.bigint();
    const app = build(workloads);
    app.synth(); // validation included, as `cdk8s synth` does
    objects = app.charts.flatMap(c => c.toJson()).length;
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  const heapDeltaMiB = (process.memoryUsage().heapUsed - before) / 1024 / 1024;
  times.sort((a, b) => a - b);
  return {
    scenario: `synth ${workloads} workloads`,
    workloads,
    objects,
    medianMs: Math.round(times[Math.floor(times.length / 2)]),
    heapDeltaMiB: Math.round(heapDeltaMiB),
  };
}

const results = [measure(10, 5), measure(100, 3), measure(300, 1)];
for (const r of results) console.log(JSON.stringify(r));
const out = path.join(__dirname, 'results');
fs.mkdirSync(out, { recursive: true });
fs.writeFileSync(path.join(out, 'synth.json'), JSON.stringify({ node: process.version, date: new Date().toISOString(), results }, null, 2));
