import { fail } from './validation';

/**
 * A pinned, fully qualified image reference `<registry>/<repository>:<tag>`, with each part
 * checked: the registry a host name (with an optional port) that the container runtime reads as a
 * registry, the repository lower-case path components, the tag a Docker tag.
 *
 * Shared by the engine presets (`EngineImageOptions`) and the kubectl image of
 * `SnapshotSchedule` (`KubectlImageOptions`).
 *
 * @param where who complains
 * @param prop the prop of the image options, e.g. `image`
 * @see https://kubernetes.io/docs/concepts/containers/images/#image-names
 */
export function imageReference(where: string, prop: string, registry: string, repository: string, tag: string): string {
  if (!/^[a-zA-Z0-9]([a-zA-Z0-9.-]*[a-zA-Z0-9])?(:[0-9]{1,5})?$/.test(registry)) {
    throw fail(where, `${prop}.registry`, registry, 'Must be a registry host name with an optional port, e.g. "registry.example.com:5000"',
      'Give the host only, without a scheme or a path');
  }
  // a first component without '.' or ':' (other than localhost) is a Docker Hub namespace to the
  // container runtime: "mirror/library/postgres" is pulled from docker.io/mirror/library/postgres
  if (!/[.:]/.test(registry) && registry !== 'localhost') {
    throw fail(where, `${prop}.registry`, registry,
      'Must contain a "." or a port, or be "localhost": the container runtime reads a bare name as a Docker Hub namespace, not a registry',
      'Give the registry\'s full host name, e.g. "registry.example.com", or add its port');
  }
  if (!/^[a-z0-9]+([._-][a-z0-9]+)*(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/.test(repository)) {
    throw fail(where, `${prop}.repository`, repository, 'Must be a repository path of lower-case path components, e.g. "library/postgres"',
      'Give the path without the registry and without a tag');
  }
  // a Docker tag: at most 128 word characters, '.' and '-', not starting with '.' or '-'
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(tag) || tag === 'latest') {
    throw fail(where, `${prop}.tag`, tag, 'Must be a fixed version tag: at most 128 letters, digits, \'_\', \'.\' and \'-\', not starting with \'.\' or \'-\', and not "latest"',
      'Give the version tag of the image, e.g. "v1.29.4"');
  }
  return `${registry}/${repository}:${tag}`;
}

const SHA256_DIGEST = /^sha256:[0-9a-f]{64}$/;

/**
 * A digest the container runtime accepts and that pins one image: `sha256:` and 64 lower-case hex
 * characters (the OCI image spec's registered sha256 form; other algorithms are refused, as the
 * official images' registries publish sha256 digests). Returns it; the error names what is wrong.
 *
 * @param where who complains
 * @param prop the prop holding the digest, e.g. `image.digest`
 * @see https://github.com/opencontainers/image-spec/blob/main/descriptor.md#digests
 */
export function checkImageDigest(where: string, prop: string, digest: string): string {
  if (typeof digest === 'string' && SHA256_DIGEST.test(digest)) return digest;
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
