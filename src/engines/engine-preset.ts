import { Container } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { EngineMetrics, MetricsAlertContext, MetricsOptions } from './engine-metrics';
import { PresetTls, PresetTlsOptions } from './preset-tls';
import { LogicalBackup, LogicalBackupOptions } from '../backup/logical-backup';
import { LogicalBackupEngine } from '../backup/logical-backup-engine';
import { LogicalRestore, LogicalRestoreOptions } from '../backup/logical-restore';
import { ConnectionProperties, DataStoreCredentials, DataStorePort, DataStoreTls, Endpoint, IDataStore } from '../connection/data-store';
import { MetricsExporter } from '../metrics/metrics-exporter';
import { PrometheusAlertingRule } from '../metrics/prometheus-rule';
import { failWithoutValue } from '../private/validation';
import { IStatefulWorkloadOwner, StatefulWorkload } from '../workload/stateful-workload';

/**
 * The base of the engine presets (`Postgres`, `Redis`, `Cassandra`), and of a platform team's own
 * preset: an `IDataStore` run by one `StatefulWorkload`.
 *
 * In the spirit of aws-rds's `DatabaseInstanceBase`: what every preset shares lives here once (the
 * data-store contract, delegated to the workload; the operations every engine offers), and what
 * differs per engine comes from protected hooks a preset overrides. A preset creates its
 * workload in its constructor and exposes it as `workload`; everything else has a default.
 *
 * To write a preset for another engine (MySQL, say), extend this class, create the
 * `StatefulWorkload` with the engine's containers, claim templates, client ports and credentials,
 * and assign it to `workload`. Override a getter only where the engine's clients connect
 * elsewhere than the workload's headless Service (Redis hands out its primary-only Service).
 *
 * Operations every engine offers, and the hooks each engine fills:
 * - TLS (`configureTls()`, from the preset's `tls` prop): the base renders the certificate (a
 *   cert-manager `Certificate` for the pods' and Services' names, or a Secret of yours), mounts it
 *   into the server's containers and hands consumers the CA; the engine configures its server
 *   with `PresetTls.certFile`/`keyFile`/`caFile` and fills `tlsClientVariables()` with what its
 *   clients' drivers need (PostgreSQL: `SSLMODE=verify-full`).
 * - logical backups and restores (`addBackup()`, `addRestore()`): override
 *   `logicalBackupEngine()` with the engine's dump and restore commands. Without it, both fail
 *   with an error that points to volume snapshots (Cassandra keeps it so: a logical dump of a
 *   ring is no consistent backup).
 * - metrics and alerts (`addMetrics()`): override `metricsExporter()` with the engine's exporter
 *   sidecar, and `metricsAlertRules()` with the engine's own alerts. Without an exporter,
 *   `addMetrics()` fails (Cassandra keeps it so for now: see docs/metrics.md).
 *
 * @example
 * import { Construct } from 'constructs';
 * import { EnginePreset, StatefulWorkload } from 'cdk8s-stateful';
 *
 * class MySql extends EnginePreset {
 *   public readonly workload: StatefulWorkload;
 *
 *   constructor(scope: Construct, id: string) {
 *     super(scope, id);
 *     this.workload = new StatefulWorkload(this, 'Resource', {
 *       containers: [{ name: 'mysql', image: 'docker.io/library/mysql:8.4.3', ports: [{ name: 'mysql', number: 3306 }] }],
 *       clientPorts: [{ name: 'mysql', port: 3306 }],
 *     });
 *   }
 * }
 *
 * const db = new MySql(chart, 'orders-db');
 */
export abstract class EnginePreset extends Construct implements IDataStore, IStatefulWorkloadOwner {
  /** The workload running the engine (escape hatch): the StatefulSet, its headless Service and disruption budget. */
  public abstract readonly workload: StatefulWorkload;

  private _serverTls?: PresetTls;
  /** The engine's commands for logical backups, from the hook, once. */
  private _backupEngine?: LogicalBackupEngine;

  private _metrics?: EngineMetrics;

  constructor(scope: Construct, id: string) {
    super(scope, id);
  }

  /** The store's name for consumers: the workload's `storeName`, or the StatefulSet name. */
  public get storeName(): string {
    return this.workload.storeName;
  }

  /** Where clients connect: the workload's headless Service DNS name and first client port. */
  public get endpoint(): Endpoint {
    return this.workload.endpoint;
  }

  /** The client ports. */
  public get ports(): DataStorePort[] {
    return this.workload.ports;
  }

