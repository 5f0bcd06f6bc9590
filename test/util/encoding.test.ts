import { beforeAll, describe, expect, it, vi } from 'vitest';
import * as encoding from '../../src/util/encoding';
import { prng } from '../seal/helpers';

type Encoding = typeof encoding;

/**
 * The module picks Node's Buffer when it exists and a portable loop
 * otherwise (edge runtimes). Load a second copy with Buffer hidden so both
 * paths run the same assertions.
 */
let portable: Encoding;
beforeAll(async () => {
  vi.resetModules();
  const saved = globalThis.Buffer;
  (globalThis as { Buffer?: unknown }).Buffer = undefined;
  try {
    portable = await import('../../src/util/encoding');
  } finally {
    globalThis.Buffer = saved;
  }
  expect(portable).not.toBe(encoding);
});

it('the portable copy really runs without Buffer, the default copy with it', () => {
  const spy = vi.spyOn(Buffer, 'from');
  try {
    portable.fromBase64Url(portable.toBase64Url(Uint8Array.of(1, 2, 3)));
    expect(spy).not.toHaveBeenCalled();
    encoding.fromBase64Url(encoding.toBase64Url(Uint8Array.of(1, 2, 3)));
    expect(spy).toHaveBeenCalled();
  } finally {
    spy.mockRestore();
  }
});

const bytesOf = (length: number, seed = length): Uint8Array => {
  const rand = prng(seed + 1);
  return Uint8Array.from({ length }, () => Math.floor(rand() * 256));
};

describe.each([
  { path: 'Buffer', get: (): Encoding => encoding },
  { path: 'portable', get: (): Encoding => portable },
])('base64url ($path path)', ({ get }) => {
  it('encodes like Buffer (no padding) and decodes back, for every length 0..70', () => {
    const { toBase64Url, fromBase64Url } = get();
    for (let n = 0; n <= 70; n++) {
      const bytes = bytesOf(n);
      const text = toBase64Url(bytes);
      expect(text).toBe(Buffer.from(bytes).toString('base64url'));
      expect(text).not.toMatch(/[=+/]/);
      const back = fromBase64Url(text);
      expect(back).toBeInstanceOf(Uint8Array);
      expect(Array.from(back!)).toEqual(Array.from(bytes));
    }
  });

  it('encodes every byte value (the whole alphabet appears)', () => {
    const { toBase64Url, fromBase64Url } = get();
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const text = toBase64Url(all);
    expect(Array.from(fromBase64Url(text)!)).toEqual(Array.from(all));
  });

  it('encodes a view into a larger buffer by its own bytes only', () => {
    const { toBase64Url } = get();
    const big = bytesOf(64);
    const view = big.subarray(10, 20);
    expect(toBase64Url(view)).toBe(Buffer.from(view).toString('base64url'));
  });

  it('decodes the empty string to no bytes', () => {
    expect(get().fromBase64Url('')?.length).toBe(0);
  });

  it.each([
    ['padding', 'AAAA=='],
    ['padding on a 2-char tail', 'QQ=='],
    ['standard-alphabet plus', 'ab+d'],
    ['standard-alphabet slash', 'ab/d'],
    ['space', 'ab d'],
    ['dot', 'ab.d'],
    ['asterisk', 'ab*d'],
    ['non-ASCII', 'abé1'],
    ['full-width letter', 'ａbcd'],
    ['NUL', 'ab\u0000d'],
    ['length 1', 'A'],
    ['length 5', 'AAAAA'],
  ])('refuses %s', (_name, text) => {
    expect(get().fromBase64Url(text)).toBeUndefined();
  });

  it('refuses non-canonical tails whose unused bits are set (Buffer would accept them)', () => {
    const { fromBase64Url, toBase64Url } = get();
    // 1 byte → 2 chars, 4 unused bits; 2 bytes → 3 chars, 2 unused bits.
    for (const bytes of [Uint8Array.of(0x41), Uint8Array.of(0x41, 0x42), bytesOf(32)]) {
      const canonical = toBase64Url(bytes);
      const unused = canonical.length % 4 === 2 ? 15 : 3;
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      const last = alphabet.indexOf(canonical.at(-1)!);
      for (let low = 1; low <= unused; low++) {
        const spelled = canonical.slice(0, -1) + alphabet[(last & ~unused) | low]!;
        // Buffer reads it as the same bytes: this is exactly the malleability we refuse.
        expect(Array.from(Buffer.from(spelled, 'base64url'))).toEqual(Array.from(bytes));
        expect(fromBase64Url(spelled)).toBeUndefined();
      }
      expect(fromBase64Url(canonical)).toBeDefined();
    }
  });
});

describe('hex', () => {
  it('is lower-case, two digits per byte, like Buffer', () => {
    for (const n of [0, 1, 2, 16, 32, 33]) {
      const bytes = bytesOf(n);
      expect(encoding.toHex(bytes)).toBe(Buffer.from(bytes).toString('hex'));
      expect(portable.toHex(bytes)).toBe(Buffer.from(bytes).toString('hex'));
    }
    expect(encoding.toHex(Uint8Array.of(0, 15, 16, 255))).toBe('000f10ff');
  });
});

describe('utf8', () => {
  it('round-trips text with emoji, CJK and astral characters', () => {
    const text = 'héllo 世界 🍪👩‍💻 \u{10FFFF}';
    const bytes = encoding.utf8(text);
    expect(Buffer.from(bytes).toString('utf8')).toBe(text);
    expect(encoding.fromUtf8(bytes)).toBe(text);
  });

  it.each([
    ['a lone continuation byte', [0x80]],
    ['a truncated 2-byte sequence', [0xc3]],
    ['an overlong encoding of "/"', [0xc0, 0xaf]],
    ['an encoded surrogate', [0xed, 0xa0, 0x80]],
    ['0xFF', [0x7b, 0xff, 0x7d]],
  ])('throws on invalid UTF-8: %s', (_name, bytes) => {
    expect(() => encoding.fromUtf8(Uint8Array.from(bytes))).toThrow();
  });
});

