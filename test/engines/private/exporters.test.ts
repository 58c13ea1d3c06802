import {
  POSTGRES_EXPORTER_IMAGE,
  POSTGRES_EXPORTER_PORT,
  REDIS_EXPORTER_IMAGE,
  REDIS_EXPORTER_PORT,
  renderPostgresExporter,
  renderRedisExporter,
} from '../../../src/engines/private/exporters';

describe('exporters', () => {
  test('the pinned images are fully qualified and tagged with a release', () => {
    for (const image of [POSTGRES_EXPORTER_IMAGE, REDIS_EXPORTER_IMAGE]) {
      expect(image.registry).toMatch(/\./);
      expect(image.tag).toMatch(/^v[0-9]+\.[0-9]+\.[0-9]+$/);
    }
    expect(POSTGRES_EXPORTER_IMAGE).toEqual({ registry: 'quay.io', repository: 'prometheuscommunity/postgres-exporter', tag: 'v0.20.1' });
    expect(REDIS_EXPORTER_IMAGE).toEqual({ registry: 'docker.io', repository: 'oliver006/redis_exporter', tag: 'v1.88.0' });
  });

  test('postgres_exporter: the server on the loopback, the user by reference, the password as a file', () => {
    expect(renderPostgresExporter({ serverPort: 5433, userSecret: { name: 'creds', key: 'user' }, passwordFile: '/run/secrets/postgres/password' })).toEqual({
      port: POSTGRES_EXPORTER_PORT,
      user: 65534,
      args: ['--web.listen-address=:9187'],
      env: [
        { name: 'DATA_SOURCE_URI', value: '127.0.0.1:5433/postgres?sslmode=disable' },
        { name: 'DATA_SOURCE_USER', valueFrom: { secretKeyRef: { name: 'creds', key: 'user' } } },
        { name: 'DATA_SOURCE_PASS_FILE', value: '/run/secrets/postgres/password' },
      ],
    });
  });

  test('redis_exporter: the server on the loopback, the password by reference only, the /scrape endpoint off', () => {
    expect(renderRedisExporter({ serverPort: 6380, password: { name: 'auth', key: 'password' } })).toEqual({
      port: REDIS_EXPORTER_PORT,
      user: 59000,
      args: ['--web.listen-address=:9121'],
      env: [
        { name: 'REDIS_ADDR', value: 'redis://127.0.0.1:6380' },
        { name: 'REDIS_PASSWORD', valueFrom: { secretKeyRef: { name: 'auth', key: 'password' } } },
        { name: 'REDIS_EXPORTER_DISABLE_SCRAPE_ENDPOINT', value: 'true' },
      ],
    });
    expect(renderRedisExporter({ serverPort: 6379 }).env.map(e => e.name)).toEqual(['REDIS_ADDR', 'REDIS_EXPORTER_DISABLE_SCRAPE_ENDPOINT']);
  });
});
