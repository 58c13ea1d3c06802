/**
 * Redis Sentinel for the `Redis` and `Valkey` presets: the sentinels' own pods (a small
 * StatefulSet of their own) and the part of the data pods' start-up that asks the sentinels which
 * pod is the primary. Pure functions returning core/v1 JSON and shell lines, as ./redis.ts does for
 * the data pods; `renderRedis()` takes the data pods' part through its `role` option.
 *
 * The one rule both sides follow: **the sentinels decide which pod is the primary**, never the
 * ordinal. Sentinel's config epoch orders their decisions (every failover increments it), so when
 * sentinels disagree the answer with the highest config epoch is the newest one.
 *
 * A data pod, before its server starts (`sentinelRoleLines()`):
 * - asks every sentinel `SENTINEL MASTER <name>` and takes the answer with the highest config
 *   epoch;
 * - another pod is the primary: it starts as its replica (`replicaof <host> <port>`);
 * - it is the primary itself and its data directory holds data (a restart): it starts as the
 *   primary, unless the sentinels are failing over from it (`failover_in_progress`), then it waits
 *   for the new primary;
 * - it is the primary itself and its data directory is empty: only on the set's first boot (the
 *   sentinels know no replica and no failover, config epoch 0, and no other data pod holds keys) does
 *   it start as the (empty) primary. Otherwise its data are lost and it refuses: it does not start
 *   its server, the sentinels see the primary down and promote a replica, and the pod then starts
 *   as a replica of that one and resyncs. An empty primary would have the replicas drop their
 *   copies;
 * - no sentinel answers, or none knows the master yet: it waits (logging once what for), and gives
 *   up after `SENTINEL_WAIT_TIMEOUT_SECONDS` (300 s) with exit 1; the kubelet restarts it.
 * Every data pod announces its DNS name (`replica-announce-ip`), so the sentinels and the primary
 * list replicas by stable name, never by pod IP.
 *
 * A sentinel, before it starts (`renderRedisSentinel()`): its configuration lives on its own claim
 * (Sentinel rewrites the file at every change of state: a failover, a new replica or sentinel).
 * At every start it writes a fresh file from the rendered settings and the state it finds:
 * - what it remembers (the monitored primary and its config epoch, from the previous file), or what
 *   the other sentinels answer, whichever has the higher config epoch;
 * - when neither knows anything (first boot, or every sentinel claim lost): what the data pods
 *   say (the one pod that is a primary, or the primary they all replicate from); with several
 *   primaries it refuses to choose (exit 1: a human must); with no data pod answering, the first
 *   pod of the StatefulSet (`ordinals.start`), the primary of the first boot;
 * - the rendered quorum, timeouts and password; the sentinel ID (`myid`) it had, or the SHA-1 of
 *   its DNS name (stable across a lost claim); the replicas and sentinels it knew.
 * Sentinels announce and resolve host names (`announce-hostnames`, `resolve-hostnames`,
 * `announce-ip <own DNS name>`).
 *
 * Checked against Debian's redis-server/redis-sentinel 7.0 and valkey-server/valkey-sentinel 8.0
 * by test/engines/redis-sentinel-real.test.ts (failover drills).
 */
import { EnvVarJson, podDnsName, ProbeJson, StatefulSetIdentity, VolumeJson, VolumeMountJson, ContainerPortJson } from './common';
import { REDIS_FLAVORS, REDIS_GID, REDIS_PASSWORD_ENV, REDIS_UID, RedisFlavor, RedisRoleHook, SecretKeyRef } from './redis';
import { checkInteger, fail } from '../../private/validation';

/** Sentinel's port. */
export const SENTINEL_PORT = 26379;

/** The sentinels' pod DNS names, comma-separated (data pods and sentinels). */
export const REDIS_SENTINEL_HOSTS_ENV = 'REDIS_SENTINEL_HOSTS';
/** The name the sentinels monitor the primary under (`SENTINEL MASTER <name>`). */
export const REDIS_SENTINEL_MASTER_ENV = 'REDIS_SENTINEL_MASTER';
/** What follows the pod name in the pod's DNS name: `.<service>.<namespace>.svc.<domain>`. */
export const REDIS_POD_DOMAIN_ENV = 'REDIS_POD_DOMAIN';
/** The data pods' DNS names, comma-separated. */
export const REDIS_DATA_HOSTS_ENV = 'REDIS_DATA_HOSTS';
/** The data pod that is the primary on the first boot (`ordinals.start`), for the sentinels. */
export const REDIS_BOOTSTRAP_HOST_ENV = 'REDIS_BOOTSTRAP_HOST';
/** Overrides how long a data pod waits for the sentinels, in seconds (tests shorten it). */
export const SENTINEL_WAIT_TIMEOUT_ENV = 'SENTINEL_WAIT_TIMEOUT_SECONDS';
/** How long a data pod waits for the sentinels by default. */
export const SENTINEL_WAIT_DEFAULT_SECONDS = 300;

