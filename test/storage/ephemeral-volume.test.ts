import { ApiObject, Chart, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { restrictedViolations } from '../../src/private/pod-security';
import { allWarnings } from '../../src/private/warnings';
import { EphemeralVolume, GenericEphemeralVolumeOptions } from '../../src/storage/ephemeral-volume';
import { IStorageClass, StorageClass, StorageClassProps } from '../../src/storage/storage-class';
import { StatefulWorkload } from '../../src/workload/stateful-workload';
import { findOne, synthValid } from '../util/harness';

beforeEach(() => {
  // warnings are asserted through construct metadata; keep the test output clean
  jest.spyOn(console, 'warn').mockImplementation(() => undefined);
});

function chartIn(namespace?: string): Chart {
  return new Chart(Testing.app(), 'test', { namespace });
}

function workloadIn(chart: Chart): StatefulWorkload {
  return new StatefulWorkload(chart, 'cache', {
    metadata: { name: 'cache' },
    containers: [{ name: 'redis', image: 'docker.io/library/redis:7.2', portNumber: 6379, securityContext: { user: 999, group: 999 } }],
  });
}

/** The pod spec of the StatefulSet `cache`. */
function podSpec(chart: Chart): any {
  return findOne(synthValid(chart), 'StatefulSet', 'cache').spec.template.spec;
}

describe('EphemeralVolume.memory()', () => {
  test('defaults', () => {
    // GIVEN
    const chart = chartIn();
    const cache = workloadIn(chart);

    // WHEN
    const scratch = EphemeralVolume.memory(chart, 'scratch', 'scratch', { sizeLimit: Size.mebibytes(64) });
    cache.containers[0].mount('/scratch', scratch);

    // THEN
    expect(Testing.synth(chart)).toMatchSnapshot();
    const spec = podSpec(chart);
    expect(spec.volumes).toContainEqual({ name: 'scratch', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } });
    expect(spec.containers[0].volumeMounts).toContainEqual({ name: 'scratch', mountPath: '/scratch' });
    expect(restrictedViolations(spec)).toEqual([]);
    expect(allWarnings(chart)).toEqual([]);
  });

  test.each([
    ['512Ki', Size.kibibytes(512)],
    ['1536Mi', Size.mebibytes(1536)],
    ['1Gi', Size.gibibytes(1)],
  ])('any size unit: %s', (quantity, sizeLimit) => {
    const chart = chartIn();
    const cache = workloadIn(chart);
    cache.addVolume(EphemeralVolume.memory(chart, 'scratch', 'scratch', { sizeLimit }));
    expect(podSpec(chart).volumes).toContainEqual({ name: 'scratch', emptyDir: { medium: 'Memory', sizeLimit: quantity } });
  });

  test('is a cdk8s-plus Volume', () => {
    const volume = EphemeralVolume.memory(chartIn(), 'scratch', 'scratch', { sizeLimit: Size.mebibytes(64) });
    expect(volume).toBeInstanceOf(kplus.Volume);
    expect(volume.name).toBe('scratch');
    expect(volume.asVolume()).toBe(volume);
    expect(kplus.k8s.toJson_Volume(volume._toKube())).toEqual({ name: 'scratch', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } });
  });

  test('works on a cdk8s-plus Deployment', () => {
    const chart = chartIn();
    const d = new kplus.Deployment(chart, 'web', { metadata: { name: 'web' }, containers: [{ image: 'x', securityContext: { user: 1000 } }] });
    d.containers[0].mount('/scratch', EphemeralVolume.memory(chart, 'scratch', 'scratch', { sizeLimit: Size.mebibytes(256) }));
    const spec = findOne(synthValid(chart), 'Deployment', 'web').spec.template.spec;
    expect(spec.volumes).toEqual([{ name: 'scratch', emptyDir: { medium: 'Memory', sizeLimit: '256Mi' } }]);
  });

  test('warns when the size limit is not below the memory limit of a container that mounts it', () => {
    // GIVEN: StatefulWorkload containers have a 512Mi memory limit by default
    const chart = chartIn();
    const cache = workloadIn(chart);

    // WHEN
    cache.containers[0].mount('/scratch', EphemeralVolume.memory(chart, 'scratch', 'scratch', { sizeLimit: Size.mebibytes(512) }));
    synthValid(chart);

    // THEN
    expect(allWarnings(chart)).toEqual([
      'EphemeralVolume \'test/scratch\': warning: \'sizeLimit\': "512Mi". Files in a memory-backed volume count against the memory limit of the container that writes them, and container "redis" of StatefulSet/cache has a limit of 512Mi: it is OOM-killed before the volume fills. Lower \'sizeLimit\' well below the memory limit, or raise the container\'s memory limit. [cdk8s-stateful:memory-volume-exceeds-limit]',
    ]);
  });

  test('no warning for a volume that is added but not mounted, or mounted by containers without a memory limit', () => {
    const chart = chartIn();
    const cache = workloadIn(chart);
    cache.addVolume(EphemeralVolume.memory(chart, 'unmounted', 'unmounted', { sizeLimit: Size.gibibytes(4) }));
    const d = new kplus.Deployment(chart, 'web', {
      metadata: { name: 'web' },
      containers: [{ image: 'x', securityContext: { user: 1000 }, resources: { memory: { request: Size.mebibytes(64) } } }],
    });
    d.containers[0].mount('/scratch', EphemeralVolume.memory(chart, 'scratch', 'scratch', { sizeLimit: Size.gibibytes(4) }));
    synthValid(chart);
    expect(allWarnings(chart)).toEqual([]);
  });

  describe('the memory limit check looks only at pods that use this very volume', () => {
    /** A Pod whose container "c" mounts the pod volume "scratch" and has the given memory limit. */
    const pod = (chart: Chart, volumes: any[], memoryLimit?: string) => new kplus.k8s.KubePod(chart, 'pod', {
      metadata: { name: 'pod' },
      spec: {
        containers: [{
          name: 'c',
          image: 'x',
          resources: memoryLimit === undefined ? undefined : { limits: { memory: kplus.k8s.Quantity.fromString(memoryLimit) } },
          volumeMounts: [{ name: 'scratch', mountPath: '/scratch' }],
        }],
        volumes,
      },
    });
    const memory = (name: string, sizeLimit: string) => ({ name, emptyDir: { medium: 'Memory', sizeLimit: kplus.k8s.Quantity.fromString(sizeLimit) } });

    test('warns for a Pod that mounts it', () => {
      const chart = chartIn();
      EphemeralVolume.memory(chart, 'scratch', 'scratch', { sizeLimit: Size.mebibytes(512) });
      pod(chart, [memory('scratch', '512Mi')], '512Mi');
      synthValid(chart);
      expect(allWarnings(chart)).toEqual([expect.stringContaining('container "c" of Pod/pod has a limit of 512Mi')]);
    });

    test.each<[string, any[], string | undefined]>([
      ['a disk emptyDir of the same name and size', [{ name: 'scratch', emptyDir: { sizeLimit: kplus.k8s.Quantity.fromString('512Mi') } }], '512Mi'],
      ['a memory emptyDir of the same name and another size', [memory('scratch', '1Gi')], '512Mi'],
      ['a configMap volume of the same name, next to a memory volume of the same size', [
        { name: 'scratch', configMap: { name: 'files' } }, memory('other', '512Mi'),
      ], '512Mi'],
      ['this volume, mounted by a container without resources', [memory('scratch', '512Mi')], undefined],
    ])('no warning for a pod whose volume "scratch" is %s', (_name, volumes, memoryLimit) => {
      const chart = chartIn();
      EphemeralVolume.memory(chart, 'scratch', 'scratch', { sizeLimit: Size.mebibytes(512) });
      pod(chart, volumes, memoryLimit);
      synthValid(chart);
      expect(allWarnings(chart)).toEqual([]);
    });
  });

  test.each([
    ['an invalid name', 'Scratch', Size.mebibytes(64),
      'EphemeralVolume \'test/v\': invalid \'name\': "Scratch". Must be a DNS-1123 label of at most 63 characters: lower case letters, digits and \'-\', starting and ending with a letter or digit. Set \'name\' to a name such as "my-name".'],
    ['a zero size limit', 'scratch', Size.mebibytes(0),
      'EphemeralVolume \'test/v\': invalid \'sizeLimit\': "0Ki". Must be larger than zero. Set \'sizeLimit\' to a size such as Size.gibibytes(1).'],
    ['a fraction of a kibibyte', 'scratch', Size.kibibytes(0.25),
      'EphemeralVolume \'test/v\': invalid \'sizeLimit\': "0.25Ki". Must be a whole number of kibibytes. Set \'sizeLimit\' to a whole number of Ki, Mi or Gi.'],
  ])('fails with %s', (_name, name, sizeLimit, message) => {
    expect(() => EphemeralVolume.memory(chartIn(), 'v', name, { sizeLimit })).toThrow(message);
  });
});

