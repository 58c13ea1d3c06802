/**
 * The upgrade guard's engine rules: what a running database can take when a StatefulSet's engine
 * image changes. The API server accepts any image; the engine is what refuses, at start, data it
 * cannot read. Pure functions over the parsed StatefulSets; upgrade-rules.ts adds their findings
 * to those of the StatefulSet's other fields (all of them are reported).
 *
 * The engine of a StatefulSet is recognised, in this order:
 * 1. its annotation `cdk8s-stateful/engine` (the presets set it, with `cdk8s-stateful/engine-version`;
 *    src/private/engine-identity.ts): the container of that name, or the pod's only container;
 * 2. an official engine image in any container (`postgres`, `redis`, `cassandra` of Docker Hub's
 *    library, `valkey/valkey`; with or without `docker.io/`, with a digest: `engineOfImage()`);
 * 3. a container named after an engine whose image repository ends in the engine's image name
 *    (`registry.example.com/mirror/postgres`): the presets' images from another registry or
 *    repository (`EngineImageOptions`) keep the container name and the image name.
 * The version is the image tag's (`17.11`, `17.11-bookworm`, `7.2.16@sha256:...`) for an image of
 * the official repositories; for another repository the annotation's, when it is set, else the
 * tag's.
 *
 * The verdicts, for a StatefulSet that holds data (claim templates; for Redis and Valkey also
 * more than one replica, since a replica's full sync carries the same format):
 * - PostgreSQL: another major version, up or down, is refused: the server does not start on a
 *   data directory of another major; minor versions, up or down, pass (PostgreSQL's versioning
 *   policy: minor releases never change the storage format).
 * - Redis and Valkey (and a move between them): refused when the new server cannot read the RDB
 *   format the old one writes (engine-formats.ts); a warning when the table cannot tell.
 * - Cassandra: the next major is a warning with the steps it needs; skipping a major is refused;
 *   5.0 back to 4 is a warning (possible only in 5.0's storage compatibility mode); a minor
 *   downgrade is a warning.
 * - An image whose version cannot be read (a floating tag, a build of one's own without the
 *   annotation) is a warning.
 */
import { canRead, rdbFormat, RdbFormat, RedisFamily } from './engine-formats';
import { ENGINE_ANNOTATION, ENGINE_KINDS, ENGINE_VERSION_ANNOTATION } from '../../private/engine-identity';
import { ENGINE_LINES, ENGINE_NAMES, ENGINE_REPOSITORIES, ENGINE_VERSION_CLASSES, EngineKind, engineOfImage } from '../../private/engine-versions';

/** Where the docs of these rules live (the way outs point there). */
export const ENGINE_UPGRADES_DOC = 'docs/engine-upgrades.md';

/** A finding of these rules, before upgrade-rules.ts gives it its object. */
export interface EngineChange {
  readonly severity: 'REFUSED' | 'WARNING';
  readonly field: string;
  readonly oldValue: string;
  readonly newValue: string;
  readonly message: string;
  readonly wayOut: string;
}

/** An engine container of a StatefulSet's pod template. */
export interface EngineContainer {
  readonly engine: EngineKind;
  /** The container's name. */
  readonly container: string;
  /** The image reference as the manifest has it. */
  readonly image: string;
  /** The version's numbers (`[17, 11]`); undefined when neither the tag nor the annotation gives one. */
  readonly version?: number[];
  /** Whether the StatefulSet states its engine (`cdk8s-stateful/engine`): a preset, or a workload that says so. */
  readonly stated: boolean;
}

// ---------------------------------------------------------------------------------- recognition

/** The repository path (no registry of Docker Hub, no tag, no digest), its last component and the tag. */
function imageParts(image: string): { path: string; name: string; tag?: string } {
  const at = image.indexOf('@');
  const reference = at >= 0 ? image.slice(0, at) : image;
  const colon = reference.lastIndexOf(':');
  const slash = reference.lastIndexOf('/');
  const tag = colon > slash ? reference.slice(colon + 1) : undefined;
  const path = colon > slash ? reference.slice(0, colon) : reference;
  return { path, name: path.slice(path.lastIndexOf('/') + 1), tag };
}

