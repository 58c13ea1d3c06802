import { Size } from 'cdk8s';
import { canonicalQuantity, parseQuantity, quantityToBytes, toQuantity } from '../../src/private/quantity';

describe('quantityToBytes', () => {
  test.each([
    ['512M', 512e6],
    ['1G', 1e9],
    ['1k', 1e3],
    ['1T', 1e12],
    ['512Mi', 512 * 1024 ** 2],
    ['1Gi', 1024 ** 3],
    ['16Ki', 16 * 1024],
    ['1.5Gi', 1.5 * 1024 ** 3],
    ['1.25Gi', 1.25 * 1024 ** 3],
    ['100', 100],
    [' 1Gi ', 1024 ** 3],
  ])('%p is %d bytes', (quantity, bytes) => {
    expect(quantityToBytes(quantity)).toBe(bytes);
  });

  test.each(['', '1GB', 'Gi', '-1Gi', '1 gi'])('%p is not a quantity', quantity => {
    expect(quantityToBytes(quantity)).toBeUndefined();
  });
});

describe('parseQuantity', () => {
  test.each<[string | number, number | undefined]>([
    ['250m', 0.25],
    ['0.1', 0.1],
    ['100m', 0.1],
    ['1Gi', 2 ** 30],
    ['1G', 1e9],
    ['1e3', 1000],
    ['1E', 1e18],
    ['1.5Ki', 1536],
    ['+2', 2],
    ['-1', -1],
    ['.5', 0.5],
    ['.25', 0.25],
    ['1.25', 1.25],
    ['5n', 5e-9],
    ['3u', 3e-6],
    ['1e-3', 0.001],
    ['1E+2', 100],
    ['1e12', 1e12],
    [3, 3],
    ['1 core', undefined],
    ['a1', undefined],
    ['1GB', undefined],
    ['', undefined],
    ['Gi', undefined],
  ])('parseQuantity(%p) is %p', (quantity, value) => {
    expect(parseQuantity(quantity)).toBe(value);
  });
});

/**
 * The form the API server stores: what `kubectl get -o yaml` (and Argo CD) reads back after an
 * apply. Cases from k8s.io/apimachinery pkg/api/resource/quantity_test.go (TestQuantityParseEmit,
 * TestQuantityString's alternates) and the values cdk8s-plus-27 renders.
 */
describe('canonicalQuantity', () => {
  test.each([
    // cdk8s-plus-27 renders Cpu in millis and memory in Mi
    ['1000m', '1'],
    ['1500m', '1500m'],
    ['250m', '250m'],
    ['2000m', '2'],
    ['2048Mi', '2Gi'],
    ['1024Mi', '1Gi'],
    ['512Mi', '512Mi'],
    ['1536Mi', '1536Mi'],
    ['1024Ki', '1Mi'],
    ['307200Ki', '300Mi'],
    // decimal suffixes keep their format
    ['1000M', '1G'],
    ['0.001T', '1G'],
    ['1000k', '1M'],
    ['50k', '50k'],
    ['0.5', '500m'],
    ['1.08', '1080m'],
    ['1080000000n', '1080m'],
    ['1000u', '1m'],
    ['5000m', '5'],
    ['1.2345', '1234500u'],
    ['1000E', '1e21'],
    // decimal exponents keep theirs
    ['1e3', '1e3'],
    ['.001e12', '1e9'],
    ['0.001e0', '1e-3'],
    ['1000e-12', '1e-9'],
    ['1.5e3', '1500'],
    // binary: the largest power of 1024; below 1Ki or fractional, DecimalSI
    ['1.5Gi', '1536Mi'],
    ['0.5Mi', '512Ki'],
    ['0.5Ki', '512'],
    ['1.5Ki', '1536'],
    ['.001Ki', '1024m'],
    ['.000001Ki', '1024u'],
    ['.000000001Ki', '1024n'],
    // rounded up to whole nano units
    ['.000000000001Ki', '2n'],
    ['0.9n', '1n'],
    ['3.001n', '4n'],
    // zero is 0, whatever its suffix
    ['0', '0'],
    ['0Gi', '0'],
    ['0m', '0'],
    ['00', '0'],
    // negative values keep their sign
    ['-1000m', '-1'],
    ['-2048Mi', '-2Gi'],
    // text the parser finds canonical is kept verbatim
    ['16Ki', '16Ki'],
    ['1Gi', '1Gi'],
    ['1.500', '1.500'],
    ['+1', '+1'],
  ])('%s is stored as %s', (rendered, stored) => {
    expect(canonicalQuantity(rendered)).toBe(stored);
  });

  test('a number is stored as a string', () => {
    expect(canonicalQuantity(1)).toBe('1');
    expect(canonicalQuantity(0.5)).toBe('500m');
  });

  test.each(['', 'abc', '1GB', '1 Gi'])('%p is not a quantity and comes back unchanged', text => {
    expect(canonicalQuantity(text)).toBe(text);
  });

  test('is idempotent', () => {
    for (const q of ['1000m', '2048Mi', '0.5', '1.5Gi', '.001Ki', '1000E', '1.5e3']) {
      expect(canonicalQuantity(canonicalQuantity(q))).toBe(canonicalQuantity(q));
    }
  });
});