/** `min-replicas-max-lag`: a replica that has not acknowledged for longer does not count. */
export const SENTINEL_MIN_REPLICAS_MAX_LAG_SECONDS = 10;

/** The sentinels' settings the data pods need. */
export interface RedisSentinelDataOptions {
  /** The master name the sentinels monitor (the data StatefulSet's name). */
  readonly masterName: string;
  /** The sentinels' pod DNS names. */
  readonly sentinelHosts: string[];
  /**
   * `min-replicas-to-write`: the primary refuses writes unless this many replicas acknowledged
   * within `min-replicas-max-lag` seconds (0: off).
   */
  readonly minReplicasToWrite: number;
}

/** A master name: what Sentinel accepts and a shell word needs no quoting for. */
export function checkMasterName(where: string, prop: string, name: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(name)) {
    throw fail(where, prop, name, 'Must be 1 to 63 letters, digits, \'.\', \'_\' or \'-\', starting with a letter or digit',
      `Set '${prop}' to a name such as "news-redis"`);
  }
}

/** `.<service>.<namespace>.svc.<domain>`: a pod's DNS name without the pod name. */
export function podDomain(identity: StatefulSetIdentity): string {
  const ordinal = identity.startOrdinal ?? 0;
  return podDnsName(identity, ordinal).slice(`${identity.statefulSetName}-${ordinal}`.length);
}

/** Every pod's DNS name, `ordinals.start` first. */
export function podDnsNames(identity: StatefulSetIdentity, count: number): string[] {
  const start = identity.startOrdinal ?? 0;
  return Array.from({ length: count }, (_, i) => podDnsName(identity, start + i));
}

/**
 * A shell function `ask_sentinels <hosts>` that asks each sentinel for the master and keeps the
 * answer with the highest config epoch in `best_epoch`, `best_host`, `best_port`, `best_slaves`,
 * `best_flags`; `answered` counts the sentinels that answered at all. Replies are checked before
 * they are used (numbers, host names, flags).
 */
function askSentinelsFunction(cli: string): string[] {
  return [
    'ask_sentinels() {',
    "  answered=0; best_epoch=-1; best_host=''; best_port=''; best_slaves=''; best_flags=''",
    '  for s in $1; do',
    `    out=$(timeout 3 ${cli} -h "$s" -p ${SENTINEL_PORT} sentinel master "$master" 2>/dev/null) || continue`,
    '    case "$out" in',
    '      name*) ;;',
    '      *"No such master"*) answered=$((answered + 1)); continue ;;',
    '      *) continue ;;',
    '    esac',
    '    answered=$((answered + 1))',
    '    line=$(printf \'%s\\n\' "$out" | tr -d \'\\r\' | awk \'NR % 2 == 1 { k = $0; next } { v[k] = $0 } '
      + 'END { print v["config-epoch"] " " v["ip"] " " v["port"] " " v["num-slaves"] " " v["flags"] }\')',
    '    read -r e h p n fl <<EOF',
    '$line',
    'EOF',
    '    case "$e$p$n" in \'\'|*[!0-9]*) continue ;; esac',
    '    case "$h" in \'\'|*[!A-Za-z0-9.:-]*) continue ;; esac',
    '    case "$fl" in *[!a-z_,]*) continue ;; esac',
    '    if [ "$e" -gt "$best_epoch" ]; then',
    '      best_epoch=$e; best_host=$h; best_port=$p; best_slaves=$n; best_flags=$fl',
    '    fi',
    '  done',
    '}',
  ];
}

