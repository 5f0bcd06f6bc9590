import * as nodeCrypto from 'node:crypto';
import * as iron from 'iron-webcrypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SessionError, isSessionError } from '../../src/errors';
import { openSealed, sealData, sealWithRing, unsealData } from '../../src/seal/index';
import { ironSeal } from '../../src/seal/iron';
import { createKeyRing } from '../../src/seal/keys';
import { ENGINES, RAW_32, SECRET, SECRET_2, craftToken, expectCode, rejection, split, withPart } from './helpers';

const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);

afterEach(() => {
  vi.useRealTimers();
});

class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
}

describe.each(ENGINES)('round trips ($engine engine)', ({ options }) => {
  const keys = createKeyRing(SECRET, options);

  it.each<[string, unknown]>([
    ['a string', 'hello'],
    ['the empty string', ''],
    ['zero', 0],
    ['a negative float', -1.5],
    ['a large number', 1e300],
    ['MAX_SAFE_INTEGER', Number.MAX_SAFE_INTEGER],
    ['true', true],
    ['false', false],
    ['null', null],
    ['an empty object', {}],
    ['an empty array', []],
    ['nested objects', { a: { b: { c: { d: [1, 2, { e: 'f' }] } } } }],
    ['an array of mixed values', [1, 'two', null, true, { x: [] }, [[]]]],
    ['emoji', '🍪👩‍💻🏳️‍🌈'],
    ['CJK', { 名前: '山田太郎', 中文: '漢字かなカナ', 한국어: '안녕하세요' }],
    ['control characters and quotes', 'a\u0000b\n"\\\u2028\u2029'],
    ['a lone surrogate (JSON escapes it)', '\ud800x'],
    ['a few KB of state', { items: Array.from({ length: 200 }, (_, i) => ({ id: i, name: `item-${i}` })) }],
  ])('%s', async (_name, value) => {
    const token = await sealData(value, { keys });
    await expect(unsealData(token, { keys })).resolves.toEqual(value);
  });

  it('with a raw 32-byte key', async () => {
    const raw = createKeyRing(RAW_32, options);
    const value = { emoji: '🍪', list: [1, 2, 3] };
    await expect(unsealData(await sealData(value, { keys: raw }), { keys: raw })).resolves.toEqual(value);
  });

  it('drops undefined object properties, as JSON does', async () => {
    await expect(unsealData(await sealData({ a: 1, b: undefined }, { keys }), { keys })).resolves.toEqual({ a: 1 });
  });

  it('a "__proto__" key stays plain data and pollutes nothing', async () => {
    const value = JSON.parse('{"__proto__":{"polluted":true},"a":1}') as Record<string, unknown>;
    const back = (await unsealData(await sealData(value, { keys }), { keys })) as Record<string, unknown>;
    expect(Object.hasOwn(back, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('tokens are cookie-safe (only A-Z a-z 0-9 - _ . *)', async () => {
    const token = await sealData({ s: '🍪 ; = , "' }, { keys, ttl: 60, purpose: 'p' });
    expect(token).toMatch(/^[A-Za-z0-9\-_.*]+$/);
  });

  it('sealing the same value twice gives different iv and ciphertext', async () => {
    const a = split(await sealData({ same: true }, { keys }));
    const b = split(await sealData({ same: true }, { keys }));
    expect(b.iv).not.toBe(a.iv);
    expect(b.ciphertext).not.toBe(a.ciphertext);
  });

  const cycle: Record<string, unknown> = {};
  cycle.self = cycle;
  it.each<[string, unknown]>([
    ['undefined', undefined],
    ['a function', function f() {}],
    ['a bigint', 1n],
    ['a symbol', Symbol('x')],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['a Date', new Date()],
    ['a Map', new Map()],
    ['a Set', new Set()],
    ['a class instance', new Point(1, 2)],
    ['a cycle', cycle],
    ['a bigint inside an object', { n: 1n }],
    ['a Date inside an array', [new Date()]],
    ['undefined inside an array', [undefined]],
    ['an Array subclass', new (class Tags extends Array<string> {})()],
    ['a symbol-keyed property', { a: 1, [Symbol('s')]: 1 }],
    ['a non-enumerable property', Object.defineProperty({ a: 1 }, 'b', { value: 2, enumerable: false })],
  ])('refuses %s with ERR_SEAL_NOT_SERIALIZABLE', async (_name, value) => {
    const err = await expectCode(sealData(value, { keys }), 'ERR_SEAL_NOT_SERIALIZABLE');
    expect(err).toBeInstanceOf(SessionError);
    expect(isSessionError(err, 'ERR_SEAL_NOT_SERIALIZABLE')).toBe(true);
  });
});

describe('sealWithRing (the entry the session layer uses)', () => {
  it('is synchronous on the node engine and its token opens', async () => {
    const keys = createKeyRing(SECRET);
    const token = sealWithRing(keys, { a: 1 }, 'p', Date.now(), undefined);
    expect(typeof token).toBe('string');
    await expect(unsealData(token as string, { keys, purpose: 'p' })).resolves.toEqual({ a: 1 });
  });

  it('throws ERR_SEAL_NOT_SERIALIZABLE synchronously, on both engines', () => {
    for (const crypto of ['node', 'webcrypto'] as const) {
      let caught: unknown;
      try {
        void sealWithRing(createKeyRing(SECRET, { crypto }), { when: new Date() }, undefined, Date.now(), undefined);
      } catch (err) {
        caught = err;
      }
      expect(isSessionError(caught, 'ERR_SEAL_NOT_SERIALIZABLE')).toBe(true);
    }
  });
});

describe.each(ENGINES)('the envelope and iron-webcrypto ($engine engine)', ({ options }) => {
  const keys = createKeyRing(SECRET, options);

  it('our sealData token opens with iron.unseal and holds { i, d } (no p without a purpose)', async () => {
    const before = Date.now();
    const token = await sealData({ a: [1, '🍪'] }, { keys });
    const envelope = (await iron.unseal(token, SECRET, iron.defaults)) as Record<string, unknown>;
    expect(Object.keys(envelope).sort()).toEqual(['d', 'i']);
    expect(envelope.d).toEqual({ a: [1, '🍪'] });
    expect(envelope.i).toBeGreaterThanOrEqual(before);
    expect(envelope.i).toBeLessThanOrEqual(Date.now());
  });

  it('with a purpose, p is in the envelope', async () => {
    const token = await sealData('x', { keys, purpose: 'magic-link', ttl: 600 });
    await expect(iron.unseal(token, SECRET, iron.defaults)).resolves.toEqual({ i: expect.any(Number), p: 'magic-link', d: 'x' });
  });

  it('a token iron.seal made of an envelope opens with unsealData', async () => {
    const token = await iron.seal({ i: 1, p: 'invite', d: { team: 7 } }, SECRET, iron.defaults);
    await expect(unsealData(token, { keys, purpose: 'invite' })).resolves.toEqual({ team: 7 });
  });

  it.each<[string, unknown]>([
    ['a plain object', { user: 1 }],
    ['an object without i', { d: 1 }],
    ['an object without d', { i: 1 }],
    ['a string i', { i: '1', d: 1 }],
    ['an array', [1, 2]],
    ['a string', 'hello'],
    ['a number', 42],
    ['null', null],
  ])('an iron token whose payload is not our envelope (%s): ERR_SEAL_PURPOSE', async (_name, payload) => {
    const token = await iron.seal(payload, SECRET, iron.defaults);
    await expectCode(unsealData(token, { keys }), 'ERR_SEAL_PURPOSE');
  });

  it('d may be null', async () => {
    const token = await iron.seal({ i: 1, d: null }, SECRET, iron.defaults);
    await expect(unsealData(token, { keys })).resolves.toBeNull();
  });
});

describe.each(ENGINES)('purpose ($engine engine)', ({ options }) => {
  const keys = createKeyRing(SECRET, options);

  it('opens with the same purpose', async () => {
    await expect(unsealData(await sealData(1, { keys, purpose: 'a' }), { keys, purpose: 'a' })).resolves.toBe(1);
  });

  it('purpose A does not open as purpose B', async () => {
    await expectCode(unsealData(await sealData(1, { keys, purpose: 'A' }), { keys, purpose: 'B' }), 'ERR_SEAL_PURPOSE');
  });

  it('a purpose does not open without one', async () => {
    await expectCode(unsealData(await sealData(1, { keys, purpose: 'A' }), { keys }), 'ERR_SEAL_PURPOSE');
  });

  it('no purpose does not open with one', async () => {
    await expectCode(unsealData(await sealData(1, { keys }), { keys, purpose: 'A' }), 'ERR_SEAL_PURPOSE');
  });

  it('is compared exactly (case, unicode, JSON-looking text)', async () => {
    const token = await sealData(1, { keys, purpose: 'Café"}' });
    await expect(unsealData(token, { keys, purpose: 'Café"}' })).resolves.toBe(1);
    await expectCode(unsealData(token, { keys, purpose: 'café"}' }), 'ERR_SEAL_PURPOSE');
  });

  it.each<[string, unknown]>([
    ['the empty string', ''],
    ['257 characters', 'p'.repeat(257)],
    ['a number', 7],
    ['null', null],
  ])('refuses a purpose of %s with ERR_CONFIG_OPTION', async (_name, purpose) => {
    const err = await expectCode(sealData(1, { keys, purpose: purpose as string }), 'ERR_CONFIG_OPTION');
    expect(err.option).toBe('purpose');
    await expectCode(unsealData('x', { keys, purpose: purpose as string }), 'ERR_CONFIG_OPTION');
  });

  it('accepts a 256-character purpose', async () => {
    const purpose = 'p'.repeat(256);
    await expect(unsealData(await sealData(1, { keys, purpose }), { keys, purpose })).resolves.toBe(1);
  });
});

describe.each(ENGINES)('expiry ($engine engine)', ({ options }) => {
  const keys = createKeyRing(SECRET, options);
  const at = (ms: number) => vi.setSystemTime(ms);

  it('a ttl token opens until expiry + 60 s of skew and is expired exactly at that boundary', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    at(T0);
    const token = await sealData({ a: 1 }, { keys, ttl: 30 });
    expect(split(token).expiration).toBe(String(T0 + 30_000));
    at(T0 + 30_000);
    await expect(unsealData(token, { keys })).resolves.toEqual({ a: 1 });
    at(T0 + 30_000 + 60_000 - 1);
    await expect(unsealData(token, { keys })).resolves.toEqual({ a: 1 });
    at(T0 + 30_000 + 60_000);
    await expectCode(unsealData(token, { keys }), 'ERR_SEAL_EXPIRED');
  });

  it('with timestampSkewSec: 0 the boundary is the expiry itself', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    at(T0);
    const token = await sealData('v', { keys, ttl: 30 });
    at(T0 + 30_000 - 1);
    await expect(unsealData(token, { keys, timestampSkewSec: 0 })).resolves.toBe('v');
    at(T0 + 30_000);
    await expectCode(unsealData(token, { keys, timestampSkewSec: 0 }), 'ERR_SEAL_EXPIRED');
    await expect(unsealData(token, { keys })).resolves.toBe('v');
  });

  it('timestampSkewSec: 600 is the most allowed', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    at(T0);
    const token = await sealData('v', { keys, ttl: 1 });
    at(T0 + 1000 + 600_000 - 1);
    await expect(unsealData(token, { keys, timestampSkewSec: 600 })).resolves.toBe('v');
    at(T0 + 1000 + 600_000);
    await expectCode(unsealData(token, { keys, timestampSkewSec: 600 }), 'ERR_SEAL_EXPIRED');
  });

  it('fractional ttl rounds the expiry up to the next ms', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    at(T0);
    expect(split(await sealData(1, { keys, ttl: 0.0005 })).expiration).toBe(String(T0 + 1));
  });

  it('an expired token with a tampered MAC reports BAD_MAC, not EXPIRED', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    at(T0);
    const token = await sealData(1, { keys, ttl: 1 });
    at(T0 + 3_600_000);
    await expectCode(unsealData(token, { keys }), 'ERR_SEAL_EXPIRED');
    const { mac } = split(token);
    await expectCode(unsealData(withPart(token, 'mac', (mac[0] === 'A' ? 'B' : 'A') + mac.slice(1)), { keys }), 'ERR_SEAL_BAD_MAC');
  });

  it('no ttl (or ttl 0) means no expiry: still open 50 years later', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    at(T0);
    const none = await sealData(1, { keys });
    const zero = await sealData(1, { keys, ttl: 0 });
    expect(split(none).expiration).toBe('');
    expect(split(zero).expiration).toBe('');
    at(T0 + 50 * 365 * 86_400_000);
    await expect(unsealData(none, { keys })).resolves.toBe(1);
    await expect(unsealData(zero, { keys })).resolves.toBe(1);
  });

  it('openSealed reports issuedAt and expiresAt', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    at(T0);
    const token = await sealData(1, { keys, ttl: 90 });
    expect(await openSealed(keys, token, undefined, T0 + 1, 0)).toMatchObject({ ok: true, issuedAt: T0, expiresAt: T0 + 90_000 });
  });

  it.each<[string, unknown]>([
    ['-1', -1],
    ['601', 601],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['a string', '60'],
    ['null', null],
  ])('refuses timestampSkewSec %s with ERR_CONFIG_OPTION', async (_name, timestampSkewSec) => {
    const token = await sealData(1, { keys });
    const err = await expectCode(unsealData(token, { keys, timestampSkewSec: timestampSkewSec as number }), 'ERR_CONFIG_OPTION');
    expect(err.option).toBe('timestampSkewSec');
  });

  it.each<[string, unknown]>([
    ['-1', -1],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['2^31 + 1', 2 ** 31 + 1],
    ['a string', '60'],
  ])('refuses ttl %s with ERR_CONFIG_OPTION', async (_name, ttl) => {
    const err = await expectCode(sealData(1, { keys, ttl: ttl as number }), 'ERR_CONFIG_OPTION');
    expect(err.option).toBe('ttl');
  });
});

