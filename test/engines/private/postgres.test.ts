import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Size } from 'cdk8s';
import {
  checkPostgresDatabase,
  checkPostgresUser,
  parsePostgresTag,
  POSTGRES_DEFAULT_TAG,
  POSTGRES_KEYWORDS_SINCE_16,
  POSTGRES_VERSIONS,
  PostgresEngine,
  PostgresEngineOptions,
  postgresNeedsQuoting,
  postgresQuotedKeywords,
  postgresQuoteIdent,
  postgresShmSizeMebibytes,
  postgresSharedBuffersMebibytes,
  postgresTerminationGraceSeconds,
  renderPostgres,
} from '../../../src/engines/private/postgres';
import {
  chown,
  errorLines,
  findPostgresBinaries,
  freePort,
  initdbAsEntrypoint,
  initFilesAsEntrypoint,
  makeClaimVolume,
  makeEmptyDir,
  pg,
  run,
  scramVerifierMatches,
  Server,
  setupDbAsEntrypoint,
  spawnAs,
  startTemporaryServer,
  waitFor,
  writeSecretFile,
} from '../../util/postgres-server';

const WHERE = "Postgres 'test/db'";
const SECRET = { name: 'db-credentials', key: 'password' };
const render = (options: Partial<PostgresEngineOptions> = {}): PostgresEngine =>
  renderPostgres(WHERE, { passwordSecret: SECRET, ...options });
const envOf = (engine: PostgresEngine) => Object.fromEntries(engine.env.map(e => [e.name, e.value]));

// =============================================================================== rendering

describe('renderPostgres', () => {
  test('defaults', () => {
    // WHEN
    const engine = render();

    // THEN
    const alive = ['sh', '-c', 'pg_isready "$@"; test $? -le 1',
      'pg_isready', '--host=127.0.0.1', '--username=postgres', '--dbname=postgres', '--timeout=3'];
    expect(engine).toEqual({
      image: 'docker.io/library/postgres:17.11',
      tag: '17.11',
      major: 17,
      user: 'postgres',
      database: 'postgres',
      port: 5432,
      pgdata: '/var/lib/postgresql/data/pgdata',
      args: ['postgres', '-c', 'shared_buffers=256MB'],
      env: [
        { name: 'PGDATA', value: '/var/lib/postgresql/data/pgdata' },
        { name: 'PGPORT', value: '5432' },
        { name: 'POSTGRES_USER', value: 'postgres' },
        { name: 'POSTGRES_DB', value: 'postgres' },
        { name: 'POSTGRES_PASSWORD_FILE', value: '/run/secrets/postgres/password' },
      ],
      ports: [{ name: 'postgres', containerPort: 5432, protocol: 'TCP' }],
      startupProbe: { exec: { command: alive }, periodSeconds: 10, timeoutSeconds: 5, successThreshold: 1, failureThreshold: 180 },
      livenessProbe: { exec: { command: alive }, periodSeconds: 10, timeoutSeconds: 5, successThreshold: 1, failureThreshold: 6 },
      readinessProbe: {
        exec: { command: ['pg_isready', '--host=127.0.0.1', '--username=postgres', '--dbname=postgres', '--timeout=3'] },
        periodSeconds: 10,
        timeoutSeconds: 5,
        successThreshold: 1,
        failureThreshold: 3,
      },
      volumes: [
        { name: 'postgres-run', emptyDir: {} },
        { name: 'tmp', emptyDir: {} },
        { name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: '256Mi' } },
        { name: 'postgres-password', secret: { secretName: 'db-credentials', items: [{ key: 'password', path: 'password' }], defaultMode: 0o440 } },
      ],
      volumeMounts: [
        { name: 'data', mountPath: '/var/lib/postgresql/data' },
        { name: 'postgres-run', mountPath: '/var/run/postgresql' },
        { name: 'tmp', mountPath: '/tmp' },
        { name: 'dshm', mountPath: '/dev/shm' },
        { name: 'postgres-password', mountPath: '/run/secrets/postgres', readOnly: true },
      ],
      resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { memory: '1Gi' } },
      securityContext: { runAsUser: 999, runAsGroup: 999, runAsNonRoot: true },
      fsGroup: 999,
      terminationGracePeriodSeconds: 68,
      sharedBuffersMebibytes: 256,
      sharedBuffers: '256MB',
      shmSizeLimit: '256Mi',
    });
  });

  test('all options', () => {
    // WHEN
    const engine = render({
      version: '16.13-bookworm',
      user: 'shop_owner',
      database: 'shop',
      passwordSecret: { name: 'shop-db', key: 'superuser.password' },
      memoryLimit: Size.gibibytes(4),
      port: 6543,
      initScripts: { configMapName: 'shop-schema', keys: ['01-schema.sql', '02-seed.sql.gz', '03-grants.sh'] },
      mountPath: '/srv/postgres',
      dataVolumeName: 'pg',
    });

    // THEN
    expect(engine.image).toBe('docker.io/library/postgres:16.13-bookworm');
    expect(engine.major).toBe(16);
    expect(engine.args).toEqual(['postgres', '-c', 'shared_buffers=1024MB']);
    expect(envOf(engine)).toEqual({
      PGDATA: '/srv/postgres/pgdata',
      PGPORT: '6543',
      POSTGRES_USER: 'shop_owner',
      POSTGRES_DB: 'shop',
      POSTGRES_PASSWORD_FILE: '/run/secrets/postgres/password',
    });
    expect(engine.ports).toEqual([{ name: 'postgres', containerPort: 6543, protocol: 'TCP' }]);
    expect(engine.readinessProbe.exec.command).toEqual(
      ['pg_isready', '--host=127.0.0.1', '--username=shop_owner', '--dbname=shop', '--timeout=3']);
    expect(engine.livenessProbe.exec.command.slice(3)).toEqual(engine.readinessProbe.exec.command);
    expect(engine.volumes).toContainEqual(
      { name: 'postgres-password', secret: { secretName: 'shop-db', items: [{ key: 'superuser.password', path: 'password' }], defaultMode: 0o440 } });
    expect(engine.volumes).toContainEqual({ name: 'postgres-initdb', configMap: { name: 'shop-schema', defaultMode: 0o444 } });
    expect(engine.volumes).toContainEqual({ name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: '1Gi' } });
    expect(engine.volumeMounts).toContainEqual({ name: 'pg', mountPath: '/srv/postgres' });
    expect(engine.volumeMounts).toContainEqual({ name: 'postgres-initdb', mountPath: '/docker-entrypoint-initdb.d', readOnly: true });
    expect(engine.resources).toEqual({ requests: { cpu: '500m', memory: '4Gi' }, limits: { memory: '4Gi' } });
    expect(engine.terminationGracePeriodSeconds).toBe(92);
  });

  test('the password is never a value: only the file path is in the env', () => {
    const engine = render({ initScripts: { configMapName: 'init' } });
    expect(engine.env.every(e => !/PASSWORD$/.test(e.name))).toBe(true);
    expect(JSON.stringify(engine)).not.toMatch(/secretKeyRef|"POSTGRES_PASSWORD"/);
  });

  test('every volume is mounted, and only the data claim is not a pod volume', () => {
    const engine = render({ initScripts: { configMapName: 'init' } });
    expect(engine.volumeMounts.map(m => m.name).sort()).toEqual([...engine.volumes.map(v => v.name), 'data'].sort());
  });

  test('the default versions are pinned tags the tag check accepts', () => {
    expect(POSTGRES_VERSIONS.map(v => v.major)).toEqual([15, 16, 17, 18]);
    for (const v of POSTGRES_VERSIONS) expect(parsePostgresTag(WHERE, 'version', v.tag)).toEqual({ tag: v.tag, major: v.major });
    expect(POSTGRES_VERSIONS.map(v => v.tag)).toContain(POSTGRES_DEFAULT_TAG);
  });
});

