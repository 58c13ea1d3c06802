/** Label the StatefulSet controller puts on every pod: its pod name. */
export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';

/** The value of `app.kubernetes.io/managed-by` on everything this library renders. */
export const MANAGED_BY = 'cdk8s-stateful';
