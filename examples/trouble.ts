import { ApiObject, Chart, ChartProps, JsonPatch, Size } from 'cdk8s';
import { Cpu, Deployment, DeploymentStrategy, FsGroupChangePolicy, ImagePullPolicy } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { EphemeralVolume, PersistentVolumeClaim } from 'cdk8s-stateful';

/**
 * `trouble`: a one-replica troubleshooting toolbox (a cdk8s-plus-27 Deployment) that keeps its
 * files (notes, captures, dumps) in /data on a standalone 1Gi claim `trouble-files`.
 *
 * - the claim is ReadWriteOnce, so the Deployment uses the `Recreate` strategy: a rolling update
 *   would start the new pod while the old one still holds the volume;
 * - Argo CD never prunes the claim (`Prune=false,Delete=false`);
 * - the root file system is read-only; /tmp is a 16Mi memory-backed emptyDir;
 * - the pod meets the restricted profile: cdk8s-plus-27 sets no seccomp profile and drops no
 *   capabilities (and cannot express `drop: [ALL]`), so both are patched in here.
 *
 * A workload with more than one replica should not share a ReadWriteOnce claim: give each replica
 * its own with `StatefulWorkload` and a volume claim template.
 */
export class TroubleExample extends Chart {
  /** The claim `trouble-files`. */
  public readonly claim: PersistentVolumeClaim;
  /** The Deployment `trouble`. */
  public readonly deployment: Deployment;

  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, { namespace: 'tools', ...props });

    this.claim = new PersistentVolumeClaim(this, 'files', {
      metadata: { name: 'trouble-files' },
      storage: Size.gibibytes(1),
    });

    this.deployment = new Deployment(this, 'trouble', {
      metadata: { name: 'trouble' },
      replicas: 1,
      strategy: DeploymentStrategy.recreate(),
      securityContext: { user: 1000, group: 1000, fsGroup: 1000, fsGroupChangePolicy: FsGroupChangePolicy.ON_ROOT_MISMATCH },
      containers: [{
        name: 'toolbox',
        image: 'docker.io/library/busybox:1.36',
        imagePullPolicy: ImagePullPolicy.IF_NOT_PRESENT,
        command: ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 3600 & wait $!; done'],
        workingDir: '/data',
        securityContext: { user: 1000, group: 1000 },
        resources: {
          cpu: { request: Cpu.millis(10) },
          memory: { request: Size.mebibytes(32), limit: Size.mebibytes(128) },
        },
      }],
    });
    this.deployment.containers[0].mount('/data', this.claim);
    // the root file system is read-only: a small RAM-backed /tmp for scratch files
    this.deployment.containers[0].mount('/tmp', EphemeralVolume.memory(this, 'tmp', 'tmp', { sizeLimit: Size.mebibytes(16) }));

    // restricted profile: cdk8s-plus-27 has no setting for a seccomp profile, and its Capability
    // enum has no "ALL" (its names carry the CAP_ prefix, which Kubernetes does not use)
    ApiObject.of(this.deployment).addJsonPatch(
      JsonPatch.add('/spec/template/spec/securityContext/seccompProfile', { type: 'RuntimeDefault' }),
      JsonPatch.add('/spec/template/spec/containers/0/securityContext/capabilities', { drop: ['ALL'] }));
    // calm under Argo CD: cdk8s-plus-27 writes zero values the API server drops (int32 and bool
    // fields with omitempty), so the live Deployment would never equal the rendered one
    ApiObject.of(this.deployment).addJsonPatch(
      JsonPatch.remove('/spec/minReadySeconds'),
      JsonPatch.remove('/spec/template/spec/hostNetwork'));
  }
}
