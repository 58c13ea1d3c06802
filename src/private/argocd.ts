/** The Argo CD annotation that controls how a resource is synced. */
export const ARGOCD_SYNC_OPTIONS = 'argocd.argoproj.io/sync-options';

/** What keeps a resource when it leaves Git (`Prune=false`) or the app is deleted (`Delete=false`). */
const KEEP = ['Prune=false', 'Delete=false'];

/**
 * The annotations of a resource that holds data: the user's annotations, plus
 * `argocd.argoproj.io/sync-options: Prune=false,Delete=false` unless `protect` is false.
 *
 * Options the user already wrote in that annotation are kept (and win for `Prune` and `Delete`);
 * ours are appended.
 *
 * @see https://argo-cd.readthedocs.io/en/stable/user-guide/sync-options/#no-prune-resources
 */
export function dataAnnotations(annotations: { [key: string]: string } | undefined, protect: boolean): { [key: string]: string } | undefined {
  const result = { ...annotations };
  if (protect) {
    const existing = (result[ARGOCD_SYNC_OPTIONS] ?? '').split(',').map(s => s.trim()).filter(s => s.length > 0);
    const keys = existing.map(s => s.split('=')[0]);
    const added = KEEP.filter(o => !keys.includes(o.split('=')[0]));
    result[ARGOCD_SYNC_OPTIONS] = [...existing, ...added].join(',');
  }
  return Object.keys(result).length > 0 ? result : undefined;
}