/** Lines that split a comma-separated list of DNS names from `variable` into `target` (space-separated), checked. */
function hostList(f: string, variable: string, target: string): string[] {
  return [
    `${target}=$(printf '%s' "\${${variable}:-}" | tr ',' ' ')`,
    `for h in $${target}; do`,
    '  case "$h" in',
    `    *[!A-Za-z0-9.-]*) echo "${f}: \\"$h\\" in ${variable} is not a DNS name" >&2; exit 1 ;;`,
    '  esac',
    'done',
  ];
}

/**
 * The data pods' part in Sentinel mode: the env, the configuration (`min-replicas-to-write`) and
 * the start-up lines that ask the sentinels for the primary (see the module's documentation).
 */
export function sentinelDataPart(o: {
  flavor: RedisFlavor;
  identity: StatefulSetIdentity;
  podCount: number;
  port: number;
  dataDir: string;
  sentinel: RedisSentinelDataOptions;
}): RedisRoleHook {
  const f = o.flavor;
  const cli = REDIS_FLAVORS[f].cli;
  const env: EnvVarJson[] = [
    { name: REDIS_SENTINEL_MASTER_ENV, value: o.sentinel.masterName },
    { name: REDIS_SENTINEL_HOSTS_ENV, value: o.sentinel.sentinelHosts.join(',') },
    { name: REDIS_DATA_HOSTS_ENV, value: podDnsNames(o.identity, o.podCount).join(',') },
    { name: REDIS_POD_DOMAIN_ENV, value: podDomain(o.identity) },
  ];
  const config = o.sentinel.minReplicasToWrite > 0
    ? [`min-replicas-to-write ${o.sentinel.minReplicasToWrite}`, `min-replicas-max-lag ${SENTINEL_MIN_REPLICAS_MAX_LAG_SECONDS}`]
    : [];
  const d = o.dataDir;
  const roleLines = [
    `master="\${${REDIS_SENTINEL_MASTER_ENV}:-}"`,
    'case "$master" in',
    `  ''|*[!A-Za-z0-9._-]*) echo "${f}: ${REDIS_SENTINEL_MASTER_ENV} \\"$master\\" is not a master name" >&2; exit 1 ;;`,
    'esac',
    `domain="\${${REDIS_POD_DOMAIN_ENV}:-}"`,
    'case "$domain" in',
    `  .*) ;; *) echo "${f}: ${REDIS_POD_DOMAIN_ENV} \\"$domain\\" does not start with '.'" >&2; exit 1 ;;`,
    'esac',
    'me="$name$domain"',
    'case "$me" in',
    `  *[!A-Za-z0-9.-]*) echo "${f}: \\"$me\\" is not a DNS name" >&2; exit 1 ;;`,
    'esac',
    ...hostList(f, REDIS_SENTINEL_HOSTS_ENV, 'sentinels'),
    ...hostList(f, REDIS_DATA_HOSTS_ENV, 'pods'),
    `[ -n "$sentinels" ] || { echo "${f}: ${REDIS_SENTINEL_HOSTS_ENV} is empty" >&2; exit 1; }`,
    ...askSentinelsFunction(cli),
    // the append-only directory (7.0+) or a snapshot: what a restart would load
    `has_data() { [ -d ${d}/appendonlydir ] || [ -s ${d}/dump.rdb ] || [ -s ${d}/appendonly.aof ]; }`,
    // another data pod holding keys: on a first boot (every pod started at once) the others may
    // already run as replicas of this pod, empty and waiting for it; one with keys has a history
    'other_holds_data() {',
    '  for h in $pods; do',
    '    [ "$h" = "$me" ] && continue',
    `    n=$(timeout 3 ${cli} -h "$h" -p ${o.port} dbsize 2>/dev/null | tr -d '\\r') || continue`,
    // loading its append-only file: it holds data
    '    case "$n" in LOADING*) echo "$h"; return 0 ;; \'\'|*[!0-9]*) continue ;; esac',
    '    if [ "$n" -gt 0 ]; then echo "$h"; return 0; fi',
    '  done',
    '  return 1',
    '}',
    `wait_seconds="\${${SENTINEL_WAIT_TIMEOUT_ENV}:-${SENTINEL_WAIT_DEFAULT_SECONDS}}"`,
    'case "$wait_seconds" in',
    `  ''|*[!0-9]*) echo "${f}: ${SENTINEL_WAIT_TIMEOUT_ENV} \\"$wait_seconds\\" is not a number of seconds" >&2; exit 1 ;;`,
    'esac',
    'started=$(date +%s)',
    "role=''; said=''",
    'while :; do',
    '  ask_sentinels "$sentinels"',
    '  if [ -n "$best_host" ] && { [ "$best_host" = "$me" ] || [ "$best_host" = "$name" ]; }; then',
    '    if has_data; then',
    '      case "$best_flags" in',
    '        *failover_in_progress*) why="the sentinels name this pod as the primary of $master and are failing over from it: waiting for the new primary" ;;',
    `        *) role=primary; echo "${f}: pod $name: primary: the sentinels name it (config epoch $best_epoch) and its data directory holds data"; break ;;`,
    '      esac',
    '    elif [ "$best_epoch" = 0 ] && [ "$best_slaves" = 0 ] && ! other=$(other_holds_data); then',
    `      role=primary; echo "${f}: pod $name: primary: first boot of $master (the sentinels name it, know no replica and no failover, and no other pod holds keys)"; break`,
    '    else',
    '      why="the sentinels name this pod as the primary of $master, but its data directory is empty: refusing to start as an empty primary '
      + '(the replicas would resync to it and drop their copies); waiting for the sentinels to promote a replica"',
    '    fi',
    '  elif [ -n "$best_host" ]; then',
    `    role=replica; echo "${f}: pod $name: replica of $best_host:$best_port (the primary of $master the sentinels name, config epoch $best_epoch)"; break`,
    '  elif [ "$answered" -gt 0 ]; then',
    '    why="no sentinel knows the primary of $master yet"',
    '  else',
    '    why="no sentinel answers ($sentinels)"',
    '  fi',
    `  [ "$why" = "$said" ] || { echo "${f}: pod $name: $why"; said=$why; }`,
    '  if [ $(($(date +%s) - started)) -ge "$wait_seconds" ]; then',
    `    echo "${f}: pod $name: gave up after \${wait_seconds}s: $why" >&2; exit 1`,
    '  fi',
    // in the background, so that a TERM is handled at once
    '  sleep 1 & wait $!',
    'done',
    'echo "replica-announce-ip $me" >> "$conf.tmp"',
    'if [ "$role" = replica ]; then echo "replicaof $best_host $best_port" >> "$conf.tmp"; fi',
  ];
  return { env, config, roleLines };
}

