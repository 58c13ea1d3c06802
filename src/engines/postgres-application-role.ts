import { createHash } from 'crypto';
import { ApiObject, Duration, JsonPatch, Size } from 'cdk8s';
import { ConfigMap, Cpu, EnvValue, IConfigMap, Job, Volume } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { DataStoreCredentials, IDataStore } from '../connection/data-store';
import { ConnectionTarget, DataStoreConnection } from '../connection/data-store-connection';
import { declareNotRolled, declareRole } from '../private/app-index';
import { fail, show } from '../private/validation';
import {
  POSTGRES_APP_ROLE_ENV,
  POSTGRES_APP_ROLE_INIT_KEY,
  POSTGRES_APP_SECRET_DIRECTORY,
  POSTGRES_DEFAULT_APP_SCHEMAS,
  POSTGRES_OWNER_SECRET_DIRECTORY,
  PostgresApplicationRoleFacts,
  postgresApplicationRoleInitScript,
  postgresApplicationRoleJobScript,
} from './private/postgres-roles';
import { POSTGRES_TLS_CLIENT_VARIABLES } from './private/postgres-tls';
import { TLS_CA_KEY } from './private/tls';
import { PodDefaults } from '../workload/pod-defaults';
import { checkPostgresIdentifier, POSTGRES_GID, POSTGRES_SOCKET_DIRECTORY, POSTGRES_UID } from './private/postgres';

/** Argo CD: run the Job as a hook of the Sync phase, deleting the previous one first. */
const HOOK = 'argocd.argoproj.io/hook';
const HOOK_DELETE_POLICY = 'argocd.argoproj.io/hook-delete-policy';
/** The label cdk8s-plus puts on every pod template, derived from the construct path (a Job's template is immutable). */
const ADDRESS_LABEL = 'cdk8s.io/metadata.addr';
/** The password file in each Secret directory. */
const PASSWORD_FILE = 'password';

/**
 * The application role of a `Postgres` (`applicationRole`): a login role of its own for the
 * consumers, with only the privileges an application needs on the database.
 *
 * @see https://www.postgresql.org/docs/current/ddl-priv.html
 */
export interface PostgresApplicationRoleOptions {
  /**
   * The role's name and password, in a Secret of their own
   * (`DataStoreCredentials.fromSecret(secret)`: the default keys are those of a
   * `kubernetes.io/basic-auth` Secret). The name must be a plain SQL identifier, not the
   * superuser's, not `pg_*` nor `public` (checked at synthesis for a Secret the app renders, and by
   * the scripts before they connect). Consumers wired with `DataStoreConnection` get these
   * credentials. To rotate the password, change it in the Secret and the credentials'
   * `revision` (a Secret the app renders needs no revision): the role's Job sets it, and the
   * consumers roll.
   *
   * @see https://kubernetes.io/docs/concepts/configuration/secret/#basic-authentication-secret
   */
  readonly credentials: DataStoreCredentials;

  /**
   * The schemas the role may use: `USAGE` on each, `SELECT, INSERT, UPDATE, DELETE` on its tables
   * and `USAGE, SELECT, UPDATE` on its sequences, those that exist and those the owner creates
   * later. Plain SQL identifiers. A schema a migration creates later is granted the next time the
   * Job runs.
   *
   * @see https://www.postgresql.org/docs/current/sql-alterdefaultprivileges.html
   * @default ['public']
   */
  readonly schemas?: string[];
}

/**
 * The application role of a `Postgres`, made by the preset when given `applicationRole`: a login
 * role for the consumers, apart from the superuser that owns the data (which the server,
 * migrations and backups keep).
 *
 * The role is created, its privileges granted (and corrected) and its password set from its
 * Secret by one idempotent script (docs/roles-and-rotation.md lists what it grants and why):
 *
 * - at first initialization, by the image's entrypoint (`initScripts`, next to the `initSql`
 *   scripts in `/docker-entrypoint-initdb.d`), so the role exists when the server first accepts
 *   connections;
 * - for a database that already exists, and on every rotation, by a Job (`job`) that waits for the
 *   primary and connects to it as the superuser (over TLS with the CA when the preset serves TLS).
 *   It is an Argo CD `Sync` hook (deleted before the next sync creates it again), in the
 *   migrations' sync wave; its name is `<statefulset>-app-role-<hash>`, the hash of what it runs,
 *   the role's Secret, the credentials' `revision` and, for a Secret the app renders, its data:
 *   changing any of them (a rotation) makes a new Job, which plain `kubectl apply` runs too.
 *
 * The password is never an argument or an environment variable of psql, nor in a SQL statement:
 * psql's `\password` reads it on its standard input and sends the SCRAM verifier only.
 *
 * @see https://www.postgresql.org/docs/current/sql-createrole.html
 */
export class PostgresApplicationRole extends Construct {
  /**
   * Creates the role's init scripts and Job for a `Postgres`.
   *
   * @internal
   */
  public static _create(scope: Construct, id: string, options: PostgresApplicationRoleOptions,
    facts: PostgresApplicationRoleFacts): PostgresApplicationRole {
    return new PostgresApplicationRole(scope, id, options, facts);
  }

