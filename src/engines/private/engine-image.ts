import { imageReference } from '../../private/image';
import type { EngineImageOptions } from '../engine-image';

/**
 * The image reference `<registry>/<repository>:<tag>` of a preset, with the registry and
 * repository checked.
 */
export function engineImage(where: string, prop: string, options: EngineImageOptions | undefined, defaultRepository: string, tag: string): string {
  return imageReference(where, prop, options?.registry ?? 'docker.io', options?.repository ?? defaultRepository, tag);
}
