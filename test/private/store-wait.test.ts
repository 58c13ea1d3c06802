import { Duration } from 'cdk8s';
import { resolveWait, WAIT_IMAGE, WAIT_USER, waitScript } from '../../src/private/store-wait';

const WHERE = "DataStoreConnection 'test/conn'";

describe('resolveWait', () => {
  test('defaults: the pinned busybox, 5 minutes', () => {
    expect(resolveWait(WHERE, 'waitForStore', {})).toEqual({ image: 'docker.io/library/busybox:1.36.1', timeoutSeconds: 300 });
    expect(WAIT_IMAGE).toMatch(/^docker\.io\/library\/busybox:\d+\.\d+\.\d+$/);
    expect(WAIT_USER).toBe(65534);
  });

  test('what is given', () => {
    expect(resolveWait(WHERE, 'w', { image: 'mirror.example.com/busybox@sha256:' + 'a'.repeat(64), timeout: Duration.seconds(1) }))
      .toEqual({ image: 'mirror.example.com/busybox@sha256:' + 'a'.repeat(64), timeoutSeconds: 1 });
  });

  test.each<[string, any, string]>([
    ['an empty image', { image: '' }, "invalid 'w.image': \"\""],
    ['no time at all', { timeout: Duration.seconds(0) }, "invalid 'w.timeout': \"0 seconds\". Must be a whole number of seconds, at least 1."],
    ['a tag that moves', { image: 'docker.io/library/busybox:latest' }, "invalid 'w.image': \"docker.io/library/busybox:latest\". Must be pinned to a version tag other than \"latest\", or a digest: the wait runs in every consumer's pod. Give a tag or a digest, e.g. \"docker.io/library/busybox:1.36.1\"."],
    ['no tag', { image: 'mirror.example.com/busybox' }, "invalid 'w.image': \"mirror.example.com/busybox\". Must be pinned"],
  ])('fails on %s, naming the prop', (_name, options, message) => {
    expect(() => resolveWait(WHERE, 'w', options)).toThrow(`${WHERE}: ${message}`);
  });
});

describe('waitScript', () => {
  const script = waitScript({
    store: 'user-db (USER_DB)', hostVariable: 'USER_DB_SERVICE_HOST', portVariable: 'USER_DB_SERVICE_PORT', configMapName: 'user-db-connection', timeoutSeconds: 90,
  });

  test('reads the address from STORE_HOST and STORE_PORT, bounded by the timeout', () => {
    expect(script.split('\n')).toEqual([
      'deadline=$(( $(date +%s) + 90 ))',
      'echo "cdk8s-stateful: waiting for user-db (USER_DB) at $STORE_HOST:$STORE_PORT (USER_DB_SERVICE_HOST, USER_DB_SERVICE_PORT of ConfigMap user-db-connection), up to 90 seconds"',
      'until nc -w 2 "$STORE_HOST" "$STORE_PORT" -e true 2>/dev/null; do',
      '  if [ "$(date +%s)" -ge "$deadline" ]; then',
      '    echo "cdk8s-stateful: gave up waiting for user-db (USER_DB) at $STORE_HOST:$STORE_PORT: no TCP connection within 90 seconds. '
      + 'Check that the store runs and that its Service has ready endpoints; the kubelet retries this container" >&2',
      '    exit 1',
      '  fi',
      '  sleep 2',
      'done',
      'echo "cdk8s-stateful: user-db (USER_DB) at $STORE_HOST:$STORE_PORT accepts connections"',
    ]);
  });
});
