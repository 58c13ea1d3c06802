import {
  checkReplicationTag,
  renderReplicationInit,
  renderReplicationServer,
  walKeepSizeMegabytes,
} from '../../../src/engines/private/postgres-replication';

const GiB = 1024 ** 3;

describe('the streaming replication engine module', () => {
  test.each([
    [1 * GiB, 102], [10 * GiB, 1024], [100 * GiB, 1024], [100 * 1024 ** 2, 64],
  ])('wal_keep_size of a %p-byte claim is %p MB', (bytes, mb) => {
    expect(walKeepSizeMegabytes(bytes)).toBe(mb);
  });

  test.each(['15.6', '15.10', '16.2', '17.0', '18.1'])('accepts the image tag %p (it has docker-ensure-initdb.sh)', tag => {
    expect(() => checkReplicationTag('w', 'version', tag)).not.toThrow();
  });

  test.each([['15.5', '15.6'], ['16.1', '16.2']])('fails when the image tag is %p (before %p)', (tag, first) => {
    expect(() => checkReplicationTag('w', 'version', tag)).toThrow(`Must be ${first} or later with 'readReplicas' or 'replicationCredentials'`);
  });

  test('the server\'s part: wal_keep_size, the volumes, a readiness probe that knows a standby', () => {
    const server = renderReplicationServer('w', { tag: '17.2', probeDatabase: 'app', storageBytes: 10 * GiB, passwordSecret: { name: 'repl', key: 'pw' } });
    expect(server.args).toEqual(['-c', 'wal_keep_size=1024MB']);
    expect(server.volumes[1]).toEqual({
      name: 'postgres-replication-secret', secret: { secretName: 'repl', items: [{ key: 'pw', path: 'password' }], defaultMode: 0o440 },
    });
    expect(server.serverVolumeMounts).toEqual([{ name: 'postgres-replication', mountPath: '/run/postgres-replication', readOnly: true }]);
    expect(server.readinessProbe.exec.command[2]).toContain('--username="$POSTGRES_USER" --dbname=app');
  });

  test('the init container: the primary first, the peers after it', () => {
    const init = renderReplicationInit('w', { podHosts: ['db-0.db', 'db-1.db', 'db-2.db'], primaryOrdinal: 0, userSecret: { name: 'repl', key: 'user' } });
    expect(init.name).toBe('postgres-replication');
    expect(init.env).toEqual([
      { name: 'POSTGRES_REPLICATION_USER', valueFrom: { secretKeyRef: { name: 'repl', key: 'user' } } },
      { name: 'POSTGRES_PRIMARY_HOST', value: 'db-0.db' },
      { name: 'POSTGRES_PEER_HOSTS', value: 'db-1.db,db-2.db' },
    ]);
    expect(init.command[2]).toContain('if [ "$ordinal" = 0 ]; then');
  });

  test('fails when a pod host is no DNS name', () => {
    expect(() => renderReplicationInit('w', { podHosts: ['db-0.db', 'Bad Host'], primaryOrdinal: 0, userSecret: { name: 'r', key: 'u' } }))
      .toThrow(/invalid 'podHosts': "Bad Host"\. Must be DNS names/);
    expect(() => renderReplicationInit('w', { podHosts: [], primaryOrdinal: 0, userSecret: { name: 'r', key: 'u' } })).toThrow(/Must list the pods/);
  });
});
