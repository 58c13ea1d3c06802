import { quantityToBytes } from '../../src/private/quantity';

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
    ['100', 100],
  ])('%s is %d bytes', (quantity, bytes) => {
    expect(quantityToBytes(quantity)).toBe(bytes);
  });

  test.each(['', '1GB', 'Gi', '-1Gi', '1 gi'])('%p is not a quantity', quantity => {
    expect(quantityToBytes(quantity)).toBeUndefined();
  });
});
