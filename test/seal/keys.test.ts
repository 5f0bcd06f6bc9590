import * as nodeCrypto from 'node:crypto';
import * as iron from 'iron-webcrypto';
import { describe, expect, it, vi } from 'vitest';
import { openSealed, sealData, unsealData } from '../../src/seal/index';
import { createKeyRing, KeyRing, resolveKeyRing, type KeyRingOptions, type Keys } from '../../src/seal/keys';
import { getEngine } from '../../src/seal/engine';
import { CookieSessionStore } from '../../src/index';
import {
  ENGINES,
  RAW_32,
  SECRET,
  SECRET_2,
  SECRET_3,
  expectCode,
  join,
  randomHex,
  rejection,
  split,
  thrown,
} from './helpers';

const DATA = { user: 'ada', n: 1 };
const SKEW = 60_000;

/** Call with keys that break the static types, as a JS caller or a bad config file would. */
const untyped = (keys: unknown, options?: unknown): KeyRing =>
  createKeyRing(keys as Keys, options as KeyRingOptions);

describe.each(ENGINES)('key forms ($engine engine)', ({ engine, options }) => {
  it('a single string seals with key id "1" and unseals', async () => {
    const keys = createKeyRing(SECRET, options);
    expect(keys.ids).toEqual(['1']);
    expect(keys.engine.kind).toBe(engine);
    const token = await sealData(DATA, { keys });
    expect(split(token).id).toBe('1');
    expect(split(token).encSalt).toMatch(/^[0-9a-f]{32}$/);
    expect(split(token).macSalt).toMatch(/^[0-9a-f]{32}$/);
    await expect(unsealData(token, { keys })).resolves.toEqual(DATA);
    // Passing the plain string (not a ring) works the same.
    await expect(unsealData(token, { keys: SECRET, ...options })).resolves.toEqual(DATA);
  });

  it('a Uint8Array of exactly 32 bytes is a raw key: empty salts, and still round-trips', async () => {
    const keys = createKeyRing(RAW_32, options);
    expect(keys.current.raw).toBe(true);
    const token = await sealData(DATA, { keys });
    const parts = split(token);
    expect(parts.id).toBe('1');
    expect(parts.encSalt).toBe('');
    expect(parts.macSalt).toBe('');
    await expect(unsealData(token, { keys })).resolves.toEqual(DATA);
    await expect(unsealData(token, { keys: RAW_32.slice(), ...options })).resolves.toEqual(DATA);
  });

  it('a longer Uint8Array is a password (salted derivation), and round-trips', async () => {
    const bytes = nodeCrypto.randomBytes(48);
    const keys = createKeyRing(new Uint8Array(bytes), options);
    expect(keys.current.raw).toBe(false);
    const token = await sealData(DATA, { keys });
    expect(split(token).encSalt).toMatch(/^[0-9a-f]{32}$/);
    await expect(unsealData(token, { keys })).resolves.toEqual(DATA);
    // Its first 32 bytes as a raw key are a different key.
    await expectCode(unsealData(token, { keys: createKeyRing(new Uint8Array(bytes.subarray(0, 32)), options) }), 'ERR_SEAL_MALFORMED');
  });

  it('a longer Uint8Array does not interoperate with iron-webcrypto (as Secret and the README say): it is a raw key there', async () => {
    const bytes = new Uint8Array(nodeCrypto.randomBytes(48));
    const token = await sealData(DATA, { keys: createKeyRing(bytes, options) });
    await expect(iron.unseal(token, bytes, iron.defaults)).rejects.toThrow();
    await expect(iron.seal(DATA, bytes, iron.defaults)).rejects.toThrow();
  });

  it('an array ring: the first key seals, every key unseals', async () => {
    const keys = createKeyRing(
      [
        { id: 'new', secret: SECRET_2 },
        { id: 'old', secret: SECRET },
      ],
      options,
    );
    expect(keys.ids).toEqual(['new', 'old']);
    const token = await sealData(DATA, { keys });
    expect(split(token).id).toBe('new');
    await expect(unsealData(token, { keys })).resolves.toEqual(DATA);
    const oldToken = await sealData(DATA, { keys: createKeyRing([{ id: 'old', secret: SECRET }], options) });
    await expect(unsealData(oldToken, { keys })).resolves.toEqual(DATA);
  });

  it('a map: the highest numeric id seals (numerically, not as text)', async () => {
    const keys = createKeyRing({ '1': SECRET, '2': SECRET_2 }, options);
    expect(keys.ids).toEqual(['2', '1']);
    const token = await sealData(DATA, { keys });
    expect(split(token).id).toBe('2');
    await expect(unsealData(token, { keys })).resolves.toEqual(DATA);

    const wide = createKeyRing({ '9': SECRET, '10': SECRET_2, '2': SECRET_3 }, options);
    expect(wide.ids).toEqual(['10', '9', '2']);
    expect(split(await sealData(DATA, { keys: wide })).id).toBe('10');
  });

  it('a KeyRing instance is used as is (createKeyRing and resolveKeyRing return it)', async () => {
    const keys = createKeyRing(SECRET, options);
    expect(createKeyRing(keys)).toBe(keys);
    expect(resolveKeyRing(keys, {})).toBe(keys);
    expect(resolveKeyRing(keys, { iterations: undefined, crypto: undefined, tokenCache: undefined } as unknown as KeyRingOptions)).toBe(keys);
    const token = await sealData(DATA, { keys });
    await expect(unsealData(token, { keys })).resolves.toEqual(DATA);
  });

  it('key options beside a KeyRing are a config error, not silently ignored', async () => {
    const keys = createKeyRing(SECRET, options);
    const other = engine === 'node' ? 'webcrypto' : 'node';
    const beside: ReadonlyArray<[string, KeyRingOptions]> = [
      ['iterations', { iterations: 1000 }],
      ['crypto', { crypto: other }],
      ['tokenCache', { tokenCache: 0 }],
    ];
    for (const [option, extra] of beside) {
      const expected = { code: 'ERR_CONFIG_OPTION', option, message: expect.stringContaining('pass these to createKeyRing instead') };
      expect(() => createKeyRing(keys, extra)).toThrow(expect.objectContaining(expected));
      expect(() => resolveKeyRing(keys, extra)).toThrow(expect.objectContaining(expected));
      expect(() => new CookieSessionStore({ keys, ...extra })).toThrow(expect.objectContaining(expected));
      await expect(sealData(DATA, { keys, ...extra })).rejects.toMatchObject(expected);
      await expect(unsealData('x', { keys, ...extra })).rejects.toMatchObject(expected);
    }
  });

  it('copies a secret given as a Uint8Array: later changes by the caller do not change the key', async () => {
    // A Buffer too: its .slice() is a view, not a copy.
    for (const make of [(b: Uint8Array) => new Uint8Array(b), (b: Uint8Array) => Buffer.from(b)]) {
      const given = make(RAW_32);
      const keys = createKeyRing(given, options);
      given.fill(0); // e.g. wiping the secret after start-up
      const token = await sealData(DATA, { keys });
      await expect(iron.unseal(token, RAW_32, iron.defaults)).resolves.toMatchObject({ d: DATA });
      await expect(unsealData(token, { keys: createKeyRing(RAW_32, options) })).resolves.toEqual(DATA);
    }
  });
});

