import { Duration, Size } from 'cdk8s';
import { Container, ContainerResources, Cpu } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { EngineImageOptions } from './engine-image';
import { engineImage } from './private/engine-image';
import { commonAlertRules, completeRules } from './private/metrics-rules';
import { MetricsExporter } from '../metrics/metrics-exporter';
import { PodMonitor } from '../metrics/pod-monitor';
import { PrometheusAlertingRule, PrometheusRule } from '../metrics/prometheus-rule';
import { declareRole } from '../private/app-index';
import { labelProblems, throwFirst } from '../private/pod-rules';
import { checkLabelNames, promDuration, promString, regexLiteral } from '../private/promql';
import { checkInteger, checkPort, fail, show } from '../private/validation';
import { StatefulWorkload } from '../workload/stateful-workload';

/**
 * How Prometheus finds the exporters of a preset.
 *
 * @see https://prometheus-operator.dev/docs/developer/getting-started/
 */
export enum MetricsScrape {
  /**
   * A `PodMonitor` (`monitoring.coreos.com/v1`) selecting the store's pods, for clusters with the
   * Prometheus Operator (kube-prometheus-stack). The default.
   */
  POD_MONITOR = 'PodMonitor',

  /**
   * The pod annotations `prometheus.io/scrape`, `prometheus.io/port` and `prometheus.io/path`, for
   * a Prometheus whose scrape configuration discovers pods by them (the `kubernetes-pods` job of
   * the prometheus-community Helm chart). Nothing needs a custom resource definition.
   */
  POD_ANNOTATIONS = 'PodAnnotations',
}

/**
 * The `severity` label of an alert, as Alertmanager routes usually read it.
 *
 * @see https://prometheus.io/docs/alerting/latest/configuration/#route
 */
export enum AlertSeverity {
  /** Someone must act now: the store is down, or about to refuse writes. */
  CRITICAL = 'critical',
  /** Someone must act soon: a threshold is crossed, nothing is lost yet. */
  WARNING = 'warning',
  /** For the record. */
  INFO = 'info',
}

/**
 * Thresholds and labels of the alerts of `EnginePreset.addMetrics()`. Each alert, its threshold
 * and what to do when it fires are listed in docs/metrics.md.
 */
export interface MetricsAlertOptions {
  /**
   * A data volume more full than this, in percent, raises `<Engine>VolumeFillingUp` (warning).
   * The kubelet's `kubelet_volume_stats_used_bytes` over `kubelet_volume_stats_capacity_bytes`.
   *
   * @see https://kubernetes.io/docs/reference/instrumentation/metrics/
   * @default 80
   */
  readonly volumeUsageWarningPercent?: number;

  /**
   * A data volume more full than this, in percent, raises `<Engine>VolumeAlmostFull` (critical).
   * Above `volumeUsageWarningPercent`.
   *
   * @see https://kubernetes.io/docs/reference/instrumentation/metrics/
   * @default 95
   */
  readonly volumeUsageCriticalPercent?: number;

  /**
   * This many container restarts of a pod within `restartsWindow` raise `<Engine>PodRestarting`
   * (kube-state-metrics' `kube_pod_container_status_restarts_total`).
   *
   * @see https://github.com/kubernetes/kube-state-metrics/blob/main/docs/metrics/workload/pod-metrics.md
   * @default 3
   */
  readonly restarts?: number;

  /**
   * The window `restarts` are counted in. Whole minutes, at least 5.
   *
   * @see https://prometheus.io/docs/prometheus/latest/querying/functions/#increase
   * @default Duration.hours(1)
   */
  readonly restartsWindow?: Duration;

  /**
   * Client connections above this share of the server's limit, in percent, raise
   * `<Engine>TooManyConnections`: PostgreSQL's `max_connections`, Redis's `maxclients`.
   *
   * @see https://www.postgresql.org/docs/current/runtime-config-connection.html#GUC-MAX-CONNECTIONS
   * @see https://redis.io/docs/latest/develop/reference/clients/#maximum-concurrent-connected-clients
   * @default 80
   */
  readonly connectionsPercent?: number;

  /**
   * Memory above this share of Redis's `maxmemory`, in percent, raises `RedisMemoryNearMax` (not
   * with an `allkeys-*` eviction policy, which evicts rather than refuse writes).
   *
   * @see https://redis.io/docs/latest/develop/reference/eviction/
   * @default 90
   */
  readonly memoryPercent?: number;

