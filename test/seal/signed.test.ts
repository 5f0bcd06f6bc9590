/**
 * Signed-only tokens (`Sig1*…`): grammar, an independent node:crypto
 * verifier, every component tampered, truncations, keys and rotation,
 * expiry, purpose, compression and its bound, refusal across modes with the
 * real `unsealData` and iron opener, and mutation properties; on the node
 * engine and on WebCrypto.
 */
import * as nodeCrypto from 'node:crypto';
import * as nodeZlib from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sealData, unsealData } from '../../src/seal/index';
import { ironOpen } from '../../src/seal/iron';
import { SIGNING_LABEL, createKeyRing } from '../../src/seal/keys';
import { DEFAULT_MAX_INFLATED, SIGNED_PREFIX, openSigned, signData, signWithRing, verifyData } from '../../src/seal/signed';
import { ENGINES, RAW_32, SECRET, SECRET_2, expectCode, thrown } from './helpers';

const SKEW = 60_000;
const b64u = (bytes: Uint8Array | string) => Buffer.from(bytes).toString('base64url');
/** RFC 6265bis §4.1.1 cookie-octet. */
const COOKIE_OCTETS = /^[\x21\x23-\x2B\x2D-\x3A\x3C-\x5B\x5D-\x7E]+$/;
const TOKEN = /^Sig1\*\w+\*(?:[1-9]\d{0,15})?\*[A-Za-z0-9_-]+\*[A-Za-z0-9_-]{43}$/;

/** The signing key, computed with nothing but node:crypto and the documented derivation. */
function signingKey(secret: string | Uint8Array, id: string): Buffer {
  return nodeCrypto.pbkdf2Sync(typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret, `sealed-session/signed/v1/${id}`, 1, 32, 'sha256');
}

/** An authentic signed token built independently of src/ (any plaintext bytes, any MAC key). */
function craft(plaintext: Uint8Array | string, opts: { secret?: string | Uint8Array; id?: string; exp?: string; key?: Buffer; payload?: string } = {}): string {
  const id = opts.id ?? '1';
  const base = `Sig1*${id}*${opts.exp ?? ''}*${opts.payload ?? b64u(plaintext)}`;
  const key = opts.key ?? signingKey(opts.secret ?? SECRET, id);
  return `${base}*${nodeCrypto.createHmac('sha256', key).update(base).digest('base64url')}`;
}

const parts = (token: string) => token.split('*') as [string, string, string, string, string];
const envelopeOf = (token: string) => JSON.parse(Buffer.from(parts(token)[3], 'base64url').toString('utf8')) as unknown;

const CART = {
  cart: Array.from({ length: 140 }, (_, i) => ({ sku: `SKU-${String(i + 1).padStart(5, '0')}`, title: 'Walnut spoon, hand carved', qty: 1 + (i % 3) })),
};