describe('computed values', () => {
  test.each<[string, Size, number, string, number, string]>([
    // memory limit, shared_buffers MiB, shm sizeLimit, grace seconds, resources quantity
    ['the 256Mi minimum', Size.mebibytes(256), 64, '64Mi', 62, '256Mi'],
    ['300Mi', Size.mebibytes(300), 75, '75Mi', 63, '300Mi'],
    ['a limit that is not whole MiB', Size.kibibytes(262145), 64, '64Mi', 62, '262145Ki'],
    ['1Gi (the default)', Size.gibibytes(1), 256, '256Mi', 68, '1Gi'],
    ['1536Mi', Size.mebibytes(1536), 384, '384Mi', 72, '1536Mi'],
    ['16Gi', Size.gibibytes(16), 4096, '4Gi', 188, '16Gi'],
    ['64Gi', Size.gibibytes(64), 16384, '16Gi', 572, '64Gi'],
  ])('%s', (_name, memoryLimit, sharedBuffers, shm, grace, quantity) => {
    // pure functions
    expect(postgresSharedBuffersMebibytes(memoryLimit)).toBe(sharedBuffers);
    expect(postgresShmSizeMebibytes(sharedBuffers)).toBe(Math.max(64, sharedBuffers));
    expect(postgresTerminationGraceSeconds(sharedBuffers)).toBe(grace);

    // as rendered
    const engine = render({ memoryLimit });
    expect(engine.sharedBuffersMebibytes).toBe(sharedBuffers);
    expect(engine.args).toEqual(['postgres', '-c', `shared_buffers=${sharedBuffers}MB`]);
    expect(engine.shmSizeLimit).toBe(shm);
    expect(engine.volumes.find(v => v.name === 'dshm')).toEqual({ name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: shm } });
    expect(engine.terminationGracePeriodSeconds).toBe(grace);
    expect(engine.resources).toEqual({ requests: { cpu: '500m', memory: quantity }, limits: { memory: quantity } });
  });

  test('/dev/shm is never smaller than the runtimes\' 64Mi', () => {
    expect(postgresShmSizeMebibytes(1)).toBe(64);
    expect(postgresShmSizeMebibytes(65)).toBe(65);
  });
});

// =============================================================================== errors