  /** The role's credentials (what consumers get). */
  public readonly credentials: DataStoreCredentials;
  /** The schemas the role gets privileges in. */
  public readonly schemas: string[];
  /** The ConfigMap of the init script that creates the role at first initialization (`<statefulset>-app-role`). */
  public readonly initScripts: ConfigMap;
  /**
   * The Job that creates or corrects the role and sets its password on a running server.
   *
   * @default - none while the preset runs no replica (`replicas: 0`)
   */
  public readonly job?: Job;
  /**
   * The Job's name, `<statefulset>-app-role-<8 hex digits>`.
   *
   * @default - no Job
   */
  public readonly jobName?: string;

  private constructor(scope: Construct, id: string, options: PostgresApplicationRoleOptions, facts: PostgresApplicationRoleFacts) {
    super(scope, id);
    const where = facts.where;
    const credentials = options.credentials;
    if (!(credentials instanceof DataStoreCredentials)) {
      throw fail(where, 'applicationRole.credentials', credentials, 'The application role\'s name and password must come from a Kubernetes Secret',
        'Set \'applicationRole.credentials\' to DataStoreCredentials.fromSecret(secret)');
    }
    if (credentials.usernameKey === undefined) {
      throw fail(where, 'applicationRole.credentials', 'DataStoreCredentials.fromPasswordSecret()',
        'Must have a user name key: the role\'s name is read from the key consumers read their user name from',
        'Use DataStoreCredentials.fromSecret(secret, { usernameKey, passwordKey })');
    }
    const owner = facts.ownerCredentials;
    if (credentials.secret === owner.secret && credentials.usernameKey === owner.usernameKey) {
      throw fail(where, 'applicationRole.credentials', `the key ${show(credentials.usernameKey)} of the superuser's Secret`,
        'Must name a role other than the superuser: the application role is a role of its own, with fewer privileges',
        'Give the application role a Secret of its own (its user name and password)');
    }
    const schemas = options.schemas ?? POSTGRES_DEFAULT_APP_SCHEMAS;
    if (!Array.isArray(schemas) || schemas.length === 0) {
      throw fail(where, 'applicationRole.schemas', schemas, 'Must list at least one schema', 'Leave \'applicationRole.schemas\' out (public)');
    }
    schemas.forEach((s, i) => {
      checkPostgresIdentifier(where, `applicationRole.schemas[${i}]`, s, 'schema');
      if (s.startsWith('pg_') || s === 'information_schema') {
        throw fail(where, `applicationRole.schemas[${i}]`, s, 'Must be a schema of the application, not a system schema',
          'Set it to a schema your migrations create, such as "public"');
      }
    });
    if (new Set(schemas).size !== schemas.length) {
      throw fail(where, 'applicationRole.schemas', schemas, 'Must not list a schema twice', 'Remove the duplicate');
    }
    this.credentials = credentials;
    this.schemas = [...schemas];
    const w = facts.workload;

    // ---- first initialization: an init script next to the user's
    const appPasswordFile = `${POSTGRES_APP_SECRET_DIRECTORY}/${PASSWORD_FILE}`;
    this.initScripts = new ConfigMap(this, 'InitScripts', {
      metadata: { name: `${w.name}-app-role` },
      data: {
        [POSTGRES_APP_ROLE_INIT_KEY]: postgresApplicationRoleInitScript(
          { schemas: this.schemas, passwordFile: appPasswordFile }, POSTGRES_SOCKET_DIRECTORY),
      },
    });

    // ---- a running server: the Job (nothing to connect to while no replica runs)
    if (w.replicas === 0) return;
    const ownerPasswordFile = `${POSTGRES_OWNER_SECRET_DIRECTORY}/${PASSWORD_FILE}`;
    const script = postgresApplicationRoleJobScript({ schemas: this.schemas, passwordFile: appPasswordFile }, ownerPasswordFile);
    const env: { [name: string]: EnvValue } = {
      PGHOST: EnvValue.fromValue(w.podDnsName(w.startOrdinal)),
      PGPORT: EnvValue.fromValue(String(facts.port)),
      PGDATABASE: EnvValue.fromValue(facts.database),
      PGUSER: EnvValue.fromSecretValue({ secret: owner.secret, key: owner.usernameKey! }),
      [POSTGRES_APP_ROLE_ENV]: EnvValue.fromSecretValue({ secret: credentials.secret, key: credentials.usernameKey }),
      PGCONNECT_TIMEOUT: EnvValue.fromValue('10'),
      PGAPPNAME: EnvValue.fromValue('cdk8s-stateful-app-role'),
    };
    const caFile = facts.tls ? `${facts.tls.mountPath}/${TLS_CA_KEY}` : undefined;
    if (caFile) {
      env.PGSSLMODE = EnvValue.fromValue(POSTGRES_TLS_CLIENT_VARIABLES.SSLMODE);
      env.PGSSLROOTCERT = EnvValue.fromValue(caFile);
    }
    const hash = createHash('sha256').update(JSON.stringify({
      image: facts.image,
      script,
      env: Object.entries(env).map(([k, v]) => [k, v.value ?? null]),
      app: [credentials.secret.name, credentials.usernameKey, credentials.passwordKey, credentials.revision ?? null,
        renderedSecretDigest(credentials, [credentials.usernameKey, credentials.passwordKey]) ?? null],
      owner: [owner.secret.name, owner.usernameKey, owner.passwordKey],
      tls: facts.tls ? [facts.tls.secret.name] : null,
    })).digest('hex').slice(0, 8);
    const prefix = `${w.name.slice(0, 45).replace(/-+$/, '')}-app-role`;
    this.jobName = `${prefix}-${hash}`;

    this.job = new Job(this, 'Job', {
      metadata: {
        name: this.jobName,
        namespace: w.namespaceName,
        annotations: { [HOOK]: 'Sync', [HOOK_DELETE_POLICY]: 'BeforeHookCreation' },
      },
      select: false,
      backoffLimit: 4,
      activeDeadline: Duration.minutes(15),
      securityContext: { fsGroup: POSTGRES_GID, user: POSTGRES_UID, group: POSTGRES_GID, ensureNonRoot: true },
      containers: [{
        name: 'app-role',
        image: facts.image,
        command: ['sh', '-c', script],
        envVariables: env,
        securityContext: { user: POSTGRES_UID, group: POSTGRES_GID, ensureNonRoot: true },
        resources: {
          cpu: { request: Cpu.millis(50) },
          memory: { request: Size.mebibytes(64), limit: Size.mebibytes(64) },
        },
      }],
    });
    const container = this.job.containers[0];
    container.mount(POSTGRES_APP_SECRET_DIRECTORY, Volume.fromSecret(this, 'AppPasswordVolume', credentials.secret, {
      name: 'app-password', items: { [credentials.passwordKey]: { path: PASSWORD_FILE } }, defaultMode: 0o400,
    }), { readOnly: true });
    container.mount(POSTGRES_OWNER_SECRET_DIRECTORY, Volume.fromSecret(this, 'OwnerPasswordVolume', owner.secret, {
      name: 'owner-password', items: { [owner.passwordKey]: { path: PASSWORD_FILE } }, defaultMode: 0o400,
    }), { readOnly: true });
    if (facts.tls) {
      container.mount(facts.tls.mountPath, Volume.fromSecret(this, 'CaVolume', facts.tls.secret, {
        name: 'tls-ca', items: { [TLS_CA_KEY]: { path: TLS_CA_KEY } }, defaultMode: 0o444,
      }), { readOnly: true });
    }
    ApiObject.of(this.job).addJsonPatch(JsonPatch.remove(`/spec/template/metadata/labels/${ADDRESS_LABEL.replace('/', '~1')}`));
    // wired to the store (the preset, its scope) like the backups: recorded as its consumer, so
    // NetworkPolicies derived from the wiring admit the Job; it reads the owner's password as a
    // file, never the connection's credential variables
    new DataStoreConnection(this, 'Connection', {
      store: scope as unknown as IDataStore,
      target: ConnectionTarget.PRIMARY,
      metadata: { name: `${prefix}-connection`, namespace: w.namespaceName },
    }).addConsumer(container, { credentialVariables: false });
    // after the data stores, with the migrations (and before the consumers)
    declareRole(this.job, 'migration');
    // its template is immutable and its name hashes what it runs: no connection checksum on it
    // (a changed checksum under the same name would be an update kubectl apply cannot make)
    declareNotRolled(this.job);
    PodDefaults.harden(this.job);
  }