describe.each(ENGINES)('rotation ($engine engine)', ({ options }) => {
  const oldRing = () => createKeyRing([{ id: '1', secret: SECRET }], options);
  const newRing = () =>
    createKeyRing(
      [
        { id: '2', secret: SECRET_2 },
        { id: '1', secret: SECRET },
      ],
      options,
    );

  it('a token sealed with the old ring opens with the new one, reported as stale with key id "1"', async () => {
    const token = await sealData(DATA, { keys: oldRing() });
    const keys = newRing();
    await expect(unsealData(token, { keys })).resolves.toEqual(DATA);
    const opened = await openSealed(keys, token, undefined, Date.now(), SKEW);
    expect(opened).toMatchObject({ ok: true, data: DATA, keyId: '1', stale: true });
  });

  it('a token sealed with the current key is not stale', async () => {
    const keys = newRing();
    const token = await sealData(DATA, { keys });
    const opened = await openSealed(keys, token, undefined, Date.now(), SKEW);
    expect(opened).toMatchObject({ ok: true, keyId: '2', stale: false });
  });

  it('a token from the new ring does not open with an old ring that lacks id 2: ERR_SEAL_UNKNOWN_KEY', async () => {
    const token = await sealData(DATA, { keys: newRing() });
    await expectCode(unsealData(token, { keys: oldRing() }), 'ERR_SEAL_UNKNOWN_KEY');
  });

  it('a removed key is refused: ERR_SEAL_UNKNOWN_KEY', async () => {
    const token = await sealData(DATA, { keys: oldRing() });
    const retired = createKeyRing([{ id: '2', secret: SECRET_2 }], options);
    await expectCode(unsealData(token, { keys: retired }), 'ERR_SEAL_UNKNOWN_KEY');
    expect(await openSealed(retired, token, undefined, Date.now(), SKEW)).toEqual({ ok: false, code: 'ERR_SEAL_UNKNOWN_KEY' });
  });

  it('the same id with a different secret is a bad MAC, not an unknown key', async () => {
    const token = await sealData(DATA, { keys: oldRing() });
    await expectCode(unsealData(token, { keys: createKeyRing([{ id: '1', secret: SECRET_3 }], options) }), 'ERR_SEAL_BAD_MAC');
  });

  it('moving from a single secret to [{2: new}, {1: old}] keeps old tokens valid', async () => {
    const token = await sealData(DATA, { keys: SECRET, ...options });
    const keys = newRing();
    await expect(unsealData(token, { keys })).resolves.toEqual(DATA);
    expect(await openSealed(keys, token, undefined, Date.now(), SKEW)).toMatchObject({ ok: true, keyId: '1', stale: true });
    // The map form describes the same ring.
    await expect(unsealData(token, { keys: { '1': SECRET, '2': SECRET_2 }, ...options })).resolves.toEqual(DATA);
  });

  it('tokens re-sealed after rotation carry the new id and open once the old key is removed', async () => {
    const old = await sealData(DATA, { keys: oldRing() });
    const data = await unsealData(old, { keys: newRing() });
    const resealed = await sealData(data, { keys: newRing() });
    expect(split(resealed).id).toBe('2');
    await expect(unsealData(resealed, { keys: createKeyRing([{ id: '2', secret: SECRET_2 }], options) })).resolves.toEqual(DATA);
  });
});