describe('EphemeralVolume.generic()', () => {
  test('defaults', () => {
    // GIVEN
    const chart = chartIn('shop');
    const cache = workloadIn(chart);

    // WHEN
    cache.containers[0].mount('/cache', EphemeralVolume.generic(chart, 'cache-vol', 'cache', { storage: Size.gibibytes(10) }));

    // THEN
    expect(Testing.synth(chart)).toMatchSnapshot();
    const spec = podSpec(chart);
    expect(spec.volumes).toContainEqual({
      name: 'cache',
      ephemeral: {
        volumeClaimTemplate: {
          spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } }, volumeMode: 'Filesystem' },
        },
      },
    });
    expect(restrictedViolations(spec)).toEqual([]);
  });

  test('all props', () => {
    // GIVEN
    const chart = chartIn('shop');
    const cache = workloadIn(chart);
    const scratch = new StorageClass(chart, 'scratch-class', {
      metadata: { name: 'scratch' }, provisioner: 'ebs.csi.aws.com', reclaimPolicy: kplus.PersistentVolumeReclaimPolicy.DELETE,
    });

    // WHEN
    cache.addVolume(EphemeralVolume.generic(chart, 'raw-vol', 'raw', {
      storage: Size.mebibytes(1536),
      storageClass: scratch,
      accessModes: [kplus.PersistentVolumeAccessMode.READ_WRITE_ONCE_POD],
      volumeMode: kplus.PersistentVolumeMode.BLOCK,
      labels: { kind: 'scratch' },
      annotations: { note: 'deleted with the pod' },
    }));

    // THEN
    expect(Testing.synth(chart)).toMatchSnapshot();
    expect(podSpec(chart).volumes).toContainEqual({
      name: 'raw',
      ephemeral: {
        volumeClaimTemplate: {
          metadata: { labels: { kind: 'scratch' }, annotations: { note: 'deleted with the pod' } },
          spec: {
            accessModes: ['ReadWriteOncePod'],
            resources: { requests: { storage: '1536Mi' } },
            storageClassName: 'scratch',
            volumeMode: 'Block',
          },
        },
      },
    });
  });

  test.each<[string, Partial<GenericEphemeralVolumeOptions>, any]>([
    ['labels only', { labels: { kind: 'scratch' } }, { labels: { kind: 'scratch' } }],
    ['annotations only', { annotations: { note: 'deleted with the pod' } }, { annotations: { note: 'deleted with the pod' } }],
  ])('claim metadata with %s', (_name, options, metadata) => {
    const chart = chartIn();
    workloadIn(chart).addVolume(EphemeralVolume.generic(chart, 'cache-vol', 'cache', { storage: Size.gibibytes(1), ...options }));
    const volume = podSpec(chart).volumes.find((v: any) => v.name === 'cache');
    expect(volume.ephemeral.volumeClaimTemplate.metadata).toEqual(metadata);
  });

  test('works on a cdk8s-plus Deployment', () => {
    const chart = chartIn();
    const d = new kplus.Deployment(chart, 'web', { metadata: { name: 'web' }, containers: [{ image: 'x', securityContext: { user: 1000 } }] });
    d.containers[0].mount('/cache', EphemeralVolume.generic(chart, 'cache', 'cache', { storage: Size.gibibytes(1) }));
    expect(findOne(synthValid(chart), 'Deployment', 'web').spec.template.spec.volumes[0].ephemeral.volumeClaimTemplate.spec.resources)
      .toEqual({ requests: { storage: '1Gi' } });
  });

  const base: GenericEphemeralVolumeOptions = { storage: Size.gibibytes(1) };
  test.each([
    ['an invalid name', 'cache_1', base,
      'EphemeralVolume \'test/v\': invalid \'name\': "cache_1". Must be a DNS-1123 label of at most 63 characters: lower case letters, digits and \'-\', starting and ending with a letter or digit. Set \'name\' to a name such as "my-name".'],
    ['a zero size', 'cache', { storage: Size.gibibytes(0) },
      'EphemeralVolume \'test/v\': invalid \'storage\': "0Ki". Must be larger than zero. Set \'storage\' to a size such as Size.gibibytes(1).'],
    ['no access modes', 'cache', { ...base, accessModes: [] },
      'EphemeralVolume \'test/v\': invalid \'accessModes\': []. Must name at least one access mode. Leave \'accessModes\' out for ReadWriteOnce, or list the modes you need.'],
    ['ReadWriteOncePod with another mode', 'cache', {
      ...base, accessModes: [kplus.PersistentVolumeAccessMode.READ_WRITE_ONCE_POD, kplus.PersistentVolumeAccessMode.READ_WRITE_ONCE],
    }, 'EphemeralVolume \'test/v\': invalid \'accessModes\': ["ReadWriteOncePod","ReadWriteOnce"]. ReadWriteOncePod cannot be combined with other access modes. Use [PersistentVolumeAccessMode.READ_WRITE_ONCE_POD] alone.'],
  ])('fails with %s', (_name, name, options, message) => {
    expect(() => EphemeralVolume.generic(chartIn(), 'v', name, options)).toThrow(message);
  });
});