  /**
   * A replica further behind its primary than this raises `<Engine>ReplicationLagging` (Redis with
   * read replicas: the seconds since the replica's last acknowledgement). Whole seconds.
   *
   * @see https://redis.io/docs/latest/operate/oss_and_stack/management/replication/
   * @default Duration.seconds(30)
   */
  readonly replicationLag?: Duration;

  /**
   * Labels added to every alert (e.g. `team: orders` for Alertmanager routes). Not `severity` or
   * `alertname`, which the rules set.
   *
   * @see https://prometheus.io/docs/alerting/latest/configuration/#route
   * @default - only `severity`
   */
  readonly labels?: { [key: string]: string };

  /**
   * Where the team's runbooks are: each alert gets the annotation `runbook_url` with this URL and
   * the alert's name in lower case appended (`https://runbooks.example.com/db/` gives
   * `https://runbooks.example.com/db/postgresdown`). Every alert carries a one-line `runbook`
   * annotation in any case.
   *
   * @see https://prometheus.io/docs/prometheus/latest/configuration/alerting_rules/#templating
   * @default - no `runbook_url`
   */
  readonly runbookUrl?: string;
}

/**
 * Options of `EnginePreset.addMetrics()`: the exporter sidecar, how Prometheus scrapes it and the
 * alerts.
 */
export interface MetricsOptions {
  /**
   * How Prometheus finds the exporters.
   *
   * @see https://prometheus-operator.dev/docs/developer/getting-started/
   * @default MetricsScrape.POD_MONITOR
   */
  readonly scrape?: MetricsScrape;

  /**
   * How often the exporters are scraped (the PodMonitor's `interval`; with pod annotations the
   * Prometheus's scrape configuration decides). Whole seconds.
   *
   * @see https://prometheus.io/docs/prometheus/latest/configuration/configuration/#scrape_config
   * @default - the Prometheus's scrape interval
   */
  readonly interval?: Duration;

  /**
   * Render the alerts as a `PrometheusRule` (`monitoring.coreos.com/v1`).
   *
   * @see https://prometheus-operator.dev/docs/developer/alerting/
   * @default - true with `MetricsScrape.POD_MONITOR`, false with `MetricsScrape.POD_ANNOTATIONS`
   * (a cluster without the Prometheus Operator has no PrometheusRule kind)
   */
  readonly prometheusRule?: boolean;

  /**
   * Thresholds and labels of the alerts.
   *
   * @default - the thresholds documented on `MetricsAlertOptions`
   */
  readonly alerts?: MetricsAlertOptions;

  /**
   * Labels of the PodMonitor and the PrometheusRule, e.g. `release: kube-prometheus-stack`: a
   * Prometheus loads only those its `podMonitorSelector` and `ruleSelector` match.
   *
   * @see https://prometheus-operator.dev/docs/platform/troubleshooting/#troubleshooting-servicemonitor-changes
   * @default - the workload's labels only
   */
  readonly labels?: { [key: string]: string };

  /**
   * Where to pull the exporter's image from (a mirror or a private registry); the tag is the one
   * the library pins. Unlike the engines' images, the registry defaults to the exporter's own
   * (`quay.io` for postgres_exporter, `docker.io` for redis_exporter).
   *
   * @see https://kubernetes.io/docs/concepts/containers/images/#image-names
   * @default - the exporter's own registry and repository
   */
  readonly image?: EngineImageOptions;

  /**
   * Resources of the exporter container.
   *
   * @see https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/
   * @default - the engine's (a CPU request of 10m, a memory request of 32Mi and limit of 64Mi)
   */
  readonly resources?: ContainerResources;
}

/**
 * An alerting rule of an engine, as `MetricsAlertContext.rule()` completes it: every rule states
 * its severity, a summary, a description and a one-line runbook.
 */
export interface MetricsAlertRuleOptions {
  /**
   * The alert's name, e.g. `PostgresDown`: the engine's `alertPrefix` and what is wrong.
   *
   * @see https://prometheus.io/docs/prometheus/latest/configuration/alerting_rules/
   */
  readonly alert: string;

  /**
   * The PromQL expression; select the store's series with `MetricsAlertContext.podMatchers`.
   *
   * @see https://prometheus.io/docs/prometheus/latest/querying/basics/
   */
  readonly expr: string;