/**
 * The numbers of a version tag: `17.11` -> [17, 11], `7.2.16-bookworm` -> [7, 2, 16], `v4.1` ->
 * [4, 1]; undefined for a tag that is no version (`latest`, `bookworm`, `build-4711`).
 */
export function versionNumbers(text: string | undefined): number[] | undefined {
  const m = text === undefined ? null : /^v?([0-9]+)(?:\.([0-9]+))?(?:\.([0-9]+))?(?:[-_+][A-Za-z0-9._-]*)?$/.exec(text);
  if (!m) return undefined;
  return [m[1], m[2], m[3]].filter(n => n !== undefined).map(Number);
}

/**
 * The release line a version belongs to, as the engine numbers its data formats: PostgreSQL's
 * major (`17`; `9.6` before 10), the others' `<major>.<minor>`. Undefined when the version is too
 * short to tell (`7` for Redis).
 */
export function releaseLine(engine: EngineKind, version: number[] | undefined): number[] | undefined {
  if (!version) return undefined;
  const length = engine === 'postgres' && version[0] >= 10 ? 1 : 2;
  return version.length >= length ? version.slice(0, length) : undefined;
}

function officialEngine(image: string): EngineKind | undefined {
  return engineOfImage(image)?.engine;
}

/** The engine containers of a StatefulSet's pod template (see the module comment for the order). */
export function engineContainers(sts: any): EngineContainer[] {
  const containers: any[] = (sts?.spec?.template?.spec?.containers ?? []).filter((c: any) => typeof c?.image === 'string' && c.image);
  const annotations = sts?.metadata?.annotations ?? {};
  const stated = ENGINE_KINDS.find(e => e === annotations[ENGINE_ANNOTATION]);
  const describe = (engine: EngineKind, c: any, statedVersion?: string): EngineContainer => {
    const parts = imageParts(c.image);
    const fromTag = versionNumbers(parts.tag);
    const fromAnnotation = versionNumbers(statedVersion);
    // the official repositories' tags are versions; another repository's tags are whatever its
    // builder chose, and the StatefulSet's own statement comes first
    const version = officialEngine(c.image) === engine ? fromTag ?? fromAnnotation : fromAnnotation ?? fromTag;
    return { engine, container: c.name, image: c.image, version, stated: statedVersion !== undefined || stated !== undefined };
  };
  if (stated) {
    const c = containers.find(x => x.name === stated) ?? (containers.length === 1 ? containers[0] : undefined);
    return c ? [describe(stated, c, annotations[ENGINE_VERSION_ANNOTATION])] : [];
  }
  const out: EngineContainer[] = [];
  for (const c of containers) {
    const official = officialEngine(c.image);
    if (official) {
      out.push(describe(official, c));
      continue;
    }
    const named = ENGINE_KINDS.find(e => e === c.name);
    const repository = named && ENGINE_REPOSITORIES[named];
    if (named && repository && imageParts(c.image).name === repository.slice(repository.lastIndexOf('/') + 1)) out.push(describe(named, c));
  }
  return out;
}

// ---------------------------------------------------------------------------------- the rules

interface Context {
  readonly sts: any;
  /** The StatefulSet of the new manifests. */
  readonly next: any;
  readonly before: EngineContainer;
  readonly after: EngineContainer;
  readonly field: string;
}

/**
 * The findings of a StatefulSet whose engine image changes between the manifests the cluster runs
 * (`cur`) and the new ones (`next`): one per engine container whose image changed.
 */