describe('configuration errors (ERR_CONFIG_KEYS)', () => {
  const LEAKY = 'LEAKY-SECRET-DO-NOT-PRINT-0123456789'; // 36 chars, distinctive
  const SHORT = LEAKY.slice(0, 31);

  /** Assert code, option, and that no rendering of the error contains the secret. */
  function expectKeysError(fn: () => unknown, option: string | RegExp) {
    const err = thrown(fn);
    expect(err.code).toBe('ERR_CONFIG_KEYS');
    if (typeof option === 'string') expect(err.option).toBe(option);
    else expect(err.option).toMatch(option);
    expect(err.message).toContain(err.option!);
    for (const text of [err.message, String(err), err.stack ?? '', JSON.stringify(err), err.option ?? '']) {
      expect(text).not.toContain('LEAKY');
      expect(text).not.toContain(SHORT.slice(-12));
    }
    return err;
  }

  it.each<[string, unknown, string | RegExp]>([
    ['a 31-character string', SHORT, 'keys'],
    ['a 31-byte Uint8Array', new Uint8Array(31), 'keys'],
    ['an empty Uint8Array', new Uint8Array(0), 'keys'],
    ['an empty array', [], 'keys'],
    ['an empty map', {}, 'keys'],
    ['undefined', undefined, 'keys'],
    ['null', null, 'keys'],
    ['a number', 12345678901234567890123456789012345, 'keys'],
    ['a boolean', true, 'keys'],
    ['an array of strings', [LEAKY], 'keys[0]'],
    ['an array with null', [null], 'keys[0]'],
    ['a short secret in the ring', [{ id: 'k1', secret: LEAKY }, { id: 'k2', secret: SHORT }], 'keys[1] (id "k2")'],
    ['a missing secret', [{ id: 'k2' }], 'keys[0] (id "k2")'],
    ['a secret of the wrong type', [{ id: 'k2', secret: 12345 }], 'keys[0] (id "k2")'],
    ['a secret that is an array of numbers', [{ id: 'k2', secret: Array(32).fill(1) }], 'keys[0] (id "k2")'],
    ['an id with a dash', [{ id: 'a-b', secret: LEAKY }], 'keys[0]'],
    ['an empty id', [{ id: '', secret: LEAKY }], 'keys[0]'],
    ['a numeric (not string) id', [{ id: 1, secret: LEAKY }], 'keys[0]'],
    ['a missing id', [{ secret: LEAKY }], 'keys[0]'],
    ['an id with a space', [{ id: 'k 1', secret: LEAKY }], 'keys[0]'],
    ['an id with non-ASCII letters', [{ id: 'clé', secret: LEAKY }], 'keys[0]'],
    ['duplicate ids', [{ id: 'k2', secret: LEAKY }, { id: 'k2', secret: SECRET }], /id "k2"/],
    ['a non-numeric map id', { abc: LEAKY }, 'keys["abc"]'],
    ['a map id with bad characters', { 'a-b': LEAKY }, 'keys'],
    ['a short secret in a map', { '1': LEAKY, '2': SHORT }, 'keys["2"]'],
    ['a wrong-typed secret in a map', { '1': 42 }, 'keys["1"]'],
  ])('refuses %s', (_name, keys, option) => {
    expectKeysError(() => untyped(keys), option);
  });

  it('says how long a short secret is and what to do, without echoing it', () => {
    const err = expectKeysError(() => untyped(SHORT), 'keys');
    expect(err.message).toMatch(/31 characters/);
    expect(err.message).toMatch(/at least 32/);
  });

  it('names the duplicate id', () => {
    const err = expectKeysError(
      () => untyped([{ id: 'k2', secret: LEAKY }, { id: 'k2', secret: SECRET }]),
      /id "k2"/,
    );
    expect(err.message).toMatch(/unique/);
  });

  it.each([0, -1, 1.5, 10_000_001, Number.NaN, Number.POSITIVE_INFINITY, '1000'])('refuses iterations %s', (iterations) => {
    expectKeysError(() => untyped(LEAKY, { iterations }), 'iterations');
  });

  it('accepts iterations at both ends of the range', () => {
    expect(createKeyRing(SECRET, { iterations: 1 })).toBeInstanceOf(KeyRing);
    expect(createKeyRing(SECRET, { iterations: 10_000_000 })).toBeInstanceOf(KeyRing); // stretching is lazy
  });

  it.each(['bogus', 'Node', '', 42])('refuses crypto %j with ERR_CONFIG_OPTION', (crypto) => {
    const err = thrown(() => untyped(LEAKY, { crypto }));
    expect(err.code).toBe('ERR_CONFIG_OPTION');
    expect(err.option).toBe('crypto');
    expect(err.message).not.toContain('LEAKY');
  });

  it('accepts crypto auto, node and webcrypto', () => {
    expect(createKeyRing(SECRET, { crypto: 'auto' }).engine.kind).toBe('node');
    expect(createKeyRing(SECRET, { crypto: 'node' }).engine.kind).toBe('node');
    expect(createKeyRing(SECRET, { crypto: 'webcrypto' }).engine.kind).toBe('webcrypto');
  });

  it('sealData and unsealData reject (not throw) with the same errors', async () => {
    const sealErr = await rejection(sealData(DATA, { keys: SHORT }));
    expect(sealErr.code).toBe('ERR_CONFIG_KEYS');
    expect(sealErr.message).not.toContain('LEAKY');
    const unsealErr = await rejection(unsealData('x', { keys: [{ id: 'k2', secret: SHORT }] }));
    expect(unsealErr).toMatchObject({ code: 'ERR_CONFIG_KEYS', option: 'keys[0] (id "k2")' });
    expect(unsealErr.message).not.toContain('LEAKY');
    await expectCode(sealData(DATA, { keys: SECRET, iterations: 0 }), 'ERR_CONFIG_KEYS');
    await expectCode(sealData(DATA, { keys: SECRET, crypto: 'bogus' as 'node' }), 'ERR_CONFIG_OPTION');
  });

  it('accepts exactly 32 characters and exactly 32 bytes', () => {
    expect(createKeyRing('x'.repeat(32)).ids).toEqual(['1']);
    expect(createKeyRing(new Uint8Array(32)).current.raw).toBe(true);
    expect(createKeyRing([{ id: 'A_z09', secret: 'x'.repeat(32) }]).ids).toEqual(['A_z09']);
  });
});

