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