describe('errors', () => {
  const tagFix = 'Set \'version\' to a pinned tag such as "17.11"';
  const tagGrammar = 'Must be a pinned tag of the official image: <major>.<minor>, optionally with "-trixie" or "-bookworm"; '
    + 'a bare major or "latest" would let a restart run another version';

  test.each<[string, string, string]>([
    ['a bare major', '17', `"17". ${tagGrammar}. ${tagFix}.`],
    ['latest', 'latest', `"latest". ${tagGrammar}. ${tagFix}.`],
    ['a patch-level tag', '17.9.1', `"17.9.1". ${tagGrammar}. ${tagFix}.`],
    ['an unknown variant', '17.9-bullseye', `"17.9-bullseye". ${tagGrammar}. ${tagFix}.`],
    ['a digest', '17.9@sha256:abc', `"17.9@sha256:abc". ${tagGrammar}. ${tagFix}.`],
    ['an Alpine tag', '17.9-alpine3.23',
      '"17.9-alpine3.23". Alpine images are not supported: their postgres user is uid 70, not 999, and their C library sorts text '
      + 'differently (indexes built by one are wrong under the other). Set \'version\' to a pinned tag such as "17.11", or its Debian variant "17.11-bookworm".'],
    ['an end-of-life major', '14.20',
      `"14.20". Must be PostgreSQL 15 or later: older major versions no longer receive fixes. ${tagFix}.`],
  ])('fails when the version is %s', (_name, version, message) => {
    expect(() => render({ version })).toThrow(new Error(`${WHERE}: invalid 'version': ${message}`));
  });

  test.each(['15.0', '16.13-trixie', '17.9-bookworm', '18.3', '19.1'])('accepts the version %s', version => {
    expect(render({ version }).image).toBe(`docker.io/library/postgres:${version}`);
  });

  const plain = 'Must be a plain SQL identifier that needs no quoting: a lower case letter or "_", then lower case letters, digits or "_"';
  const lower = 'Must be lower case: PostgreSQL folds unquoted names to lower case, so this name would need double quotes in every SQL statement';
  const keyword = 'Must not be a reserved PostgreSQL keyword: it would need double quotes in every SQL statement';
  const long = 'x'.repeat(64);
  test.each<[string, 'user' | 'database', string, string]>([
    ['empty', 'user', '', '"". A user name is required. Set \'user\' to a name such as "app".'],
    ['upper case', 'user', 'App', `"App". ${lower}. Set 'user' to "app".`],
    ['upper case of a keyword', 'database', 'Order', `"Order". ${lower}. Set 'database' to a name such as "app".`],
    ['a digit first', 'database', '1shop', `"1shop". ${plain}. Set 'database' to a name such as "app".`],
    ['a "-"', 'database', 'my-shop', `"my-shop". ${plain}. Set 'database' to a name such as "app".`],
    ['a "$"', 'user', 'app$', `"app$". ${plain}. Set 'user' to a name such as "app".`],
    ['a space', 'user', 'my app', `"my app". ${plain}. Set 'user' to a name such as "app".`],
    ['a double quote', 'database', 'a"b', `"a"b". ${plain}. Set 'database' to a name such as "app".`],
    ['a non-ASCII letter', 'database', 'bücher', `"bücher". ${plain}. Set 'database' to a name such as "app".`],
    ['64 bytes', 'user', long,
      `"${long}". Must be at most 63 bytes (PostgreSQL truncates longer identifiers, so the user would get another name than the one clients use). Shorten 'user'.`],
    ['64 bytes of UTF-8 in fewer characters', 'database', 'ü'.repeat(32),
      `"${'ü'.repeat(32)}". Must be at most 63 bytes (PostgreSQL truncates longer identifiers, so the database would get another name than the one clients use). Shorten 'database'.`],
    ['a reserved keyword', 'user', 'user', `"user". ${keyword}. Set 'user' to another name, such as "user_owner".`],
    ['a type or function keyword', 'database', 'left', `"left". ${keyword}. Set 'database' to another name, such as "left_db".`],
    ['a column-name keyword', 'database', 'values', `"values". ${keyword}. Set 'database' to another name, such as "values_db".`],
    ['a keyword added in PostgreSQL 16', 'user', 'system_user', `"system_user". ${keyword}. Set 'user' to another name, such as "system_user_owner".`],
    ['a predefined role prefix', 'user', 'pg_app',
      '"pg_app". Must not start with "pg_": PostgreSQL reserves such role names for its predefined roles, and initdb refuses them. Set \'user\' to a name such as "app".'],
    ['"public"', 'user', 'public', '"public". "public" is reserved: it names the group every role belongs to. Set \'user\' to a name such as "app".'],
    ['template0', 'database', 'template0',
      '"template0". Must not be a template database: template0 accepts no connections, and what is put in template1 is copied into every database created later. Set \'database\' to a name such as "app".'],
    ['template1', 'database', 'template1',
      '"template1". Must not be a template database: template0 accepts no connections, and what is put in template1 is copied into every database created later. Set \'database\' to a name such as "app".'],
  ])('fails when the name is %s (%s)', (_name, prop, value, message) => {
    expect(() => render({ [prop]: value })).toThrow(new Error(`${WHERE}: invalid '${prop}': ${message}`));
  });

  test('the database defaults to the user, and is checked as a database name', () => {
    expect(render({ user: 'shop' }).database).toBe('shop');
    expect(render({ user: 'template1', database: 'app' }).user).toBe('template1');
    expect(() => render({ user: 'template1' })).toThrow(/invalid 'database': "template1"/);
  });

  test.each(['postgres', 'app', '_app', 'data', 'name', 'app_2', 'a'.repeat(63)])('accepts the name %s for user and database', name => {
    expect(render({ user: name, database: name })).toMatchObject({ user: name, database: name });
  });

  test('the user from a Secret: POSTGRES_USER is a secretKeyRef, the probes read it from the environment', () => {
    // WHEN
    const engine = render({ userSecret: { name: 'db-credentials', key: 'username' }, database: 'app' });

    // THEN
    expect(engine.user).toBeUndefined();
    expect(engine.env).toContainEqual({ name: 'POSTGRES_USER', valueFrom: { secretKeyRef: { name: 'db-credentials', key: 'username' } } });
    const args = ['pg_isready', '--host=127.0.0.1', '--dbname=app', '--timeout=3'];
    expect(engine.readinessProbe.exec.command).toEqual(['sh', '-c', 'exec pg_isready --username="$POSTGRES_USER" "$@"', ...args]);
    expect(engine.livenessProbe.exec.command).toEqual(['sh', '-c', 'pg_isready --username="$POSTGRES_USER" "$@"; test $? -le 1', ...args]);
    expect(engine.startupProbe.exec.command).toEqual(engine.livenessProbe.exec.command);
  });

  test('fails when the user comes from a Secret and from a literal, or without a database', () => {
    const userSecret = { name: 'db-credentials', key: 'username' };
    expect(() => render({ userSecret, user: 'app', database: 'app' })).toThrow(/invalid 'user': "app". Cannot be combined with 'userSecret'/);
    expect(() => render({ userSecret })).toThrow(/invalid 'database': undefined. Must be given with 'userSecret'/);
    expect(() => render({ userSecret: { name: 'db-credentials', key: '..' }, database: 'app' })).toThrow(/invalid 'userSecret.key': "\.\."/);
  });

  test('fails when there is no password Secret', () => {
    expect(() => renderPostgres(WHERE, {} as PostgresEngineOptions)).toThrow(new Error(
      `${WHERE}: invalid 'passwordSecret': undefined. The superuser password must come from a Kubernetes Secret: it is never a literal `
      + 'in the manifests and never generated at synth time. Set \'passwordSecret\' to the Secret and key that hold the password.'));
  });

  test('fails when the Secret name is not a DNS-1123 subdomain', () => {
    expect(() => render({ passwordSecret: { name: 'DB_Creds', key: 'password' } })).toThrow(new Error(
      `${WHERE}: invalid 'passwordSecret.name': "DB_Creds". Must be a DNS-1123 subdomain of at most 253 characters: lower case letters, digits, '-' and '.'. `
      + 'Set \'passwordSecret.name\' to a name such as "my-name" or "my.name".'));
  });

  test.each(['', 'pass word', '..', 'a/b'])('fails when the Secret key is %j', key => {
    expect(() => render({ passwordSecret: { name: 'db', key } })).toThrow(new Error(
      `${WHERE}: invalid 'passwordSecret.key': ${JSON.stringify(key)}. Must be a Secret key: at most 253 letters, digits, "-", "_" or ".", not "." or "..". `
      + 'Set \'passwordSecret.key\' to the key holding the password, such as "password".'));
  });

  test.each([Size.mebibytes(255), Size.mebibytes(128), Size.kibibytes(262143)])('fails when the memory limit is below 256Mi: %#', memoryLimit => {
    expect(() => render({ memoryLimit })).toThrow(new RegExp(
      `^${esc(WHERE)}: invalid 'memoryLimit': "[0-9]+(Mi|Ki)". Must be at least 256Mi: PostgreSQL needs a quarter of it for shared_buffers and the rest `
      + 'for its processes, each connection and autovacuum, or it gets OOM-killed under ordinary load. '
      + `${esc("Set 'memoryLimit' to Size.mebibytes(256) or more (the default is 1Gi).")}$`));
  });

  test('fails when the memory limit is not a whole number of KiB', () => {
    expect(() => render({ memoryLimit: Size.kibibytes(262144.5) })).toThrow(new Error(
      `${WHERE}: invalid 'memoryLimit': "262144.5Ki". Must be a whole number of kibibytes. Set 'memoryLimit' to a size such as Size.gibibytes(1).`));
  });

  test.each([0, 65536, 5432.5])('fails when the port is %d', port => {
    expect(() => render({ port })).toThrow(new Error(
      `${WHERE}: invalid 'port': ${port}. Must be an integer port number from 1 to 65535. Set 'port' to a valid port.`));
  });

  test('fails when the port is privileged', () => {
    expect(() => render({ port: 543 })).toThrow(new Error(
      `${WHERE}: invalid 'port': 543. Must be 1024 or above: PostgreSQL runs as uid 999, and binding a lower port needs the NET_BIND_SERVICE `
      + 'capability, which the restricted pod defaults drop. Set \'port\' to 5432.'));
  });

  const pathFix = 'Set \'mountPath\' to a path such as "/var/lib/postgresql/data"';
  test.each<[string, string, string]>([
    ['relative', 'data', 'Must be an absolute path other than "/", without "//", "." or ".." segments and without a trailing "/"'],
    ['"/"', '/', 'Must be an absolute path other than "/", without "//", "." or ".." segments and without a trailing "/"'],
    ['with a trailing "/"', '/data/', 'Must be an absolute path other than "/", without "//", "." or ".." segments and without a trailing "/"'],
    ['with ".."', '/data/../etc', 'Must be an absolute path other than "/", without "//", "." or ".." segments and without a trailing "/"'],
    ['with "//"', '/data//pg', 'Must be an absolute path other than "/", without "//", "." or ".." segments and without a trailing "/"'],
    ['the socket directory', '/var/run/postgresql', 'Must not overlap "/var/run/postgresql", which the engine mounts a volume of its own at'],
    ['above the socket directory', '/var', 'Must not overlap "/var/run/postgresql", which the engine mounts a volume of its own at'],
    ['inside /tmp', '/tmp/pg', 'Must not overlap "/tmp", which the engine mounts a volume of its own at'],
    ['/dev/shm', '/dev/shm', 'Must not overlap "/dev/shm", which the engine mounts a volume of its own at'],
    ['the Secret', '/run/secrets', 'Must not overlap "/run/secrets/postgres", which the engine mounts a volume of its own at'],
    ['the init scripts', '/docker-entrypoint-initdb.d', 'Must not overlap "/docker-entrypoint-initdb.d", which the engine mounts a volume of its own at'],
    ['a system directory', '/usr/lib/postgresql', 'Must not overlap the image\'s system directory "/usr"'],
    ['/etc', '/etc', 'Must not overlap the image\'s system directory "/etc"'],
  ])('fails when the mount path is %s', (_name, mountPath, allowed) => {
    expect(() => render({ mountPath })).toThrow(new Error(`${WHERE}: invalid 'mountPath': ${JSON.stringify(mountPath)}. ${allowed}. ${pathFix}.`));
  });

  test.each(['/var/lib/postgresql', '/srv/postgres', '/data', '/var/lib/postgresql/18/docker'])('accepts the mount path %s', mountPath => {
    expect(render({ mountPath }).pgdata).toBe(`${mountPath}/pgdata`);
  });

  test('fails when the data volume name is taken by the engine', () => {
    expect(() => render({ dataVolumeName: 'tmp' })).toThrow(new Error(
      `${WHERE}: invalid 'dataVolumeName': "tmp". Must not be one of the engine's own volume names (postgres-run, tmp, dshm, postgres-password, postgres-initdb). `
      + 'Set \'dataVolumeName\' to a name such as "data".'));
  });

  test('fails when the data volume name is not a DNS-1123 label', () => {
    expect(() => render({ dataVolumeName: 'Data' })).toThrow(/^Postgres 'test\/db': invalid 'dataVolumeName': "Data". Must be a DNS-1123 label/);
  });

  test('fails when the init script ConfigMap name is invalid', () => {
    expect(() => render({ initScripts: { configMapName: 'Init_SQL' } })).toThrow(/^Postgres 'test\/db': invalid 'initScripts.configMapName': "Init_SQL". Must be a DNS-1123 subdomain/);
  });

  test.each<[string, string]>([['schema.psql', 'schema.sql'], ['init', 'init.sql'], ['.sql', '.sql'], ['seed.sql.bz2', 'seed.sql.sql']])(
    'fails when an init script key is %s, which the entrypoint ignores', (key, renamed) => {
      expect(() => render({ initScripts: { configMapName: 'init', keys: ['01-ok.sql', key] } })).toThrow(new Error(
        `${WHERE}: invalid 'initScripts.keys[1]': ${JSON.stringify(key)}. Must end in .sql, .sql.gz, .sql.xz, .sql.zst, .sh: `
        + `the image's entrypoint ignores any other file in /docker-entrypoint-initdb.d. Rename the key, e.g. to ${JSON.stringify(renamed)}.`));
    });

  test('the checks can be used on their own, with any prop name', () => {
    expect(() => checkPostgresUser("Postgres 'x'", 'credentials.user', 'Admin')).toThrow(/^Postgres 'x': invalid 'credentials.user': "Admin"/);
    expect(checkPostgresDatabase("Postgres 'x'", 'db', 'orders')).toBe('orders');
  });
});