describe('a runtime without process.getBuiltinModule (Node.js 20.0 to 20.15)', () => {
  /** Load a fresh copy of the seal modules with getBuiltinModule hidden (the engine is picked once per module). */
  async function withoutGetBuiltinModule<T>(fn: (keys: typeof import('../../src/seal/keys')) => T): Promise<T> {
    const proc = process as { getBuiltinModule?: unknown };
    const saved = Object.getOwnPropertyDescriptor(proc, 'getBuiltinModule');
    delete proc.getBuiltinModule;
    vi.resetModules();
    try {
      return fn(await import('../../src/seal/keys'));
    } finally {
      if (saved) Object.defineProperty(proc, 'getBuiltinModule', saved);
      vi.resetModules();
    }
  }

  it("refuses crypto: 'node' with a message naming the Node.js version it needs", async () => {
    const err = await withoutGetBuiltinModule((fresh) => thrown(() => fresh.createKeyRing(SECRET, { crypto: 'node' })));
    expect(err).toMatchObject({ code: 'ERR_CONFIG_OPTION', option: 'crypto' });
    expect(err.message).toMatch(/process\.getBuiltinModule/);
    expect(err.message).toMatch(/upgrade Node\.js to 20\.16\.0 or later/);
    expect(err.message).toMatch(/'webcrypto'/);
  });

  it("falls back to WebCrypto under 'auto' (why engines asks for >=20.16.0)", async () => {
    expect(await withoutGetBuiltinModule((fresh) => fresh.createKeyRing(SECRET).engine.kind)).toBe('webcrypto');
    expect(createKeyRing(SECRET).engine.kind).toBe('node');
  });

  it('package.json engines names the same minimum', async () => {
    const pkg = (await import('../../package.json', { with: { type: 'json' } })).default as { engines: { node: string } };
    expect(pkg.engines.node).toBe('>=20.16.0');
  });
});

