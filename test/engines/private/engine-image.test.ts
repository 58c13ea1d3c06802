import { engineImage } from '../../../src/engines/private/engine-image';

const WHERE = "Redis 'test/cache'";
const DIGEST = `sha256:${'9f86d081884c7d65'.repeat(4)}`;
const image = (digest: unknown) => engineImage(WHERE, 'image', { digest: digest as string }, 'library/redis', '7.2.16');

describe('engineImage', () => {
  test('registry/repository:tag, by default docker.io and the engine\'s repository', () => {
    expect(engineImage(WHERE, 'image', undefined, 'library/redis', '7.2.16')).toBe('docker.io/library/redis:7.2.16');
    expect(engineImage(WHERE, 'image', { registry: 'mirror.gcr.io' }, 'valkey/valkey', '8.1.11')).toBe('mirror.gcr.io/valkey/valkey:8.1.11');
  });

  test('a digest is added after the tag: the tag stays readable, the runtime pulls the digest', () => {
    expect(image(DIGEST)).toBe(`docker.io/library/redis:7.2.16@${DIGEST}`);
    expect(engineImage(WHERE, 'image', { registry: 'registry.example.com:5000', repository: 'mirrors/redis', digest: DIGEST }, 'library/redis', '7.2.16-bookworm'))
      .toBe(`registry.example.com:5000/mirrors/redis:7.2.16-bookworm@${DIGEST}`);
  });

  const allowed = 'Must be a sha256 digest: "sha256:" followed by 64 lower-case hex characters';
  const hex = '9f86d081884c7d65'.repeat(4);
  test.each<[string, unknown, string]>([
    ['it starts with "@"', `@${DIGEST}`, 'Give the digest without the leading "@": it is added between the tag and the digest'],
    ['the algorithm is missing', hex, `Add the algorithm: "sha256:${hex}"`],
    ['the algorithm is missing and the hex is upper case', hex.toUpperCase(), `Add the algorithm: "sha256:${hex}"`],
    ['the hex is upper case', `sha256:${hex.toUpperCase()}`, `Write the hex characters in lower case: "sha256:${hex}"`],
    ['it is truncated', 'sha256:9f86d08', 'Copy the whole digest: 7 hex characters given, 64 needed'],
    ['it is too long', `sha256:${hex}0`, 'Copy the whole digest: 65 hex characters given, 64 needed'],
    ['it is empty after the algorithm', 'sha256:', 'Copy the whole digest: 0 hex characters given, 64 needed'],
    ['it holds other characters', `sha256:${hex.slice(0, 63)}g`, 'Copy the digest exactly: only the characters 0-9 and a-f follow "sha256:"'],
    ['it is an image reference', `docker.io/library/redis@${DIGEST}`,
      'Give only the digest, not an image reference: the registry, repository and tag come from the other options'],
    ['it is another algorithm', `sha512:${hex}${hex}`, 'Use the image\'s sha256 digest (`docker buildx imagetools inspect <image>:<tag>` prints it)'],
    ['it is empty', '', 'Copy the digest of the version\'s tag, e.g. from `docker buildx imagetools inspect <image>:<tag>`'],
    ['it is a tag', 'latest', 'Copy the digest of the version\'s tag, e.g. from `docker buildx imagetools inspect <image>:<tag>`'],
  ])('fails when the digest %s', (_name, digest, fix) => {
    expect(() => image(digest)).toThrow(new Error(`${WHERE}: invalid 'image.digest': ${JSON.stringify(digest)}. ${allowed}. ${fix}.`));
  });

  test('fails when the digest is not a string', () => {
    expect(() => image(42)).toThrow(new Error(`${WHERE}: invalid 'image.digest': 42. ${allowed}. Copy the digest of the version's tag, e.g. from \`docker buildx imagetools inspect <image>:<tag>\`.`));
  });

  test('the prop name comes from the caller', () => {
    expect(() => engineImage("Postgres 'x'", 'engine.image', { digest: 'x' }, 'library/postgres', '17.11')).toThrow(/^Postgres 'x': invalid 'engine\.image\.digest': "x"\./);
  });
});
