/**
 * The engine's part of the logical backups and restores of the Redis-compatible presets (`Redis`,
 * `Valkey`): the `sh` scripts `LogicalBackup` and `LogicalRestore` run in the server's own image
 * (so `redis-cli` and `redis-server`, or `valkey-cli` and `valkey-server`, are the server's
 * version). See `LogicalDumpCommand.script` for the contract.
 *
 * TLS: when the store serves TLS, every connection to it uses `--tls --cacert "$STORE_CA_FILE"`
 * (the connection's CA), and the restore's temporary server serves TLS with the store's
 * certificate (`RedisBackupTls`).
 *
 * Authentication as the preset's own pods do it: `REDISCLI_AUTH` from the password Secret
 * (`secretKeyRef`), which `redis-cli` reads.
 *
 * The store's identity marker: a Redis function library, `cdk8s_stateful_store`, whose function
 * of the same name returns `<namespace>/<statefulset>`; a restore records the dump it restored in
 * the library `cdk8s_stateful_restore`. Functions (Redis 7) are kept in the append-only file and
 * in RDB dumps and replicated like data, but are no keys: applications never see them (`SCAN`,
 * `DBSIZE`, `FLUSHALL` leave them alone) and eviction never removes them.
 *
 * Checked against Debian's redis-server 7.0 and valkey-server 8.0 by
 * test/engines/redis-backup-real.test.ts.
 */

/** The file of one backup: the RDB payload `redis-cli --rdb` receives. */
export const REDIS_BACKUP_FILES = ['dump.rdb'];
/** The environment variable listing the replicas a backup may dump (pod DNS names, preferred first). */
export const REDIS_REPLICAS_ENV = 'REDIS_REPLICAS';
/** The environment variable with the restore pod's IP address (downward API `status.podIP`). */
export const REDIS_POD_IP_ENV = 'POD_IP';
/** The environment variable naming the directory of the store's certificate in the restore Job, when the store serves TLS. */
export const REDIS_RESTORE_TLS_ENV = 'REDIS_TLS_DIR';
/** The function library and function holding the store's identity. */
export const REDIS_STORE_LIBRARY = 'cdk8s_stateful_store';
/** The function library and function holding the dump restored last. */
export const REDIS_RESTORE_LIBRARY = 'cdk8s_stateful_restore';

/**
 * The store's TLS, for the Jobs: the restore's temporary server serves TLS with the store's own
 * certificate, as the primary replicates from it with `tls-replication yes` (verifying the chain
 * against its CA; Redis checks no host name on a replication link).
 */
export interface RedisBackupTls {
  /** The environment variable naming the directory of the store's certificate in the restore Job (`tls.crt`, `tls.key`, `ca.crt`). */
  readonly certDirectoryVariable: string;
}

/** The binaries of the image: Redis's or Valkey's. */
export interface RedisBinaries {
  /** The command line client: `redis-cli` or `valkey-cli`. */
  readonly cli: string;
  /** The server: `redis-server` or `valkey-server`. */
  readonly server: string;
  /** The RDB checker: `redis-check-rdb` or `valkey-check-rdb`. */
  readonly checkRdb: string;
}

/**
 * The client over TCP: `redis-cli`, with `--tls --cacert "$STORE_CA_FILE"` when the store serves
 * TLS (its plain port is off; the certificate is verified against the connection's CA).
 */
function tcpCli(b: RedisBinaries, tls: RedisBackupTls | undefined): string {
  return tls ? `${b.cli} --tls --cacert "$STORE_CA_FILE"` : b.cli;
}

/** `cli <host> <args...>`, the reply without carriage returns, errors included (the client exits 0 on an error reply). */
function cliFunction(b: RedisBinaries, tls: RedisBackupTls | undefined): string {
  return `cli() { h=$1; shift; ${tcpCli(b, tls)} -h "$h" -p "$STORE_PORT" "$@" 2>&1 | tr -d '\\r'; }`;
}