export function engineVersionChanges(cur: any, next: any): EngineChange[] {
  const before = engineContainers(cur);
  const after = engineContainers(next);
  // one engine on each side: the same one, even under another container name (Redis to Valkey)
  const pairs: Array<[EngineContainer, EngineContainer]> = before.length === 1 && after.length === 1
    ? [[before[0], after[0]]]
    : before.flatMap(b => after.filter(a => a.container === b.container).map(a => [b, a] as [EngineContainer, EngineContainer]));
  const out: EngineChange[] = [];
  for (const [b, a] of pairs) {
    if (b.image === a.image) continue;
    const ctx: Context = { sts: cur, next, before: b, after: a, field: `spec.template.spec.containers[name=${a.container}].image` };
    const change = judge(ctx);
    if (change) out.push(change);
  }
  return out;
}

function judge(ctx: Context): EngineChange | undefined {
  const { before: b, after: a } = ctx;
  const redisFamily = (e: EngineKind) => e === 'redis' || e === 'valkey';
  if (b.engine === 'postgres' && a.engine === 'postgres') return postgres(ctx);
  if (redisFamily(b.engine) && redisFamily(a.engine)) return redis(ctx);
  if (b.engine === 'cassandra' && a.engine === 'cassandra') return cassandra(ctx);
  return undefined; // another engine on the same StatefulSet: not an upgrade of the data
}

function hasClaims(sts: any): boolean {
  return (sts.spec?.volumeClaimTemplates ?? []).length > 0;
}

function replicasOf(sts: any): number {
  return typeof sts.spec?.replicas === 'number' ? sts.spec.replicas : 1;
}

function startOrdinal(sts: any): number {
  return typeof sts.spec?.ordinals?.start === 'number' ? sts.spec.ordinals.start : 0;
}

function namespaceFlag(sts: any): string {
  return sts.metadata?.namespace ? `-n ${sts.metadata.namespace} ` : '';
}

function claims(sts: any): string {
  const start = startOrdinal(sts);
  const names = (sts.spec?.volumeClaimTemplates ?? []).flatMap((t: any) =>
    Array.from({ length: replicasOf(sts) }, (_, i) => `${t?.metadata?.name}-${sts.metadata?.name}-${start + i}`));
  return names.length ? names.join(', ') : 'its claims';
}

function show(version: number[] | undefined): string {
  return version ? version.join('.') : '?';
}

function sameNumbers(a: number[] | undefined, b: number[] | undefined): boolean {
  return a !== undefined && b !== undefined && a.length === b.length && a.every((n, i) => n === b[i]);
}

/** How to keep what runs: the image, and the preset's constant for a stated engine (`Keep ...`, or `keep ...` mid-sentence). */
function keep(c: EngineContainer, capital = true): string {
  const tag = c.version ? show(c.version) : undefined;
  const line = tag === undefined ? undefined : ENGINE_LINES.find(l => l.engine === c.engine && l.defaultTag === tag && l.constant);
  const constant = !c.stated || tag === undefined ? '' : line ? ` (version: ${line.constant})` : ` (version: ${ENGINE_VERSION_CLASSES[c.engine]}.of('${tag}'))`;
  return `${capital ? 'K' : 'k'}eep ${c.image}${constant}`;
}

function unknownVersion(ctx: Context, risk: string): EngineChange {
  const { before: b, after: a } = ctx;
  const unknown = [b, a].filter(c => releaseLine(c.engine, c.version) === undefined).map(c => c.image);
  return {
    severity: 'WARNING',
    field: ctx.field,
    oldValue: b.image,
    newValue: a.image,
    message: `The guard cannot tell which version ${unknown.join(' and ')} runs (the tag is no version, and the StatefulSet states none ` +
      `in the annotation ${ENGINE_VERSION_ANNOTATION}): ${risk}`,
    wayOut: `Pin a version tag, or state the version on the StatefulSet (annotations ${ENGINE_ANNOTATION}: ${a.engine} and ` +
      `${ENGINE_VERSION_ANNOTATION}: <version>); check the change against ${ENGINE_UPGRADES_DOC}`,
  };
}

