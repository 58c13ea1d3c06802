import { ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { checkIdentity, checkPath, memoryBytes, NameWaitOptions, podDnsName, propName, renderNameWait, showBytes } from '../../../src/engines/private/common';
import { PodNetwork } from '../../util/pod-network';

const WHERE = "Redis 'test/cache'";

describe('podDnsName', () => {
  test('with a namespace: the full name through the headless Service', () => {
    expect(podDnsName({ statefulSetName: 'db', serviceName: 'db-hl', namespace: 'shop' }, 3)).toBe('db-3.db-hl.shop.svc.cluster.local');
    expect(podDnsName({ statefulSetName: 'db', serviceName: 'db', namespace: 'shop', clusterDomain: 'corp.internal' }, 0))
      .toBe('db-0.db.shop.svc.corp.internal');
  });

  test('without a namespace: the short form, which resolves from the same namespace', () => {
    expect(podDnsName({ statefulSetName: 'db', serviceName: 'db', clusterDomain: 'corp.internal' }, 1)).toBe('db-1.db');
  });
});

describe('checkIdentity', () => {
  test('defaults', () => {
    expect(checkIdentity(WHERE, { statefulSetName: 'db', serviceName: 'db' }, {})).toEqual({ startOrdinal: 0, clusterDomain: 'cluster.local' });
  });

  test('fails on a StatefulSet name longer than 52 characters', () => {
    expect(() => checkIdentity(WHERE, { statefulSetName: 'a'.repeat(53), serviceName: 'db' }, { statefulSetName: 'metadata.name' }))
      .toThrow(/invalid 'metadata.name': "a{53}"\. Must be a DNS-1123 label of at most 52 characters \(the revision hash label/);
  });
});

describe('memoryBytes', () => {
  test.each<[string | number, number]>([['512Mi', 512 * 1024 ** 2], ['1G', 1e9], ['1.5Gi', 1.5 * 1024 ** 3], [1000, 1000], ['1e3', 1000]])(
    '%p is %d bytes', (value, bytes) => {
      expect(memoryBytes(WHERE, 'memoryLimit', value)).toBe(bytes);
    });

  test.each<[string | number]>([['0'], [-1], ['1GB'], ['lots'], [Number.NaN]])('fails on %p', value => {
    expect(() => memoryBytes(WHERE, 'resources.memory', value)).toThrow(
      /invalid 'resources\.memory': .*\. Must be a positive Kubernetes quantity such as "512Mi" or "2Gi", or a number of bytes\. Set 'resources\.memory' to/);
  });
});

test.each<[number, string]>([
  [1024 ** 3, '1Gi'],
  [1.5 * 1024 ** 3, '1.5Gi'],
  [1280 * 1024 ** 2, '1280Mi'],
  [64 * 1024 ** 2, '64Mi'],
  [1.5 * 1024 ** 2, '1.5Mi'],
  [512 * 1024 ** 2, '512Mi'], // half a GiB: below 1Gi, so in Mi
  [1024 ** 2, '1Mi'], // exactly 1 MiB: a whole number of MiB
  [1024 ** 2 + 1, '1.0Mi'], // not a whole number of MiB: one decimal
  [Math.round(1.7 * 1024 ** 2), '1.7Mi'],
  [1024 ** 2 - 1, '1048575 bytes'], // below 1 MiB: bytes
  [1000, '1000 bytes'],
  [0, '0 bytes'],
])('showBytes(%d) is %p', (bytes, shown) => {
  expect(showBytes(bytes)).toBe(shown);
});

describe('checkPath', () => {
  test.each(['/data', '/etc/redis', '/var/lib/redis-data_1.d', `/${'a'.repeat(79)}`])('accepts %p', path => {
    expect(() => checkPath(WHERE, 'dataDir', path)).not.toThrow();
  });

  test.each(['data', '/', '/data/', '/data/../etc', '/da ta', '/data;rm', '/$HOME', `/${'a'.repeat(80)}`, 'data/redis', './data', '~/data'])('fails on %p', path => {
    expect(() => checkPath(WHERE, 'dataDir', path)).toThrow(/invalid 'dataDir': .*\. Must be an absolute path of at most 80 characters/);
  });

  test('the whole message', () => {
    expect(() => checkPath(WHERE, 'dataDir', 'data')).toThrow(new Error(
      "Redis 'test/cache': invalid 'dataDir': \"data\". Must be an absolute path of at most 80 characters made of letters, digits, "
      + "'.', '_', '-' and '/', without '..'. Set 'dataDir' to a path such as \"/data\"."));
  });
});

test('propName: the construct\'s name for an option, or the option\'s own', () => {
  expect(propName<{ replicas?: number; port?: number }>({ replicas: 'redis.replicas' }, 'replicas')).toBe('redis.replicas');
  expect(propName<{ replicas?: number; port?: number }>({ replicas: 'redis.replicas' }, 'port')).toBe('port');
});

describe('renderNameWait', () => {
  const OPTIONS: NameWaitOptions = {
    containerName: 'wait-for-primary',
    image: 'docker.io/library/postgres:17.2',
    namesVariable: 'PRIMARY_HOST',
    names: ['db-0.db.shop.svc.cluster.local'],
    what: 'primary',
    hint: 'Check the headless Service db',
  };

  test('an init container of the engine\'s image with the names in an env var', () => {
    const c = renderNameWait(WHERE, { ...OPTIONS, names: ['a-0.a', 'a-1.a'] });
    expect(c).toEqual({
      name: 'wait-for-primary',
      image: 'docker.io/library/postgres:17.2',
      command: ['sh', '-c', expect.stringContaining('getent hosts "$name"')],
      env: [{ name: 'PRIMARY_HOST', value: 'a-0.a,a-1.a' }],
      volumeMounts: [],
    });
    expect(c.command[2]).toContain('timeout="${NAME_WAIT_TIMEOUT_SECONDS:-300}"');
    expect(renderNameWait(WHERE, { ...OPTIONS, timeoutSeconds: 30 }).command[2]).toContain('timeout="${NAME_WAIT_TIMEOUT_SECONDS:-30}"');
  });

  test.each<[string, Partial<NameWaitOptions>, RegExp]>([
    ['no names', { names: [] }, /invalid 'names': \[\]. Must list at least one DNS name to wait for/],
    ['a variable name in lower case', { namesVariable: 'primary' }, /invalid 'namesVariable': "primary". Must be an environment variable name/],
    ['a container name that is no DNS label', { containerName: 'Wait' }, /invalid 'containerName': "Wait"/],
    ['a hint with a quote', { hint: 'say "hi"' }, /invalid 'hint': "say "hi"". Must not hold quotes/],
    ['a hint with a dollar sign', { hint: '$HOME' }, /Must not hold quotes, backslashes, '\$', backquotes or newlines/],
    ['a timeout of 0', { timeoutSeconds: 0 }, /invalid 'timeoutSeconds': 0/],
  ])('fails on %s', (_name, change, error) => {
    expect(() => renderNameWait(WHERE, { ...OPTIONS, ...change })).toThrow(error);
  });
});

describe('renderNameWait: the rendered wait against a resolver that answers later (pods on one machine)', () => {
  const SEEDS = ['ring-0.ring.shop.svc.cluster.local', 'ring-1.ring.shop.svc.cluster.local'];
  let net: PodNetwork;

  beforeEach(() => {
    net = new PodNetwork();
  });

  afterEach(() => net.dispose());

  const wait = renderNameWait(WHERE, {
    containerName: 'wait-for-seeds',
    image: 'docker.io/library/cassandra:4.1.8',
    namesVariable: 'CASSANDRA_SEEDS',
    names: SEEDS,
    what: 'seed',
    hint: 'Check the headless Service ring',
  });

  /** Runs the rendered container as pod `hostname` would, with this network's names. */
  function run(hostname: string, env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
    const t0 = Date.now();
    const child = net.spawn(wait.command, {
      env: { PATH: process.env.PATH, HOSTNAME: hostname, [wait.env![0].name]: wait.env![0].value, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', d => stdout += d);
    child.stderr!.on('data', d => stderr += d);
    return new Promise(resolve => child.on('exit', code => resolve({ code, stdout, stderr, ms: Date.now() - t0 })));
  }

  test('a seed pod waits for its own name, published after a delay, then exits 0 so that the engine starts', async () => {
    const pod = net.addPod();
    // another seed's name resolves already: not enough for a seed, whose own record must exist
    net.addPod(SEEDS[1]);
    const running = run('ring-0');
    setTimeout(() => net.alias(pod, SEEDS[0]), 2500);
    const r = await running;
    expect(r.code).toBe(0);
    expect(r.stdout).toBe([
      `wait-for-seeds: waiting up to 300s until this pod's own name ${SEEDS[0]} resolves (it is a seed)`,
      `wait-for-seeds: ${SEEDS[0]} resolves to ${pod.address}`,
      '',
    ].join('\n'));
    expect(r.ms).toBeGreaterThanOrEqual(2500);
  }, 20_000);

  test('a pod that is no seed waits until any seed name resolves', async () => {
    const running = run('ring-2');
    setTimeout(() => net.addPod(SEEDS[1]), 1500);
    const r = await running;
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe(`wait-for-seeds: waiting up to 300s until a seed name resolves: ${SEEDS.join(' ')}`);
    expect(r.stdout.split('\n')[1]).toMatch(new RegExp(`^wait-for-seeds: ${SEEDS[1].replace(/\./g, '\\.')} resolves to 127\\.`));
  }, 20_000);

  test('a name that resolves at once: no wait (setHostnameAsFQDN: the pod name is the first label)', async () => {
    net.addPod(SEEDS[0]);
    const r = await run('ring-0.ring.shop.svc.cluster.local');
    expect(r.code).toBe(0);
    expect(r.ms).toBeLessThan(2000);
  });

  test('exits 1 with the seed names when the bound passes', async () => {
    const r = await run('ring-2', { NAME_WAIT_TIMEOUT_SECONDS: '1' });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`wait-for-seeds: no seed name resolved within 1s: ${SEEDS.join(' ')}. Check the headless Service ring\n`);
  }, 20_000);

  test('a seed pod whose own name never resolves exits 1 naming it and the seeds', async () => {
    net.addPod(SEEDS[1]);
    const r = await run('ring-0', { NAME_WAIT_TIMEOUT_SECONDS: '1' });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`wait-for-seeds: this pod's own name ${SEEDS[0]} did not resolve within 1s (the seed names: ${SEEDS.join(' ')}). Check the headless Service ring\n`);
  }, 20_000);

  test.each([
    ['an empty list', { CASSANDRA_SEEDS: '' }, 'wait-for-seeds: CASSANDRA_SEEDS is empty: no seed name to wait for\n'],
    ['a name with a shell character', { CASSANDRA_SEEDS: 'ring-0.ring,$(id)' }, 'wait-for-seeds: "$(id)" in CASSANDRA_SEEDS is not a DNS name\n'],
    ['a timeout that is no number', { NAME_WAIT_TIMEOUT_SECONDS: '5m' }, 'wait-for-seeds: NAME_WAIT_TIMEOUT_SECONDS "5m" is not a number of seconds\n'],
  ])('exits 1 on %s', async (_name, env, stderr) => {
    const r = await run('ring-2', env);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(stderr);
  });

  test('as PID 1 of its container, SIGTERM (the pod deleted while it waits) ends it at once', async () => {
    // GIVEN the wait as the init process of a PID namespace: signals without a handler are ignored there
    const waiting = spawnAsPid1(net, wait.command, { PATH: process.env.PATH, HOSTNAME: 'ring-2', CASSANDRA_SEEDS: SEEDS.join(',') });
    const ignoring = spawnAsPid1(net, ['sh', '-c', 'sleep 5'], { PATH: process.env.PATH });

    // WHEN both get SIGTERM, once they run their own scripts
    for (const p of [waiting, ignoring]) process.kill(await p.pid1(), 'SIGTERM');
    await new Promise(resolve => setTimeout(resolve, 100));

    // THEN the wait ends at once, while a shell without a trap does not
    expect(await p1Exit(waiting.child, 3000)).toBe(143);
    expect(await p1Exit(ignoring.child, 1000)).toBe('running');
    ignoring.child.kill('SIGKILL');
  }, 20_000);
});

/** `argv` as PID 1 of a new PID namespace (as in a container), with the network's names. */
function spawnAsPid1(net: PodNetwork, argv: string[], env: NodeJS.ProcessEnv): { child: ChildProcess; pid1(): Promise<number> } {
  const script = argv[argv.length - 1];
  const [cmd, args] = net.wrap(argv);
  const child = spawn('unshare', ['--pid', '--fork', '--', cmd, ...args], { env, stdio: 'ignore' });
  return {
    child,
    pid1: async () => {
      // the forked child of unshare: the process whose parent is unshare (field 4 of /proc/<pid>/stat)
      for (let i = 0; i < 100; i++) {
        for (const entry of readdirSync('/proc').filter(e => /^\d+$/.test(e))) {
          let stat: string;
          let cmdline: string;
          try {
            stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
            cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
          } catch {
            continue; // gone meanwhile
          }
          // and once it runs argv (after the wrapper's exec), so that its traps are set
          if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === child.pid && cmdline.includes(script)) {
            await new Promise(resolve => setTimeout(resolve, 200));
            return Number(entry);
          }
        }
        await new Promise(resolve => setTimeout(resolve, 50));
      }
      throw new Error('no child of unshare');
    },
  };
}

/** The exit code of `child` within `ms`, or 'running'. */
function p1Exit(child: ChildProcess, ms: number): Promise<number | null | 'running'> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise(resolve => {
    const timer = setTimeout(() => resolve('running'), ms);
    child.once('exit', code => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}