describe('errors: boundaries and inputs from untyped code', () => {
  const keyMessage = 'Must be a Secret key: at most 253 letters, digits, "-", "_" or ".", not "." or ".."';

  test('the messages for a user from a Secret name the fix', () => {
    const userSecret = { name: 'db-credentials', key: 'username' };
    expect(() => render({ userSecret, user: 'app', database: 'app' })).toThrow(new Error(
      `${WHERE}: invalid 'user': "app". Cannot be combined with 'userSecret': the user name comes from one place only. `
      + 'Leave \'user\' out, or drop \'userSecret\'.'));
    expect(() => render({ userSecret })).toThrow(new Error(
      `${WHERE}: invalid 'database': undefined. Must be given with 'userSecret': the image would name the database after the user, `
      + 'whose name is not known when rendering. Set \'database\' to a name such as "app".'));
    expect(() => render({ userSecret: { name: 'db-credentials', key: '..' }, database: 'app' })).toThrow(new Error(
      `${WHERE}: invalid 'userSecret.key': "..". ${keyMessage}. Set 'userSecret.key' to the key holding the user name, such as "username".`));
  });

  test('a version given as a number is refused, even one that reads as a pinned tag', () => {
    expect(() => render({ version: 17.9 as unknown as string })).toThrow(/^Postgres 'test\/db': invalid 'version': 17.9. Must be a pinned tag/);
  });

  test('a name that is not a string is refused as missing', () => {
    expect(() => checkPostgresUser(WHERE, 'user', 5 as unknown as string))
      .toThrow(new Error(`${WHERE}: invalid 'user': 5. A user name is required. Set 'user' to a name such as "app".`));
  });

  test.each(['My-App', '1App'])('a name with upper case that lower case would not fix (%s) gets the plain-identifier message', name => {
    expect(() => render({ user: name })).toThrow(new Error(
      `${WHERE}: invalid 'user': ${JSON.stringify(name)}. Must be a plain SQL identifier that needs no quoting: a lower case letter or "_", `
      + 'then lower case letters, digits or "_". Set \'user\' to a name such as "app".'));
  });

  test('port 1024 is the lowest accepted', () => {
    expect(render({ port: 1024 }).port).toBe(1024);
    expect(() => render({ port: 1023 })).toThrow(/invalid 'port': 1023\. Must be 1024 or above/);
  });

  test.each<[string, unknown, string]>([
    ['with a "." segment', '/data/./pg', 'Must be an absolute path other than "/", without "//", "." or ".." segments and without a trailing "/"'],
    ['not a string', 5, 'Must be an absolute path other than "/", without "//", "." or ".." segments and without a trailing "/"'],
    ['under /var/run', '/var/run/data', 'Must not overlap the image\'s system directory "/var/run"'],
  ])('fails when the mount path is %s', (_name, mountPath, allowed) => {
    expect(() => render({ mountPath: mountPath as string })).toThrow(new Error(
      `${WHERE}: invalid 'mountPath': ${JSON.stringify(mountPath)}. ${allowed}. Set 'mountPath' to a path such as "/var/lib/postgresql/data".`));
  });

  test.each<[string, unknown]>([['a string (the Secret name alone)', 'db-credentials'], ['null', null]])('fails when the password Secret is %s', (_name, passwordSecret) => {
    expect(() => render({ passwordSecret: passwordSecret as PostgresEngineOptions['passwordSecret'] }))
      .toThrow(/invalid 'passwordSecret': .*\. The superuser password must come from a Kubernetes Secret/);
  });

  test.each<[string, unknown]>([['"."', '.'], ['254 characters', 'k'.repeat(254)], ['a number', 5]])('fails when a Secret key is %s', (_name, key) => {
    expect(() => render({ passwordSecret: { name: 'db', key: key as string } })).toThrow(new Error(
      `${WHERE}: invalid 'passwordSecret.key': ${JSON.stringify(key)}. ${keyMessage}. Set 'passwordSecret.key' to the key holding the password, such as "password".`));
    expect(() => render({ userSecret: { name: 'db', key: key as string }, database: 'app' })).toThrow(new Error(
      `${WHERE}: invalid 'userSecret.key': ${JSON.stringify(key)}. ${keyMessage}. Set 'userSecret.key' to the key holding the user name, such as "username".`));
  });

  test('a Secret key of 253 characters is accepted', () => {
    const key = 'k'.repeat(253);
    expect(render({ passwordSecret: { name: 'db', key } }).volumes)
      .toContainEqual({ name: 'postgres-password', secret: { secretName: 'db', items: [{ key, path: 'password' }], defaultMode: 0o440 } });
    expect(render({ userSecret: { name: 'db', key }, database: 'app' }).env)
      .toContainEqual({ name: 'POSTGRES_USER', valueFrom: { secretKeyRef: { name: 'db', key } } });
  });
});

