import { describe, expect, it } from 'vitest';
import {
  firstInvalidCookieOctet,
  firstInvalidPathChar,
  firstInvalidTokenChar,
  isCookieName,
  isCookieValue,
} from '../../src/cookie/grammar';

/** The ABNF rules, restated independently as predicates over one code unit. */
const inRanges = (c: number, ranges: Array<[number, number]>) => ranges.some(([a, b]) => c >= a && c <= b);
// RFC 6265bis §4.1.1 cookie-octet
const cookieOctet = (c: number) => inRanges(c, [[0x21, 0x21], [0x23, 0x2b], [0x2d, 0x3a], [0x3c, 0x5b], [0x5d, 0x7e]]);
// RFC 9110 §5.6.2 tchar
const tchar = (c: number) => "!#$%&'*+-.^_`|~".includes(String.fromCharCode(c)) || inRanges(c, [[0x30, 0x39], [0x41, 0x5a], [0x61, 0x7a]]);
// RFC 6265bis av-octet (%x20-3A / %x3C-7E) without SP and ','
const pathOctet = (c: number) => inRanges(c, [[0x20, 0x3a], [0x3c, 0x7e]]) && c !== 0x20 && c !== 0x2c;

describe('grammar tables match the RFC grammars for every UTF-16 code unit', () => {
  it.each([
    ['cookie-octet', firstInvalidCookieOctet, cookieOctet],
    ['tchar', firstInvalidTokenChar, tchar],
    ['path octet', firstInvalidPathChar, pathOctet],
  ] as const)('%s', (_, firstInvalid, rule) => {
    const mismatches: number[] = [];
    for (let c = 0; c <= 0xffff; c++) {
      const accepted = firstInvalid('a' + String.fromCharCode(c)) === -1;
      if (accepted !== rule(c)) mismatches.push(c);
    }
    expect(mismatches).toEqual([]);
  });

  it('counts the expected sizes', () => {
    let octets = 0;
    let tchars = 0;
    for (let c = 0; c < 128; c++) {
      if (isCookieValue(String.fromCharCode(c))) octets++;
      if (isCookieName(String.fromCharCode(c))) tchars++;
    }
    expect(octets).toBe(90); // 94 visible ASCII minus " , ; \
    expect(tchars).toBe(77); // 62 alphanumerics + 15 symbols
  });

  it('reports the first bad index, and accepts empty values but not empty names', () => {
    expect(firstInvalidCookieOctet('ab;c d')).toBe(2);
    expect(firstInvalidTokenChar('ab c=d')).toBe(2);
    expect(firstInvalidCookieOctet('\uD83D\uDE00')).toBe(0);
    expect(isCookieValue('')).toBe(true);
    expect(isCookieName('')).toBe(false);
  });
});
