/**
 * The labels on every VolumeSnapshot this library renders or its schedules create: they make the
 * snapshots of one workload, claim template, ordinal and schedule selectable (`kubectl get
 * volumesnapshots -l ...`), which is how a schedule finds the snapshots it prunes.
 *
 * No `app.kubernetes.io/instance` label on snapshots a CronJob creates: Argo CD's label tracking
 * (its default before 3.0) would take them for resources of the application named like the
 * StatefulSet and prune them as missing from Git.
 */

/** The StatefulSet whose claim the snapshot is of. */
export const WORKLOAD_LABEL = 'cdk8s-stateful/workload';
/** The claim template (the `<claim>` of `<claim>-<statefulset>-<ordinal>`). */
export const CLAIM_TEMPLATE_LABEL = 'cdk8s-stateful/claim-template';
/** The replica's ordinal. */
export const ORDINAL_LABEL = 'cdk8s-stateful/ordinal';
/** The name of a one-off snapshot (`WorkloadSnapshot`). */
export const SNAPSHOT_LABEL = 'cdk8s-stateful/snapshot';
/** The name of the schedule that took the snapshot (`SnapshotSchedule`). */
export const SCHEDULE_LABEL = 'cdk8s-stateful/snapshot-schedule';

/** The API version of VolumeSnapshot and VolumeSnapshotClass. */
export const SNAPSHOT_API_VERSION = 'snapshot.storage.k8s.io/v1';
/** The API group of VolumeSnapshot, as a claim's data source names it. */
export const SNAPSHOT_API_GROUP = 'snapshot.storage.k8s.io';