// =============================================================================== identifiers

describe('SQL identifiers', () => {
  test.each<[string, string]>([
    ['app', 'app'],
    ['_', '_'],
    ['data', 'data'],
    ['App', '"App"'],
    ['select', '"select"'],
    ['int', '"int"'],
    ['1a', '"1a"'],
    ['a$b', '"a$b"'],
    ['my db', '"my db"'],
    ['a"b', '"a""b"'],
    ['"', '""""'],
    ['bücher', '"bücher"'],
  ])('postgresQuoteIdent(%j) is %s', (name, sql) => {
    expect(postgresQuoteIdent(name)).toBe(sql);
    expect(postgresNeedsQuoting(name)).toBe(sql !== name);
  });

  test.each(['', 'a\0b', 'x'.repeat(64)])('postgresQuoteIdent refuses what cannot be an identifier: %j', name => {
    expect(() => postgresQuoteIdent(name)).toThrow(/cannot be a PostgreSQL identifier: identifiers are 1 to 63 bytes without NUL/);
  });

  test('every accepted name needs no quoting', () => {
    for (const name of ['postgres', 'app', '_app', 'data', 'a'.repeat(63)]) {
      expect(postgresNeedsQuoting(checkPostgresUser(WHERE, 'user', name))).toBe(false);
    }
  });
});

// =============================================================================== a real server