  /**
   * How long the expression must hold before the alert fires.
   *
   * @see https://prometheus.io/docs/prometheus/latest/configuration/alerting_rules/#defining-alerting-rules
   * @default - at once
   */
  readonly pendingFor?: Duration;

  /**
   * The severity (the `severity` label).
   *
   * @see https://prometheus.io/docs/alerting/latest/configuration/#route
   */
  readonly severity: AlertSeverity;

  /**
   * One line: what is wrong (the `summary` annotation; Go templates over `$labels` and `$value`).
   *
   * @see https://prometheus.io/docs/prometheus/latest/configuration/template_reference/
   */
  readonly summary: string;

  /**
   * What it means and what it leads to (the `description` annotation).
   *
   * @see https://prometheus.io/docs/prometheus/latest/configuration/template_reference/
   */
  readonly description: string;

  /**
   * One line: what to do first (the `runbook` annotation).
   *
   * @see https://prometheus.io/docs/prometheus/latest/configuration/alerting_rules/#templating
   */
  readonly runbook: string;
}

/** What `MetricsAlertContext` is made of. */
interface AlertContextProps {
  readonly alertPrefix: string;
  readonly workload: StatefulWorkload;
  readonly volumeUsageWarningPercent: number;
  readonly volumeUsageCriticalPercent: number;
  readonly restarts: number;
  readonly restartsWindow: Duration;
  readonly connectionsPercent: number;
  readonly memoryPercent: number;
  readonly replicationLag: Duration;
  readonly labels: { [key: string]: string };
  readonly runbookUrl?: string;
}

/**
 * What an engine's alert rules are written against (`EnginePreset.metricsAlertRules()`): the
 * label matchers of the store's series, the thresholds (defaults applied) and `rule()`, which
 * completes a rule with the labels and annotations every alert carries.
 */
export class MetricsAlertContext {
  /** @internal */
  public static _create(props: AlertContextProps): MetricsAlertContext {
    return new MetricsAlertContext(props);
  }

  /** The engine's prefix of alert names, e.g. `Postgres`. */
  public readonly alertPrefix: string;
  /** The StatefulSet's name: its pods are `<name>-<ordinal>`. */
  public readonly statefulSetName: string;
  /**
   * The namespace, when the workload or its chart sets one.
   *
   * @default - none: the matchers select the pods by name in every namespace
   */
  public readonly namespaceName?: string;
  /**
   * Label matchers of the series scraped from the store's pods (and of kube-state-metrics'
   * series about them): `namespace="accounts",pod=~"user-db-[0-9]+"`.
   */
  public readonly podMatchers: string;
  /**
   * Label matchers of the kubelet's volume series of the store's claims:
   * `namespace="accounts",persistentvolumeclaim=~"(data)-user-db-[0-9]+"`; empty when the
   * workload has no claim template.
   */
  public readonly claimMatchers: string;
  /** `MetricsAlertOptions.volumeUsageWarningPercent`, defaulted. */
  public readonly volumeUsageWarningPercent: number;
  /** `MetricsAlertOptions.volumeUsageCriticalPercent`, defaulted. */
  public readonly volumeUsageCriticalPercent: number;
  /** `MetricsAlertOptions.restarts`, defaulted. */
  public readonly restarts: number;
  /** `MetricsAlertOptions.restartsWindow`, defaulted. */
  public readonly restartsWindow: Duration;
  /** `MetricsAlertOptions.connectionsPercent`, defaulted. */
  public readonly connectionsPercent: number;
  /** `MetricsAlertOptions.memoryPercent`, defaulted. */
  public readonly memoryPercent: number;
  /** `MetricsAlertOptions.replicationLag`, defaulted. */
  public readonly replicationLag: Duration;

  private readonly labels: { [key: string]: string };
  private readonly runbookUrl?: string;