describe('toLosslessJson', () => {
  class Point {
    constructor(
      readonly x: number,
      readonly y: number,
    ) {}
  }

  it.each([
    ['a string', 'hi'],
    ['an empty string', ''],
    ['a number', 42.5],
    ['a negative number', -7],
    ['true', true],
    ['false', false],
    ['null', null],
    ['an empty object', {}],
    ['an empty array', []],
    ['nested values', { a: [1, { b: null, c: 'x' }], d: { e: { f: true } } }],
    ['unicode', { emoji: '🍪', cjk: '漢字', rtl: 'שלום' }],
    ['a null-prototype object', Object.assign(Object.create(null) as object, { a: 1 })],
    ['the same object twice (a DAG, not a cycle)', (() => { const shared = { n: 1 }; return { a: shared, b: [shared, shared] }; })()],
  ])('accepts %s, unchanged by a JSON round trip', (_name, value) => {
    const json = encoding.toLosslessJson(value);
    expect(json).toBe(JSON.stringify(value));
    expect(JSON.parse(json!)).toEqual(value);
  });

  it('drops object properties whose value is undefined, as JSON does', () => {
    expect(encoding.toLosslessJson({ a: 1, b: undefined })).toBe('{"a":1}');
  });

  const cyclic: Record<string, unknown> = { a: 1 };
  cyclic.self = cyclic;
  const cyclicArray: unknown[] = [1];
  cyclicArray.push(cyclicArray);
  const deep: unknown[] = [];
  let cursor = deep;
  for (let i = 0; i < 400; i++) {
    const next: unknown[] = [];
    cursor.push(next);
    cursor = next;
  }

  it.each([
    ['undefined', undefined],
    ['a function', () => 1],
    ['a symbol', Symbol('s')],
    ['a bigint', 10n],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['-Infinity', Number.NEGATIVE_INFINITY],
    ['a Date', new Date(0)],
    ['a Map', new Map([[1, 2]])],
    ['a Set', new Set([1])],
    ['a RegExp', /x/],
    ['a class instance', new Point(1, 2)],
    ['a boxed string', Object('x') as unknown],
    ['a Uint8Array', new Uint8Array(2)],
    ['undefined in an array', [1, undefined]],
    ['a hole in an array', [1, , 3]], // eslint-disable-line no-sparse-arrays
    ['a function in an object', { f: () => 1 }],
    ['a bigint deep inside', { a: [{ b: 1n }] }],
    ['NaN inside', { a: [Number.NaN] }],
    ['a Date inside', { when: new Date(0) }],
    ['an object with toJSON', { toJSON: () => 'x' }],
    ['a cycle', cyclic],
    ['an array cycle', cyclicArray],
    ['nesting deeper than 256', deep],
  ])('refuses %s', (_name, value) => {
    expect(encoding.toLosslessJson(value)).toBeUndefined();
  });
});

describe('toLosslessJson: what JSON would skip without a word', () => {
  class Tags extends Array<string> {}
  const tags = new Tags();
  tags.push('a');
  const hidden = Object.defineProperty({ a: 1 }, 'b', { value: 2, enumerable: false });
  const hiddenUndefined = Object.defineProperty({ a: 1 }, 'b', { value: undefined, enumerable: false });

  it.each([
    ['an Array subclass', tags],
    ['an Array subclass inside', { tags }],
    ['a symbol-keyed property', { a: 1, [Symbol('s')]: 1 }],
    ['a symbol-keyed property with an undefined value', { a: 1, [Symbol('s')]: undefined }],
    ['a registered-symbol key deep inside', { a: [{ b: { [Symbol.for('x')]: 'y' } }] }],
    ['a non-enumerable property', hidden],
    ['a non-enumerable property inside an array', [hidden]],
    ['a non-enumerable property whose value is undefined', hiddenUndefined],
    ['a non-enumerable property on a null-prototype object', Object.defineProperty(Object.create(null) as object, 'x', { value: 1 })],
  ])('refuses %s', (_name, value) => {
    expect(encoding.toLosslessJson(value)).toBeUndefined();
  });

  it('lets through, as documented, the sign of -0 and an array’s non-element properties', () => {
    expect(encoding.toLosslessJson({ n: -0 })).toBe('{"n":0}');
    const withExtra = Object.assign([1, 2], { extra: 'dropped' });
    expect(encoding.toLosslessJson(withExtra)).toBe('[1,2]');
    expect(encoding.toLosslessJson('abc'.match(/b/))).toBe('["b"]');
  });

  it('still accepts plain values when someone added an enumerable property to Object.prototype', () => {
    const proto = Object.prototype as Record<string, unknown>;
    proto.polluted = 'x';
    try {
      expect(encoding.toLosslessJson({ a: 1, b: [{ c: 2 }] })).toBe('{"a":1,"b":[{"c":2}]}');
      expect(encoding.toLosslessJson(hidden)).toBeUndefined();
    } finally {
      delete proto.polluted;
    }
  });

  it('does not read a symbol-keyed or non-enumerable property’s getter (it is refused by its key alone)', () => {
    const getter = vi.fn(() => 1);
    expect(encoding.toLosslessJson(Object.defineProperty({}, 'g', { get: getter, enumerable: false }))).toBeUndefined();
    expect(getter).not.toHaveBeenCalled();
  });
});
