import { Size } from 'cdk8s';
import { PersistentVolumeAccessMode } from 'cdk8s-plus-27';
import { kibibytes, toQuantity } from './quantity';
import { fail, isDns1123Subdomain } from './validation';

const QUALIFIED_NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** A Kubernetes qualified name: `[prefix/]name`, the prefix a DNS subdomain, the name at most 63 characters. */
export function isQualifiedName(value: string): boolean {
  const parts = value.split('/');
  if (parts.length > 2) return false;
  const name = parts[parts.length - 1];
  if (name.length > 63 || !QUALIFIED_NAME_PART.test(name)) return false;
  return parts.length === 1 || isDns1123Subdomain(parts[0]);
}

/** A label value: at most 63 alphanumerics, '-', '_' and '.', starting and ending alphanumeric. */
export function isLabelValue(value: string): boolean {
  return value.length <= 63 && LABEL_VALUE.test(value);
}

/** A storage size that is larger than zero and a whole number of kibibytes; returns the quantity. */
export function checkStorage(where: string, prop: string, size: Size): string {
  const kib = kibibytes(size);
  if (kib <= 0) {
    throw fail(where, prop, `${kib}Ki`, 'Must be larger than zero', `Set '${prop}' to a size such as Size.gibibytes(1)`);
  }
  const quantity = toQuantity(size);
  if (quantity === undefined) {
    throw fail(where, prop, `${kib}Ki`, 'Must be a whole number of kibibytes', `Set '${prop}' to a whole number of Ki, Mi or Gi`);
  }
  return quantity;
}

/** At least one access mode; ReadWriteOncePod alone. */
export function checkAccessModes(where: string, prop: string, modes: PersistentVolumeAccessMode[]): void {
  if (modes.length === 0) {
    throw fail(where, prop, modes, 'Must name at least one access mode',
      `Leave '${prop}' out for ReadWriteOnce, or list the modes you need`);
  }
  if (modes.includes(PersistentVolumeAccessMode.READ_WRITE_ONCE_POD) && modes.length > 1) {
    throw fail(where, prop, modes, 'ReadWriteOncePod cannot be combined with other access modes',
      'Use [PersistentVolumeAccessMode.READ_WRITE_ONCE_POD] alone');
  }
}

/** An absolute path without `..` segments. */
export function checkAbsolutePath(where: string, prop: string, path: string): void {
  if (!path.startsWith('/') || path.split('/').includes('..')) {
    throw fail(where, prop, path, 'Must be an absolute path without ".." segments', `Set '${prop}' to a path such as "/mnt/disks/ssd0"`);
  }
}

/** Sorted-key copy of a string map, or undefined when empty. */
export function mapOrUndefined(map?: { [key: string]: string }): { [key: string]: string } | undefined {
  if (!map || Object.keys(map).length === 0) return undefined;
  return { ...map };
}