describe('a KeyRing made by another copy of the library', () => {
  const BRAND = Symbol.for('sealed-session.KeyRing');

  it('is recognised by its brand, not its class', () => {
    const ring = createKeyRing(SECRET);
    expect((ring as unknown as Record<symbol, unknown>)[BRAND]).toBe(1);
    expect(Object.keys(ring)).not.toContain(BRAND.toString()); // non-enumerable, not in JSON or logs
  });

  it('of an incompatible version is refused with ERR_CONFIG_KEYS, not read as a { [id]: secret } map', () => {
    const foreign = Object.defineProperty({ current: {}, ids: ['1'] }, BRAND, { value: 999 });
    for (const resolve of [createKeyRing, resolveKeyRing]) {
      const err = thrown(() => resolve(foreign as unknown as Keys));
      expect(err).toMatchObject({ code: 'ERR_CONFIG_KEYS', option: 'keys' });
      expect(err.message).toMatch(/incompatible version of sealed-session/);
    }
  });
});

describe('ring reuse', () => {
  it('the same string and options resolve to the same ring (derived keys are reused)', () => {
    expect(resolveKeyRing(SECRET)).toBe(resolveKeyRing(SECRET));
    expect(resolveKeyRing(SECRET, { crypto: 'webcrypto' })).not.toBe(resolveKeyRing(SECRET));
    expect(resolveKeyRing(SECRET, { iterations: 2 })).not.toBe(resolveKeyRing(SECRET));
    const arr = [{ id: 'a', secret: SECRET }];
    expect(resolveKeyRing(arr)).toBe(resolveKeyRing(arr));
  });

  it('sealing twice with the same string reuses the salts (one derivation per process and key)', async () => {
    const a = split(await sealData(DATA, { keys: SECRET_3 }));
    const b = split(await sealData(DATA, { keys: SECRET_3 }));
    expect(b.encSalt).toBe(a.encSalt);
    expect(b.macSalt).toBe(a.macSalt);
  });
});

