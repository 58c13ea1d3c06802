import { CLAIM_TEMPLATE_LABEL, ORDINAL_LABEL, SCHEDULE_LABEL, SNAPSHOT_API_VERSION, WORKLOAD_LABEL } from './labels';
import { MANAGED_BY } from '../../private/labels';

/**
 * The script a `SnapshotSchedule`'s CronJob runs with bash in the kubectl image. It reads its
 * configuration from the container's environment (set by the construct, visible in `kubectl
 * describe`):
 *
 * - `NAMESPACE`: the pod's namespace (downward API), where the claims and snapshots are;
 * - `WORKLOAD`: the StatefulSet name; `CLAIM_TEMPLATES` and `ORDINALS`: space-separated claim
 *   template names and replica ordinals, whose claims `<template>-<WORKLOAD>-<ordinal>` are
 *   snapshotted;
 * - `SCHEDULE`: the schedule's name, in the snapshots' names and labels;
 * - `SNAPSHOT_CLASS`: the VolumeSnapshotClass; `RETAIN`: how many snapshots of each claim to keep;
 * - `READY_TIMEOUT_SECONDS`: how long to wait, in all, for the new snapshots to be ready to use.
 *
 * What it does:
 *
 * 1. for every claim, checks the claim exists and creates a VolumeSnapshot
 *    `<claim>-<SCHEDULE>-<UTC yyyymmddhhmmss>`, labelled with the workload, claim template,
 *    ordinal and schedule, so the snapshots of one claim taken by one schedule are selectable and
 *    their names sort by time; all claims first, so the replicas' snapshots are close in time;
 * 2. for every snapshot created, waits until it is ready to use, then deletes the oldest
 *    snapshots of that claim and schedule beyond `RETAIN`. A snapshot that does not become ready
 *    in time prunes nothing: the older ones are kept.
 *
 * Every failure (a missing claim, a refused create, a snapshot not ready in time, a failed list
 * or delete) is reported on stderr, the remaining claims are still handled, and the script exits
 * 1 at the end, which fails the Job.
 *
 * Proven by running it against a stub kubectl (test/backup/snapshot-schedule-script.test.ts).
 * Uses bash, date, sed, sort and GNU head (`head -n -N`), all in registry.k8s.io/kubectl since
 * v1.29 (debian-base with bash and coreutils).
 */
export const SNAPSHOT_SCRIPT = `set -uo pipefail
# every setting must be there (set -u stops here otherwise), and RETAIN a whole number of at least 1
: "$NAMESPACE" "$WORKLOAD" "$CLAIM_TEMPLATES" "$ORDINALS" "$SCHEDULE" "$SNAPSHOT_CLASS" "$RETAIN" "$READY_TIMEOUT_SECONDS"
case "$RETAIN" in
  ''|*[!0-9]*|0*) echo "error: RETAIN must be a whole number of at least 1, not '$RETAIN'" >&2; exit 1 ;;
esac
stamp="$(date -u +%Y%m%d%H%M%S)"
deadline=$(( $(date -u +%s) + READY_TIMEOUT_SECONDS ))
failed=0
taken=""

# 1. a snapshot of every claim, all taken at about the same time
for template in $CLAIM_TEMPLATES; do
  for ordinal in $ORDINALS; do
    claim="$template-$WORKLOAD-$ordinal"
    name="$claim-$SCHEDULE-$stamp"
    if ! kubectl get persistentvolumeclaim "$claim" --namespace "$NAMESPACE" --output name >/dev/null; then
      echo "error: claim $claim not found in namespace $NAMESPACE: no snapshot of it" >&2
      failed=1
      continue
    fi
    if printf '{"apiVersion":"${SNAPSHOT_API_VERSION}","kind":"VolumeSnapshot","metadata":{"name":"%s","labels":{"app.kubernetes.io/managed-by":"${MANAGED_BY}","${WORKLOAD_LABEL}":"%s","${CLAIM_TEMPLATE_LABEL}":"%s","${ORDINAL_LABEL}":"%s","${SCHEDULE_LABEL}":"%s"}},"spec":{"volumeSnapshotClassName":"%s","source":{"persistentVolumeClaimName":"%s"}}}\\n' \\
        "$name" "$WORKLOAD" "$template" "$ordinal" "$SCHEDULE" "$SNAPSHOT_CLASS" "$claim" \\
        | kubectl create --namespace "$NAMESPACE" --filename -; then
      taken="$taken $template:$ordinal:$name"
    else
      echo "error: could not create snapshot $name of claim $claim" >&2
      failed=1
    fi
  done
done

# 2. once a claim's new snapshot is ready, keep the newest $RETAIN snapshots of the claim by this schedule
for entry in $taken; do
  IFS=: read -r template ordinal name <<< "$entry"
  claim="$template-$WORKLOAD-$ordinal"
  remaining=$(( deadline - $(date -u +%s) ))
  if [ "$remaining" -lt 0 ]; then remaining=0; fi
  if ! kubectl wait "volumesnapshot/$name" --namespace "$NAMESPACE" --for=jsonpath='{.status.readyToUse}'=true --timeout="$remaining"s; then
    echo "error: snapshot $name of claim $claim is not ready to use: its older snapshots are kept" >&2
    failed=1
    continue
  fi
  selector="${SCHEDULE_LABEL}=$SCHEDULE,${WORKLOAD_LABEL}=$WORKLOAD,${CLAIM_TEMPLATE_LABEL}=$template,${ORDINAL_LABEL}=$ordinal"
  if ! listed="$(kubectl get volumesnapshots --namespace "$NAMESPACE" --selector "$selector" --output name)"; then
    echo "error: could not list the snapshots of claim $claim" >&2
    failed=1
    continue
  fi
  # oldest first: the names differ only in the UTC time they end in
  stale="$(printf '%s\\n' "$listed" | sed -e 's|^.*/||' -e '/^$/d' | LC_ALL=C sort | head -n "-$RETAIN")"
  if [ -n "$stale" ]; then
    # shellcheck disable=SC2086 # one argument per name
    if ! kubectl delete volumesnapshot $stale --namespace "$NAMESPACE" --wait=false; then
      echo "error: could not delete the old snapshots of claim $claim" >&2
      failed=1
    fi
  fi
done
exit "$failed"
`;