describe('EphemeralVolume.generic(): reclaim policy of the class', () => {
  const RETAIN_ID = 'cdk8s-stateful:ephemeral-volume-retain-class';
  const keep = (chart: Chart, props: Partial<StorageClassProps> = {}) =>
    new StorageClass(chart, 'keep', { metadata: { name: 'keep' }, provisioner: 'ebs.csi.aws.com', ...props });
  const l1 = (chart: Chart, extra: any) =>
    new ApiObject(chart, 'l1-class', { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'keep' }, provisioner: 'ebs.csi.aws.com', ...extra });

  test.each<[string, (chart: Chart) => IStorageClass | undefined, boolean]>([
    ['a StorageClass of the app with Retain (our default)', chart => keep(chart), true],
    ['a StorageClass of the app with Delete', chart => keep(chart, { reclaimPolicy: kplus.PersistentVolumeReclaimPolicy.DELETE }), false],
    ['an imported name the app renders with Retain (L1)', chart => {
      l1(chart, { reclaimPolicy: 'Retain' });
      return StorageClass.fromStorageClassName(chart, 'by-name', 'keep');
    }, true],
    ['an imported name the app renders without reclaimPolicy (the API default is Delete)', chart => {
      l1(chart, {});
      return StorageClass.fromStorageClassName(chart, 'by-name', 'keep');
    }, false],
    ['an imported name the app does not render (unknown class)', chart => StorageClass.fromStorageClassName(chart, 'by-name', 'keep'), false],
    ['the empty class name', chart => {
      keep(chart, { isDefaultClass: true });
      return StorageClass.fromStorageClassName(chart, 'none', '');
    }, false],
    ['no class, and the app\'s only default class has Retain', chart => {
      keep(chart, { isDefaultClass: true });
      return undefined;
    }, true],
    ['no class, and the app\'s only default class has Delete', chart => {
      keep(chart, { isDefaultClass: true, reclaimPolicy: kplus.PersistentVolumeReclaimPolicy.DELETE });
      return undefined;
    }, false],
    ['no class, and a Retain class of the app that is not the default', chart => {
      keep(chart);
      return undefined;
    }, false],
    ['no class, and two default classes with Retain (which one applies is not known)', chart => {
      keep(chart, { isDefaultClass: true });
      new StorageClass(chart, 'other', { metadata: { name: 'other' }, provisioner: 'ebs.csi.aws.com', isDefaultClass: true });
      return undefined;
    }, false],
  ])('%s: warning %s', (_name, classIn, warns) => {
    // GIVEN
    const chart = chartIn('shop');
    const storageClass = classIn(chart);

    // WHEN
    workloadIn(chart).containers[0].mount('/spill', EphemeralVolume.generic(chart, 'spill', 'spill', { storage: Size.gibibytes(1), storageClass }));
    synthValid(chart);

    // THEN
    expect(allWarnings(chart).filter(w => w.endsWith(`[${RETAIN_ID}]`)).length).toBe(warns ? 1 : 0);
  });

  test('the message names the class, the risk and the fix', () => {
    const chart = chartIn('shop');
    workloadIn(chart).containers[0].mount('/spill', EphemeralVolume.generic(chart, 'spill', 'spill', { storage: Size.gibibytes(1), storageClass: keep(chart) }));
    synthValid(chart);
    expect(allWarnings(chart)).toEqual([
      'EphemeralVolume \'test/spill\': warning: \'storageClass\': "keep". The class has reclaim policy Retain: every new pod (rollout, eviction, rescheduling) gets a new claim, '
      + 'and the volume of the claim deleted with the old pod is Released and never bound again, so storage leaks with every pod replaced. '
      + 'Give the volume a class with reclaim policy Delete (\'reclaimPolicy: PersistentVolumeReclaimPolicy.DELETE\'), or use a volume claim template for data that must be kept. '
      + `[${RETAIN_ID}]`,
    ]);
  });

  test('without a class, the message names the app\'s default class', () => {
    const chart = chartIn('shop');
    keep(chart, { isDefaultClass: true });
    workloadIn(chart).containers[0].mount('/spill', EphemeralVolume.generic(chart, 'spill', 'spill', { storage: Size.gibibytes(1) }));
    synthValid(chart);
    expect(allWarnings(chart)).toEqual([expect.stringMatching(/^EphemeralVolume 'test\/spill': warning: 'storageClass': not set, so the app's default class "keep"\. The class has reclaim policy Retain/)]);
  });

  test('a memory volume is never checked for a reclaim policy', () => {
    const chart = chartIn('shop');
    keep(chart, { isDefaultClass: true });
    workloadIn(chart).containers[0].mount('/scratch', EphemeralVolume.memory(chart, 'scratch', 'scratch', { sizeLimit: Size.mebibytes(16) }));
    synthValid(chart);
    expect(allWarnings(chart)).toEqual([]);
  });
});
