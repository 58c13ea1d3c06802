/**
 * A stand-in for `kubectl`, for running the scripts the library renders (e.g. a
 * `SnapshotSchedule`'s) without a cluster: an executable `kubectl` in a temporary directory that,
 * put first on `PATH`, records every call and answers from a small state file, as the API server
 * would for the commands the scripts use:
 *
 * - `get persistentvolumeclaim NAME`: the claim if it is in the state's claims, else NotFound;
 * - `create --filename -`: stores the VolumeSnapshot read from stdin (AlreadyExists for a known
 *   name; refused with an error when the state says creates fail);
 * - `wait volumesnapshot/NAME --for=jsonpath='{.status.readyToUse}'=true`: met unless the state
 *   lists the snapshot as never ready (then times out);
 * - `get volumesnapshots --selector a=b,c=d --output name`: the matching snapshots, newest first
 *   (the script must not rely on the order);
 * - `delete volumesnapshot NAME...`: removes them.
 *
 * Anything else exits 2 with "unexpected arguments", so a script that calls kubectl in a way the
 * stub does not know fails its test instead of passing silently.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A VolumeSnapshot the stub knows, as stored. */
export interface StubSnapshot {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: { [key: string]: string } };
  readonly spec?: any;
}

/** What the stub answers from. */
export interface StubState {
  /** Namespace and name of the claims that exist: `shop/data-db-0`. */
  claims: string[];
  snapshots: StubSnapshot[];
  /** Names of claims whose snapshots the API server refuses to create. */
  failCreateFor: string[];
  /** Names of snapshots that never become ready to use. */
  neverReady: string[];
}

/** One call: the arguments, and stdin when there was any. */
export interface StubCall {
  readonly args: string[];
  readonly stdin?: string;
}

