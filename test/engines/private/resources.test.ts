import { Size } from 'cdk8s';
import { ContainerResources, Cpu } from 'cdk8s-plus-27';
import { presetResources } from '../../../src/engines/private/resources';

const DEFAULTS = { cpuRequest: Cpu.millis(500), memory: Size.gibibytes(1) };

/** The resources as plain values: CPU amounts and memory in MiB. */
function plain(r: ContainerResources): any {
  return {
    cpu: { request: r.cpu?.request?.amount, limit: r.cpu?.limit?.amount },
    memory: { request: r.memory?.request?.toMebibytes(), limit: r.memory?.limit?.toMebibytes() },
    ephemeralStorage: r.ephemeralStorage && { request: r.ephemeralStorage.request?.toMebibytes(), limit: r.ephemeralStorage.limit?.toMebibytes() },
  };
}

describe('presetResources', () => {
  test.each<[string, ContainerResources | undefined, any]>([
    ['nothing given: the defaults, memory request = limit', undefined,
      { cpu: { request: '500m' }, memory: { request: 1024, limit: 1024 } }],
    ['empty resources: the defaults', {},
      { cpu: { request: '500m' }, memory: { request: 1024, limit: 1024 } }],
    ['only a memory limit: the CPU request stays, the memory request follows the limit', { memory: { limit: Size.mebibytes(512) } },
      { cpu: { request: '500m' }, memory: { request: 512, limit: 512 } }],
    ['only a memory request: it is the limit too', { memory: { request: Size.gibibytes(2) } },
      { cpu: { request: '500m' }, memory: { request: 2048, limit: 2048 } }],
    ['a memory request and limit: both as given', { memory: { request: Size.mebibytes(256), limit: Size.mebibytes(512) } },
      { cpu: { request: '500m' }, memory: { request: 256, limit: 512 } }],
    ['only a CPU request: the memory stays', { cpu: { request: Cpu.units(2) } },
      { cpu: { request: '2' }, memory: { request: 1024, limit: 1024 } }],
    ['only a CPU limit above the default request: the request stays', { cpu: { limit: Cpu.units(4) } },
      { cpu: { request: '500m', limit: '4' }, memory: { request: 1024, limit: 1024 } }],
    ['only a CPU limit below the default request: the request is the limit', { cpu: { limit: Cpu.millis(200) } },
      { cpu: { request: '200m', limit: '200m' }, memory: { request: 1024, limit: 1024 } }],
    ['a CPU limit equal to the default request', { cpu: { limit: Cpu.millis(500) } },
      { cpu: { request: '500m', limit: '500m' }, memory: { request: 1024, limit: 1024 } }],
    ['ephemeral storage: kept as given', { ephemeralStorage: { limit: Size.gibibytes(1) } },
      { cpu: { request: '500m' }, memory: { request: 1024, limit: 1024 }, ephemeralStorage: { limit: 1024 } }],
  ])('%s', (_name, given, expected) => {
    // WHEN
    const merged = presetResources(given, DEFAULTS);

    // THEN
    expect(plain(merged)).toEqual(JSON.parse(JSON.stringify({ ephemeralStorage: undefined, ...expected })));
  });

  test('a CPU amount that is no quantity keeps the default request', () => {
    expect(presetResources({ cpu: { limit: Cpu.millis(NaN) } }, DEFAULTS).cpu!.request!.amount).toBe('500m');
  });
});