describe.each(ENGINES)('stretched keys ($engine engine)', ({ options }) => {
  const ITERATIONS = 100_000;
  const stretchedPassword = (secret: string, id: string) =>
    nodeCrypto.pbkdf2Sync(secret, `sealed-session/stretch/${id}`, ITERATIONS, 32, 'sha256').toString('hex');

  it('round-trips', async () => {
    const keys = createKeyRing(SECRET, { ...options, iterations: ITERATIONS });
    const token = await sealData(DATA, { keys });
    await expect(unsealData(token, { keys })).resolves.toEqual(DATA);
    // A second ring built the same way opens it too (deterministic stretch).
    await expect(unsealData(token, { keys: createKeyRing(SECRET, { ...options, iterations: ITERATIONS }) })).resolves.toEqual(DATA);
  });

  it('its tokens do not open with the unstretched secret (ERR_SEAL_BAD_MAC), nor the reverse', async () => {
    const stretched = createKeyRing(SECRET, { ...options, iterations: ITERATIONS });
    const plain = createKeyRing(SECRET, options);
    await expectCode(unsealData(await sealData(DATA, { keys: stretched }), { keys: plain }), 'ERR_SEAL_BAD_MAC');
    await expectCode(unsealData(await sealData(DATA, { keys: plain }), { keys: stretched }), 'ERR_SEAL_BAD_MAC');
  });

  it('its tokens open with iron-webcrypto given hex(PBKDF2-SHA256(secret, "sealed-session/stretch/<id>", n, 32))', async () => {
    const keys = createKeyRing(
      [
        { id: 'k2', secret: SECRET_2 },
        { id: 'k1', secret: SECRET },
      ],
      { ...options, iterations: ITERATIONS },
    );
    const token = await sealData(DATA, { keys, purpose: 'p' });
    const password = stretchedPassword(SECRET_2, 'k2');
    expect(password).toMatch(/^[0-9a-f]{64}$/);
    await expect(iron.unseal(token, password, iron.defaults)).resolves.toEqual({ i: expect.any(Number), p: 'p', d: DATA });
    await expect(iron.unseal(token, { k2: password }, iron.defaults)).resolves.toMatchObject({ d: DATA });
    // And the other way: iron sealing with the stretched password of key k1 opens here.
    const fromIron = await iron.seal({ i: 1, d: DATA }, { id: 'k1', secret: stretchedPassword(SECRET, 'k1') }, iron.defaults);
    await expect(unsealData(fromIron, { keys })).resolves.toEqual(DATA);
  });

  it('the stretch is salted with the key id', async () => {
    const a = createKeyRing([{ id: 'a', secret: SECRET }], { ...options, iterations: 1000 });
    const token = await sealData(DATA, { keys: a });
    // Same secret under another id: a different stretched password, so the renamed token fails its MAC.
    const b = createKeyRing([{ id: 'b', secret: SECRET }], { ...options, iterations: 1000 });
    const renamed = join({ ...split(token), id: 'b' });
    await expectCode(unsealData(renamed, { keys: b }), 'ERR_SEAL_BAD_MAC');
  });

  it('raw 32-byte keys are never stretched', async () => {
    const keys = createKeyRing(RAW_32, { ...options, iterations: ITERATIONS });
    const token = await sealData(DATA, { keys });
    await expect(iron.unseal(token, RAW_32, iron.defaults)).resolves.toMatchObject({ d: DATA });
    await expect(unsealData(token, { keys: createKeyRing(RAW_32, options) })).resolves.toEqual(DATA);
  });
});

