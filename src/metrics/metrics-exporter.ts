import { ContainerResources, EnvValue, VolumeMount } from 'cdk8s-plus-27';

/**
 * The image of an exporter by its parts, so that a mirror can replace the registry and the
 * repository while the tag stays the one the library verified.
 *
 * @see https://kubernetes.io/docs/concepts/containers/images/#image-names
 */
export interface MetricsExporterImage {
  /**
   * The registry host, e.g. `quay.io` or `docker.io`.
   *
   * @see https://kubernetes.io/docs/concepts/containers/images/#image-names
   */
  readonly registry: string;

  /**
   * The repository in the registry, e.g. `prometheuscommunity/postgres-exporter`.
   */
  readonly repository: string;

  /**
   * The pinned tag, e.g. `v0.20.1`.
   */
  readonly tag: string;
}

/**
 * How an engine exposes Prometheus metrics: the exporter sidecar an engine preset's
 * `EnginePreset.metricsExporter()` hook returns, and `EnginePreset.addMetrics()` adds to the pods
 * (with the library's restricted container defaults) and scrapes.
 *
 * The exporter runs in the server's pod and reaches it over the pod's loopback. Hand it secrets
 * as files (`volumeMounts`) or `EnvValue.fromSecretValue()`, never as literal values or arguments.
 *
 * @see https://prometheus.io/docs/instrumenting/exporters/
 */
export interface MetricsExporter {
  /**
   * The engine's name as alert names start with it: PascalCase letters and digits, e.g. `Postgres`
   * (`PostgresExporterDown`, `PostgresVolumeFillingUp`, ...).
   *
   * @see https://prometheus.io/docs/practices/naming/
   */
  readonly alertPrefix: string;

  /**
   * The sidecar container's name.
   *
   * @default "metrics-exporter"
   */
  readonly containerName?: string;

  /**
   * The exporter's image. `MetricsOptions.image` replaces its registry and repository.
   *
   * @see https://kubernetes.io/docs/concepts/containers/images/
   */
  readonly image: MetricsExporterImage;

  /**
   * The TCP port the exporter listens on, in every pod: the container port named `metrics`. It
   * must differ from the server's ports.
   *
   * @see https://github.com/prometheus/prometheus/wiki/Default-port-allocations
   */
  readonly port: number;

  /**
   * The HTTP path of the metrics.
   *
   * @default "/metrics"
   */
  readonly path?: string;

  /**
   * The container's command (its entrypoint).
   *
   * @default - the image's entrypoint
   */
  readonly command?: string[];

  /**
   * The container's arguments. Never a secret: arguments are visible in the manifest and in the
   * process list.
   *
   * @default - none
   */
  readonly args?: string[];

  /**
   * Environment variables of the container.
   *
   * @see https://kubernetes.io/docs/tasks/inject-data-application/define-environment-variable-container/
   * @default - none
   */
  readonly envVariables?: { [name: string]: EnvValue };

  /**
   * Volumes the container mounts, e.g. the credentials Secret as files. The workload's claim
   * templates (the data) are not mounted in the exporter, whatever their `mountPath`.
   *
   * @see https://kubernetes.io/docs/concepts/storage/volumes/#secret
   * @default - none
   */
  readonly volumeMounts?: VolumeMount[];

  /**
   * The user id the exporter runs as (`runAsUser`). Stated, so the kubelet can check
   * `runAsNonRoot` also for images whose user is a name (`USER nobody`).
   *
   * @see https://kubernetes.io/docs/tasks/configure-pod-container/security-context/
   * @default 65534
   */
  readonly user?: number;

  /**
   * The group id the exporter runs as (`runAsGroup`); the pod's `fsGroup` is a supplementary
   * group besides it, so it reads Secret files of mode 0440.
   *
   * @see https://kubernetes.io/docs/tasks/configure-pod-container/security-context/
   * @default 65534
   */
  readonly group?: number;

  /**
   * The exporter's resources. `MetricsOptions.resources` overrides them.
   *
   * @see https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/
   * @default - a CPU request of 10m, a memory request of 32Mi and a memory limit of 64Mi, no CPU limit
   */
  readonly resources?: ContainerResources;
}