/** Options of `renderRedisSentinel()`. */
export interface RedisSentinelOptions {
  /** Redis or Valkey: the binaries. */
  readonly flavor: RedisFlavor;
  /** The image (the data pods' own). */
  readonly image: string;
  /** The sentinels' StatefulSet (names and DNS). */
  readonly identity: StatefulSetIdentity;
  /** How many sentinels. */
  readonly sentinels: number;
  /** The data pods' StatefulSet. */
  readonly data: StatefulSetIdentity;
  /** How many data pods. */
  readonly dataPodCount: number;
  /** The data pods' port. */
  readonly dataPort: number;
  /** The master name. */
  readonly masterName: string;
  /** Sentinels that must agree the primary is down before a failover starts. */
  readonly quorum: number;
  /** `down-after-milliseconds`. */
  readonly downAfterMilliseconds: number;
  /** `failover-timeout`. */
  readonly failoverTimeoutMilliseconds: number;
  /** The password Secret key (the data pods' own): `requirepass` and `auth-pass`. */
  readonly password?: SecretKeyRef;
  /** Where the sentinel's claim is mounted (its configuration file lives there). */
  readonly dataDir?: string;
}

/** What `renderRedisSentinel()` returns: the parts of the sentinels' pod spec. */
export interface RedisSentinelEngine {
  readonly image: string;
  readonly command: string[];
  readonly env: EnvVarJson[];
  readonly ports: ContainerPortJson[];
  readonly startupProbe: ProbeJson;
  readonly livenessProbe: ProbeJson;
  readonly readinessProbe: ProbeJson;
  /** The memory-backed emptyDir for the unix socket the probes use. */
  readonly volumes: VolumeJson[];
  readonly volumeMounts: VolumeMountJson[];
  /** Where the claim must be mounted. */
  readonly dataMountPath: string;
  readonly user: number;
  readonly group: number;
  /** The sentinels' pod DNS names. */
  readonly hosts: string[];
  /** The settings the start script writes, one directive a line (the state lines come on top). */
  readonly settings: string[];
}

