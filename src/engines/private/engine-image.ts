import { imageReference } from '../../private/image';
import { fail } from '../../private/validation';
import type { EngineImageOptions } from '../engine-image';

/**
 * The image reference `<registry>/<repository>:<tag>` of a preset, or
 * `<registry>/<repository>:<tag>@<digest>` with a digest, with the registry, repository and
 * digest checked.
 */
export function engineImage(where: string, prop: string, options: EngineImageOptions | undefined, defaultRepository: string, tag: string): string {
  const reference = imageReference(where, prop, options?.registry ?? 'docker.io', options?.repository ?? defaultRepository, tag);
  const digest = options?.digest;
  if (digest !== undefined) checkDigest(where, `${prop}.digest`, digest);
  return `${reference}${digest === undefined ? '' : `@${digest}`}`;
}

const SHA256_DIGEST = /^sha256:[0-9a-f]{64}$/;

/**
 * A digest the container runtime accepts and that pins one image: `sha256:` and 64 lower-case hex
 * characters (the OCI image spec's registered sha256 form; other algorithms are refused, as the
 * official images' registries publish sha256 digests).
 */
function checkDigest(where: string, prop: string, digest: string): void {
  if (typeof digest === 'string' && SHA256_DIGEST.test(digest)) return;
  const allowed = 'Must be a sha256 digest: "sha256:" followed by 64 lower-case hex characters';
  const value = typeof digest === 'string' ? digest : String(digest);
  let fix = 'Copy the digest of the version\'s tag, e.g. from `docker buildx imagetools inspect <image>:<tag>`';
  if (value.startsWith('@')) {
    fix = 'Give the digest without the leading "@": it is added between the tag and the digest';
  } else if (/^[0-9a-fA-F]{64}$/.test(value)) {
    fix = `Add the algorithm: "sha256:${value.toLowerCase()}"`;
  } else if (/^sha256:[0-9A-Fa-f]{64}$/.test(value)) {
    fix = `Write the hex characters in lower case: "${value.toLowerCase()}"`;
  } else if (/^sha256:/.test(value)) {
    const hex = value.slice('sha256:'.length);
    fix = /^[0-9a-fA-F]*$/.test(hex)
      ? `Copy the whole digest: ${hex.length} hex characters given, 64 needed`
      : 'Copy the digest exactly: only the characters 0-9 and a-f follow "sha256:"';
  } else if (/[/@]/.test(value)) {
    fix = 'Give only the digest, not an image reference: the registry, repository and tag come from the other options';
  } else if (/^[a-z0-9]+([+._-][a-z0-9]+)*:[0-9a-fA-F]+$/.test(value)) {
    fix = 'Use the image\'s sha256 digest (`docker buildx imagetools inspect <image>:<tag>` prints it)';
  }
  throw fail(where, prop, digest, allowed, fix);
}