describe('toQuantity (claims, volumes, size limits)', () => {
  test.each([
    [Size.kibibytes(16), '16Ki'],
    [Size.mebibytes(1024), '1Gi'],
    [Size.mebibytes(1536), '1536Mi'],
    [Size.gibibytes(300), '300Gi'],
    [Size.kibibytes(1024 ** 3), '1Ti'],
  ])('%p renders as %s, the form the API server stores', (size, quantity) => {
    expect(toQuantity(size)).toBe(quantity);
    expect(canonicalQuantity(quantity)).toBe(quantity);
  });
});

describe('toQuantity: zero, fractions of a Ki, the largest unit', () => {
  test.each<[Size, string | undefined]>([
    [Size.kibibytes(0), '0'],
    [Size.kibibytes(0.5), undefined],
    [Size.mebibytes(1.0001), undefined],
    [Size.kibibytes(1536), '1536Ki'],
    [Size.pebibyte(1), '1Pi'],
    [Size.pebibyte(3), '3Pi'],
  ])('%p renders as %p', (size, quantity) => {
    expect(toQuantity(size)).toBe(quantity);
  });
});

/**
 * The boundaries of the API server's parser (k8s.io/apimachinery pkg/api/resource quantity.go,
 * `ParseQuantity`): which text its fast path keeps verbatim, and the binary/decimal switch of
 * `CanonicalizeBytes`.
 */
describe('canonicalQuantity: the parser\'s boundaries', () => {
  test.each([
    // decimal fast path: at most 18 digits, scale at least -9 (nano)
    ['+123456789012345678', '+123456789012345678'],
    ['+1234567890123456789', '1234567890123456789'],
    ['+1n', '+1n'],
    // leading zeros are stripped before the canonical check, so the text is kept
    ['0012', '0012'],
    // a plain number has no binary suffix: 2048 stays decimal
    ['2048', '2048'],
    // binary fast path: a whole mantissa that is not a multiple of 8, and 15 - digits - exponent*3/10 - 1 >= 0
    ['+1Ki', '+1Ki'],
    ['+12345678901Ki', '+12345678901Ki'],
    ['+123456789012Ki', '123456789012Ki'],
    ['+1Ei', '1Ei'],
    // binary: exactly 1024 is 1Ki; below 1024 or not whole, DecimalSI
    ['1.0Ki', '1Ki'],
    ['0.9765625Ki', '1k'],
    ['1.0001Ki', '1024102400u'],
    // the largest binary suffixes, and the cap at 2^63-1
    ['2048Ti', '2Pi'],
    ['1024Pi', '1Ei'],
    ['16Ei', '9223372036854775807'],
    // the largest decimal suffixes
    ['1000G', '1T'],
    ['1000T', '1P'],
    ['1000P', '1E'],
  ])('%s is stored as %s', (rendered, stored) => {
    expect(canonicalQuantity(rendered)).toBe(stored);
  });

  test.each(['x1000m', '1000mx'])('%p is not a quantity and comes back unchanged', text => {
    expect(canonicalQuantity(text)).toBe(text);
  });
});