describe.each(ENGINES)('derived-key cache ($engine engine)', ({ options }) => {
  it('holds the seal keys; verified tokens add theirs; forged tokens add nothing and evict nothing', async () => {
    const keys = createKeyRing(SECRET, options);
    const key = keys.current;
    expect(key.cacheSize).toBe(0);
    const token = await sealData(DATA, { keys });
    expect(key.cacheSize).toBe(2); // one encryption key, one MAC key
    for (let i = 0; i < 5; i++) await unsealData(token, { keys });
    expect(key.cacheSize).toBe(2);

    // A token from another iron implementation (fresh salts) is cached once verified.
    const foreign = await iron.seal({ i: 1, d: DATA }, SECRET, iron.defaults);
    await expect(unsealData(foreign, { keys })).resolves.toEqual(DATA);
    expect(key.cacheSize).toBe(4);

    // A flood of 2,000 forged tokens of the right shape with random salts.
    const parts = split(token);
    for (let i = 0; i < 2000; i++) {
      const forged = join({ ...parts, encSalt: randomHex(32), macSalt: randomHex(32) });
      const opened = await openSealed(keys, forged, undefined, Date.now(), SKEW);
      expect(opened).toEqual({ ok: false, code: 'ERR_SEAL_BAD_MAC' });
    }
    expect(key.cacheSize).toBe(4);
    expect(key.cached(parts.macSalt, 'mac')).toBeDefined();
    expect(key.cached(parts.encSalt, 'encrypt')).toBeDefined();
    await expect(unsealData(token, { keys })).resolves.toEqual(DATA);
  });

  it('is bounded when many authentic tokens with distinct salts arrive', async () => {
    const keys = createKeyRing(SECRET, options);
    for (let i = 0; i < 300; i++) {
      const foreign = await iron.seal({ i, d: i }, SECRET, iron.defaults);
      await expect(unsealData(foreign, { keys })).resolves.toBe(i);
    }
    expect(keys.current.cacheSize).toBe(2 * 256);
  });

  it('a raw key caches nothing', async () => {
    const keys = createKeyRing(RAW_32, options);
    await unsealData(await sealData(DATA, { keys }), { keys });
    expect(keys.current.cacheSize).toBe(0);
  });
});