/**
 * Renders the sentinels' container (see the module's documentation for what its start-up does).
 *
 * @param where who complains
 * @param o the options
 */
export function renderRedisSentinel(where: string, o: RedisSentinelOptions): RedisSentinelEngine {
  checkInteger(where, 'sentinel.sentinels', o.sentinels, 1);
  checkInteger(where, 'sentinel.quorum', o.quorum, 1, o.sentinels);
  checkMasterName(where, 'masterName', o.masterName);
  const f = o.flavor;
  const facts = REDIS_FLAVORS[f];
  const cli = facts.cli;
  const dir = o.dataDir ?? '/data';
  const runDir = `/run/${f}-sentinel`;
  const socket = `${runDir}/sentinel.sock`;
  const hosts = podDnsNames(o.identity, o.sentinels);
  const m = o.masterName;
  const settings = [
    `port ${SENTINEL_PORT}`,
    'bind * -::*',
    `protected-mode ${o.password ? 'yes' : 'no'}`,
    `unixsocket ${socket}`,
    'unixsocketperm 700',
    `dir ${dir}`,
    'sentinel resolve-hostnames yes',
    'sentinel announce-hostnames yes',
  ];
  const perMaster = [
    `sentinel down-after-milliseconds ${m} ${o.downAfterMilliseconds}`,
    `sentinel failover-timeout ${m} ${o.failoverTimeoutMilliseconds}`,
    `sentinel parallel-syncs ${m} 1`,
  ];
  const script = [
    'set -eu',
    'name="${HOSTNAME:-}"',
    'name="${name%%.*}"',
    'ordinal="${name##*-}"',
    'case "$ordinal" in',
    `  ''|*[!0-9]*) echo "${f}-sentinel: HOSTNAME \\"$name\\" does not end in a StatefulSet ordinal (<statefulset>-<ordinal>)" >&2; exit 1 ;;`,
    'esac',
    `master=${m}`,
    `domain="\${${REDIS_POD_DOMAIN_ENV}:-}"`,
    'case "$domain" in',
    `  .*) ;; *) echo "${f}-sentinel: ${REDIS_POD_DOMAIN_ENV} \\"$domain\\" does not start with '.'" >&2; exit 1 ;;`,
    'esac',
    'me="$name$domain"',
    'case "$me" in',
    `  *[!A-Za-z0-9.-]*) echo "${f}-sentinel: \\"$me\\" is not a DNS name" >&2; exit 1 ;;`,
    'esac',
    ...hostList(`${f}-sentinel`, REDIS_SENTINEL_HOSTS_ENV, 'sentinels'),
    ...hostList(`${f}-sentinel`, REDIS_DATA_HOSTS_ENV, 'pods'),
    `bootstrap="\${${REDIS_BOOTSTRAP_HOST_ENV}:-}"`,
    'case "$bootstrap" in',
    `  ''|*[!A-Za-z0-9.-]*) echo "${f}-sentinel: ${REDIS_BOOTSTRAP_HOST_ENV} \\"$bootstrap\\" is not a DNS name" >&2; exit 1 ;;`,
    'esac',
    ...askSentinelsFunction(cli),
    'umask 077',
    `conf=${dir}/sentinel.conf`,
    // 1. what this sentinel remembers: the file Sentinel rewrote at its last change of state
    "own_host=''; own_port=''; own_epoch=0; current_epoch=0; myid=''; kept=''",
    'if [ -s "$conf" ]; then',
    '  read -r own_host own_port <<EOF',
    '$(awk -v m="$master" \'$1 == "sentinel" && $2 == "monitor" && $3 == m { print $4, $5 }\' "$conf")',
    'EOF',
    '  own_epoch=$(awk -v m="$master" \'$1 == "sentinel" && $2 == "config-epoch" && $3 == m { print $4 }\' "$conf")',
    '  current_epoch=$(awk \'$1 == "sentinel" && $2 == "current-epoch" { print $3 }\' "$conf")',
    '  myid=$(awk \'$1 == "sentinel" && $2 == "myid" { print $3 }\' "$conf")',
    '  kept=$(awk -v m="$master" \'$1 == "sentinel" && ($2 == "known-replica" || $2 == "known-sentinel" || $2 == "leader-epoch") && $3 == m\' "$conf")',
    '  case "$own_host" in *[!A-Za-z0-9.:-]*) own_host=\'\' ;; esac',
    '  case "$own_port" in *[!0-9]*) own_host=\'\' ;; esac',
    'fi',
    'case "$own_epoch" in \'\'|*[!0-9]*) own_epoch=0 ;; esac',
    'case "$current_epoch" in \'\'|*[!0-9]*) current_epoch=0 ;; esac',
    'case "$myid" in [0-9a-f][0-9a-f][0-9a-f][0-9a-f]*) ;; *) myid=$(printf \'%s\' "$me" | sha1sum | cut -c1-40) ;; esac',
    // 2. what the other sentinels know
    "others=''",
    'for h in $sentinels; do [ "$h" = "$me" ] || others="$others $h"; done',
    'ask_sentinels "$others"',
    'if [ -n "$best_host" ] && { [ -z "$own_host" ] || [ "$best_epoch" -gt "$own_epoch" ]; }; then',
    '  host=$best_host; port=$best_port; epoch=$best_epoch',
    `  echo "${f}-sentinel: $name: monitoring $master at $host:$port, as the other sentinels know it (config epoch $epoch)"`,
    'elif [ -n "$own_host" ]; then',
    '  host=$own_host; port=$own_port; epoch=$own_epoch',
    `  echo "${f}-sentinel: $name: monitoring $master at $host:$port, as this sentinel remembers it (config epoch $epoch)"`,
    'else',
    // 3. nothing known: what the data pods say
    "  masters=''; followed=''",
    '  for h in $pods; do',
    `    r=$(timeout 3 ${cli} -h "$h" -p ${o.dataPort} info replication 2>/dev/null | tr -d '\\r') || continue`,
    '    case "$r" in',
    '      *role:master*) masters="$masters $h" ;;',
    '      *role:slave*) followed="$followed $(printf \'%s\\n\' "$r" | sed -n \'s/^master_host://p\')" ;;',
    '    esac',
    '  done',
    '  set -f',
    '  count=$(echo $masters | wc -w)',
    '  distinct=$(printf \'%s\\n\' $followed | sort -u | grep -c . || true)',
    '  set +f',
    '  epoch=0',
    `  port=${o.dataPort}`,
    '  if [ "$count" -gt 1 ]; then',
    `    echo "${f}-sentinel: $name: no sentinel knows the primary of $master, and several data pods are primaries:$masters. Refusing to choose: `
      + 'make one of them the primary by hand (REPLICAOF on the others), then restart this sentinel" >&2',
    '    exit 1',
    '  elif [ "$count" = 1 ]; then',
    '    host=${masters# }',
    `    echo "${f}-sentinel: $name: monitoring $master at $host:$port, the one data pod that is a primary"`,
    '  elif [ "$distinct" = 1 ]; then',
    '    host=$(printf \'%s\\n\' $followed | sort -u)',
    '    case "$host" in *[!A-Za-z0-9.:-]*) echo "' + f + '-sentinel: $name: \\"$host\\" is not a host name" >&2; exit 1 ;; esac',
    `    echo "${f}-sentinel: $name: monitoring $master at $host:$port, the primary the data pods replicate from"`,
    '  else',
    '    host=$bootstrap',
    `    echo "${f}-sentinel: $name: monitoring $master at $host:$port: first boot (nothing known anywhere), the first data pod"`,
    '  fi',
    'fi',
    '[ "$epoch" -le "$current_epoch" ] || current_epoch=$epoch',
    '{',
    '  cat <<\'EOF\'',
    ...settings,
    'EOF',
    '  echo "sentinel announce-ip $me"',
    '  echo "sentinel myid $myid"',
    '  echo "sentinel current-epoch $current_epoch"',
    `  echo "sentinel monitor $master $host $port ${o.quorum}"`,
    '  echo "sentinel config-epoch $master $epoch"',
    '  cat <<\'EOF\'',
    ...perMaster,
    'EOF',
    '  [ -z "$kept" ] || printf \'%s\\n\' "$kept"',
    '} > "$conf.tmp"',
  ];
  if (o.password) {
    script.push(
      `if [ -z "\${${REDIS_PASSWORD_ENV}:-}" ]; then`,
      `  echo "${f}-sentinel: ${REDIS_PASSWORD_ENV} is empty: the password Secret key holds no password" >&2; exit 1`,
      'fi',
      `auth=$(printf '%s' "$${REDIS_PASSWORD_ENV}" | od -An -v -tx1 | tr -d ' \\n' | sed 's/../\\\\x&/g')`,
      'printf \'requirepass "%s"\\nsentinel auth-pass %s "%s"\\n\' "$auth" "$master" "$auth" >> "$conf.tmp"',
      'unset auth',
    );
  }
  script.push(
    'mv "$conf.tmp" "$conf"',
    `exec ${facts.server} "$conf" --sentinel "$@"`,
  );

  const env: EnvVarJson[] = [
    { name: REDIS_SENTINEL_HOSTS_ENV, value: hosts.join(',') },
    { name: REDIS_DATA_HOSTS_ENV, value: podDnsNames(o.data, o.dataPodCount).join(',') },
    { name: REDIS_BOOTSTRAP_HOST_ENV, value: podDnsName(o.data, o.data.startOrdinal ?? 0) },
    { name: REDIS_POD_DOMAIN_ENV, value: podDomain(o.identity) },
  ];
  if (o.password) {
    env.push({ name: REDIS_PASSWORD_ENV, valueFrom: { secretKeyRef: { name: o.password.name, key: o.password.key } } });
  }
  const alive = execProbe([
    `r=$(${cli} -s ${socket} ping 2>&1) || true`,
    'case "$r" in PONG|LOADING*) exit 0 ;; esac',
    `echo "${cli} ping: $r"; exit 1`,
  ].join('\n'));
  const ready = execProbe([
    `r=$(${cli} -s ${socket} sentinel get-master-addr-by-name ${m} 2>&1) || true`,
    'case "$r" in *[0-9]) exit 0 ;; esac',
    `echo "the sentinel knows no primary of ${m}: $r"; exit 1`,
  ].join('\n'));
  const runVolume = `${f}-sentinel-run`;
  return {
    image: o.image,
    command: ['sh', '-c', script.join('\n') + '\n', `${f}-sentinel`],
    env,
    ports: [{ name: 'sentinel', containerPort: SENTINEL_PORT, protocol: 'TCP' }],
    startupProbe: { ...alive, periodSeconds: 2, timeoutSeconds: 3, successThreshold: 1, failureThreshold: 30 },
    livenessProbe: { ...alive, periodSeconds: 10, timeoutSeconds: 5, successThreshold: 1, failureThreshold: 6 },
    readinessProbe: { ...ready, periodSeconds: 5, timeoutSeconds: 3, successThreshold: 1, failureThreshold: 3 },
    volumes: [{ name: runVolume, emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } }],
    volumeMounts: [{ name: runVolume, mountPath: runDir }],
    dataMountPath: dir,
    user: REDIS_UID,
    group: REDIS_GID,
    hosts,
    settings: [...settings, ...perMaster],
  };
}

