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

/**
 * Kubernetes quantities (`resource.Quantity`), as the API server parses them.
 *
 * Grammar (k8s.io/apimachinery/pkg/api/resource/quantity.go):
 * `<signedNumber><suffix>`, the number `[+-]?(digits[.digits?] | .digits)`, the suffix a binary SI
 * suffix (Ki Mi Gi Ti Pi Ei), a decimal SI suffix (n u m "" k M G T P E) or a decimal exponent
 * (`e3`, `E-2`). Anything else: "quantities must match the regular expression
 * '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'".
 */

const QUANTITY = /^([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?$/;

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };

/**
 * The value of a quantity (`"250m"` is 0.25, `"1Gi"` 1073741824, `"1e3"` 1000), or undefined when
 * the API server would refuse it. Numbers (a quantity written as a JSON number) are taken as they are.
 * Decimal values are converted from their text in one step, so `"100m"` and `"0.1"` compare equal.
 */
export function parseQuantity(quantity: string | number): number | undefined {
  if (typeof quantity === 'number') return Number.isFinite(quantity) ? quantity : undefined;
  const m = QUANTITY.exec(quantity);
  if (!m) return undefined;
  const [, number, suffix] = m;
  if (suffix === undefined) return Number(number);
  const binary = BINARY[suffix];
  if (binary !== undefined) return Number(number) * binary;
  const exponent = DECIMAL[suffix] ?? Number(suffix.slice(1));
  return Number(`${number}e${exponent}`);
}