  private constructor(props: AlertContextProps) {
    const w = props.workload;
    this.alertPrefix = props.alertPrefix;
    this.statefulSetName = w.name;
    this.namespaceName = w.namespaceName;
    const ns = w.namespaceName === undefined ? '' : `namespace=${promString(w.namespaceName)},`;
    this.podMatchers = `${ns}pod=~${promString(`${regexLiteral(w.name)}-[0-9]+`)}`;
    const claims = w.volumeClaimTemplates.map(t => regexLiteral(t.name));
    this.claimMatchers = claims.length === 0 ? '' : `${ns}persistentvolumeclaim=~${promString(`(${claims.join('|')})-${regexLiteral(w.name)}-[0-9]+`)}`;
    this.volumeUsageWarningPercent = props.volumeUsageWarningPercent;
    this.volumeUsageCriticalPercent = props.volumeUsageCriticalPercent;
    this.restarts = props.restarts;
    this.restartsWindow = props.restartsWindow;
    this.connectionsPercent = props.connectionsPercent;
    this.memoryPercent = props.memoryPercent;
    this.replicationLag = props.replicationLag;
    this.labels = props.labels;
    this.runbookUrl = props.runbookUrl;
  }

  /**
   * Label matchers of the series of one pod: `namespace="news",pod="news-redis-0"`.
   *
   * @param ordinal the pod's ordinal
   */
  public podMatchersOf(ordinal: number): string {
    const ns = this.namespaceName === undefined ? '' : `namespace=${promString(this.namespaceName)},`;
    return `${ns}pod=${promString(`${this.statefulSetName}-${ordinal}`)}`;
  }

  /**
   * An alerting rule with the labels and annotations every alert of the store carries: `severity`
   * and `MetricsAlertOptions.labels`; `summary`, `description`, `runbook` and, when
   * `MetricsAlertOptions.runbookUrl` is set, `runbook_url`.
   *
   * @param options the rule
   */
  public rule(options: MetricsAlertRuleOptions): PrometheusAlertingRule {
    const annotations: { [key: string]: string } = {
      summary: options.summary,
      description: options.description,
      runbook: options.runbook,
    };
    if (this.runbookUrl !== undefined) annotations.runbook_url = `${this.runbookUrl}${options.alert.toLowerCase()}`;
    return {
      alert: options.alert,
      expr: options.expr,
      pendingFor: options.pendingFor,
      labels: { ...this.labels, severity: options.severity },
      annotations,
    };
  }

  /** A share in percent as the ratio PromQL compares with (`80` gives `0.8`). */
  public ratio(percent: number): string {
    return String(percent / 100);
  }
}

/** The name of the exporter's container port. */
const PORT_NAME = 'metrics';
const DEFAULT_RESOURCES: ContainerResources = {
  cpu: { request: Cpu.millis(10) },
  memory: { request: Size.mebibytes(32), limit: Size.mebibytes(64) },
};

/** What `EngineMetrics` is made of: the options, the workload, the engine's hooks. */
interface EngineMetricsProps extends MetricsOptions {
  readonly workload: StatefulWorkload;
  readonly exporter: MetricsExporter;
  /** The engine's own rules (`EnginePreset.metricsAlertRules()`). */
  readonly engineRules: (context: MetricsAlertContext) => PrometheusAlertingRule[];
}

/**
 * The metrics of an engine preset, as `EnginePreset.addMetrics()` adds them: the exporter sidecar
 * in every pod (port `metrics`, never a client port), the PodMonitor or the pod annotations that
 * have it scraped, and the PrometheusRule with the store's alerts.
 *
 * @see https://prometheus.io/docs/instrumenting/exporters/
 */
export class EngineMetrics extends Construct {
  /** The name of the exporter's container port in every preset: `metrics`. */
  public static readonly PORT_NAME = PORT_NAME;

  /** @internal */
  public static _create(scope: Construct, id: string, props: EngineMetricsProps): EngineMetrics {
    return new EngineMetrics(scope, id, props);
  }

  /**
   * The TCP port the exporter listens on in every pod (the container port named `metrics`): what a
   * NetworkPolicy opens to the monitoring namespace. Not a client port: consumers and connections
   * never get it.
   */
  public readonly port: number;
  /** The container port's name, `metrics`. */
  public readonly portName: string;
  /** The HTTP path of the metrics, e.g. `/metrics`. */
  public readonly path: string;
  /** The exporter's image. */
  public readonly image: string;
  /** How Prometheus finds the exporters. */
  public readonly scrape: MetricsScrape;
  /** The exporter sidecar. */
  public readonly container: Container;
  /**
   * The PodMonitor, with `MetricsScrape.POD_MONITOR`.
   *
   * @default - none
   */
  public readonly podMonitor?: PodMonitor;
  /**
   * The PrometheusRule with the alerts, unless `prometheusRule` is false.
   *
   * @default - none
   */
  public readonly prometheusRule?: PrometheusRule;
  /** What the rules were written against: matchers and thresholds. */
  public readonly alertContext: MetricsAlertContext;