function execProbe(script: string): { exec: { command: string[] } } {
  return { exec: { command: ['sh', '-c', script] } };
}

/**
 * The lines a logical backup of a set under Sentinel runs first: `STORE_HOST` becomes the primary
 * the sentinels name (`SENTINEL GET-MASTER-ADDR-BY-NAME`, the first sentinel that answers with a
 * host name), so the store's marker is written where writes go; the dump itself still comes from a
 * replica in sync (`REDIS_REPLICAS`, every data pod: any of them may be a replica now).
 */
export function sentinelBackupPrelude(cli: string): string[] {
  return [
    'primary=\'\'',
    `for s in $(printf '%s' "\${${REDIS_SENTINEL_HOSTS_ENV}:-}" | tr ',' ' '); do`,
    `  r=$(${cli} -h "$s" -p ${SENTINEL_PORT} sentinel get-master-addr-by-name "\${${REDIS_SENTINEL_MASTER_ENV}}" 2>/dev/null | tr -d '\\r' | head -n 1) || continue`,
    '  case "$r" in \'\'|*[!A-Za-z0-9.-]*) continue ;; esac',
    '  primary=$r; break',
    'done',
    `[ -n "$primary" ] || { echo "backup: no sentinel (\${${REDIS_SENTINEL_HOSTS_ENV}:-}) names the primary of \${${REDIS_SENTINEL_MASTER_ENV}}" >&2; exit 1; }`,
    'echo "backup: the sentinels name $primary as the primary"',
    'STORE_HOST=$primary',
  ];
}
