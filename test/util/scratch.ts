import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * Scratch copies of this repository for tests that run its build and release tasks for real (jsii,
 * jsii-diff, projen's bump and publish:git) without touching the checkout: a temporary directory
 * with copies of the files a test names and this checkout's node_modules linked in.
 */
export const ROOT = path.join(__dirname, '..', '..');

export interface RunResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A directory in the system's temporary directory holding copies of `files` (paths relative to the repository). */
export function scratchCopy(prefix: string, files: string[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `cdk8s-stateful-${prefix}-`));
  for (const f of files) {
    fs.cpSync(path.join(ROOT, f), path.join(dir, f), { recursive: true });
  }
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  return dir;
}

/**
 * Rewrites the scratch copy's .projen/tasks.json as the task runner sees it. Its PATH (the project's
 * node_modules/.bin first) becomes the value projen computes, `$(npx -c "node --print process.env.PATH")`,
 * written out: projen evaluates it again for every task a task spawns, an npm start-up (seconds) each.
 */
export function editTasks(dir: string, edit: (tasks: any) => void = () => {}): void {
  const file = path.join(dir, '.projen', 'tasks.json');
  const manifest = JSON.parse(fs.readFileSync(file, 'utf-8'));
  manifest.env.PATH = [path.join(dir, 'node_modules', '.bin'), process.env.PATH].join(path.delimiter);
  edit(manifest.tasks);
  fs.writeFileSync(file, JSON.stringify(manifest, undefined, 2) + '\n');
}

export function removeScratch(dir: string | undefined): void {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}

/** The environment of this process with `changes` applied (an undefined value removes the variable). */
function environment(changes: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env = { ...process.env, ...changes };
  for (const [k, v] of Object.entries(changes)) if (v === undefined) delete env[k];
  return env;
}

/** Runs a command to its end (no shell). */
export function run(cwd: string, command: string, args: string[], env: Record<string, string | undefined> = {}): RunResult {
  const res = spawnSync(command, args, { cwd, encoding: 'utf-8', env: environment(env), stdio: ['ignore', 'pipe', 'pipe'] });
  if (res.error) throw res.error;
  return { status: res.status ?? -1, stdout: res.stdout, stderr: res.stderr };
}

/** Runs a command without blocking the test process (several can run side by side). */
export function runAsync(cwd: string, command: string, args: string[]): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', d => stdout += d);
    child.stderr.on('data', d => stderr += d);
    child.on('error', reject);
    child.on('close', code => resolve({ status: code ?? -1, stdout, stderr }));
  });
}

/**
 * Runs a projen task of the scratch copy in `cwd`, as `npx projen <task>` would (from its
 * .projen/tasks.json), with its log: projen logs nothing when NODE_ENV is "test", as under jest.
 */
export function projen(cwd: string, task: string, env: Record<string, string | undefined> = {}): RunResult {
  return run(cwd, process.execPath, [path.join(ROOT, 'node_modules', 'projen', 'bin', 'projen'), task], { NODE_ENV: undefined, ...env });
}

/** The jsii compiler of this checkout, run in `cwd` (writes lib/ and .jsii there). */
export function jsii(cwd: string): Promise<RunResult> {
  return runAsync(cwd, process.execPath, [path.join(ROOT, 'node_modules', 'jsii', 'bin', 'jsii'), '--fail-on-warnings']);
}