  /** The first pod's DNS name and first client port: the primary, where the engine has one. */
  public get primaryEndpoint(): Endpoint | undefined {
    return this.workload.primaryEndpoint;
  }

  /** The clients' credentials, if the engine asks for any. */
  public get credentials(): DataStoreCredentials | undefined {
    return this.workload.credentials;
  }

  /** The plain settings consumers get next to the address (the workload's: the database, the local datacenter, ...). */
  public get connectionProperties(): ConnectionProperties | undefined {
    return this.workload.connectionProperties;
  }

  /** None: clients connect to the Service names the server's certificate names. */
  public get serverName(): string | undefined {
    return undefined;
  }

  /**
   * Credentials of the role that owns the data, when consumers get other ones (a `Postgres` with
   * an application role).
   *
   * @default - `credentials` are the owner's too
   */
  public get ownerCredentials(): DataStoreCredentials | undefined {
    return undefined;
  }

  /**
   * The server side of TLS (the certificate Secret, where its files are in the pod), when the
   * preset serves TLS.
   *
   * @default - no TLS
   */
  public get serverTls(): PresetTls | undefined {
    return this._serverTls;
  }

  /**
   * What consumers need to connect over TLS, when the preset serves TLS: the certificate's Secret
   * (its `ca.crt` only is mounted into consumers) and the engine's driver settings
   * (`tlsClientVariables()`).
   *
   * @default - no TLS
   */
  public get tls(): DataStoreTls | undefined {
    const tls = this._serverTls;
    if (!tls) return undefined;
    return { caSecret: tls.secret, caKey: tls.caKey, variables: this.tlsClientVariables(tls) };
  }

  /**
   * Sets up the server's TLS, once, from the preset's `tls` prop: checks it, renders the
   * cert-manager `Certificate` (for the pods' and Services' DNS names) or takes the Secret given,
   * mounts the certificate read-only into `containers`, and hands consumers the CA from then on
   * (`tls`, also through the workload's client Services). Call it from the constructor once
   * `workload` and its client Services exist; configure the server with the returned files.
   *
   * @param options the preset's `tls` prop
   * @param containers the containers of the workload that read the certificate (the server)
   * @returns the certificate's Secret and files
   */
  protected configureTls(options: PresetTlsOptions, containers: Container[]): PresetTls {
    const where = `${this.constructor.name} '${this.node.path}'`;
    if (this._serverTls) {
      throw failWithoutValue(where, 'tls', 'configureTls() called twice', 'A preset has one certificate', 'Call configureTls() once');
    }
    const tls = PresetTls._create(this, where, options, this.workload);
    for (const c of containers) tls.mount(c);
    this._serverTls = tls;
    this.workload._owningStore = this;
    return tls;
  }

  /**
   * The engine hook of TLS: the plain settings its clients' drivers need, handed to consumers as
   * `<PREFIX>_<variable>` next to `<PREFIX>_CA_FILE` (e.g. PostgreSQL's `{ SSLMODE: 'verify-full' }`).
   *
   * @param _tls the server's TLS
   * @returns the variables, by the end of their names
   */
  protected tlsClientVariables(_tls: PresetTls): { [variable: string]: string } {
    return {};
  }

  /**
   * Takes logical backups of the store on a schedule: a CronJob that dumps it with the engine's
   * own tools (the server's image) into a claim that is kept, atomically, pruned to the newest
   * `retain`. See `LogicalBackup`.
   *
   * @param id the construct id (and, by default, the CronJob's name after the StatefulSet's: `<statefulset>-<id>`)
   * @param options when, how many, where
   * @returns the backup
   * @see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/
   */
  public addBackup(id: string, options: LogicalBackupOptions): LogicalBackup {
    const engine = this.backupEngine('addBackup()');
    return new LogicalBackup(this, id, { ...options, store: this, workload: this.workload, engine });
  }

  /**
   * Restores one dump of a logical backup into the store: a Job named after the dump, which
   * refuses a dump or a server of another store and a store that holds data (unless told to
   * replace it), and does nothing once the dump is restored. See `LogicalRestore`.
   *
   * @param id the construct id (and, by default, the prefix of the Job's name after the StatefulSet's: `<statefulset>-<id>`)
   * @param options which dump, and how
   * @returns the restore
   * @see https://kubernetes.io/docs/concepts/workloads/controllers/job/
   */
  public addRestore(id: string, options: LogicalRestoreOptions): LogicalRestore {
    const engine = this.backupEngine('addRestore()');
    return new LogicalRestore(this, id, { ...options, store: this, workload: this.workload, engine });
  }

