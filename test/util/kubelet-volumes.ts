/**
 * Secret and ConfigMap volumes laid out as the kubelet lays them out, for the real-engine tests:
 * what ownership and modes the server sees decides whether it starts (PostgreSQL refuses a key
 * others can read), so the tests do not guess it.
 *
 * The kubelet's atomic writer (pkg/volume/util/atomic_writer.go) writes the items into a
 * timestamped directory `..<timestamp>`, points the symlink `..data` at it, and links each item's
 * path to `..data/<path>`; an update writes a new directory and swaps `..data` in one rename.
 * Files are created by the kubelet (root) with the item's `mode` or the volume's `defaultMode`.
 * With a pod `fsGroup`, `SetVolumeOwnership` (pkg/volume/volume_linux.go) then walks the volume:
 * it changes the group of every file and directory to the fsGroup (the owner stays root) and adds
 * group read (0440) to every file of a read-only volume (Secret, ConfigMap and projected volumes
 * are) and group read, execute and setgid to every directory; symlinks are left alone.
 */
import { chmodSync, chownSync, lstatSync, mkdirSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** One file of a volume: its path in the volume, content and mode (the item's, or the defaultMode). */
export interface VolumeFile {
  readonly path: string;
  readonly content: string;
  readonly mode: number;
}

let generation = 0;

/**
 * Writes (or updates) a Secret/ConfigMap volume at `dir` as the kubelet would, with `fsGroup`
 * applied as for a read-only volume. Runs as root (the kubelet's files are root's).
 */
export function writeKubeletVolume(dir: string, files: VolumeFile[], fsGroup: number | undefined): void {
  mkdirSync(dir, { recursive: true });
  generation += 1;
  const stamp = `..2026_01_01_00_00_00.${process.pid}${generation}`;
  const data = join(dir, stamp);
  mkdirSync(data, { mode: 0o755 });
  for (const f of files) {
    const file = join(data, f.path);
    mkdirSync(dirname(file), { recursive: true, mode: 0o755 });
    writeFileSync(file, f.content);
    chmodSync(file, f.mode);
  }
  // ..data swapped in one rename, the old directory removed
  const link = join(dir, '..data');
  const old = (() => {
    try {
      return lstatSync(link).isSymbolicLink() ? readdirSync(dir).find(n => n.startsWith('..2') && n !== stamp) : undefined;
    } catch {
      return undefined;
    }
  })();
  symlinkSync(stamp, join(dir, '..data_tmp'));
  renameSync(join(dir, '..data_tmp'), link);
  for (const f of files) {
    const top = f.path.split('/')[0];
    const entry = join(dir, top);
    try {
      lstatSync(entry);
    } catch {
      symlinkSync(join('..data', top), entry);
    }
  }
  if (old) rmSync(join(dir, old), { recursive: true, force: true });
  if (fsGroup !== undefined) setVolumeOwnership(dir, fsGroup);
}

/** `SetVolumeOwnership` for a read-only volume: group to fsGroup, files `|0440`, directories `|02550`. */
function setVolumeOwnership(path: string, fsGroup: number): void {
  const info = lstatSync(path);
  if (info.isSymbolicLink()) return;
  chownSync(path, info.uid, fsGroup);
  if (info.isDirectory()) {
    // eslint-disable-next-line no-bitwise
    chmodSync(path, (info.mode & 0o7777) | 0o2550);
    for (const name of readdirSync(path)) setVolumeOwnership(join(path, name), fsGroup);
  } else {
    // eslint-disable-next-line no-bitwise
    chmodSync(path, (info.mode & 0o7777) | 0o440);
  }
}

/** Rendered Secret or ConfigMap data by name. */
type Data = Record<string, Record<string, string>>;
/** An item of a volume source. */
interface KeyToPath { key: string; path: string; mode?: number }

/**
 * The files of a rendered Secret or ConfigMap volume source (`secret`, `configMap` or `projected`)
 * from the rendered objects' data, with their modes.
 *
 * @param volume the rendered pod volume
 * @param secrets rendered Secret data by name (`stringData`, or decoded `data`)
 * @param configMaps rendered ConfigMap data by name
 */
export function volumeFiles(volume: any, secrets: Data, configMaps: Data): VolumeFile[] {
  const from = (data: Record<string, string>, items: KeyToPath[] | undefined, defaultMode: number): VolumeFile[] =>
    (items ?? Object.keys(data).map(key => ({ key, path: key })))
      .map((item: KeyToPath) => {
        if (data[item.key] === undefined) throw new Error(`volume ${volume.name}: no key ${item.key}`);
        return { path: item.path, content: data[item.key], mode: item.mode ?? defaultMode };
      });
  if (volume.secret) {
    const data = secrets[volume.secret.secretName];
    if (!data) throw new Error(`volume ${volume.name}: no Secret ${volume.secret.secretName}`);
    return from(data, volume.secret.items, volume.secret.defaultMode ?? 0o644);
  }
  if (volume.configMap) {
    const data = configMaps[volume.configMap.name];
    if (!data) throw new Error(`volume ${volume.name}: no ConfigMap ${volume.configMap.name}`);
    return from(data, volume.configMap.items, volume.configMap.defaultMode ?? 0o644);
  }
  if (volume.projected) {
    const mode = volume.projected.defaultMode ?? 0o644;
    return volume.projected.sources.flatMap((s: any) => {
      if (s.configMap) return from(configMaps[s.configMap.name] ?? {}, s.configMap.items, mode);
      if (s.secret) return from(secrets[s.secret.name] ?? {}, s.secret.items, mode);
      throw new Error(`volume ${volume.name}: unsupported projected source ${JSON.stringify(s)}`);
    });
  }
  throw new Error(`volume ${volume.name} is not a Secret, ConfigMap or projected volume`);
}

/** The data of the rendered Secrets (stringData, or decoded data) and ConfigMaps of a manifest list, by name. */
export function renderedData(manifests: any[]): { secrets: Data; configMaps: Data } {
  const secrets: Record<string, Record<string, string>> = {};
  const configMaps: Record<string, Record<string, string>> = {};
  for (const m of manifests) {
    if (m.kind === 'Secret') {
      secrets[m.metadata.name] = {
        ...Object.fromEntries(Object.entries(m.data ?? {}).map(([k, v]) => [k, Buffer.from(v as string, 'base64').toString('utf8')])),
        ...m.stringData,
      };
    } else if (m.kind === 'ConfigMap') {
      configMaps[m.metadata.name] = { ...m.data };
    }
  }
  return { secrets, configMaps };
}
