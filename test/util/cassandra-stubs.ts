/**
 * Stand-ins for `cqlsh` and `nodetool`, for running the Cassandra preset's rendered scripts here
 * (Cassandra has no Debian package, and its image cannot run in the tests). They model the part
 * of a ring those scripts talk to, in a JSON state file the test reads and changes while the
 * script runs, and record every call (argv, the credentials cqlsh was given, the statements).
 *
 * What the cqlsh stand-in does, as Cassandra 4.1 and its cqlsh do:
 * - `--cqlshrc FILE` with an `[authentication]` section (`username`, `password`: the password
 *   read raw, the user name with `%%` for `%`, as cqlsh's ConfigParser and RawConfigParser do);
 *   `-e STATEMENT`, or statements on standard input; host and port last.
 * - Connection refused while the node is down; `AuthenticationFailed ... Bad credentials` for a
 *   role that does not exist or another password; `Unavailable` for a login or a statement while
 *   the state says no quorum is reachable.
 * - The statements the scripts send: the replication of system_auth, the number of peers,
 *   `CREATE ROLE IF NOT EXISTS`, `DROP ROLE IF EXISTS`, `ALTER KEYSPACE system_auth`. Anything
 *   else is a syntax error (exit 2), so a script that sends something unexpected fails.
 *
 * The nodetool stand-in records its argv and fails while `repairFailures` is above 0.
 *
 * The stand-ins write the state only when a statement changes it, and atomically (a rename), so
 * that a test can read it and change it while a script runs.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The ring as the stand-ins see it. */
export interface RingState {
  /** CQL accepts connections. */
  up: boolean;
  /** Roles that can log in, with their passwords. */
  roles: Record<string, string>;
  /** Roles that are superusers. */
  superusers: string[];
  /** system_auth's replication, as Cassandra prints it. */
  replication: Record<string, string>;
  /** Rows of system.peers (the ring's other nodes). */
  peers: number;
  /** Logins and role statements fail with Unavailable (no quorum of system_auth's replicas). */
  noQuorum: boolean;
  /** How many `nodetool repair` calls fail before one succeeds. */
  repairFailures: number;
}

/** One call of a stand-in. */
export interface StubCall {
  readonly tool: 'cqlsh' | 'nodetool';
  readonly argv: string[];
  /** cqlsh: the user name of its cqlshrc. */
  readonly user?: string;
  /** cqlsh: the statements it ran. */
  readonly statements?: string[];
}

export const NEW_RING: RingState = {
  up: true,
  roles: { cassandra: 'cassandra' },
  superusers: ['cassandra'],
  replication: { class: 'org.apache.cassandra.locator.SimpleStrategy', replication_factor: '1' },
  peers: 2,
  noQuorum: false,
  repairFailures: 0,
};

const CQLSH = String.raw`#!/usr/bin/env node
const fs = require('fs');
const stateFile = process.env.STUB_STATE;
const state = JSON.parse(fs.readFileSync(stateFile, 'utf8'));
const argv = process.argv.slice(2);
const record = call => fs.appendFileSync(process.env.STUB_CALLS, JSON.stringify(call) + '\n');
// atomically (the test reads the file meanwhile), and only after a change (the test writes it meanwhile)
const save = () => {
  fs.writeFileSync(stateFile + '.' + process.pid, JSON.stringify(state, null, 2));
  fs.renameSync(stateFile + '.' + process.pid, stateFile);
};
let rc, statement;
const rest = [];
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--cqlshrc') rc = argv[++i];
  else if (argv[i] === '-e') statement = argv[++i];
  else if (argv[i] === '--request-timeout') i++;
  else rest.push(argv[i]);
}
const fail = (code, text) => { process.stderr.write(text + '\n'); process.exit(code); };
const conf = {};
for (const line of fs.readFileSync(rc, 'utf8').split('\n')) {
  const m = /^(\w+) = (.*)$/.exec(line);
  if (m) conf[m[1]] = m[2];
}
const user = conf.username.replace(/%%/g, '%');
const statements = (statement !== undefined ? statement : fs.readFileSync(0, 'utf8'))
  .split(/;\s*(?:\n|$)/).map(s => s.trim()).filter(s => s !== '');
record({ tool: 'cqlsh', argv, user, statements });
if (rest.join(' ') !== '127.0.0.1 9042') fail(2, 'stub: expected host and port 127.0.0.1 9042, got ' + rest.join(' '));
if (!state.up) {
  fail(1, "Connection error: ('Unable to connect to any servers', {'127.0.0.1:9042': ConnectionRefusedError(111, \"Tried connecting to [('127.0.0.1', 9042)]. Last error: Connection refused\")})");
}
const unavailable = level => "Error from server: code=1000 [Unavailable exception] message=\"Cannot achieve consistency level " + level + "\" info={'consistency': '" + level + "', 'required_replicas': 2, 'alive_replicas': 1}";
if (state.noQuorum) {
  fail(1, "Connection error: ('Unable to connect to any servers', {'127.0.0.1:9042': AuthenticationFailed('Failed to authenticate to 127.0.0.1:9042: " + unavailable('LOCAL_QUORUM') + "')})");
}
if (state.roles[user] === undefined || state.roles[user] !== conf.password) {
  fail(1, "Connection error: ('Unable to connect to any servers', {'127.0.0.1:9042': AuthenticationFailed('Failed to authenticate to 127.0.0.1:9042: Error from server: code=0100 [Bad credentials] message=\"Provided username " + user + " and/or password are incorrect\"')})");
}
const superuser = state.superusers.includes(user);
const table = (column, value) => '\n ' + column + '\n' + '-'.repeat(Math.max(column.length, String(value).length) + 2) + '\n ' + value + '\n\n(1 rows)\n';
const unquote = s => s.replace(/''/g, "'");
let m;
for (const s of statements) {
  if (s === "SELECT replication FROM system_schema.keyspaces WHERE keyspace_name = 'system_auth'") {
    const map = '{' + Object.entries(state.replication).map(([k, v]) => "'" + k + "': '" + v + "'").join(', ') + '}';
    process.stdout.write(table('replication', map));
  } else if (s === 'SELECT count(*) FROM system.peers') {
    process.stdout.write('\n count\n-------\n     ' + state.peers + '\n\n(1 rows)\n\nWarnings :\nAggregation query used without partition key\n\n');
  } else if ((m = /^CREATE ROLE IF NOT EXISTS '([^']*)' WITH PASSWORD = '((?:[^']|'')*)' AND SUPERUSER = true AND LOGIN = true$/s.exec(s))) {
    if (!superuser) fail(2, '<stdin>:1:Unauthorized: Error from server: code=2100 [Unauthorized] message="Only superusers can create a role with superuser status"');
    if (state.roles[m[1]] === undefined) {
      state.roles[m[1]] = unquote(m[2]);
      state.superusers.push(m[1]);
      save();
    }
  } else if ((m = /^DROP ROLE IF EXISTS (\w+)$/.exec(s))) {
    if (m[1] === user) fail(2, '<stdin>:1:InvalidRequest: Error from server: code=2200 [Invalid query] message="Cannot DROP primary role for current login"');
    if (state.roles[m[1]] !== undefined) {
      delete state.roles[m[1]];
      state.superusers = state.superusers.filter(r => r !== m[1]);
      save();
    }
  } else if ((m = /^ALTER KEYSPACE system_auth WITH replication = \{'class': 'NetworkTopologyStrategy', '([\w.-]+)': (\d+)\}$/.exec(s))) {
    state.replication = { class: 'org.apache.cassandra.locator.NetworkTopologyStrategy', [m[1]]: m[2] };
    save();
  } else {
    fail(2, '<stdin>:1:SyntaxException: line 1:0 no viable alternative at input (stub: unexpected statement ' + JSON.stringify(s) + ')');
  }
}
`;

