import { fail } from '../../private/validation';
import type { EngineImageOptions } from '../engine-image';

/**
 * The image reference `<registry>/<repository>:<tag>` of a preset, with the registry and
 * repository checked.
 */
export function engineImage(where: string, prop: string, options: EngineImageOptions | undefined, defaultRepository: string, tag: string): string {
  const registry = options?.registry ?? 'docker.io';
  const repository = options?.repository ?? defaultRepository;
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
  return `${registry}/${repository}:${tag}`;
}
