import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findCookieGroup, parseCookieHeader } from '../../src/cookie/parse';
import { measureLinearity } from '../helpers/linearity';
import { catchSessionError } from './helpers';
import { SCAN_SHAPES } from './scan-shapes';

const group = (header: string | null | undefined, name = 'session', maxChunks = 4) =>
  Object.fromEntries(findCookieGroup(header, name, maxChunks));

describe('findCookieGroup: basics', () => {
  it('returns an empty map for a missing or empty header', () => {
    for (const header of [null, undefined, '', ';', ' ; ; ', 'other=1']) {
      expect(findCookieGroup(header, 'session', 4).size).toBe(0);
    }
  });

  it('does not crash on non-string headers from untyped callers', () => {
    for (const header of [42, {}, ['session=a'], true]) {
      expect(findCookieGroup(header as unknown as string, 'session', 4).size).toBe(0);
    }
  });

  it('finds the cookie and its chunks, keyed by index', () => {
    expect(group('theme=dark; session=abc; session.1=def; session.3=jkl; x=1')).toEqual({ 0: 'abc', 1: 'def', 3: 'jkl' });
  });

  it('finds chunks without the base cookie', () => {
    expect(group('session.2=b')).toEqual({ 2: 'b' });
  });

  it('returns values as-is: no percent-decoding, "=" kept after the first', () => {
    expect(group('session=a%20b==; session.1=Fe26.2**x*y')).toEqual({ 0: 'a%20b==', 1: 'Fe26.2**x*y' });
  });

  it('returns empty values', () => {
    expect(group('session=; session.1=""')).toEqual({ 0: '', 1: '' });
  });

  it('returns values with characters outside cookie-octet without crashing', () => {
    expect(group('session=a b\u0000é\u{1F600}\\,')).toEqual({ 0: 'a b\u0000é\u{1F600}\\,' });
    expect(group('session=\uD800')).toEqual({ 0: '\uD800' });
  });

  it('compares names exactly (case-sensitive, no prefix or suffix matches)', () => {
    expect(group('Session=a; SESSION=b; session_=c; xsession=d; sessio=e; session.1x=f; session..1=g')).toEqual({});
  });

  it('ignores pairs without "=" and pairs with an empty name', () => {
    expect(group('session; =session; session.1; session.2=ok')).toEqual({ 2: 'ok' });
  });

  it('validates its own arguments', () => {
    expect(catchSessionError(() => findCookieGroup('a=b', '', 4)).code).toBe('ERR_CONFIG_COOKIE');
    for (const maxChunks of [0, 101, 2.5]) {
      const err = catchSessionError(() => findCookieGroup('a=b', 'session', maxChunks));
      expect(err.code).toBe('ERR_CONFIG_OPTION');
      expect(err.option).toBe('maxChunks');
    }
  });
});

describe('findCookieGroup: duplicates', () => {
  it('keeps the first occurrence of each name', () => {
    expect(group('session=first; session.1=one; session=second; session.1=uno')).toEqual({ 0: 'first', 1: 'one' });
  });

  it('keeps the first even when it is empty', () => {
    expect(group('session=; session=later')).toEqual({ 0: '' });
  });

  it('does not let a pair without "=" shadow a later real one', () => {
    expect(group('session; session=real')).toEqual({ 0: 'real' });
  });
});

describe('findCookieGroup: whitespace and separators', () => {
  it.each([
    'session=abc;session.1=def',
    'session=abc; session.1=def',
    '  session=abc  ;  session.1=def  ',
    '\tsession=abc\t;\tsession.1=def\t',
    'session = abc; session.1 =\tdef',
    ';;session=abc;; ;session.1=def;',
  ])('reads %j', (header) => {
    expect(group(header)).toEqual({ 0: 'abc', 1: 'def' });
  });

  it('keeps inner whitespace in values and does not trim other characters', () => {
    expect(group('session=a b\t c ; session.1=\r\n')).toEqual({ 0: 'a b\t c', 1: '\r\n' });
  });

  it('does not treat "," as a separator', () => {
    expect(group('session=a, session.1=b')).toEqual({ 0: 'a, session.1=b' });
  });
});