  /**
   * The engine hook of logical backups: how this engine takes and restores a dump (its image,
   * user, files, and the two scripts). Called once, by the first `addBackup()` or `addRestore()`;
   * constructs it creates (a Secret volume, say) are created once.
   *
   * The default returns nothing: the preset offers no logical backup, and `addBackup()` and
   * `addRestore()` fail with an error that points to volume snapshots.
   *
   * @returns the engine's commands, or undefined when the engine has no logical backup
   */
  protected logicalBackupEngine(): LogicalBackupEngine | undefined {
    return undefined;
  }

  private backupEngine(operation: string): LogicalBackupEngine {
    if (!this._backupEngine) {
      const engine = this.logicalBackupEngine();
      if (!engine) {
        const kind = this.constructor.name;
        throw failWithoutValue(`${kind} '${this.node.path}'`, operation, `${kind} has no logical backup`,
          'A logical backup needs the engine\'s dump and restore commands, from the preset\'s logicalBackupEngine() hook; '
          + 'engines whose data a dump cannot capture consistently (Cassandra: each node holds part of the data, and a dump of a live ring is no point in time) have none',
          'Back up the volumes instead, with volume snapshots of the workload\'s claims (see docs/volume-snapshots.md); '
          + 'for a preset of your own, override logicalBackupEngine()');
      }
      this._backupEngine = engine;
    }
    return this._backupEngine;
  }

  /**
   * The metrics added with `addMetrics()`: the exporter's port (`metrics.port`), the PodMonitor,
   * the PrometheusRule.
   *
   * @default - none until `addMetrics()` is called
   */
  public get metrics(): EngineMetrics | undefined {
    return this._metrics;
  }

  /**
   * Exposes the store's metrics to Prometheus and alerts on them: an exporter sidecar in every pod
   * (restricted, small, on a container port named `metrics` that is never a client port), a
   * `PodMonitor` (or the `prometheus.io/*` pod annotations) and a `PrometheusRule` with the
   * alerts an on-call engineer needs: the server and its exporter down, volumes filling up, pods
   * restarting, and the engine's own (connections, memory, replication). See docs/metrics.md.
   *
   * Call it once per preset.
   *
   * @param options scraping, thresholds, the exporter's image and resources
   * @returns what was added
   * @see https://prometheus-operator.dev/docs/developer/getting-started/
   */
  public addMetrics(options: MetricsOptions = {}): EngineMetrics {
    const kind = this.constructor.name;
    const where = `${kind} '${this.node.path}'`;
    if (this._metrics) {
      throw failWithoutValue(where, 'addMetrics()', 'called twice', 'A store has one exporter per pod, added once',
        'Call addMetrics() once, with all the options');
    }
    const exporter = this.metricsExporter();
    if (!exporter) {
      throw failWithoutValue(where, 'addMetrics()', `${kind} has no metrics exporter`,
        'Metrics need an exporter sidecar, from the preset\'s metricsExporter() hook; Postgres and Redis have one, '
        + 'Cassandra has none yet (a JMX exporter agent needs its jar in the pod, see docs/metrics.md)',
        'Scrape the engine with an exporter you add to the workload yourself (workload.addContainer()); '
        + 'for a preset of your own, override metricsExporter()');
    }
    this._metrics = EngineMetrics._create(this, 'Metrics', {
      ...options,
      workload: this.workload,
      exporter,
      engineRules: context => this.metricsAlertRules(context),
    });
    return this._metrics;
  }

  /**
   * The engine hook of metrics: the exporter sidecar that serves the engine's metrics to
   * Prometheus from inside each pod. Called once, by `addMetrics()`; constructs it creates (a
   * Secret volume, say) are created once.
   *
   * The default returns nothing: the preset has no exporter, and `addMetrics()` fails with an
   * error that says so.
   *
   * @returns the exporter, or undefined when the engine has none
   */
  protected metricsExporter(): MetricsExporter | undefined {
    return undefined;
  }

  /**
   * The engine hook of alerts: the engine's own alerting rules (the server down, its limits,
   * replication), written against the context's label matchers and thresholds, and completed
   * with `context.rule()`. The rules every store shares (the exporter down, volumes filling up,
   * pods restarting) come from the base. Called once, by `addMetrics()`, after
   * `metricsExporter()`; the rules may depend on the preset's shape (its replicas, say).
   *
   * The default returns none.
   *
   * @param context the matchers of the store's series and the thresholds
   * @returns the engine's rules
   */
  protected metricsAlertRules(context: MetricsAlertContext): PrometheusAlertingRule[] {
    void context;
    return [];
  }
}