// ---------------------------------------------------------------------------------- PostgreSQL

/**
 * The copy of the dump-and-restore way out, in two `sh -c` scripts run by `kubectl exec` in the
 * old and the new server's containers (connections over the pod's Unix socket, which the image's
 * pg_hba.conf trusts: no password is handled). The source writes the roles (without the
 * superuser, who exists in the new server and keeps its own Secret's password) and the database
 * (`--create --clean`: the new server's database of that name is replaced); the target runs it
 * through psql, stopping at the first error.
 */
export const POSTGRES_COPY_SOURCE = 'u=${POSTGRES_USER:-postgres}; '
  + 'pg_dumpall -U "$u" --roles-only | grep -v -e "^CREATE ROLE $u;\\$" -e "^ALTER ROLE $u WITH " '
  + '&& pg_dump -U "$u" --create --clean --if-exists "${POSTGRES_DB:-$u}"';
/** See `POSTGRES_COPY_SOURCE`. */
export const POSTGRES_COPY_TARGET = 'psql -X -q -v ON_ERROR_STOP=1 -U "${POSTGRES_USER:-postgres}" -d postgres';

function postgres(ctx: Context): EngineChange | undefined {
  const { sts, before: b, after: a } = ctx;
  if (!hasClaims(sts)) return undefined; // a new data directory on every start: nothing to read
  const from = releaseLine('postgres', b.version);
  const to = releaseLine('postgres', a.version);
  if (!from || !to) return unknownVersion(ctx, 'a new major version cannot start on the data directory of the old one');
  if (sameNumbers(from, to)) return undefined; // minor releases share the storage format, both ways
  const oldMajor = show(from);
  const newMajor = show(to);
  const up = to[0] > from[0] || (to[0] === from[0] && (to[1] ?? 0) > (from[1] ?? 0));
  const newVersion = a.version!.length > 1 ? show(a.version) : `${newMajor}.x`;
  const name: string = sts.metadata?.name ?? '';
  const ns = namespaceFlag(sts);
  const pod = `${name}-${startOrdinal(sts)}`;
  const store = `${name}-${newMajor.replace('.', '-')}`;
  const copy = `kubectl ${ns}exec ${pod} -c ${b.container} -- sh -c '${POSTGRES_COPY_SOURCE}' | ` +
    `kubectl ${ns}exec -i ${store}-0 -c ${a.container} -- sh -c '${POSTGRES_COPY_TARGET}'`;
  const older = up ? '' : ` A dump of ${oldMajor} loads into ${newMajor} only as far as it uses nothing ${newMajor} lacks: ` +
    `the copy stops at the first statement ${newMajor} refuses.`;
  return {
    severity: 'REFUSED',
    field: ctx.field,
    oldValue: b.image,
    newValue: a.image,
    message: `PostgreSQL ${newVersion} does not start on the data directory that PostgreSQL ${oldMajor} initialized (${claims(sts)}): ` +
      `"FATAL: database files are incompatible with server", "DETAIL: The data directory was initialized by PostgreSQL version ${oldMajor}, ` +
      `which is not compatible with this version ${newVersion}". The pod restarts until the image is changed back: a major ` +
      `${up ? 'upgrade' : 'downgrade'} moves the data, not the image`,
    wayOut: `${keep(b)} for ${name}, and move the data into a new store on ${newMajor} by dump and restore: ` +
      `(1) add a second store on ${newMajor} under another name, e.g. ${store}, without init scripts (the dump brings the schema), and sync; ` +
      `(2) stop the writers; (3) copy the roles and the database: ${copy} ` +
      '(another database of the server: the same with its name in place of the last argument of pg_dump; psql -l lists them); ' +
      `(4) check the data, point the consumers at ${store} and start them; (5) retire ${name} when you no longer need it ` +
      `(its claims stay until you delete them).${older} Steps and checks: ${ENGINE_UPGRADES_DOC}#postgresql`,
  };
}

