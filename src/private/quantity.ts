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
 * e.g. 16Ki, 512Mi, 1Gi, 1536Mi: the canonical BinarySI form, which the API server stores as
 * written (see `canonicalQuantity()`). Returns undefined when the size is not a whole number of Ki.
 */
export function toQuantity(size: Size): string | undefined {
  const kib = kibibytes(size);
  if (!Number.isInteger(kib)) return undefined;
  if (kib === 0) return '0';
  // the last unit, Ki, divides every whole number of kibibytes
  const [unit, factor] = UNITS.find(([, f]) => kib % f === 0)!;
  return `${kib / factor}${unit}`;
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

// ---------------------------------------------------------------- the form the API server stores

/** The parts of a quantity as the API server's scanner splits them (`parseQuantityString`). */
const QUANTITY_PARTS = /^([+-]?)([0-9]*)(?:\.([0-9]*))?(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?$/;
const BINARY_SUFFIXES = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];
const DECIMAL_SUFFIXES: Record<number, string> = { [-9]: 'n', [-6]: 'u', [-3]: 'm', 0: '', 3: 'k', 6: 'M', 9: 'G', 12: 'T', 15: 'P', 18: 'E' };
const MAX_INT64 = 2n ** 63n - 1n;

/** The suffix format of a quantity, which the API server keeps. */
type QuantityFormat = 'BinarySI' | 'DecimalSI' | 'DecimalExponent';

/**
 * A quantity in the form the API server stores it, so that what Argo CD reads back equals what
 * was rendered (`1000m` -> `1`, `2048Mi` -> `2Gi`, `0.5` -> `500m`, `1.5Gi` -> `1536Mi`).
 * Unparseable input is returned as it is (the checks report it). A number becomes a string, as
 * the server returns every quantity.
 *
 * This is `resource.Quantity` of k8s.io/apimachinery (pkg/api/resource/quantity.go): the server
 * parses the text (`ParseQuantity`), remembers its suffix format, and writes it back with
 * `String()`/`MarshalJSON()` (`CanonicalizeBytes`):
 * - the format stays what the input used: BinarySI (`Ki`...`Ei`), DecimalSI (`n u m "" k M G T P
 *   E`) or DecimalExponent (`e3`, `E-6`);
 * - the value is kept exactly, but rounded up (away from zero) to a whole number of nano units;
 * - decimal forms get an exponent that is a multiple of 3, as large as keeps the mantissa whole
 *   (`1080m`, `1234500u`, `50k`); an exponent above `E` (10^18) is written `e21`;
 * - binary forms get the largest power of 1024 that keeps the mantissa whole (`1536Mi`); an amount
 *   between -1024 and 1024, or one that is not a whole number, is written as DecimalSI instead
 *   (`0.5Ki` -> `512`, `.001Ki` -> `1024m`), and a binary amount is capped at 2^63-1;
 * - zero is `0`, whatever its suffix;
 * - when the parser's fast path finds the text already canonical, it keeps the text verbatim
 *   (decimal: an exponent that is a multiple of 3, digits that neither start with 0 nor end in
 *   000, at most 18 of them; binary: a whole mantissa that is not a multiple of 8), so `+1` and
 *   `1.500` come back as written.
 */
export function canonicalQuantity(quantity: string | number): string {
  const text = typeof quantity === 'number' ? String(quantity) : quantity;
  const m = QUANTITY_PARTS.exec(text);
  if (!m || (m[2] === '' && m[3] === undefined)) return text;
  const [, sign, wholeDigits, fraction = '', suffix = ''] = m;
  const negative = sign === '-';
  const num = wholeDigits.replace(/^0+/, '') || '0';
  const binaryIndex = BINARY_SUFFIXES.indexOf(suffix);
  // the suffix is Ki...Ei, one decimal letter or none, or an exponent (`e3`, `E-6`: the only longer ones)
  const format: QuantityFormat = binaryIndex > 0 ? 'BinarySI' : suffix.length > 1 ? 'DecimalExponent' : 'DecimalSI';
  const binary = format === 'BinarySI';
  const exponent = binary ? binaryIndex * 10 : format === 'DecimalExponent' ? Number(suffix.slice(1)) : DECIMAL[suffix] ?? 0;

  // the parser's fast path keeps text it finds canonical
  if (format !== 'BinarySI') {
    const scale = exponent - fraction.length;
    const shifted = num + fraction;
    if (18 - shifted.length >= 0 && scale >= -9
      && scale % 3 === 0 && !shifted.endsWith('000') && shifted[0] !== '0') return text;
  } else if (fraction === '' && 15 - num.length - Math.trunc(exponent * 3 / 10) - 1 >= 0) {
    if (BigInt(num) % 8n !== 0n) return text; // `value&0x07 != 0`
  }

  // the exact value: mantissa * 10^scale
  let mantissa = BigInt(num + fraction) * (binary ? 2n ** BigInt(exponent) : 1n);
  let scale = binary ? -fraction.length : exponent - fraction.length;
  if (mantissa === 0n) return '0';
  if (scale < -9) {
    const divisor = 10n ** BigInt(-9 - scale);
    mantissa = (mantissa + divisor - 1n) / divisor; // rounds up, away from zero
    scale = -9;
  }
  const prefix = negative ? '-' : '';

  if (binary) {
    // a binary amount has no decimal exponent of its own: scale is 0 or negative (the fraction's digits)
    const unit = 10n ** BigInt(-scale);
    const whole = mantissa % unit === 0n ? mantissa / unit : undefined;
    if (whole !== undefined && whole >= 1024n) {
      let amount = whole > MAX_INT64 ? MAX_INT64 : whole;
      let power = 0;
      // at most Ei: the cap, 2^63-1, is below 1024^7
      while (amount % 1024n === 0n) {
        amount /= 1024n;
        power++;
      }
      return `${prefix}${amount}${BINARY_SUFFIXES[power]}`;
    }
    // below 1Ki or not whole: written as DecimalSI
  }

  // decimal: all factors of ten into the exponent, then down to a multiple of 3
  while (mantissa % 10n === 0n) {
    mantissa /= 10n;
    scale++;
  }
  const rest = ((scale % 3) + 3) % 3;
  mantissa *= 10n ** BigInt(rest);
  scale -= rest;
  const written = format === 'DecimalExponent'
    ? (scale === 0 ? '' : `e${scale}`)
    : DECIMAL_SUFFIXES[scale] ?? `e${scale}`;
  return `${prefix}${mantissa}${written}`;
}
