import { imageReference } from '../../src/private/image';

const WHERE = 'SnapshotSchedule \'test/nightly\'';

describe('imageReference', () => {
  test.each([
    ['the official kubectl image', 'registry.k8s.io', 'kubectl', 'v1.29.4', 'registry.k8s.io/kubectl:v1.29.4'],
    ['a registry with a port', 'registry.example.com:5000', 'mirrors/kubectl', 'v1.30.0', 'registry.example.com:5000/mirrors/kubectl:v1.30.0'],
    ['localhost', 'localhost', 'kubectl', '1.29', 'localhost/kubectl:1.29'],
    ['a tag of 128 characters', 'docker.io', 'library/redis', `a${'b'.repeat(127)}`, `docker.io/library/redis:a${'b'.repeat(127)}`],
    ['a tag with "_", "." and "-"', 'docker.io', 'library/postgres', '17.2-bookworm_1', 'docker.io/library/postgres:17.2-bookworm_1'],
  ])('accepts %s', (_name, registry, repository, tag, expected) => {
    expect(imageReference(WHERE, 'image', registry, repository, tag)).toBe(expected);
  });

  test.each([
    ['a scheme in the registry', 'https://registry.k8s.io', 'kubectl', 'v1.29.4', 'image.registry', '"https://registry.k8s.io". Must be a registry host name with an optional port'],
    ['a bare registry name', 'mirror', 'kubectl', 'v1.29.4', 'image.registry', '"mirror". Must contain a "." or a port, or be "localhost"'],
    ['an upper-case repository', 'registry.k8s.io', 'Kubectl', 'v1.29.4', 'image.repository', '"Kubectl". Must be a repository path of lower-case path components'],
    ['a tag in the repository', 'registry.k8s.io', 'kubectl:v1.29.4', 'v1.29.4', 'image.repository', '"kubectl:v1.29.4". Must be a repository path'],
    ['an empty tag', 'registry.k8s.io', 'kubectl', '', 'image.tag', '"". Must be a fixed version tag'],
    ['the tag latest', 'registry.k8s.io', 'kubectl', 'latest', 'image.tag', '"latest". Must be a fixed version tag'],
    ['a tag starting with "-"', 'registry.k8s.io', 'kubectl', '-v1', 'image.tag', '"-v1". Must be a fixed version tag'],
    ['a tag of 129 characters', 'registry.k8s.io', 'kubectl', 'a'.repeat(129), 'image.tag', `"${'a'.repeat(129)}". Must be a fixed version tag`],
    ['a digest as the tag', 'registry.k8s.io', 'kubectl', 'sha256:abc', 'image.tag', '"sha256:abc". Must be a fixed version tag'],
  ])('fails when the image has %s', (_name, registry, repository, tag, prop, message) => {
    expect(() => imageReference(WHERE, 'image', registry, repository, tag)).toThrow(`${WHERE}: invalid '${prop}': ${message}`);
  });

  test('the tag error says what is allowed and how to fix it', () => {
    expect(() => imageReference(WHERE, 'image', 'registry.k8s.io', 'kubectl', 'latest')).toThrow(new Error(
      `${WHERE}: invalid 'image.tag': "latest". Must be a fixed version tag: at most 128 letters, digits, '_', '.' and '-', not starting with '.' or '-', and not "latest". `
      + 'Give the version tag of the image, e.g. "v1.29.4".'));
  });
});
