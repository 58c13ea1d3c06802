import { Size, SizeRoundingBehavior } from 'cdk8s';

const UNITS: Array<[string, number]> = [
  ['Pi', 1024 ** 4],
  ['Ti', 1024 ** 3],
  ['Gi', 1024 ** 2],
  ['Mi', 1024],
  ['Ki', 1],
];

/** The size in kibibytes, possibly fractional. */
export function kibibytes(size: Size): number {
  return size.toKibibytes({ rounding: SizeRoundingBehavior.NONE });
}

/**
 * Renders a cdk8s `Size` as a Kubernetes quantity in the largest binary unit that keeps it whole,
 * e.g. 16Ki, 512Mi, 1Gi, 1536Mi. Returns undefined when the size is not a whole number of Ki.
 */
export function toQuantity(size: Size): string | undefined {
  const kib = kibibytes(size);
  if (!Number.isInteger(kib)) return undefined;
  if (kib === 0) return '0';
  for (const [unit, factor] of UNITS) {
    if (kib % factor === 0) return `${kib / factor}${unit}`;
  }
  return `${kib}Ki`;
}

/** Parses a Kubernetes storage quantity (binary or decimal suffix) into bytes; undefined if unparseable. */
export function quantityToBytes(quantity: string): number | undefined {
  const m = /^([0-9]+(?:\.[0-9]+)?)(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/.exec(quantity.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  const mult: Record<string, number> = {
    Ki: 1024,
    Mi: 1024 ** 2,
    Gi: 1024 ** 3,
    Ti: 1024 ** 4,
    Pi: 1024 ** 5,
    Ei: 1024 ** 6,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    P: 1e15,
    E: 1e18,
  };
  return n * (m[2] ? mult[m[2]] : 1);
}
