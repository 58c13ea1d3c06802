/**
 * Label selection as the API server and network plugins read it, for the checks of
 * `NetworkPolicies` (which pods a selector would also pick).
 */

/** The label the API server puts on every Namespace: its name (Kubernetes 1.22+). */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** The label the Job controller puts on every pod of a Job: the Job's name. */
export const JOB_NAME_LABEL = 'job-name';

/** Labels with their keys in order, so the manifest does not depend on the caller's order. */
export function sorted(labels: { [key: string]: string }): { [key: string]: string } {
  return Object.fromEntries(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Whether pods with `labels` match `matchLabels` (every key with its value). */
export function matchesLabels(matchLabels: { [key: string]: string }, labels: { [key: string]: string }): boolean {
  return Object.entries(matchLabels).every(([k, v]) => labels[k] === v);
}