// ---------------------------------------------------------------------------------- Redis and Valkey

function formatName(f: RdbFormat): string {
  return `RDB ${f.version}${f.exact ? '' : ' or newer'}${f.magic === 'VALKEY' ? ' (magic VALKEY)' : ''}`;
}

function redis(ctx: Context): EngineChange | undefined {
  const { sts, before: b, after: a } = ctx;
  // a single server without a claim starts empty: nothing is read
  if (!hasClaims(sts) && replicasOf(sts) < 2) return undefined;
  const from = releaseLine(b.engine, b.version);
  const to = releaseLine(a.engine, a.version);
  if (!from || !to) return unknownVersion(ctx, 'a release that cannot read the data files of the old one does not start on them');
  if (a.engine === b.engine && sameNumbers(from, to)) return undefined; // patch releases share the format
  const written = rdbFormat(b.engine as RedisFamily, from[0], from[1]);
  const readerFormat = rdbFormat(a.engine as RedisFamily, to[0], to[1]);
  const oldName = `${ENGINE_NAMES[b.engine]} ${show(from)}`;
  const newName = `${ENGINE_NAMES[a.engine]} ${show(to)}`;
  if (!written || !readerFormat) {
    return unknownVersion(ctx, `the guard does not know the data format of ${!written ? oldName : newName}`);
  }
  const verdict = canRead(a.engine as RedisFamily, readerFormat, written);
  if (verdict === 'yes') return undefined;
  const why = `${oldName} writes ${formatName(written)}, ${newName} reads ${a.engine === 'valkey' ? 'Redis formats up to RDB 11 and its own ' : ''}` +
    `up to ${formatName(readerFormat)}`;
  const refusal = a.engine === 'redis' && written.magic === 'VALKEY'
    ? '"Wrong signature trying to load DB from file"'
    : `"Can't handle RDB format version ${written.version}"`;
  const effect = 'The append-only file starts with an RDB file, and a replica\'s full sync is one: the rolling update restarts the highest ' +
    `ordinal first, that replica cannot load the full sync from the ${oldName} primary, never turns ready, and the rollout stops there; ` +
    `a primary restarted on ${newName} cannot load its own append-only file`;
  if (verdict === 'unknown') {
    return {
      severity: 'WARNING',
      field: ctx.field,
      oldValue: b.image,
      newValue: a.image,
      message: `${newName} may not read the data ${oldName} wrote (${why}; the guard knows no more of ${written.exact ? newName : oldName}). ` +
        `If it does not: ${refusal}. ${effect}`,
      wayOut: `Check the release notes of ${newName} for the RDB version it reads; if it is lower than what ${oldName} writes, ` +
        `${keep(b, false)}. See ${ENGINE_UPGRADES_DOC}#redis-and-valkey`,
    };
  }
  const name: string = sts.metadata?.name ?? '';
  const ns = namespaceFlag(sts);
  const store = `${name}-${show(to).replace('.', '-')}`;
  const source = redisCopySource(redisCli(b.engine, containerOf(sts, b.container)), dataDirectory(sts, b.container));
  const target = `${redisCli(a.engine, containerOf(ctx.next, a.container))} --pipe`;
  const copy = `kubectl ${ns}exec ${name}-${startOrdinal(sts)} -c ${b.container} -- sh -c '${source}' | ` +
    `kubectl ${ns}exec -i ${store}-0 -c ${a.container} -- ${target}`;
  return {
    severity: 'REFUSED',
    field: ctx.field,
    oldValue: b.image,
    newValue: a.image,
    message: `${newName} cannot read the data ${oldName} wrote (${claims(sts)}): ${why}, and refuses it at start: ${refusal}. ${effect}`,
    wayOut: `${keep(b)} for ${name}. No ${newName} server reads what ${oldName} wrote: going back is a new store on ${newName}, loaded ` +
      `with the data as commands, not files: (1) add a second store on ${newName} under another name, e.g. ${store}, and sync; ` +
      '(2) stop the writers; (3) rewrite the primary\'s append-only file as commands (CONFIG SET aof-use-rdb-preamble no, BGREWRITEAOF) ' +
      `and replay it into the new store: ${copy} (keys of types or commands that ${newName} lacks, e.g. hash field expiration from ` +
      'Redis 7.4, do not load: the replay counts them as errors); (4) check the keys, point the consumers at ' +
      `${store} and start them; (5) retire ${name} when you no longer need it. Steps: ${ENGINE_UPGRADES_DOC}#redis-and-valkey`,
  };
}

