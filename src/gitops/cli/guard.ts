/**
 * `cdk8s-stateful-guard`: the upgrade guard as a command for CI (the package's `bin`).
 */
import * as fs from 'fs';
import { checkAcceptPattern, isAccepted } from '../private/upgrade-rules';
import { KubernetesVersion, UpgradeFinding, UpgradeFindingSeverity, UpgradeGuard } from '../upgrade-guard';

export const USAGE = `Usage: cdk8s-stateful-guard [options] <current> <next>
       cdk8s-stateful-guard [options] --git <revision>:<path> <next>

Reports every change from <current> to <next> that the Kubernetes API server refuses, every
replacement or deletion that loses data, and every engine version change the running database
cannot take (PostgreSQL majors, Redis and Valkey data formats, Cassandra majors), with the
documented way out.

  <current>   the manifests the cluster runs: a directory (or file) of rendered manifests, or
              <revision>:<path> read from git, e.g. origin/main:dist
  <next>      the newly rendered manifests, e.g. dist

Options:
  --git <revision>:<path>  read <current> from git (relative to the current directory)
  --k8s-version <1.N>      Kubernetes version of the cluster (default 1.27)
  --server-side            manifests are applied server-side (Argo CD ServerSideApply=true)
  --allow-warnings         exit 0 when there are only warnings
  --accept <finding>       leave out a finding already dealt with (repeatable), as printed
                           after "accept:", e.g. StatefulSet/shop/web:spec.volumeClaimTemplates
  --json                   print the findings as JSON
  -h, --help               print this help

Exit status: 0 nothing found, 1 findings, 2 usage or read error.
`;

/** Output channels, so tests can run the command in-process. */
export interface CliIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly cwd?: string;
}

class UsageError extends Error {}

/** Runs the command; returns the exit status. */
export function main(args: string[], io: CliIo): number {
  let opts: ReturnType<typeof parse>;
  try {
    opts = parse(args);
  } catch (e: any) {
    if (!(e instanceof UsageError)) throw e;
    io.err(`cdk8s-stateful-guard: ${e.message}\n\n${USAGE}`);
    return 2;
  }
  if (opts.help) {
    io.out(USAGE);
    return 0;
  }
  let all: UpgradeFinding[];
  try {
    const options = { kubernetesVersion: opts.version, serverSideApply: opts.serverSide, gitDirectory: io.cwd };
    all = opts.git !== undefined
      ? UpgradeGuard.compareGitRevision(opts.git, opts.next, options)
      : UpgradeGuard.compareDirectories(opts.current!, opts.next, options);
  } catch (e: any) {
    io.err(`cdk8s-stateful-guard: ${e.message}\n`);
    return 2;
  }
  const findings = all.filter(f => !isAccepted(f, opts.accept));
  const accepted = all.filter(f => isAccepted(f, opts.accept));
  if (opts.json) {
    io.out(JSON.stringify(findings, undefined, 2) + '\n');
  } else {
    io.out(UpgradeGuard.formatFindings(findings, { kubernetesVersion: opts.version }));
    if (accepted.length) {
      io.out(`\nAccepted (--accept), not counted: ${accepted.map(f => `${f.severity} ${f.kind} ` +
        `${f.objectNamespace ? `${f.objectNamespace}/` : ''}${f.objectName} ${f.field}`).join('; ')}\n`);
    }
  }
  const failing = findings.filter(f => !(opts.allowWarnings && f.severity === UpgradeFindingSeverity.WARNING));
  return failing.length ? 1 : 0;
}

function parse(args: string[]) {
  const positional: string[] = [];
  let git: string | undefined;
  let version = KubernetesVersion.V1_27;
  let serverSide = false;
  let allowWarnings = false;
  let json = false;
  let help = false;
  const accept: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const value = () => {
      const v = args[++i];
      if (v === undefined) throw new UsageError(`${a} needs a value`);
      return v;
    };
    if (a === '-h' || a === '--help') {
      help = true;
    } else if (a === '--git') {
      git = value();
    } else if (a.startsWith('--git=')) {
      git = a.slice('--git='.length);
    } else if (a === '--k8s-version' || a.startsWith('--k8s-version=')) {
      const v = a === '--k8s-version' ? value() : a.slice('--k8s-version='.length);
      try {
        version = KubernetesVersion.of(v);
      } catch {
        throw new UsageError(`--k8s-version: "${v}" is not a Kubernetes version of 1.27 or later (e.g. 1.27, 1.30)`);
      }
    } else if (a === '--server-side') {
      serverSide = true;
    } else if (a === '--allow-warnings') {
      allowWarnings = true;
    } else if (a === '--accept' || a.startsWith('--accept=')) {
      const v = a === '--accept' ? value() : a.slice('--accept='.length);
      try {
        checkAcceptPattern(v);
      } catch (e: any) {
        throw new UsageError(`--accept: ${e.message}`);
      }
      accept.push(v);
    } else if (a === '--json') {
      json = true;
    } else if (a.startsWith('-') && a !== '-') {
      throw new UsageError(`unknown option ${a}`);
    } else {
      positional.push(a);
    }
  }
  if (help) return { help, positional, git, version, serverSide, allowWarnings, json, accept, next: '', current: undefined };
  const want = git === undefined ? 2 : 1;
  if (positional.length !== want) {
    throw new UsageError(git === undefined
      ? `expected <current> and <next>, got ${positional.length} argument(s)`
      : `with --git, expected only <next>, got ${positional.length} argument(s)`);
  }
  let current = git === undefined ? positional[0] : undefined;
  // <revision>:<path> in place of <current>, when no such file exists
  if (current !== undefined && !fs.existsSync(current) && /^[^:]+:/.test(current)) {
    git = current;
    current = undefined;
  }
  return { help, positional, git, version, serverSide, allowWarnings, json, accept, current, next: positional[positional.length - 1] };
}

/** The streams the command writes to (the process's own by default). */
export interface CliStreams {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

/**
 * Entry point of the `bin`. A reader that stops early (`cdk8s-stateful-guard ... | head`) closes
 * the pipe: the rest of the report is dropped quietly (no `write EPIPE` crash), and the exit status
 * is still the verdict (1 on findings), for shells with `set -o pipefail`.
 */
export function runCli(args: string[] = process.argv.slice(2), streams: CliStreams = process): void {
  let closed = false;
  const onError = (e: NodeJS.ErrnoException) => {
    // the reader went away: nothing more can be written, and that is no error of the command
    if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED') {
      closed = true;
      return;
    }
    throw e;
  };
  streams.stdout.on('error', onError);
  process.exitCode = main(args, {
    out: t => {
      if (!closed) streams.stdout.write(t);
    },
    err: t => {
      streams.stderr.write(t);
    },
  });
}