  private readonly _alertRules: PrometheusAlertingRule[];

  private constructor(scope: Construct, id: string, props: EngineMetricsProps) {
    super(scope, id);
    // the PodMonitor and the PrometheusRule go with their store (Argo CD sync waves)
    declareRole(this, 'dataStore');
    const where = `EngineMetrics '${this.node.path}'`;
    const w = props.workload;
    const exporter = props.exporter;

    // ---- eager checks
    const scrapes = Object.values(MetricsScrape) as string[];
    if (props.scrape !== undefined && !scrapes.includes(props.scrape)) {
      throw fail(where, 'scrape', props.scrape, `Must be one of ${scrapes.map(s => show(s)).join(', ')}`,
        'Use MetricsScrape.POD_MONITOR or MetricsScrape.POD_ANNOTATIONS');
    }
    this.scrape = props.scrape ?? MetricsScrape.POD_MONITOR;
    if (!/^[A-Z][A-Za-z0-9]*$/.test(exporter.alertPrefix ?? '')) {
      throw fail(where, 'metricsExporter().alertPrefix', exporter.alertPrefix, 'Must be PascalCase letters and digits, e.g. "Postgres"',
        'Return the engine\'s name as alert names start with it');
    }
    checkPort(where, 'metricsExporter().port', exporter.port);
    const taken = w._containerPorts().find(p => p.number === exporter.port || p.name === PORT_NAME);
    if (taken) {
      throw fail(where, 'metricsExporter().port', exporter.port,
        `Must be free in the pod: container "${taken.container}" already exposes ${taken.number}${taken.name ? ` (${taken.name})` : ''}`,
        'Give the exporter another port, or rename the container port that is named "metrics"');
    }
    this.path = exporter.path ?? '/metrics';
    if (!/^\/[A-Za-z0-9._~/-]*$/.test(this.path)) {
      throw fail(where, 'metricsExporter().path', this.path, 'Must be an absolute URL path, e.g. "/metrics"', 'Give the path without a scheme, host or query');
    }
    if (props.interval) promDuration(where, 'interval', props.interval);
    throwFirst(where, labelProblems('labels', props.labels));
    const alerts = resolveAlerts(where, props.alerts ?? {});
    const podMonitor = this.scrape === MetricsScrape.POD_MONITOR;
    const renderRule = props.prometheusRule ?? podMonitor;

    // ---- the exporter sidecar
    this.port = exporter.port;
    this.portName = PORT_NAME;
    this.image = engineImage(where, 'image', { ...props.image, registry: props.image?.registry ?? exporter.image.registry },
      exporter.image.repository, exporter.image.tag);
    // a sidecar: the claim templates' mountPath (the data) is not mounted in it
    const containerName = exporter.containerName ?? 'metrics-exporter';
    this.container = w._addSidecar({
      name: containerName,
      image: this.image,
      command: exporter.command,
      args: exporter.args,
      envVariables: exporter.envVariables,
      ports: [{ name: PORT_NAME, number: exporter.port }],
      resources: props.resources ?? exporter.resources ?? DEFAULT_RESOURCES,
      securityContext: { user: exporter.user ?? 65534, group: exporter.group ?? 65534, ensureNonRoot: true },
      volumeMounts: exporter.volumeMounts,
    });

    // ---- scraping
    const labels = { ...w._commonLabels(), ...props.labels };
    if (podMonitor) {
      this.podMonitor = new PodMonitor(this, 'PodMonitor', {
        metadata: { name: w.name, namespace: w.namespaceName, labels },
        matchLabels: w.selectorLabels,
        podMetricsEndpoints: [{ port: PORT_NAME, path: this.path, interval: props.interval }],
      });
    } else {
      const annotations = { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(exporter.port), 'prometheus.io/path': this.path };
      const existing: { [key: string]: string } = w.podMetadata.toJson()?.annotations ?? {};
      for (const [key, value] of Object.entries(annotations)) {
        if (existing[key] !== undefined && existing[key] !== value) {
          throw fail(where, 'scrape', this.scrape, `The pods already carry the annotation ${key}: ${show(existing[key])}, and the exporter needs ${show(value)}`,
            `Remove the annotation ${key} from 'podMetadata', or scrape with MetricsScrape.POD_MONITOR`);
        }
        w.podMetadata.addAnnotation(key, value);
      }
    }

    // ---- alerts: the ones every store shares, then the engine's
    this.alertContext = MetricsAlertContext._create({ ...alerts, alertPrefix: exporter.alertPrefix, workload: w });
    this._alertRules = [
      ...completeRules(this.alertContext, commonAlertRules(this.alertContext, { container: containerName, port: this.port })),
      ...props.engineRules(this.alertContext),
    ];
    if (renderRule) {
      this.prometheusRule = new PrometheusRule(this, 'PrometheusRule', {
        metadata: { name: w.name, namespace: w.namespaceName, labels },
        groups: [{ name: `${w.name}.rules`, rules: this._alertRules }],
      });
    }
  }