/** The container of a pod template by name. */
function containerOf(sts: any, name: string): any {
  return (sts?.spec?.template?.spec?.containers ?? []).find((c: any) => c?.name === name) ?? {};
}

/**
 * The command line client of a Redis-compatible container: `redis-cli` or `valkey-cli`, on the
 * Unix socket its probes use when they use one (the presets' `<configDir>/<server>.sock`: it
 * answers whatever `bind` says), else on the default address.
 */
function redisCli(engine: EngineKind, container: any): string {
  const cli = engine === 'valkey' ? 'valkey-cli' : 'redis-cli';
  const probes = [container.startupProbe, container.livenessProbe, container.readinessProbe]
    .flatMap((p: any) => (Array.isArray(p?.exec?.command) ? p.exec.command : [])).join(' ');
  const socket = /(?:^|\s)-s\s+(\/[A-Za-z0-9._/-]+\.sock)\b/.exec(probes);
  return socket ? `${cli} -s ${socket[1]}` : cli;
}

/** Where the data lives in the container: the mount of a claim template, else the official images' `/data`. */
function dataDirectory(sts: any, container: string): string {
  const templates = new Set((sts.spec?.volumeClaimTemplates ?? []).map((t: any) => t?.metadata?.name));
  const mount = (containerOf(sts, container).volumeMounts ?? []).find((m: any) => templates.has(m?.name));
  return typeof mount?.mountPath === 'string' ? mount.mountPath : '/data';
}

/**
 * The script of the Redis way out run in the old primary's container: the append-only file
 * rewritten without its RDB part (commands only, as RESP, which `redis-cli --pipe` replays), then
 * its files in the manifest's order (the base, then the increments; not the history).
 */
export function redisCopySource(cli: string, dataDir: string): string {
  return `c="${cli}"; $c CONFIG SET aof-use-rdb-preamble no >/dev/null && $c BGREWRITEAOF >/dev/null && ` +
    'while $c INFO persistence | grep -q -e "^aof_rewrite_in_progress:1" -e "^aof_rewrite_scheduled:1"; do sleep 1; done && ' +
    `cd ${dataDir}/appendonlydir && cat $(grep -v " type h" appendonly.aof.manifest | cut -d " " -f 2)`;
}

// ---------------------------------------------------------------------------------- Cassandra

