import { Chart, ChartProps, Size } from 'cdk8s';
import { Cpu, Deployment, DeploymentStrategy } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { EphemeralVolume, VolumeClaim, PodDefaults } from 'cdk8s-stateful';

/**
 * `trouble`: a one-replica troubleshooting toolbox (a cdk8s-plus-27 Deployment) that keeps its
 * files (notes, captures, dumps) in /data on a standalone 1Gi claim `trouble-files`.
 *
 * - the claim is ReadWriteOnce, so the Deployment uses the `Recreate` strategy: a rolling update
 *   would start the new pod while the old one still holds the volume;
 * - Argo CD never prunes the claim (`Prune=false,Delete=false`);
 * - the root file system is read-only; /tmp is a 16Mi memory-backed emptyDir;
 * - the pod meets the restricted profile: cdk8s-plus-27 sets no seccomp profile and drops no
 *   capabilities (and cannot express `drop: [ALL]`), so `PodDefaults.harden()` adds both, with
 *   the library's other pod defaults (IfNotPresent, fsGroup 1000, no service account token).
 *
 * A workload with more than one replica should not share a ReadWriteOnce claim: give each replica
 * its own with `StatefulWorkload` and a volume claim template.
 */
export class TroubleExample extends Chart {
  /** The claim `trouble-files`. */
  public readonly claim: VolumeClaim;
  /** The Deployment `trouble`. */
  public readonly deployment: Deployment;

  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, { namespace: 'tools', ...props });

    this.claim = new VolumeClaim(this, 'files', {
      metadata: { name: 'trouble-files' },
      storage: Size.gibibytes(1),
    });

    this.deployment = new Deployment(this, 'trouble', {
      metadata: { name: 'trouble' },
      replicas: 1,
      strategy: DeploymentStrategy.recreate(),
      securityContext: { user: 1000, group: 1000 }, // fsGroup 1000 (OnRootMismatch) comes from PodDefaults
      containers: [{
        name: 'toolbox',
        image: 'docker.io/library/busybox:1.36',
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

    // restricted profile: seccomp RuntimeDefault and capabilities drop [ALL], which cdk8s-plus-27
    // cannot express, plus this library's other pod defaults
    PodDefaults.harden(this.deployment);
  }
}