describe.each(ENGINES)('every rejection code through unsealData ($engine engine)', ({ options }) => {
  const keys = createKeyRing(SECRET, options);

  it('ERR_SEAL_MALFORMED, with a message that names no secret and no token', async () => {
    const token = await sealData({ secretState: 'zzz' }, { keys });
    const err = await expectCode(unsealData(withPart(token, 'prefix', 'Fe26.1'), { keys }), 'ERR_SEAL_MALFORMED');
    expect(err.message).not.toContain(SECRET);
    expect(err.message).not.toContain(split(token).ciphertext);
    expect(err.message).not.toContain('zzz');
  });

  it('ERR_SEAL_BAD_MAC for another secret', async () => {
    await expectCode(unsealData(await sealData(1, { keys: SECRET_2, ...options }), { keys }), 'ERR_SEAL_BAD_MAC');
  });

  it('ERR_SEAL_UNKNOWN_KEY for a retired id', async () => {
    const token = await sealData(1, { keys: [{ id: 'gone', secret: SECRET }], ...options });
    await expectCode(unsealData(token, { keys }), 'ERR_SEAL_UNKNOWN_KEY');
  });

  it('ERR_SEAL_NOT_JSON for authentic non-JSON plaintext (sealed with ironSeal directly)', async () => {
    for (const text of ['not json', '{"i":1,"d":', '', 'undefined', "{'i':1}"]) {
      await expectCode(unsealData(await ironSeal(keys, text, undefined), { keys }), 'ERR_SEAL_NOT_JSON');
    }
  });

  it('ERR_SEAL_NOT_JSON for authentic plaintext that is not UTF-8', async () => {
    await expectCode(unsealData(craftToken(SECRET, Uint8Array.of(0x22, 0xc3, 0x22), { id: '1' }), { keys }), 'ERR_SEAL_NOT_JSON');
  });

  it('ERR_SEAL_EXPIRED, ERR_SEAL_PURPOSE: see above; here both via a crafted token', async () => {
    const expired = craftToken(SECRET, '{"i":1,"d":1}', { id: '1', expiration: 1000 });
    await expectCode(unsealData(expired, { keys }), 'ERR_SEAL_EXPIRED');
    const otherPurpose = craftToken(SECRET, '{"i":1,"p":"x","d":1}', { id: '1' });
    await expectCode(unsealData(otherPurpose, { keys }), 'ERR_SEAL_PURPOSE');
    await expect(unsealData(otherPurpose, { keys, purpose: 'x' })).resolves.toBe(1);
  });

  it('non-strings are malformed, not a TypeError', async () => {
    for (const value of [undefined, null, 1, {}, [], Symbol('s')]) {
      await expectCode(unsealData(value as unknown as string, { keys }), 'ERR_SEAL_MALFORMED');
    }
  });

  it('missing or non-object options are ERR_CONFIG_OPTION (option "options"), not a TypeError', async () => {
    const token = await sealData(1, { keys });
    for (const bad of [undefined, null, 'secret', 1]) {
      const options = bad as never;
      expect(await rejection(sealData({}, options))).toMatchObject({ code: 'ERR_CONFIG_OPTION', option: 'options' });
      expect(await rejection(unsealData(token, options))).toMatchObject({ code: 'ERR_CONFIG_OPTION', option: 'options' });
    }
    for (const bad of [null, 'secret', 1]) {
      expect(() => createKeyRing(SECRET, bad as never)).toThrow(expect.objectContaining({ code: 'ERR_CONFIG_OPTION', option: 'options' }));
    }
    expect(createKeyRing(SECRET, undefined).ids).toEqual(['1']);
  });

  it('1 MB of garbage: ERR_SEAL_MALFORMED', async () => {
    const garbage = nodeCrypto.randomBytes(1 << 20).toString('base64');
    await expectCode(unsealData(garbage, { keys }), 'ERR_SEAL_MALFORMED');
    await expectCode(unsealData(`Fe26.2*1*${'*'.repeat(6)}${'a'.repeat(1 << 20)}`, { keys }), 'ERR_SEAL_MALFORMED');
  });

  it('every truncation of a valid token is refused with a SessionError (malformed)', async () => {
    const token = await sealData({ user: { id: 'u_1' }, cart: [1, 2] }, { keys, ttl: 3600, purpose: 'p' });
    const codes = new Map<string, number>();
    for (let n = 0; n < token.length; n++) {
      const err = await rejection(unsealData(token.slice(0, n), { keys, purpose: 'p' }));
      codes.set(err.code, (codes.get(err.code) ?? 0) + 1);
    }
    expect(Object.fromEntries(codes)).toEqual({ ERR_SEAL_MALFORMED: token.length });
    await expect(unsealData(token, { keys, purpose: 'p' })).resolves.toEqual({ user: { id: 'u_1' }, cart: [1, 2] });
  });

  it('every suffix (token missing its head) is refused with a SessionError', async () => {
    const token = await sealData(1, { keys });
    for (let n = 1; n <= token.length; n++) {
      expect(await rejection(unsealData(token.slice(n), { keys }))).toBeInstanceOf(SessionError);
    }
  });
});