/** `marker <host> <library>`: the value of a marker function, empty when there is none; exits on any other error. */
const MARKER = [
  'marker() {',
  '  m=$(cli "$1" fcall_ro "$2" 0)',
  '  case "$m" in',
  '    *"Function not found"*) ;;',
  '    ""|*" "*|ERR*|NOAUTH*|WRONGPASS*|*"Could not connect"*|*LOADING*) echo "$1: $2: $m" >&2; return 1 ;;',
  '    *) printf \'%s\' "$m" ;;',
  '  esac',
  '}',
];

/** `library <name> <value>`: the Lua source of a marker library (the value is checked to be safe). */
const LIBRARY = [
  'library() {',
  '  case "$2" in \'\'|*[!A-Za-z0-9./@_-]*) echo "not a marker value: $2" >&2; return 1 ;; esac',
  '  printf \'#!lua name=%s\\nredis.register_function{function_name=\\047%s\\047, callback=function() return \\047%s\\047 end, flags={\\047no-writes\\047}}\\n\' "$1" "$1" "$2"',
  '}',
];

/**
 * The backup: the server to dump is a replica in sync (`role:slave`, `master_link_status:up`), the
 * newest ordinal first, from `$REDIS_REPLICAS`; without replicas, the primary (`STORE_HOST`).
 * None in sync is a failure: a replica that lost its primary holds stale data, and the primary is
 * not dumped instead (it would fork it). The marker is checked on that server (it replicates from
 * the primary) and, when missing, written on the primary. Then `redis-cli --rdb` (the server forks
 * and streams a full-sync payload) and `redis-check-rdb` on the file.
 */
export function redisBackupScript(b: RedisBinaries, tls?: RedisBackupTls): string {
  return [
    cliFunction(b, tls),
    ...MARKER,
    ...LIBRARY,
    'source=""',
    `if [ -n "\${${REDIS_REPLICAS_ENV}:-}" ]; then`,
    `  for replica in $${REDIS_REPLICAS_ENV}; do`,
    '    r=$(cli "$replica" info replication)',
    '    case "$r" in',
    '      *role:slave*master_link_status:up*) source=$replica; break ;;',
    '    esac',
    '    echo "backup: $replica is not a replica in sync with its primary: $(printf \'%s\' "$r" | grep -E \'^(role|master_link_status):|Could not|NOAUTH|ERR\' | tr \'\\n\' \' \')"',
    '  done',
    '  if [ -z "$source" ]; then',
    '    echo "backup: no replica is in sync with the primary; not dumping the primary instead, which would fork it" >&2',
    '    exit 1',
    '  fi',
    'else',
    '  source=$STORE_HOST',
    'fi',
    `mark=$(marker "$source" ${REDIS_STORE_LIBRARY})`,
    'if [ -z "$mark" ]; then',
    `  if library ${REDIS_STORE_LIBRARY} "$STORE_ID" | ${tcpCli(b, tls)} -h "$STORE_HOST" -p "$STORE_PORT" -x function load replace 2>&1 | tr -d '\\r' | grep -qx ${REDIS_STORE_LIBRARY}; then`,
    '    echo "backup: marked the store as $STORE_ID"',
    '  else',
    '    echo "backup: warning: could not mark the store as $STORE_ID" >&2',
    '  fi',
    'elif [ "$mark" != "$STORE_ID" ]; then',
    '  echo "backup: the server at $source:$STORE_PORT is the store $mark, not $STORE_ID: refusing to file its dump under $STORE_ID" >&2',
    '  exit 1',
    'fi',
    'echo "backup: dumping $source:$STORE_PORT"',
    // redis-cli reports its progress on stderr
    `${tcpCli(b, tls)} -h "$source" -p "$STORE_PORT" --rdb "$BACKUP_DIR/dump.rdb" 2>&1`,
    `${b.checkRdb} "$BACKUP_DIR/dump.rdb" > "$BACKUP_DIR/.check" 2>&1 || { cat "$BACKUP_DIR/.check" >&2; exit 1; }`,
    'grep -E \'keys read\' "$BACKUP_DIR/.check" || true',
    'rm -f "$BACKUP_DIR/.check"',
  ].join('\n');
}

