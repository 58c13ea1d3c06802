/**
 * The container resources of a preset: what the user gives, merged field by field over the
 * preset's defaults (CPU and memory, request and limit), so that passing only a memory size keeps
 * the preset's CPU request.
 */
import { Size } from 'cdk8s';
import { ContainerResources, Cpu } from 'cdk8s-plus-27';
import { parseQuantity } from '../../private/quantity';

/** A preset's default resources. The presets run with a memory request equal to the limit. */
export interface PresetResourceDefaults {
  readonly cpuRequest: Cpu;
  readonly memory: Size;
}

/**
 * The resources a preset renders, field by field:
 * - the CPU request is the one given, else the preset's (or the given CPU limit, when that is
 *   lower: a request above the limit is refused); the CPU limit only when given;
 * - the memory limit is the one given, else the memory request given (the presets run with
 *   request = limit), else the preset's; the memory request is the one given, else the limit;
 * - ephemeral storage only when given.
 */
export function presetResources(given: ContainerResources | undefined, defaults: PresetResourceDefaults): ContainerResources {
  const cpuLimit = given?.cpu?.limit;
  const cpuRequest = given?.cpu?.request
    ?? (cpuLimit !== undefined && cpuValue(cpuLimit) < cpuValue(defaults.cpuRequest) ? cpuLimit : defaults.cpuRequest);
  const memoryLimit = given?.memory?.limit ?? given?.memory?.request ?? defaults.memory;
  const memoryRequest = given?.memory?.request ?? memoryLimit;
  return {
    cpu: { request: cpuRequest, limit: cpuLimit },
    memory: { request: memoryRequest, limit: memoryLimit },
    ephemeralStorage: given?.ephemeralStorage,
  };
}

/** A CPU amount in cores; NaN when it is no quantity (every comparison with it is false). */
function cpuValue(cpu: Cpu): number {
  return parseQuantity(cpu.amount) ?? NaN;
}

