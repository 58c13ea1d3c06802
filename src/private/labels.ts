/** Label the StatefulSet controller puts on every pod: its pod name. */
export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';

/** The value of `app.kubernetes.io/managed-by` on everything this library renders. */
export const MANAGED_BY = 'cdk8s-stateful';

/**
 * The annotations that mark a StorageClass as the cluster's default when their value is `"true"`:
 * the GA one and the beta one, which the API server's DefaultStorageClass admission still honours.
 *
 * @see https://kubernetes.io/docs/tasks/administer-cluster/change-default-storage-class/
 */
export const DEFAULT_CLASS_ANNOTATIONS = ['storageclass.kubernetes.io/is-default-class', 'storageclass.beta.kubernetes.io/is-default-class'];

/**
 * Annotations the presets put on what they render for failover, which the upgrade guard reads
 * (src/gitops/private/upgrade-rules.ts, "Failover"): on a Redis/Valkey data StatefulSet under
 * Sentinel, the sentinels' StatefulSet and the quorum; on the sentinels' StatefulSet, the data
 * StatefulSet it watches; on a Postgres StatefulSet with streaming replication, `streaming`.
 */
export const SENTINEL_ANNOTATION = 'cdk8s-stateful/sentinel';
export const SENTINEL_QUORUM_ANNOTATION = 'cdk8s-stateful/sentinel-quorum';
export const SENTINEL_FOR_ANNOTATION = 'cdk8s-stateful/sentinel-for';
export const REPLICATION_ANNOTATION = 'cdk8s-stateful/replication';
