import { parseQuantity, quantityToBytes } from '../../src/private/quantity';

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
    [3, 3],
    ['1 core', undefined],
    ['1GB', undefined],
    ['', undefined],
    ['Gi', undefined],
  ])('parseQuantity(%p) is %p', (quantity, value) => {
    expect(parseQuantity(quantity)).toBe(value);
  });
});