describe.each(ENGINES)('signed tokens ($engine engine)', ({ options }) => {
  const ringOf = (keys: Parameters<typeof createKeyRing>[0] = SECRET) => createKeyRing(keys, options);
  const open = async (ring: ReturnType<typeof ringOf>, token: string, purpose?: string, now = Date.now(), max?: number) =>
    openSigned(ring, token, purpose, now, SKEW, max);
  const codeOf = async (ring: ReturnType<typeof ringOf>, token: string, purpose?: string, now?: number) => {
    const r = await open(ring, token, purpose, now);
    return r.ok ? 'ok' : r.code;
  };

  it('has the documented grammar, and every character is a cookie-octet', async () => {
    const token = await signData({ theme: 'dark', emoji: '🍪' }, { keys: SECRET, ttl: 60, purpose: 'prefs', ...options });
    expect(token).toMatch(TOKEN);
    expect(token).toMatch(COOKIE_OCTETS);
    expect(token.startsWith(`${SIGNED_PREFIX}*1*`)).toBe(true);
  });

  it('is readable: the payload is base64url of the sealData envelope (this is the point, and the warning)', async () => {
    const before = Date.now();
    const token = await signData({ theme: 'dark' }, { keys: SECRET, purpose: 'prefs', ...options });
    expect(envelopeOf(token)).toEqual({ i: expect.any(Number), p: 'prefs', d: { theme: 'dark' } });
    expect((envelopeOf(token) as { i: number }).i).toBeGreaterThanOrEqual(before);
  });

  it('verifies with an independent node:crypto HMAC over the first four components (string and raw key)', async () => {
    for (const [secret, id] of [[SECRET, '1'], [RAW_32, '1']] as const) {
      const token = await signData({ a: 1 }, { keys: secret, ...options });
      const [p, i, e, payload, mac] = parts(token);
      expect(nodeCrypto.createHmac('sha256', signingKey(secret, id)).update(`${p}*${i}*${e}*${payload}`).digest('base64url')).toBe(mac);
    }
    // ...and what the independent signer makes verifies here.
    expect(await open(ringOf(), craft('{"i":5,"d":{"x":true}}'))).toMatchObject({ ok: true, data: { x: true }, issuedAt: 5, keyId: '1' });
  });

  it('round-trips through signData / verifyData, with expiry, key id and staleness in the open result', async () => {
    const token = await signData(CART, { keys: SECRET, ttl: 3600, purpose: 'cart', ...options });
    expect(await verifyData(token, { keys: SECRET, purpose: 'cart', ...options })).toEqual(CART);
    const r = await open(ringOf(), token, 'cart');
    expect(r).toMatchObject({ ok: true, keyId: '1', stale: false });
    if (r.ok) expect(r.expiresAt).toBe(Number(parts(token)[2]));
  });

  it('signs synchronously on the node engine once the signing key is derived', async () => {
    const ring = ringOf();
    await signWithRing(ring, {}, undefined, Date.now(), undefined);
    const again = signWithRing(ring, { a: 1 }, undefined, Date.now(), undefined);
    expect(typeof again === 'string').toBe(options.crypto !== 'webcrypto');
    const opened = openSigned(ring, await again, undefined, Date.now(), SKEW);
    expect('then' in opened).toBe(options.crypto === 'webcrypto');
  });

  it('refuses a change to any component', async () => {
    const ring = ringOf([{ id: 'a', secret: SECRET }, { id: 'b', secret: SECRET_2 }]);
    const token = await signWithRing(ring, { role: 'user' }, 'p', Date.now(), Date.now() + 60_000);
    const [prefix, id, exp, payload, mac] = parts(token);
    const rebuilt = (...c: string[]) => c.join('*');
    const forged = b64u(JSON.stringify(JSON.parse(Buffer.from(payload, 'base64url').toString()).d.role === 'user' ? { i: 1, p: 'p', d: { role: 'admin' } } : {}));
    expect(await codeOf(ring, token, 'p')).toBe('ok');
    expect(await codeOf(ring, rebuilt('Sig2', id, exp, payload, mac), 'p')).toBe('ERR_SEAL_MALFORMED');
    expect(await codeOf(ring, rebuilt('Fe26.2', id, exp, payload, mac), 'p')).toBe('ERR_SEAL_MALFORMED');
    expect(await codeOf(ring, rebuilt(prefix, 'b', exp, payload, mac), 'p')).toBe('ERR_SEAL_BAD_MAC');
    expect(await codeOf(ring, rebuilt(prefix, 'zz', exp, payload, mac), 'p')).toBe('ERR_SEAL_UNKNOWN_KEY');
    expect(await codeOf(ring, rebuilt(prefix, id, String(Number(exp) + 1), payload, mac), 'p')).toBe('ERR_SEAL_BAD_MAC');
    expect(await codeOf(ring, rebuilt(prefix, id, '', payload, mac), 'p')).toBe('ERR_SEAL_BAD_MAC');
    expect(await codeOf(ring, rebuilt(prefix, id, exp, forged, mac), 'p')).toBe('ERR_SEAL_BAD_MAC');
    const flipped = b64u(Buffer.from(mac, 'base64url').map((b, i) => (i === 0 ? b ^ 1 : b)));
    expect(await codeOf(ring, rebuilt(prefix, id, exp, payload, flipped), 'p')).toBe('ERR_SEAL_BAD_MAC');
    // A second spelling of the same digest (unused low bits set) is not accepted.
    const last = mac.at(-1)!;
    const alias = mac.slice(0, -1) + 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.indexOf(last) ^ 1];
    expect(await codeOf(ring, rebuilt(prefix, id, exp, payload, alias), 'p')).toBe('ERR_SEAL_MALFORMED');
    // A digest of another length, canonically spelled (a truncated HMAC), is malformed before any crypto.
    for (const n of [16, 31, 33]) {
      const other = b64u(Buffer.concat([Buffer.from(mac, 'base64url'), Buffer.alloc(1)]).subarray(0, n));
      expect(await codeOf(ring, rebuilt(prefix, id, exp, payload, other), 'p'), `${n} bytes`).toBe('ERR_SEAL_MALFORMED');
    }
    for (const bad of ['', '*', `${token}*`, `${token}=`, ` ${token}`, token.replace('*', '**'), rebuilt(prefix, '', exp, payload, mac), rebuilt(prefix, id, '0', payload, mac), rebuilt(prefix, id, exp, `${payload}=`, mac), rebuilt(prefix, id, exp, '', mac)]) {
      expect(await codeOf(ring, bad, 'p'), bad).toBe('ERR_SEAL_MALFORMED');
    }
  });

  it('refuses every truncation, without ever throwing', async () => {
    const ring = ringOf();
    const token = await signWithRing(ring, { a: [1, 2, 3] }, undefined, Date.now(), Date.now() + 1e6);
    for (let n = 0; n < token.length; n++) {
      expect(await codeOf(ring, token.slice(0, n)), `first ${n} chars`).not.toBe('ok');
      expect(await codeOf(ring, token.slice(n + 1)), `without first ${n + 1}`).not.toBe('ok');
    }
  });

  it('refuses another secret under the same id (bad MAC) and an id the ring lacks (unknown key); rotation keeps old tokens readable', async () => {
    const old = await signData({ v: 1 }, { keys: [{ id: 'k1', secret: SECRET }], ...options });
    expect(await codeOf(ringOf([{ id: 'k1', secret: SECRET_2 }]), old)).toBe('ERR_SEAL_BAD_MAC');
    expect(await codeOf(ringOf([{ id: 'k2', secret: SECRET_2 }]), old)).toBe('ERR_SEAL_UNKNOWN_KEY');
    const rotated = ringOf([{ id: 'k2', secret: SECRET_2 }, { id: 'k1', secret: SECRET }]);
    expect(await open(rotated, old)).toMatchObject({ ok: true, data: { v: 1 }, keyId: 'k1', stale: true });
    const fresh = await signWithRing(rotated, { v: 2 }, undefined, Date.now(), undefined);
    expect(parts(fresh)[1]).toBe('k2');
    expect(await open(rotated, fresh)).toMatchObject({ ok: true, keyId: 'k2', stale: false });
    await expectCode(verifyData(old, { keys: SECRET_2, ...options }), 'ERR_SEAL_UNKNOWN_KEY');
  });

  it('expires at its expiration plus the skew, and a forged expiry is a bad MAC, never "expired"', async () => {
    const ring = ringOf();
    const now = 1_800_000_000_000;
    const token = await signWithRing(ring, { a: 1 }, undefined, now, now + 1000);
    expect(await codeOf(ring, token, undefined, now + 1000 + SKEW - 1)).toBe('ok');
    expect(await codeOf(ring, token, undefined, now + 1000 + SKEW)).toBe('ERR_SEAL_EXPIRED');
    const [p, i, , payload, mac] = parts(token);
    expect(await codeOf(ring, [p, i, '1000', payload, mac].join('*'), undefined, now)).toBe('ERR_SEAL_BAD_MAC');
    const before = Date.now();
    const ttl = await signData({ a: 1 }, { keys: SECRET, ttl: 90, ...options });
    const expiration = Number(parts(ttl)[2]);
    expect(expiration).toBeGreaterThanOrEqual(before + 90_000);
    expect(expiration).toBeLessThanOrEqual(Date.now() + 90_000);
    expect(await codeOf(ring, ttl, undefined, expiration + SKEW)).toBe('ERR_SEAL_EXPIRED');
  });

  it('binds the purpose: another purpose, or none, is refused', async () => {
    const token = await signData({ a: 1 }, { keys: SECRET, purpose: 'prefs', ...options });
    await expectCode(verifyData(token, { keys: SECRET, purpose: 'session', ...options }), 'ERR_SEAL_PURPOSE');
    await expectCode(verifyData(token, { keys: SECRET, ...options }), 'ERR_SEAL_PURPOSE');
    const none = await signData({ a: 1 }, { keys: SECRET, ...options });
    await expectCode(verifyData(none, { keys: SECRET, purpose: 'prefs', ...options }), 'ERR_SEAL_PURPOSE');
  });

  it('authentic but unreadable content gets its own code', async () => {
    const ring = ringOf();
    expect(await codeOf(ring, craft(Uint8Array.of(0x7b, 0xff, 0x7d)))).toBe('ERR_SEAL_NOT_JSON');
    expect(await codeOf(ring, craft('{not json'))).toBe('ERR_SEAL_NOT_JSON');
    expect(await codeOf(ring, craft('[1,2]'))).toBe('ERR_SEAL_NOT_JSON');
    expect(await codeOf(ring, craft('{"d":1}'))).toBe('ERR_SEAL_PURPOSE');
    expect(await codeOf(ring, craft('{"i":"x","d":1}'))).toBe('ERR_SEAL_PURPOSE');
    expect(await codeOf(ring, craft(Uint8Array.of(0xff, 0x07)))).toBe('ERR_SEAL_NOT_JSON');
    // A MAC that holds over a non-canonical payload spelling (low bits set) is still malformed.
    expect(await codeOf(ring, craft('', { payload: 'eyJ' }))).toBe('ERR_SEAL_MALFORMED');
  });

  it('compresses when asked and it pays (0xFF mark), reads both forms, and bounds inflation', async () => {
    const plain = await signData(CART, { keys: SECRET, ...options });
    const packed = await signData(CART, { keys: SECRET, compress: true, ...options });
    expect(Buffer.from(parts(packed)[3], 'base64url')[0]).toBe(0xff);
    expect(packed.length).toBeLessThan(plain.length / 5);
    expect(packed).toMatch(TOKEN);
    for (const token of [plain, packed]) expect(await verifyData(token, { keys: SECRET, ...options })).toEqual(CART);
    const small = await signData({ userId: 'u_1' }, { keys: SECRET, compress: true, ...options });
    expect(envelopeOf(small)).toMatchObject({ d: { userId: 'u_1' } });
    await expectCode(verifyData(packed, { keys: SECRET, maxInflatedBytes: 1000, ...options }), 'ERR_SEAL_INFLATE_LIMIT');
  });

  it('a bomb signed with the right key is refused at the bound, fast', async () => {
    const ring = ringOf();
    const zeros = `{"i":1,"d":"${'0'.repeat(12 * 1024 * 1024)}"}`;
    const bombToken = craft(Buffer.concat([Buffer.from([0xff]), nodeZlib.deflateRawSync(zeros, { level: 9 })]));
    expect(bombToken.length).toBeLessThan(20_000);
    const started = performance.now();
    expect(await codeOf(ring, bombToken)).toBe('ERR_SEAL_INFLATE_LIMIT');
    expect(performance.now() - started).toBeLessThan(200);
    expect(DEFAULT_MAX_INFLATED).toBe(16 * 6144);
  });

  it('uses a key of its own: a MAC under an iron key (raw key, or PBKDF2-SHA-1 of the label) is refused', async () => {
    const raw = ringOf(RAW_32);
    expect(await codeOf(raw, craft('{"i":1,"d":1}', { secret: RAW_32 }))).toBe('ok');
    expect(await codeOf(raw, craft('{"i":1,"d":1}', { key: Buffer.from(RAW_32) }))).toBe('ERR_SEAL_BAD_MAC');
    const sha1 = nodeCrypto.pbkdf2Sync(SECRET, `${SIGNING_LABEL}1`, 1, 32, 'sha1');
    expect(await codeOf(ringOf(), craft('{"i":1,"d":1}', { key: sha1 }))).toBe('ERR_SEAL_BAD_MAC');
  });

  it('derives its key from a stretched password too (iterations > 1)', async () => {
    const ring = createKeyRing(SECRET, { ...options, iterations: 2 });
    const token = await signWithRing(ring, { a: 1 }, undefined, Date.now(), undefined);
    expect(await open(ring, token)).toMatchObject({ ok: true, data: { a: 1 } });
    expect(await codeOf(ringOf(), token)).toBe('ERR_SEAL_BAD_MAC');
  });

  it('never accepts a sealed token as signed, nor a signed one as sealed (the real unsealData and iron opener)', async () => {
    const ring = ringOf();
    const sealed = await sealData({ a: 1 }, { keys: ring });
    const signed = await signData({ a: 1 }, { keys: ring });
    // Both opened once where they belong, so any shared cache would now hold them.
    expect(await unsealData(sealed, { keys: ring })).toEqual({ a: 1 });
    expect(await verifyData(signed, { keys: ring })).toEqual({ a: 1 });
    await expectCode(verifyData(sealed, { keys: ring }), 'ERR_SEAL_MALFORMED');
    await expectCode(unsealData(signed, { keys: ring }), 'ERR_SEAL_MALFORMED');
    expect(await ironOpen(ring, signed, Date.now(), SKEW)).toEqual({ ok: false, code: 'ERR_SEAL_MALFORMED' });
    expect(ring.recall(signed)).toBeUndefined();
    // Relabelled: each prefix on the other's body.
    const [, ...signedRest] = parts(signed);
    await expectCode(unsealData(['Fe26.2', ...signedRest].join('*'), { keys: ring }), 'ERR_SEAL_MALFORMED');
    const [, ...sealedRest] = sealed.split('*');
    expect(await codeOf(ring, ['Sig1', ...sealedRest].join('*'))).toBe('ERR_SEAL_MALFORMED');
  });

  it('is smaller than an iron seal of the same state', async () => {
    for (const state of [{ userId: 'u_8f3k2' }, CART]) {
      const sealed = await sealData(state, { keys: SECRET, ttl: 3600, purpose: 'session', ...options });
      const signed = await signData(state, { keys: SECRET, ttl: 3600, purpose: 'session', ...options });
      // Two 32-character salts, a 22-character IV and the padding and base64 of the ciphertext.
      expect(sealed.length - signed.length).toBeGreaterThan(76);
    }
  });

  it('refuses bad options and unserializable values', async () => {
    await expectCode(signData(new Date(), { keys: SECRET, ...options }), 'ERR_SEAL_NOT_SERIALIZABLE');
    await expectCode(signData({}, { keys: SECRET, ttl: -1, ...options }), 'ERR_CONFIG_OPTION');
    await expectCode(signData({}, { keys: SECRET, purpose: '', ...options }), 'ERR_CONFIG_OPTION');
    await expectCode(signData({}, { keys: SECRET, compress: 'yes' as never, ...options }), 'ERR_CONFIG_OPTION');
    await expectCode(verifyData('x', { keys: SECRET, maxInflatedBytes: 0, ...options }), 'ERR_CONFIG_OPTION');
    await expectCode(signData({}, undefined as never), 'ERR_CONFIG_OPTION');
    expect(thrown(() => signWithRing(ringOf(), () => 1, undefined, 0, undefined)).code).toBe('ERR_SEAL_NOT_SERIALIZABLE');
  });

  it('refuses an unknown option (a typo) on sign and verify, naming the nearest, as sealData does', async () => {
    const signErr = await expectCode(signData({}, { keys: SECRET, purpse: 'prefs', ...options } as never), 'ERR_CONFIG_OPTION');
    expect(signErr.option).toBe('purpse');
    expect(signErr.message).toContain('did you mean purpose?');
    const token = await signData({ a: 1 }, { keys: SECRET, purpose: 'prefs', ...options });
    const verifyErr = await expectCode(verifyData(token, { keys: SECRET, purpose: 'prefs', timestampSkew: 60, ...options } as never), 'ERR_CONFIG_OPTION');
    expect(verifyErr.option).toBe('timestampSkew');
    expect(verifyErr.message).toContain('did you mean timestampSkewSec?');
    // Every documented option is still accepted.
    expect(await verifyData(token, { keys: SECRET, purpose: 'prefs', timestampSkewSec: 0, maxInflatedBytes: 100, ...options })).toEqual({ a: 1 });
  });

  it.each(['cookie:session', 'Cookie:session', 'COOKIE:__Host-session', 'cookie:'])("reserves the store's purposes: %j is refused on sign and verify", async (purpose) => {
    const signErr = await expectCode(signData({ id: 'AAAAAAAAAAAAAAAAAAAAAA', c: 1, v: {} }, { keys: SECRET, purpose, ...options }), 'ERR_CONFIG_OPTION');
    expect(signErr.option).toBe('purpose');
    expect(signErr.message).toMatch(/reserved for the session store/);
    // A token signed for that purpose by the library itself (as a signed-only store would) does not verify through the public API.
    const token = await signWithRing(ringOf(), { a: 1 }, purpose, Date.now(), undefined);
    const verifyErr = await expectCode(verifyData(token, { keys: SECRET, purpose, ...options }), 'ERR_CONFIG_OPTION');
    expect(verifyErr.option).toBe('purpose');
  });

  it('any token it makes is a cookie value that verifies back (property)', async () => {
    const ring = ringOf();
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), fc.option(fc.string({ minLength: 1, maxLength: 20 }), { nil: undefined }), fc.boolean(), async (value, purpose, compress) => {
        const data = JSON.parse(JSON.stringify(value)) as unknown;
        const token = await signWithRing(ring, data, purpose, Date.now(), undefined, compress);
        expect(token).toMatch(TOKEN);
        const r = await open(ring, token, purpose);
        expect(r.ok && r.data).toEqual(data);
      }),
      { numRuns: 100 },
    );
  });

  it('no mutation of a token verifies, and none throws (property)', async () => {
    const ring = ringOf();
    const token = await signWithRing(ring, { role: 'user', n: 42 }, 'p', Date.now(), Date.now() + 1e6);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_*.= ';
    await fc.assert(
      fc.asyncProperty(
        fc.nat(token.length - 1),
        fc.constantFrom(...alphabet),
        fc.constantFrom('replace', 'insert', 'delete'),
        async (at, ch, op) => {
          const mutated =
            op === 'replace' ? token.slice(0, at) + ch + token.slice(at + 1) : op === 'insert' ? token.slice(0, at) + ch + token.slice(at) : token.slice(0, at) + token.slice(at + 1);
          const r = await open(ring, mutated, 'p');
          if (mutated === token) expect(r.ok).toBe(true);
          else expect(r).toEqual({ ok: false, code: expect.stringMatching(/^ERR_SEAL_(MALFORMED|BAD_MAC|UNKNOWN_KEY)$/) });
        },
      ),
      { numRuns: 400 },
    );
  });
});

describe('a ring from an older copy of the library (same ring revision, no signing keys)', () => {
  it('is a configuration error naming keys, on sign and on open, never a TypeError', async () => {
    const ring = createKeyRing(SECRET);
    const token = await signWithRing(ring, { a: 1 }, undefined, Date.now(), undefined);
    const key = ring.current;
    const older = { ...ring, current: { id: key.id, engine: key.engine }, get: () => ({ id: key.id, engine: key.engine }) } as unknown as typeof ring;
    expect(thrown(() => signWithRing(older, { a: 1 }, undefined, Date.now(), undefined))).toMatchObject({ code: 'ERR_CONFIG_KEYS', option: 'keys' });
    expect(thrown(() => openSigned(older, token, undefined, Date.now(), SKEW))).toMatchObject({ code: 'ERR_CONFIG_KEYS', option: 'keys' });
  });
});