/**
 * The restore. An RDB copied into the data directory of a server with append-only persistence is
 * ignored (the server loads its AOF), and the restore Job cannot reach the server's volume anyway;
 * so the dump reaches the server the way a replica gets its data:
 * 1. waits (up to 5 minutes) for the server `STORE_HOST` (the primary); refuses one marked as
 *    another store, or one that is not a primary; does nothing when its marker says the dump was
 *    restored already; refuses one holding keys unless `REPLACE_EXISTING`;
 * 2. starts a temporary `redis-server` in the Job's pod that loads the dump (append-only off, on
 *    the pod's IP and the store's port, with the store's password), and loads the two markers into
 *    it, so they travel with the data;
 * 3. `REPLICAOF <pod IP> <port>` on the store's primary: a full sync replaces its data set (its
 *    replicas resync from it), and with append-only on it rewrites its AOF from the new data;
 * 4. waits for the sync, checks the key counts match, `REPLICAOF NO ONE`, and waits until the AOF
 *    rewrite has finished, so the restored data survive a restart.
 * On any failure the primary is made a primary again (`REPLICAOF NO ONE`) and the temporary server
 * stopped. While the sync runs, the primary refuses writes (a replica is read-only).
 */
export function redisRestoreScript(b: RedisBinaries, tls?: RedisBackupTls): string {
  return [
    cliFunction(b, tls),
    ...MARKER,
    ...LIBRARY,
    'target=$STORE_HOST',
    'waited=0',
    'until [ "$(cli "$target" ping)" = PONG ]; do',
    '  waited=$((waited + 1))',
    '  [ "$waited" -lt 300 ] || { echo "restore: $target:$STORE_PORT did not answer for 5 minutes" >&2; exit 1; }',
    '  sleep 1',
    'done',
    `mark=$(marker "$target" ${REDIS_STORE_LIBRARY})`,
    'if [ -n "$mark" ] && [ "$mark" != "$STORE_ID" ]; then',
    '  echo "restore: the server at $target:$STORE_PORT is the store $mark, not $STORE_ID: refusing to restore into it" >&2',
    '  exit 1',
    'fi',
    `if [ "$(marker "$target" ${REDIS_RESTORE_LIBRARY})" = "$DUMP_ID" ]; then`,
    '  echo "restore: $DUMP_ID is restored in $STORE_ID already: nothing to do"',
    '  exit 0',
    'fi',
    'case "$(cli "$target" info replication)" in',
    '  *role:master*) ;;',
    '  *) echo "restore: $target:$STORE_PORT is not a primary" >&2; exit 1 ;;',
    'esac',
    'keys=$(cli "$target" info keyspace | grep -c "^db[0-9]*:keys=" || true)',
    'if [ "$keys" != 0 ] && [ "$REPLACE_EXISTING" != true ]; then',
    '  echo "restore: $STORE_ID holds keys ($(cli "$target" info keyspace | grep "^db" | tr \'\\n\' \' \')), and a restore never overwrites data: refusing. Set replaceExisting to replace them" >&2',
    '  exit 1',
    'fi',
    `ip="\${${REDIS_POD_IP_ENV}:-}"`,
    'case "$ip" in \'\'|*[!0-9a-fA-F.:]*) echo "restore: POD_IP \\"$ip\\" is not an IP address" >&2; exit 1 ;; esac',
    'private=$(mktemp -d)',
    'socket="$private/redis.sock"',
    `tmpcli() { ${b.cli} -s "$socket" "$@" 2>&1 | tr -d '\\r'; }`,
    'replicating=""',
    'server=""',
    'cleanup() {',
    '  if [ -n "$replicating" ]; then cli "$target" replicaof no one >/dev/null || true; fi',
    '  if [ -n "$server" ]; then tmpcli shutdown nosave >/dev/null 2>&1 || kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi',
    '  rm -rf "$private"',
    '}',
    'trap cleanup EXIT',
    '{',
    ...tls ? [
      // TLS as the store serves it: the primary replicates over TLS and verifies the chain
      '  echo "port 0"',
      '  echo "tls-port $STORE_PORT"',
      `  echo "tls-cert-file $${tls.certDirectoryVariable}/tls.crt"`,
      `  echo "tls-key-file $${tls.certDirectoryVariable}/tls.key"`,
      `  echo "tls-ca-cert-file $${tls.certDirectoryVariable}/ca.crt"`,
      '  echo "tls-auth-clients no"',
    ] : ['  echo "port $STORE_PORT"'],
    '  echo "bind $ip"',
    '  echo "protected-mode no"',
    '  echo "unixsocket $socket"',
    '  echo "unixsocketperm 700"',
    '  echo "dir $BACKUP_DIR"',
    '  echo "dbfilename dump.rdb"',
    '  echo "appendonly no"',
    '  echo "save \\"\\""',
    '  echo "repl-diskless-sync yes"',
    '  echo "repl-diskless-sync-delay 0"',
    '  echo "repl-diskless-sync-max-replicas 1"',
    '  if [ -n "${REDISCLI_AUTH:-}" ]; then',
    '    auth=$(printf \'%s\' "$REDISCLI_AUTH" | od -An -v -tx1 | tr -d \' \\n\' | sed \'s/../\\\\x&/g\')',
    '    printf \'requirepass "%s"\\n\' "$auth"',
    '  fi',
    '} > "$private/redis.conf"',
    `${b.server} "$private/redis.conf" &`,
    'server=$!',
    'waited=0',
    'until [ "$(tmpcli ping)" = PONG ]; do',
    '  waited=$((waited + 1))',
    '  [ "$waited" -lt 600 ] || { echo "restore: the temporary server did not load the dump within 10 minutes" >&2; exit 1; }',
    '  kill -0 "$server" 2>/dev/null || { echo "restore: the temporary server exited" >&2; server=""; exit 1; }',
    '  sleep 1',
    'done',
    `library ${REDIS_STORE_LIBRARY} "$STORE_ID" | ${b.cli} -s "$socket" -x function load replace >/dev/null`,
    `library ${REDIS_RESTORE_LIBRARY} "$DUMP_ID" | ${b.cli} -s "$socket" -x function load replace >/dev/null`,
    'expected=$(tmpcli info keyspace | grep "^db" | sed \'s/,.*//\' | sort)',
    'echo "restore: the dump holds: $(printf \'%s\' "$expected" | tr \'\\n\' \' \')"',
    'replicating=yes',
    '[ "$(cli "$target" replicaof "$ip" "$STORE_PORT")" = OK ] || { echo "restore: REPLICAOF refused" >&2; exit 1; }',
    'echo "restore: $target:$STORE_PORT is replicating the dump"',
    'waited=0',
    'while :; do',
    '  r=$(cli "$target" info replication)',
    '  case "$r" in *master_link_status:up*master_sync_in_progress:0*) break ;; esac',
    '  waited=$((waited + 1))',
    '  [ "$waited" -lt 3600 ] || { echo "restore: the sync did not finish within an hour" >&2; exit 1; }',
    '  sleep 1',
    'done',
    'got=$(cli "$target" info keyspace | grep "^db" | sed \'s/,.*//\' | sort)',
    '[ "$got" = "$expected" ] || { echo "restore: the store holds $(printf \'%s\' "$got" | tr \'\\n\' \' \')after the sync, the dump $(printf \'%s\' "$expected" | tr \'\\n\' \' \')" >&2; exit 1; }',
    '[ "$(cli "$target" replicaof no one)" = OK ] || { echo "restore: REPLICAOF NO ONE refused" >&2; exit 1; }',
    'replicating=""',
    'waited=0',
    'while :; do',
    '  p=$(cli "$target" info persistence)',
    '  case "$p" in',
    '    *aof_enabled:0*) break ;;',
    '    *aof_rewrite_in_progress:0*aof_rewrite_scheduled:0*aof_last_bgrewrite_status:ok*) break ;;',
    '    *aof_last_bgrewrite_status:err*) echo "restore: the AOF rewrite failed" >&2; exit 1 ;;',
    '  esac',
    '  waited=$((waited + 1))',
    '  [ "$waited" -lt 3600 ] || { echo "restore: the AOF rewrite did not finish within an hour" >&2; exit 1; }',
    '  sleep 1',
    'done',
    'echo "restore: restored $DUMP_ID into $STORE_ID: $(printf \'%s\' "$got" | tr \'\\n\' \' \')"',
  ].join('\n');
}