describe('findCookieGroup: quoted values', () => {
  it.each([
    ['session="abc"', 'abc'],
    ['session= "abc" ', 'abc'],
    ['session=""', ''],
    ['session="', '"'],
    ['session="abc', '"abc'],
    ['session=abc"', 'abc"'],
    ['session=""abc""', '"abc"'],
    ['session="a;b"', '"a'],
  ])('reads %j as %j', (header, value) => {
    expect(group(header)).toEqual({ 0: value });
  });
});

describe('findCookieGroup: chunk indexes', () => {
  it('accepts one or two digits below maxChunks', () => {
    expect(group('s.1=a; s.9=b; s.10=c; s.42=d; s.99=e', 's', 100)).toEqual({ 1: 'a', 9: 'b', 10: 'c', 42: 'd', 99: 'e' });
  });

  it.each(['s.0', 's.00', 's.01', 's.09', 's.100', 's.1.1', 's.x', 's.', 's.-1', 's.+1', 's.1 1', 's. 1', 's.１', 's.٣'])(
    'ignores %j',
    (name) => {
      expect(group(`${name}=v`, 's', 100)).toEqual({});
    },
  );

  it('ignores indexes at or above maxChunks', () => {
    expect(group('s=a; s.1=b; s.2=c; s.3=d; s.4=e', 's', 3)).toEqual({ 0: 'a', 1: 'b', 2: 'c' });
    expect(group('s.1=b; s=a', 's', 1)).toEqual({ 0: 'a' });
    expect(group('s.10=x; s.9=y', 's', 10)).toEqual({ 9: 'y' });
  });

  it('handles names containing dots and digits', () => {
    expect(group('app.v2=a; app.v2.1=b; app.v2.11=c; app.v21=d', 'app.v2', 12)).toEqual({ 0: 'a', 1: 'b', 11: 'c' });
  });

  it('stops at the first full group and ignores what follows', () => {
    expect(group('s=a; s.1=b; s=c; s.1=d', 's', 2)).toEqual({ 0: 'a', 1: 'b' });
  });
});

describe('parseCookieHeader', () => {
  it('collects every named pair, first occurrence winning', () => {
    expect(Object.fromEntries(parseCookieHeader(' a=1; b="two" ;c=; a=3; flag; =x; d=e=f'))).toEqual({
      a: '1',
      b: 'two',
      c: '',
      d: 'e=f',
    });
  });

  it('returns an empty map for missing headers', () => {
    expect(parseCookieHeader(null).size).toBe(0);
    expect(parseCookieHeader(undefined).size).toBe(0);
    expect(parseCookieHeader('').size).toBe(0);
  });
});

describe('hostile 1 MB headers', () => {
  const MB = 1 << 20;
  const found: Record<string, { group: Record<number, number>; pairs: number }> = {
    '10,000+ ordinary cookies': { group: {}, pairs: 1 },
    'pairs without "=" then one "=" at the end': { group: {}, pairs: 0 },
    'one pair with a 1 MB value': { group: { 0: MB }, pairs: 1 },
    'whitespace runs': { group: { 0: 1 }, pairs: 1 },
    'names that almost match': { group: {}, pairs: 3 },
    'only separators': { group: {}, pairs: 0 },
    'only "="': { group: {}, pairs: 0 },
    quotes: { group: {}, pairs: 0 },
    '1 MB name': { group: {}, pairs: 1 },
  };

  it.each(Object.entries(SCAN_SHAPES))('reads 1 MB of %s', (shape, build) => {
    const header = build(MB);
    const lengths = Object.fromEntries([...findCookieGroup(header, 'session', 100)].map(([i, v]) => [i, v.length]));
    expect({ group: lengths, pairs: parseCookieHeader(header).size }).toEqual(found[shape]);
  });

  it('finds the cookie after 10,000 others', () => {
    const others = Array.from({ length: 10_000 }, (_, i) => `c${i}=${'x'.repeat(20)}`).join('; ');
    const header = `${others}; session=found; session.1=too`;
    expect(group(header)).toEqual({ 0: 'found', 1: 'too' });
    expect(parseCookieHeader(header).size).toBe(10_002);
  });

  it('costs less than 24x the CPU time at 1 MB than at 128 kB, for every shape (8x the size; quadratic would be 64x)', async () => {
    const figures = await measureLinearity('scanner');
    expect(Object.keys(figures).sort()).toEqual(Object.keys(SCAN_SHAPES).sort());
    for (const [shape, { ratio }] of Object.entries(figures)) expect(ratio, shape).toBeLessThan(24);
  }, 60_000);
});