  /** Every alerting rule of the store (a copy), rendered or not (`prometheusRule`). */
  public get alertRules(): PrometheusAlertingRule[] {
    return this._alertRules.map(r => ({ ...r, labels: { ...r.labels }, annotations: { ...r.annotations } }));
  }
}

/** The alert options, checked, with their defaults. */
function resolveAlerts(where: string, options: MetricsAlertOptions): Omit<AlertContextProps, 'alertPrefix' | 'workload'> {
  const percent = (prop: keyof MetricsAlertOptions, value: number | undefined, fallback: number): number => {
    const v = value ?? fallback;
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || v >= 100) {
      throw fail(where, `alerts.${prop}`, v, 'Must be a percentage above 0 and below 100', `Set '${prop}' to e.g. ${fallback}`);
    }
    return v;
  };
  const warning = percent('volumeUsageWarningPercent', options.volumeUsageWarningPercent, 80);
  const critical = percent('volumeUsageCriticalPercent', options.volumeUsageCriticalPercent, 95);
  if (critical <= warning) {
    throw fail(where, 'alerts.volumeUsageCriticalPercent', critical,
      `Must be above 'volumeUsageWarningPercent' (${warning}): the warning comes before the critical alert`,
      `Set 'volumeUsageCriticalPercent' above ${warning}, or lower 'volumeUsageWarningPercent'`);
  }
  const restarts = options.restarts ?? 3;
  checkInteger(where, 'alerts.restarts', restarts, 1);
  const restartsWindow = options.restartsWindow ?? Duration.hours(1);
  const windowSeconds = restartsWindow.toSeconds({ integral: false });
  if (!Number.isInteger(windowSeconds / 60) || windowSeconds < 300) {
    throw fail(where, 'alerts.restartsWindow', `${windowSeconds} seconds`,
      'Must be whole minutes, at least 5: the restart counter is scraped every few tens of seconds',
      'Set \'restartsWindow\' to e.g. Duration.hours(1)');
  }
  const replicationLag = options.replicationLag ?? Duration.seconds(30);
  promDuration(where, 'alerts.replicationLag', replicationLag);
  const labels = { ...options.labels };
  checkLabelNames(where, 'alerts.labels', labels);
  for (const reserved of ['severity', 'alertname']) {
    if (labels[reserved] !== undefined) {
      throw fail(where, `alerts.labels["${reserved}"]`, labels[reserved], `The rules set '${reserved}' themselves`,
        `Remove '${reserved}' from 'alerts.labels'`);
    }
  }
  if (options.runbookUrl !== undefined && !/^https?:\/\/[^\s"]+$/.test(options.runbookUrl)) {
    throw fail(where, 'alerts.runbookUrl', options.runbookUrl, 'Must be an http(s) URL without spaces or quotes',
      'Set it to the base URL of your runbooks, e.g. "https://runbooks.example.com/databases/"');
  }
  return {
    volumeUsageWarningPercent: warning,
    volumeUsageCriticalPercent: critical,
    restarts,
    restartsWindow,
    connectionsPercent: percent('connectionsPercent', options.connectionsPercent, 80),
    memoryPercent: percent('memoryPercent', options.memoryPercent, 90),
    replicationLag,
    labels,
    runbookUrl: options.runbookUrl,
  };
}