/**
 * The engine as the official image's entrypoint runs it, with real PostgreSQL binaries: initdb,
 * the temporary socket-only server, the database and the init scripts, the real server, the
 * rendered probes, a fast shutdown and a standby that refuses connections.
 *
 * What stands in for the container (and nothing else is changed from what is rendered):
 * - the binaries: `/usr/lib/postgresql/<major>/bin` (the newest installed major; Debian's
 *   `postgresql` package), or the directory in `POSTGRES_BIN`, put first on PATH as the image does;
 * - the mounts: temporary directories for the claim (its root holding a `lost+found`, as a fresh
 *   ext4 volume does, group-owned and setgid as the kubelet leaves it for `fsGroup`), for
 *   /var/run/postgresql, for the Secret volume and for the ConfigMap volume; the rendered paths
 *   (PGDATA, POSTGRES_PASSWORD_FILE) are mapped onto them;
 * - PGPORT: a free port instead of 5432 (the rendered env, the probes and the server all take it
 *   from there);
 * - the server gets `-c listen_addresses=127.0.0.1,127.0.0.<n>` (the image's configuration says
 *   `*`) and `-c unix_socket_directories=<the /var/run/postgresql stand-in>` (the image's
 *   compiled-in default);
 * - server commands run as the OS user `postgres` when the test runs as root (initdb refuses root).
 */