const STUB = `#!/usr/bin/env node
const fs = require('fs');
const path = require('path');
const dir = __dirname;
const args = process.argv.slice(2);
const stdin = args.includes('-') ? fs.readFileSync(0, 'utf8') : undefined;
fs.appendFileSync(path.join(dir, 'calls.jsonl'), JSON.stringify({ args, stdin }) + '\\n');
const state = JSON.parse(fs.readFileSync(path.join(dir, 'state.json'), 'utf8'));
const save = () => fs.writeFileSync(path.join(dir, 'state.json'), JSON.stringify(state, null, 1));
function unexpected() { process.stderr.write('stub kubectl: unexpected arguments: ' + JSON.stringify(args) + '\\n'); process.exit(2); }

// flags: --name value or --name=value; the rest are positional
const flags = {};
const positional = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a.startsWith('--')) {
    const eq = a.indexOf('=');
    if (eq > 0) flags[a.slice(2, eq)] = a.slice(eq + 1);
    else flags[a.slice(2)] = args[++i];
  } else {
    positional.push(a);
  }
}
const ns = flags.namespace;
if (!ns) unexpected();
const [verb, ...rest] = positional;
const snapshotsIn = () => state.snapshots.filter(s => s.metadata.namespace === ns);

if (verb === 'get' && rest[0] === 'persistentvolumeclaim' && rest.length === 2 && flags.output === 'name') {
  if (!state.claims.includes(ns + '/' + rest[1])) {
    process.stderr.write('Error from server (NotFound): persistentvolumeclaims "' + rest[1] + '" not found\\n');
    process.exit(1);
  }
  process.stdout.write('persistentvolumeclaim/' + rest[1] + '\\n');
} else if (verb === 'create' && rest.length === 0 && flags.filename === '-') {
  const obj = JSON.parse(stdin);
  if (obj.kind !== 'VolumeSnapshot') unexpected();
  if (state.failCreateFor.includes(obj.spec && obj.spec.source && obj.spec.source.persistentVolumeClaimName)) {
    process.stderr.write('Error from server (Forbidden): error when creating "STDIN": admission webhook denied the request\\n');
    process.exit(1);
  }
  if (snapshotsIn().some(s => s.metadata.name === obj.metadata.name)) {
    process.stderr.write('Error from server (AlreadyExists): error when creating "STDIN": volumesnapshots.snapshot.storage.k8s.io "' + obj.metadata.name + '" already exists\\n');
    process.exit(1);
  }
  obj.metadata.namespace = ns;
  state.snapshots.push(obj);
  save();
  process.stdout.write('volumesnapshot.snapshot.storage.k8s.io/' + obj.metadata.name + ' created\\n');
} else if (verb === 'wait' && rest.length === 1 && rest[0].startsWith('volumesnapshot/') && flags.for === 'jsonpath={.status.readyToUse}=true' && /^[0-9]+s$/.test(flags.timeout || '')) {
  const name = rest[0].slice('volumesnapshot/'.length);
  if (!snapshotsIn().some(s => s.metadata.name === name)) {
    process.stderr.write('Error from server (NotFound): volumesnapshots.snapshot.storage.k8s.io "' + name + '" not found\\n');
    process.exit(1);
  }
  if (state.neverReady.includes(name)) {
    process.stderr.write('error: timed out waiting for the condition on volumesnapshots/' + name + '\\n');
    process.exit(1);
  }
  process.stdout.write('volumesnapshot.snapshot.storage.k8s.io/' + name + ' condition met\\n');
} else if (verb === 'get' && rest[0] === 'volumesnapshots' && rest.length === 1 && flags.output === 'name' && flags.selector) {
  const wanted = flags.selector.split(',').map(p => p.split('='));
  const found = snapshotsIn().filter(s => wanted.every(([k, v]) => (s.metadata.labels || {})[k] === v));
  // newest first: not the order the script needs
  for (const s of found.reverse()) process.stdout.write('volumesnapshot.snapshot.storage.k8s.io/' + s.metadata.name + '\\n');
} else if (verb === 'delete' && rest[0] === 'volumesnapshot' && rest.length > 1 && flags.wait === 'false') {
  for (const name of rest.slice(1)) {
    const i = state.snapshots.findIndex(s => s.metadata.namespace === ns && s.metadata.name === name);
    if (i < 0) {
      process.stderr.write('Error from server (NotFound): volumesnapshots.snapshot.storage.k8s.io "' + name + '" not found\\n');
      process.exit(1);
    }
    state.snapshots.splice(i, 1);
    process.stdout.write('volumesnapshot.snapshot.storage.k8s.io "' + name + '" deleted\\n');
  }
  save();
} else {
  unexpected();
}
`;

/** The result of running a command with the stub on `PATH`. */
export interface StubRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export class KubectlStub {
  /** The directory holding the `kubectl` executable and its state. */
  public readonly dir: string;

  constructor(state: Partial<StubState> = {}) {
    this.dir = mkdtempSync(join(tmpdir(), 'kubectl-stub-'));
    writeFileSync(join(this.dir, 'kubectl'), STUB);
    chmodSync(join(this.dir, 'kubectl'), 0o755);
    writeFileSync(join(this.dir, 'calls.jsonl'), '');
    this.state = { claims: [], snapshots: [], failCreateFor: [], neverReady: [], ...state };
  }

  /** The state the stub answers from (read from its file: the script's changes included). */
  public get state(): StubState {
    return JSON.parse(readFileSync(join(this.dir, 'state.json'), 'utf8'));
  }

  public set state(state: StubState) {
    writeFileSync(join(this.dir, 'state.json'), JSON.stringify(state, null, 1));
  }

  /** Every call made so far, in order. */
  public calls(): StubCall[] {
    return readFileSync(join(this.dir, 'calls.jsonl'), 'utf8').split('\n').filter(l => l !== '').map(l => JSON.parse(l));
  }

  /** Runs `command` (e.g. a container's command) with `env`, the stub first on `PATH`. */
  public run(command: string[], env: { [name: string]: string }): StubRun {
    const result = spawnSync(command[0], command.slice(1), {
      env: { ...env, PATH: `${this.dir}:${process.env.PATH}` },
      encoding: 'utf8',
      timeout: 60_000,
    });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  /** Removes the temporary directory. */
  public dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