describe('properties', () => {
  const TCHARS = "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  const OCTETS = Array.from({ length: 0x7e - 0x21 + 1 }, (_, i) => String.fromCharCode(0x21 + i))
    .filter((c) => c !== '"' && c !== ',' && c !== ';' && c !== '\\')
    .join('');
  const token = fc.string({ unit: fc.constantFrom(...TCHARS), minLength: 1, maxLength: 12 });
  const cookieValue = fc.string({ unit: fc.constantFrom(...OCTETS), maxLength: 40 });
  /** Characters that make collisions with cookie syntax and chunk names likely. */
  const tricky = fc.string({ unit: fc.constantFrom('s', '.', '0', '1', '2', '9', '=', ';', ' ', '\t', '"', ',', 'x', '\r'), maxLength: 60 });

  it('never throws, on any string, and always returns indexes below maxChunks', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), tricky), fc.oneof(token, fc.constant('s')), fc.integer({ min: 1, max: 100 }), (header, name, maxChunks) => {
        const found = findCookieGroup(header, name, maxChunks);
        for (const index of found.keys()) expect(index >= 0 && index < maxChunks && Number.isInteger(index)).toBe(true);
        parseCookieHeader(header);
      }),
      { numRuns: 1000 },
    );
  });

  it('agrees with parseCookieHeader on every header', () => {
    const chunkIndex = (key: string, name: string, maxChunks: number): number | undefined => {
      if (key === name) return 0;
      const m = /^\.([1-9][0-9]?)$/.exec(key.startsWith(name) ? key.slice(name.length) : '');
      const index = m?.[1] === undefined ? undefined : Number(m[1]);
      return index !== undefined && index < maxChunks ? index : undefined;
    };
    fc.assert(
      fc.property(tricky, fc.integer({ min: 1, max: 12 }), (header, maxChunks) => {
        const expected = new Map<number, string>();
        for (const [key, value] of parseCookieHeader(header)) {
          const index = chunkIndex(key, 's', maxChunks);
          if (index !== undefined) expected.set(index, value);
        }
        expect(new Map([...findCookieGroup(header, 's', maxChunks)].sort((a, b) => a[0] - b[0]))).toEqual(
          new Map([...expected].sort((a, b) => a[0] - b[0])),
        );
      }),
      { numRuns: 3000 },
    );
  });

  it('finds a cookie group inserted among random valid cookies', () => {
    const separator = fc.constantFrom('; ', ';', ' ;  ', '\t;\t');
    fc.assert(
      fc.property(
        token,
        fc.integer({ min: 1, max: 100 }),
        fc.array(fc.tuple(token, cookieValue), { maxLength: 30 }),
        fc.array(cookieValue, { minLength: 1, maxLength: 5 }),
        separator,
        fc.boolean(),
        fc.nat(),
        (name, maxChunks, others, values, sep, quoted, seed) => {
          const chunks = values.slice(0, maxChunks);
          const ours = new Set(chunks.map((_, k) => (k === 0 ? name : `${name}.${k}`)));
          const pairs = others.filter(([n]) => !ours.has(n)).map(([n, v]) => `${n}=${v}`);
          chunks.forEach((v, k) => {
            const pair = `${k === 0 ? name : `${name}.${k}`}=${quoted ? `"${v}"` : v}`;
            pairs.splice((seed + k * 7) % (pairs.length + 1), 0, pair);
          });
          const found = findCookieGroup(pairs.join(sep), name, maxChunks);
          chunks.forEach((v, k) => expect(found.get(k)).toBe(v));
        },
      ),
      { numRuns: 1000 },
    );
  });
});
