import { checkImageDigest, imageReference } from '../../private/image';
import type { EngineImageOptions } from '../engine-image';

/**
 * The image reference `<registry>/<repository>:<tag>` of a preset, or
 * `<registry>/<repository>:<tag>@<digest>` with a digest, with the registry, repository and
 * digest checked.
 */
export function engineImage(where: string, prop: string, options: EngineImageOptions | undefined, defaultRepository: string, tag: string): string {
  const reference = imageReference(where, prop, options?.registry ?? 'docker.io', options?.repository ?? defaultRepository, tag);
  const digest = options?.digest;
  return digest === undefined ? reference : `${reference}@${checkImageDigest(where, `${prop}.digest`, digest)}`;
}