  /**
   * The volume of `/docker-entrypoint-initdb.d` in the server's pod: the role's init script and,
   * when given, the user's `initSql` ConfigMap, projected into one directory (mode 0444: the
   * entrypoint sources `.sh` files, and runs `.sql` files with psql).
   *
   * @internal
   */
  public _initdbVolume(name: string, initSql?: IConfigMap): Volume {
    const sources = [...initSql ? [{ configMap: { name: initSql.name } }] : [], { configMap: { name: this.initScripts.name } }];
    // cdk8s-plus-27 has no projected volume: its Volume takes the core/v1 source as it is
    const ProjectedVolume = Volume as unknown as new (scope: Construct, id: string, volumeName: string, config: unknown) => Volume;
    return new ProjectedVolume(this, 'InitdbVolume', name, { projected: { sources, defaultMode: 0o444 } });
  }
}

/** A digest of the values of `keys` in a Secret the app renders with data; undefined otherwise. */
function renderedSecretDigest(credentials: DataStoreCredentials, keys: string[]): string | undefined {
  const object = credentials.secret.node.defaultChild;
  if (!(object instanceof ApiObject) || object.kind !== 'Secret') return undefined;
  const rendered = object.toJson();
  const values = keys.map(key => rendered.stringData?.[key] ?? rendered.data?.[key] ?? null);
  if (values.every(v => v === null)) return undefined;
  return createHash('sha256').update(JSON.stringify(values)).digest('hex').slice(0, 16);
}