describe('token cache', () => {
  // The node engine every node ring shares: its MAC check and decryption are what the cache skips.
  const engine = getEngine('node')!;
  const secret = 'token-cache-secret-token-cache-secret-0123';

  it('opens a token this ring sealed without the MAC or decryption, and re-checks expiry', async () => {
    vi.useFakeTimers({ now: Date.UTC(2026, 0, 1) });
    try {
      const ring = createKeyRing(secret, { crypto: 'node' });
      const token = await sealData({ a: 1 }, { keys: ring, ttl: 60 });
      const hmac = vi.spyOn(engine, 'verify');
      const decipher = vi.spyOn(engine, 'decrypt');
      expect(await unsealData(token, { keys: ring })).toEqual({ a: 1 });
      expect(hmac).not.toHaveBeenCalled();
      expect(decipher).not.toHaveBeenCalled();
      // A hit still expires on time (60 s ttl + 60 s default skew).
      vi.setSystemTime(Date.UTC(2026, 0, 1) + 121_000);
      await expect(unsealData(token, { keys: ring })).rejects.toMatchObject({ code: 'ERR_SEAL_EXPIRED' });
      hmac.mockRestore();
      decipher.mockRestore();
    } finally {
      vi.useRealTimers();
    }
  });

  it('verifies a token from another ring once, then recognises it; a forgery never enters', async () => {
    const sealer = createKeyRing(secret, { crypto: 'node' });
    const reader = createKeyRing(secret, { crypto: 'node' });
    const token = await sealData({ b: 2 }, { keys: sealer });
    const hmac = vi.spyOn(engine, 'verify');
    expect(await unsealData(token, { keys: reader })).toEqual({ b: 2 });
    expect(hmac).toHaveBeenCalledTimes(1);
    expect(await unsealData(token, { keys: reader })).toEqual({ b: 2 });
    expect(hmac).toHaveBeenCalledTimes(1);

    const parts = token.split('*');
    parts[7] = parts[7]!.startsWith('A') ? `B${parts[7]!.slice(1)}` : `A${parts[7]!.slice(1)}`;
    const forged = parts.join('*');
    for (let i = 0; i < 2; i++) await expect(unsealData(forged, { keys: reader })).rejects.toMatchObject({ code: 'ERR_SEAL_BAD_MAC' });
    expect(hmac).toHaveBeenCalledTimes(3); // verified (and refused) every time
    hmac.mockRestore();
  });

  it('serves only the exact token: the same digest on a different body is verified, and refused', async () => {
    const ring = createKeyRing(secret, { crypto: 'node' });
    const token = await sealData({ d: 4 }, { keys: ring, ttl: 3600 });
    expect(await unsealData(token, { keys: ring })).toEqual({ d: 4 }); // cached
    const verify = vi.spyOn(engine, 'verify');
    const parts = token.split('*');
    for (const field of [1, 3, 4, 5, 6]) {
      const changed = [...parts];
      // Another expiry, iv, ciphertext, key id or mac salt, keeping the cached token's digest.
      changed[field] = field === 5 ? String(Number(parts[5]) + 1000) : field === 1 ? 'other' : `${parts[field]!.slice(0, -2)}AA`;
      const forged = changed.join('*');
      await expect(unsealData(forged, { keys: ring })).rejects.toBeInstanceOf(Error);
    }
    // Every forgery with a known key id and well-formed fields reached the MAC check.
    expect(verify.mock.calls.length).toBeGreaterThanOrEqual(3);
    verify.mockRestore();
  });

  it('stays within its size, and keeps a token in use while new ones stream past', async () => {
    const ring = createKeyRing(secret, { crypto: 'node', tokenCache: 8 });
    const sealer = createKeyRing(secret, { crypto: 'node', tokenCache: 0 });
    const hot = await sealData({ hot: true }, { keys: sealer });
    const cold = await sealData({ cold: true }, { keys: sealer });
    await unsealData(hot, { keys: ring });
    await unsealData(cold, { keys: ring });
    const verify = vi.spyOn(engine, 'verify');
    for (let i = 0; i < 40; i++) {
      await unsealData(await sealData({ i }, { keys: sealer }), { keys: ring }); // a stream of new tokens
      expect(await unsealData(hot, { keys: ring })).toEqual({ hot: true });
    }
    expect(verify).toHaveBeenCalledTimes(40); // each new token once; the hot one never again
    await unsealData(cold, { keys: ring });
    expect(verify).toHaveBeenCalledTimes(41); // the unused one was evicted long ago
    verify.mockRestore();
  });

  it('is off with tokenCache: 0, and refuses nonsense sizes', async () => {
    const ring = createKeyRing(secret, { crypto: 'node', tokenCache: 0 });
    const token = await sealData({ c: 3 }, { keys: ring });
    const hmac = vi.spyOn(engine, 'verify');
    await unsealData(token, { keys: ring });
    expect(hmac).toHaveBeenCalledTimes(1);
    hmac.mockRestore();
    for (const bad of [-1, 1.5, 2_000_000]) {
      expect(() => createKeyRing(secret, { tokenCache: bad })).toThrow(expect.objectContaining({ code: 'ERR_CONFIG_OPTION', option: 'tokenCache' }));
    }
  });
});