const NODETOOL = String.raw`#!/usr/bin/env node
const fs = require('fs');
const state = JSON.parse(fs.readFileSync(process.env.STUB_STATE, 'utf8'));
const argv = process.argv.slice(2);
fs.appendFileSync(process.env.STUB_CALLS, JSON.stringify({ tool: 'nodetool', argv }) + '\n');
if (argv.join(' ') !== 'repair -full system_auth') { process.stderr.write('stub: unexpected nodetool ' + argv.join(' ') + '\n'); process.exit(2); }
if (state.repairFailures > 0) {
  state.repairFailures--;
  fs.writeFileSync(process.env.STUB_STATE + '.' + process.pid, JSON.stringify(state, null, 2));
  fs.renameSync(process.env.STUB_STATE + '.' + process.pid, process.env.STUB_STATE);
  process.stderr.write('error: Endpoint not alive: /10.0.0.7:7000\n-- StackTrace --\njava.lang.RuntimeException: Endpoint not alive\n');
  process.exit(2);
}
process.stdout.write('[2025-01-01 00:00:00,000] Repair command #1 finished in 0 seconds\n');
`;

/** A ring of stand-ins in `dir`: `bin/cqlsh`, `bin/nodetool`, the state and the calls. */
export class StubRing {
  public readonly bin: string;
  private readonly stateFile: string;
  private readonly callsFile: string;

  constructor(private readonly dir: string, initial: RingState) {
    this.bin = join(dir, 'bin');
    mkdirSync(this.bin, { recursive: true });
    for (const [name, text] of [['cqlsh', CQLSH], ['nodetool', NODETOOL]]) {
      writeFileSync(join(this.bin, name), text);
      chmodSync(join(this.bin, name), 0o755);
    }
    this.stateFile = join(dir, 'state.json');
    this.callsFile = join(dir, 'calls.jsonl');
    writeFileSync(this.callsFile, '');
    this.write(initial);
  }

  /** The environment the stand-ins read their state from, with `bin` first on PATH. */
  public env(): NodeJS.ProcessEnv {
    return { PATH: `${this.bin}:${process.env.PATH}`, STUB_STATE: this.stateFile, STUB_CALLS: this.callsFile };
  }

  public state(): RingState {
    return JSON.parse(readFileSync(this.stateFile, 'utf8'));
  }

  /** Changes the state (while a script runs). */
  public update(change: Partial<RingState>): void {
    this.write({ ...this.state(), ...change });
  }

  public calls(): StubCall[] {
    if (!existsSync(this.callsFile)) return [];
    const text = readFileSync(this.callsFile, 'utf8');
    // a call being written has no line end yet
    return text.slice(0, text.lastIndexOf('\n') + 1).split('\n').filter(l => l !== '').map(l => JSON.parse(l));
  }

  /** Every statement cqlsh ran, with the user it ran as: `user: statement`. */
  public statements(): string[] {
    return this.calls().flatMap(c => (c.statements ?? []).map(s => `${c.user}: ${s}`));
  }

  public get directory(): string {
    return this.dir;
  }

  private write(state: RingState): void {
    writeFileSync(`${this.stateFile}.test`, JSON.stringify(state, null, 2));
    renameSync(`${this.stateFile}.test`, this.stateFile);
  }
}