function cassandra(ctx: Context): EngineChange | undefined {
  const { sts, before: b, after: a } = ctx;
  if (!hasClaims(sts)) return undefined;
  const from = releaseLine('cassandra', b.version);
  const to = releaseLine('cassandra', a.version);
  if (!from || !to) return unknownVersion(ctx, 'a Cassandra major version has its own upgrade steps and reads the data of the previous major only');
  if (sameNumbers(from, to)) return undefined;
  const name: string = sts.metadata?.name ?? '';
  const ns = namespaceFlag(sts);
  const container = a.container;
  const start = startOrdinal(sts);
  const ordinals = Array.from({ length: replicasOf(sts) }, (_, i) => start + i).join(' ');
  const each = (command: string) => `for i in ${ordinals}; do kubectl ${ns}exec ${name}-$i -c ${container} -- ${command}; done`;
  const oldName = `Cassandra ${show(b.version)}`;
  const newName = `Cassandra ${show(a.version)}`;
  const base = { field: ctx.field, oldValue: b.image, newValue: a.image };
  const majors = to[0] - from[0];
  if (majors === 0) {
    if (to[1] > from[1]) return undefined; // a feature release of the same major: a plain rolling upgrade
    return {
      ...base,
      severity: 'WARNING',
      message: `${newName} is a downgrade from ${oldName}: Cassandra supports upgrades, and ${show(to)} is not guaranteed to read the ` +
        `system tables and sstables ${show(from)} wrote`,
      wayOut: `${keep(b)}; to go back, restore the snapshots taken before the upgrade (nodetool snapshot) into a ring on ${show(to)}. ` +
        `See ${ENGINE_UPGRADES_DOC}#cassandra`,
    };
  }
  if (majors === 1) {
    return {
      ...base,
      severity: 'WARNING',
      message: `${newName} reads the sstables of ${oldName}, and the rolling update restarts one node at a time, the highest ordinal ` +
        'first (an upgrade to the next major is supported from the newest release of the previous one): for a while the ring runs two ' +
        'major versions, and a major upgrade needs steps that the image change does not take',
      wayOut: `Before the sync: every node Up/Normal (kubectl ${ns}exec ${name}-${start} -c ${container} -- nodetool status), one schema ` +
        `version (nodetool describecluster), no repair running; a snapshot of every node: ${each(`nodetool snapshot -t before-${show(to)}`)}. ` +
        `Until every node runs ${show(to)}: no schema changes, no repairs, no nodes added or removed. ` +
        (to[0] === 5
          ? 'The 5.0 image keeps storage_compatibility_mode: CASSANDRA_4 (its cassandra.yaml), so going back to 4 stays possible; ' +
            '5.0\'s own formats need two more rolling restarts (storage_compatibility_mode UPGRADING, then NONE). '
          : '') +
        `Then rewrite the sstables, one node at a time: ${each('nodetool upgradesstables')}. ` +
        `Accept this finding once ready; see ${ENGINE_UPGRADES_DOC}#cassandra`,
    };
  }
  if (majors === -1 && from[0] === 5) {
    return {
      ...base,
      severity: 'WARNING',
      message: `${newName} reads what ${oldName} wrote only while every node kept storage_compatibility_mode: CASSANDRA_4 (the default of ` +
        'the 5.0 image): once a node ran with UPGRADING or NONE, its sstables, commit log and hints are in 5.0 formats, and ' +
        `${show(to)} does not start on them`,
      wayOut: 'Check every node: storage_compatibility_mode CASSANDRA_4 in its cassandra.yaml, and no sstable of a 5.0 format ' +
        `(${each('sh -c \'ls /var/lib/cassandra/data/*/*/ | grep -E "^(oa|da)-" | head -n 1\'')} prints nothing); then accept this finding. ` +
        `Otherwise ${keep(b, false)}, or restore the snapshots taken before the upgrade. ` +
        `See ${ENGINE_UPGRADES_DOC}#cassandra`,
    };
  }
  return {
    ...base,
    severity: 'REFUSED',
    message: majors > 0
      ? `${newName} is not a supported upgrade from ${oldName}: Cassandra upgrades one major version at a time, and ${show(to)} ` +
        `does not read the sstables of ${from[0]}.x`
      : `${newName} does not start on the data of ${oldName}: Cassandra ${from[0]} writes formats ${to[0]} cannot read`,
    wayOut: majors > 0
      ? `${keep(b)}, and upgrade through each major: ${from[0] + 1}.x first, with its steps (${ENGINE_UPGRADES_DOC}#cassandra)`
      : `${keep(b)}; going back means restoring the snapshots taken before the upgrade into a ring on ${show(to)}`,
  };
}
