import { parseIp } from '../../src/private/ip';

describe('parseIp: RFC 5952 text', () => {
  test.each([
    // a single zero group is written out, never compressed (RFC 5952 section 4.2.2)
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['2001:db8::1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    // two or more zero groups are compressed
    ['2001:db8:0:0:1:1:1:1', '2001:db8::1:1:1:1'],
    // the longest run wins; on a tie, the first
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:DB8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['0:0:0:0:0:0:0:0', '::'],
  ])('%s is written %s', (input, text) => {
    expect(parseIp(input)?.text).toBe(text);
  });
});
