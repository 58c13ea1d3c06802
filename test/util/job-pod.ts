/**
 * A pod of a synthesized Job or CronJob run on this machine, for the real-engine tests of backups
 * and restores: the container's command as rendered, with the environment the kubelet would build
 * (`envFrom` ConfigMaps, `value`s, `secretKeyRef`s and `configMapKeyRef`s from the synthesized
 * objects, `fieldRef`s from the pod's namespace and IP) and its volumes as local directories:
 * a claim is a directory the test chooses (so the backup and restore pods share it), a Secret
 * volume its items as files with the rendered mode, group-owned by the pod's user (as `fsGroup`
 * does). Environment values that are paths under a mount path are mapped onto the local
 * directory, as the postgres-real test does; `/tmp` (the writable emptyDir) is the machine's own.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { findOne } from './harness';
import { PodNetwork } from './pod-network';

/** An OS user to run a pod's processes as (the image's uid does not exist here). */
export interface OsUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

/** An OS user by name: fails when there is none. */
export function osUser(name: string): OsUser {
  const id = (flag: string) => spawnSync('id', [flag, name], { encoding: 'utf8' });
  const uid = id('-u');
  if (uid.status !== 0) throw new Error(`no OS user "${name}" to run the Job's processes as`);
  return { name, uid: Number(uid.stdout.trim()), gid: Number(id('-g').stdout.trim()) };
}

export interface JobPodOptions {
  /** The namespace the pod runs in (`metadata.namespace` of the downward API). */
  readonly namespace: string;
  /** The pod's IP address (`status.podIP`). */
  readonly podIP?: string;
  /** The local directory of each claim, by claim name. */
  readonly claims: Record<string, string>;
  /** Where to create the Secret volumes' directories. */
  readonly scratch: string;
  /** The OS user the processes run as. */
  readonly user: OsUser;
  /** Directories put first on PATH (e.g. the PostgreSQL binaries). */
  readonly path?: string[];
}

export interface JobPod {
  /** The container's command and args, as rendered. */
  readonly argv: string[];
  /** The environment, as the kubelet builds it (paths mapped onto the local mounts). */
  readonly env: Record<string, string>;
  /** The container as rendered. */
  readonly container: any;
  /** The local directory of a path in the container. */
  local(containerPath: string): string;
}

/** The pod spec of a Job or a CronJob. */
export function podSpecOf(manifest: any): any {
  return manifest.kind === 'CronJob' ? manifest.spec.jobTemplate.spec.template.spec : manifest.spec.template.spec;
}

let counter = 0;

/** Prepares the pod of the one container of a synthesized Job or CronJob. */
export function jobPod(manifests: any[], kind: 'Job' | 'CronJob', name: string, options: JobPodOptions): JobPod {
  const manifest = findOne(manifests, kind, name);
  const spec = podSpecOf(manifest);
  if (spec.containers.length !== 1) throw new Error(`${kind}/${name} has ${spec.containers.length} containers`);
  const container = spec.containers[0];
  const secrets = (secretName: string): Record<string, string> => {
    const secret = findOne(manifests, 'Secret', secretName);
    return { ...secret.stringData, ...Object.fromEntries(Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(String(v), 'base64').toString('utf8')])) };
  };
  const configMap = (configMapName: string): Record<string, string> => findOne(manifests, 'ConfigMap', configMapName).data ?? {};

  // the volumes
  const mounts: Array<[string, string]> = [];
  for (const m of container.volumeMounts ?? []) {
    const volume = spec.volumes.find((v: any) => v.name === m.name);
    if (volume.persistentVolumeClaim) {
      const dir = options.claims[volume.persistentVolumeClaim.claimName];
      if (!dir) throw new Error(`no local directory for the claim ${volume.persistentVolumeClaim.claimName}`);
      mounts.push([m.mountPath, dir]);
    } else if (volume.secret) {
      const dir = path.join(options.scratch, `${volume.name}-${++counter}`);
      fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
      const data = secrets(volume.secret.secretName);
      for (const item of volume.secret.items ?? Object.keys(data).map(key => ({ key, path: key }))) {
        const file = path.join(dir, item.path);
        fs.writeFileSync(file, data[item.key]);
        fs.chownSync(file, 0, options.user.gid);
        fs.chmodSync(file, item.mode ?? volume.secret.defaultMode ?? 0o644);
      }
      mounts.push([m.mountPath, dir]);
    } else if (volume.emptyDir && m.mountPath === '/tmp') {
      // the machine's own /tmp: the scripts use private `mktemp -d` directories
    } else {
      throw new Error(`the test cannot stand in for the volume ${JSON.stringify(volume)}`);
    }
  }
  const local = (p: string): string => {
    const found = mounts.find(([mountPath]) => p === mountPath || p.startsWith(`${mountPath}/`));
    return found ? found[1] + p.slice(found[0].length) : p;
  };

  // the environment, as the kubelet builds it: envFrom first, then env in order
  const env: Record<string, string> = { PATH: [...options.path ?? [], '/usr/local/bin', '/usr/bin', '/bin'].join(':'), LANG: 'C.UTF-8' };
  const mapped = (values: Record<string, string>) => Object.fromEntries(Object.entries(values).map(([k, v]) => [k, v.startsWith('/') ? local(v) : v]));
  for (const from of container.envFrom ?? []) {
    // a path under a mount (the connection's <PREFIX>_CA_FILE) is mapped as for env
    if (from.configMapRef) Object.assign(env, mapped(configMap(from.configMapRef.name)));
    if (from.secretRef) Object.assign(env, secrets(from.secretRef.name));
  }
  for (const e of container.env ?? []) {
    let value: string | undefined;
    if (e.valueFrom?.fieldRef) {
      const field = e.valueFrom.fieldRef.fieldPath;
      if (field === 'metadata.namespace') value = options.namespace;
      else if (field === 'status.podIP') value = options.podIP;
      if (value === undefined) throw new Error(`the test has no value for the field ${field}`);
    } else if (e.valueFrom?.secretKeyRef) {
      value = secrets(e.valueFrom.secretKeyRef.name)[e.valueFrom.secretKeyRef.key];
    } else if (e.valueFrom?.configMapKeyRef) {
      value = configMap(e.valueFrom.configMapKeyRef.name)[e.valueFrom.configMapKeyRef.key];
    } else {
      value = e.value ?? '';
    }
    if (value === undefined) throw new Error(`no value for ${e.name}`);
    env[e.name] = value.startsWith('/') ? local(value) : value;
  }
  return { argv: [...container.command ?? [], ...container.args ?? []], env, container, local };
}

export interface RunResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the pod's command to completion as its OS user, with exactly its environment and the network's names. */
export function runPod(net: PodNetwork, pod: JobPod, user: OsUser, timeoutMs = 120_000): RunResult {
  const argv = ['runuser', '-u', user.name, '--', 'env', '-i', ...Object.entries(pod.env).map(([k, v]) => `${k}=${v}`), ...pod.argv];
  const r = net.run(argv, { timeout: timeoutMs, cwd: '/' });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A directory standing in for a claim: owned by the pod's user, as `fsGroup` makes it writable. */
export function claimDir(dir: string, user: OsUser): string {
  fs.mkdirSync(dir, { recursive: true });
  fs.chownSync(dir, user.uid, user.gid);
  fs.chmodSync(dir, 0o2770);
  return dir;
}