describe('with a real PostgreSQL server', () => {
  jest.setTimeout(30_000);

  const binaries = findPostgresBinaries();
  const initSql = [
    'CREATE TABLE greeting (id integer PRIMARY KEY, message text NOT NULL);',
    "INSERT INTO greeting VALUES (1, 'hello from the init script');",
    '',
  ].join('\n');
  const password = 'S3cret "pass" with spaces, \\ and $dollars';
  const engine = render({ user: 'shop_owner', database: 'shop', initScripts: { configMapName: 'shop-init', keys: ['01-schema.sql'] } });

  let bin: string;
  let root: string;
  let port: number;
  const altHost = `127.0.0.${2 + Math.floor(Math.random() * 250)}`;
  let env: Record<string, string>; // the container's env, mapped onto the stand-ins
  let local: (renderedPath: string) => string;
  let server: Server | undefined;

  beforeAll(async () => {
    if (binaries.problem !== undefined) throw new Error(binaries.problem);
    bin = binaries.dir;
    root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-stateful-pg-')));
    fs.chmodSync(root, 0o755);
    port = await freePort();
    const stand = {
      [mountPathOf(engine)]: path.join(root, 'volume'),
      '/var/run/postgresql': path.join(root, 'run'),
      '/run/secrets/postgres': path.join(root, 'secret'),
      '/docker-entrypoint-initdb.d': path.join(root, 'initdb.d'),
    };
    local = (p: string) => {
      const prefix = Object.keys(stand).find(k => p === k || p.startsWith(`${k}/`));
      if (!prefix) throw new Error(`no stand-in for ${p}`);
      return stand[prefix] + p.slice(prefix.length);
    };
    env = {
      PATH: `${bin}:/usr/local/bin:/usr/bin:/bin`,
      LANG: 'C.UTF-8',
      ...Object.fromEntries(engine.env.map(e => [e.name, e.name === 'PGPORT' ? String(port) : e.value!.startsWith('/') ? local(e.value!) : e.value!])),
    };

    // the claim: a volume root with lost+found, group-owned by the fsGroup with setgid (as the kubelet leaves it)
    makeClaimVolume(local(mountPathOf(engine)));
    // the emptyDir at /var/run/postgresql
    makeEmptyDir(local('/var/run/postgresql'));
    // the Secret volume: one item, defaultMode 0440, group-owned by the fsGroup; a trailing newline as `kubectl create secret --from-file` keeps
    writeSecretFile(env.POSTGRES_PASSWORD_FILE, `${password}\n`);
    // the ConfigMap volume: one file per key
    fs.mkdirSync(local('/docker-entrypoint-initdb.d'));
    fs.writeFileSync(path.join(local('/docker-entrypoint-initdb.d'), '01-schema.sql'), initSql, { mode: 0o444 });
  });

  afterAll(async () => {
    if (server) await server.stop('SIGQUIT').catch(() => undefined);
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  const probe = (p: { exec: { command: string[] } }) => run(p.exec.command, env);
  const psqlSocket = (args: string[], input?: string) => run(['psql', '-X', '-v', 'ON_ERROR_STOP=1', ...args], { ...env, PGHOST: local('/var/run/postgresql') }, input);

  test('PGDATA must be a subdirectory: initdb refuses the volume root, which holds lost+found', () => {
    const result = run(['initdb', `--username=${env.POSTGRES_USER}`], { ...env, PGDATA: local(mountPathOf(engine)) });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/exists but is not empty[\s\S]*lost\+found/);
    expect(env.PGDATA).toBe(`${local(mountPathOf(engine))}/pgdata`);
  });

  test('first start: initdb with the rendered user and the password file, as the entrypoint does', () => {
    // the password file is read as the postgres user (0440 + fsGroup); PGDATA is created in the setgid volume root
    const { password: secret, initdb, passwordEncryption } = initdbAsEntrypoint(env, engine.args.slice(1), root);
    expect(secret).toBe(password);
    expect(initdb.stderr).not.toMatch(/error/i);
    expect(initdb.status).toBe(0);
    expect(fs.existsSync(path.join(env.PGDATA, 'PG_VERSION'))).toBe(true);
    // pg_setup_hba_conf: host all all all <password_encryption>
    expect(passwordEncryption).toBe('scram-sha-256');
  });

  test('first start: the temporary socket-only server, the database and the init script; the startup probe waits', async () => {
    // docker_temp_server_start: the container's args + -c listen_addresses='' -p "${PGPORT:-5432}"
    server = await startTemporaryServer(env, engine.args.slice(1), local('/var/run/postgresql'), path.join(root, 'initdb.log'));

    // no TCP listener yet: neither the startup nor the readiness probe passes during initialization
    expect(probe(engine.startupProbe).status).not.toBe(0);
    expect(probe(engine.readinessProbe).status).not.toBe(0);

    // docker_setup_db, with the entrypoint's own quoting (:'db', :"db")
    expect(setupDbAsEntrypoint(env, local('/var/run/postgresql'), password)).toEqual({ existed: false });

    // docker_process_init_files /docker-entrypoint-initdb.d/*: *.sql through psql against POSTGRES_DB
    const results = initFilesAsEntrypoint(env, local('/docker-entrypoint-initdb.d'), local('/var/run/postgresql'), password);
    expect(results).toEqual([{ file: '01-schema.sql', status: 0, stdout: expect.any(String), stderr: '' }]);

    // docker_temp_server_stop: pg_ctl -m fast stop, i.e. SIGINT
    await server.stop('SIGINT');
    server = undefined;
  });

  test('the real server starts with the rendered args and env; the rendered probes pass', async () => {
    server = await Server.start([...engine.args.slice(1), '-c', `listen_addresses=127.0.0.1,${altHost}`,
      '-c', `unix_socket_directories=${local('/var/run/postgresql')}`], env, path.join(root, 'server.log'));
    // as the kubelet: the startup probe until it passes, then liveness and readiness
    await waitFor(() => probe(engine.startupProbe).status === 0, 'the startup probe');
    expect(probe(engine.livenessProbe)).toMatchObject({ status: 0 });
    const ready = probe(engine.readinessProbe);
    expect(ready.status).toBe(0);
    expect(ready.stdout).toBe(`127.0.0.1:${port} - accepting connections\n`);
  });

  test('the server runs as rendered: user, database, password, PGDATA, PGPORT, shared_buffers, init script', () => {
    // over TCP, as a client in the pod would (by the pod's address; here 127.0.0.<n>)
    const query = 'SELECT current_user, current_database(), rolsuper, current_setting(\'data_directory\'), current_setting(\'port\'), '
      + 'current_setting(\'shared_buffers\'), current_setting(\'shared_memory_type\'), current_setting(\'dynamic_shared_memory_type\'), '
      + '(SELECT message FROM greeting WHERE id = 1) FROM pg_roles WHERE rolname = current_user';
    const result = run(['psql', '-X', '-At', '-F', '|', '-h', altHost, '-U', engine.user!, '-d', engine.database, '-c', query],
      { ...env, PGPASSWORD: password });
    expect(result.stderr).toBe('');
    expect(result.stdout.trim().split('|')).toEqual([
      'shop_owner', 'shop', 't', env.PGDATA, String(port), engine.sharedBuffers,
      // shared_buffers is anonymous shared memory; /dev/shm holds dynamic shared memory (see postgresShmSizeMebibytes)
      'mmap', 'posix',
      'hello from the init script',
    ]);
    expect(engine.sharedBuffers).toBe('256MB');
  });

  test('with the user from a Secret, the probes read it from $POSTGRES_USER (the container\'s env) and pass', () => {
    const viaSecret = render({ userSecret: { name: 'db-credentials', key: 'username' }, database: 'shop' });
    // the kubelet resolves the secretKeyRef into the container's env: here the same name as the literal
    expect(env.POSTGRES_USER).toBe('shop_owner');
    expect(probe(viaSecret.readinessProbe)).toMatchObject({ status: 0, stdout: `127.0.0.1:${port} - accepting connections\n` });
    expect(probe(viaSecret.livenessProbe)).toMatchObject({ status: 0 });
    expect(probe(viaSecret.startupProbe)).toMatchObject({ status: 0 });
  });

  test('the probes use the rendered user and database, so they log nothing; pg_isready\'s defaults would', async () => {
    // refusals of the test's own polling while a server was starting are not counted (see errorLines)
    const log = () => fs.readFileSync(path.join(root, 'server.log'), 'utf8') + fs.readFileSync(path.join(root, 'initdb.log'), 'utf8');
    for (const p of [engine.startupProbe, engine.livenessProbe, engine.readinessProbe]) expect(probe(p).status).toBe(0);
    expect(errorLines(log())).toEqual([]);
    expect(run(['pg_isready', '--host=127.0.0.1'], env).status).toBe(0);
    await waitFor(() => errorLines(log()).some(line => /FATAL: {2}role ".*" does not exist/.test(line)), 'the log line');
  });

  test('the superuser\'s password is the Secret\'s value, its trailing newline stripped', () => {
    // every loopback client connects from 127.0.0.1, which the image's pg_hba.conf trusts: check the stored SCRAM verifier instead
    const stored = psqlSocket(['-At', '-U', engine.user!, '-d', 'postgres', '-c', `SELECT rolpassword FROM pg_authid WHERE rolname = '${engine.user!}'`]).stdout.trim();
    expect(stored).toMatch(/^SCRAM-SHA-256\$4096:/);
    expect(scramVerifierMatches(stored, password)).toBe(true);
    expect(scramVerifierMatches(stored, `${password}\n`)).toBe(false);
    expect(scramVerifierMatches(stored, 'wrong')).toBe(false);
  });

  test('accepted edge-case names work unquoted in SQL and to connect', () => {
    for (const name of ['_app', 'data', 'app_2', `z${'9'.repeat(62)}`]) {
      checkPostgresUser(WHERE, 'user', name);
      checkPostgresDatabase(WHERE, 'database', name);
      const created = psqlSocket(['-U', engine.user!, '-d', 'postgres', '-c', `CREATE ROLE ${name} LOGIN`, '-c', `CREATE DATABASE ${name} OWNER ${name}`]);
      expect(created.stderr).toBe('');
      const who = psqlSocket(['-At', '-U', name, '-d', name, '-c', 'SELECT current_user || \'|\' || current_database()']);
      expect(who.stdout.trim()).toBe(`${name}|${name}`);
    }
  });

  test('postgresQuoteIdent makes any name work, and the entrypoint\'s own quoting creates exactly the name', () => {
    const odd = 'Mixed "Case" ünï-cödé name';
    const q = postgresQuoteIdent(odd);
    const created = psqlSocket(['-U', engine.user!, '-d', 'postgres', '-c', `CREATE ROLE ${q} LOGIN`, '-c', `CREATE DATABASE ${q} OWNER ${q}`]);
    expect(created.stderr).toBe('');
    const who = psqlSocket(['-At', '-U', odd, '-d', odd, '-c', 'SELECT current_user || \'|\' || current_database()']);
    expect(who.stdout.trim()).toBe(`${odd}|${odd}`);
    // CREATE DATABASE :"db" as docker_setup_db runs it
    const other = 'Other "db"';
    expect(psqlSocket(['-U', engine.user!, '-d', 'postgres', '--set', `db=${other}`], 'CREATE DATABASE :"db" ;\n').status).toBe(0);
    expect(psqlSocket(['-At', '-U', engine.user!, '-d', 'postgres', '--set', `db=${other}`], "SELECT count(*) FROM pg_database WHERE datname = :'db';\n").stdout.trim()).toBe('1');
  });

  test('postgresNeedsQuoting and postgresQuoteIdent agree with the server\'s quote_ident()', () => {
    const samples = ['app', 'App', '_', '1a', 'a$b', 'bücher', 'my db', 'a"b', 'data', 'name', 'user', 'int', 'json', 'left', 'values', `z${'9'.repeat(62)}`];
    const live = psqlSocket(['-At', '-F', '\x1f', '-R', '\x1e', '-U', engine.user!, '-d', 'postgres', '-c',
      'SELECT word, quote_ident(word), catcode FROM pg_get_keywords() UNION ALL '
      + `SELECT x, quote_ident(x), '' FROM unnest(ARRAY[${samples.map(s => `$q$${s}$q$`).join(', ')}]) x`]);
    expect(live.stderr).toBe('');
    const rows = live.stdout.replace(/\n$/, '').split('\x1e').map(r => r.split('\x1f'));
    expect(rows.length).toBeGreaterThan(400);
    const liveKeywords = new Set(rows.filter(r => r[2] !== '').map(r => r[0]));
    for (const [word, quoted] of rows) {
      // a keyword PostgreSQL 16+ added is quoted here even when the server is older
      if (POSTGRES_KEYWORDS_SINCE_16.includes(word) && !liveKeywords.has(word)) continue;
      expect([word, postgresQuoteIdent(word)]).toEqual([word, quoted]);
    }
    // the list covers every keyword the server quotes, and its extras are the documented later additions
    const liveQuoted = rows.filter(r => r[2] !== '' && r[2] !== 'U').map(r => r[0]);
    expect(liveQuoted.filter(w => !postgresQuotedKeywords().includes(w))).toEqual([]);
    expect(postgresQuotedKeywords().filter(w => !liveQuoted.includes(w)).every(w => POSTGRES_KEYWORDS_SINCE_16.includes(w))).toBe(true);
  });

  test('the refused names are refused by the server too: 64 bytes are truncated, pg_ and public are reserved, template0 takes no connections', () => {
    const truncated = psqlSocket(['-At', '-U', engine.user!, '-d', 'postgres', '-c', `SELECT octet_length($q$${'x'.repeat(64)}$q$::name)`]);
    expect(truncated.stdout.trim()).toBe('63');
    expect(psqlSocket(['-U', engine.user!, '-d', 'postgres', '-c', 'CREATE ROLE pg_app']).stderr).toMatch(/role name "pg_app" is reserved/);
    expect(psqlSocket(['-U', engine.user!, '-d', 'postgres', '-c', 'CREATE ROLE "public"']).stderr).toMatch(/role name "public" is reserved/);
    expect(psqlSocket(['-U', engine.user!, '-d', 'template0', '-c', 'SELECT 1']).stderr).toMatch(/database "template0" is not currently accepting connections/);
    const initdb = run(['initdb', '--username=pg_app'], { ...env, PGDATA: path.join(root, 'refused') });
    expect(initdb.status).not.toBe(0);
    expect(initdb.stderr).toMatch(/superuser name "pg_app" is disallowed; role names cannot begin with "pg_"/);
  });

  test('SIGINT (the image\'s STOPSIGNAL) is a fast shutdown, well within the grace, even with a session open; then every probe fails', async () => {
    const session = spawnAs(['psql', '-X', '-h', '127.0.0.1', '-U', engine.user!, '-d', engine.database, '-c', 'SELECT pg_sleep(60)'], env, 'ignore');
    const sessionExit = new Promise<number | null>(resolve => session.on('exit', code => resolve(code)));
    await waitFor(() => psqlSocket(['-At', '-U', engine.user!, '-d', 'postgres', '-c',
      'SELECT count(*) FROM pg_stat_activity WHERE query = \'SELECT pg_sleep(60)\'']).stdout.trim() === '1', 'the session');

    const t0 = Date.now();
    await server!.stop('SIGINT');
    server = undefined;
    const seconds = (Date.now() - t0) / 1000;
    expect(seconds).toBeLessThan(10);
    expect(seconds).toBeLessThan(engine.terminationGracePeriodSeconds);
    expect(await sessionExit).not.toBe(0);
    expect(fs.readFileSync(path.join(root, 'server.log'), 'utf8')).toMatch(/received fast shutdown request[\s\S]*database system is shut down/);

    expect(probe(engine.startupProbe).status).not.toBe(0);
    expect(probe(engine.livenessProbe).status).not.toBe(0);
    const ready = probe(engine.readinessProbe);
    expect(ready.status).toBe(2);
    expect(ready.stdout).toBe(`127.0.0.1:${port} - no response\n`);
  });

  test('a server that is up but refuses connections (recovery) passes liveness and startup, not readiness', async () => {
    // a standby without hot standby stays in recovery and answers "not accepting connections", like crash recovery does
    fs.writeFileSync(path.join(env.PGDATA, 'standby.signal'), '');
    chown(path.join(env.PGDATA, 'standby.signal'), pg().uid, pg().gid);
    server = await Server.start([...engine.args.slice(1), '-c', 'hot_standby=off', '-c', `listen_addresses=127.0.0.1,${altHost}`,
      '-c', `unix_socket_directories=${local('/var/run/postgresql')}`], env, path.join(root, 'standby.log'));
    await waitFor(() => run(['pg_isready', '--host=127.0.0.1'], env).status === 1, 'the standby');

    expect(probe(engine.livenessProbe).status).toBe(0);
    expect(probe(engine.startupProbe).status).toBe(0);
    const ready = probe(engine.readinessProbe);
    expect(ready.status).toBe(1);
    expect(ready.stdout).toBe(`127.0.0.1:${port} - rejecting connections\n`);

    await server.stop('SIGINT');
    server = undefined;
  });
});

// =============================================================================== helpers

function esc(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function mountPathOf(engine: PostgresEngine): string {
  return engine.volumeMounts.find(m => m.name === 'data')!.mountPath;
}
