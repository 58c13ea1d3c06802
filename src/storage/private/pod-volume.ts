import { Volume, k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';

type VolumeConstructor = new (scope: Construct, id: string, name: string, config: Omit<k8s.Volume, 'name'>) => Volume;

/**
 * Makes a cdk8s-plus-27 `Volume` of any volume source (e.g. `ephemeral`, which cdk8s-plus-27 has
 * no factory for), so it works everywhere a `Volume` does: `container.mount()`,
 * `StatefulWorkload.addVolume()`, cdk8s-plus workloads.
 *
 * `Volume`'s constructor is private in its TypeScript declaration only; at runtime it is
 * `constructor(scope, id, name, config)` and `_toKube()` renders `{ name, ...config }`, which is
 * what every factory of cdk8s-plus-27 2.x uses. test/ephemeral-volume.test.ts pins this, so a
 * cdk8s-plus upgrade that changes it fails there first.
 */
export function podVolume(scope: Construct, id: string, name: string, config: Omit<k8s.Volume, 'name'>): Volume {
  const ctor = Volume as unknown as VolumeConstructor;
  return new ctor(scope, id, name, config);
}
