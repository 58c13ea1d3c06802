import { canonicalQuantity } from '../src/private/quantity';

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
