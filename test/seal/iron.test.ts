import * as nodeCrypto from 'node:crypto';
import * as iron from 'iron-webcrypto';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SKEW_SECONDS, IRON_PREFIX, ironOpen, ironSeal, type IronResult } from '../../src/seal/iron';
import { KeyRing, RingKey, createKeyRing } from '../../src/seal/keys';
import { getEngine, type CryptoEngine } from '../../src/seal/engine';
import type { MaybePromise } from '../../src/util/maybe-promise';
import {
  ENGINES,
  PART_NAMES,
  RAW_32,
  SECRET,
  SECRET_2,
  craftToken,
  join,
  randomHex,
  split,
  withPart,
  type Parts,
} from './helpers';

const SKEW = 60_000;
const JSON_TEXT = JSON.stringify({ user: { id: 'u_1', roles: ['a'] }, emoji: '🍪', cjk: '漢字' });
const b64u = (bytes: Uint8Array | number[]) => Buffer.from(bytes).toString('base64url');

const open = async (keys: KeyRing, token: string, now = Date.now()): Promise<IronResult> => ironOpen(keys, token, now, SKEW);
const codeOf = async (keys: KeyRing, token: string, now = Date.now()) => {
  const r = await open(keys, token, now);
  return r.ok ? 'ok' : r.code;
};

/** Open a token with nothing but node:crypto and the published format. */
function independentOpen(password: string | Uint8Array, token: string): string {
  const p = split(token);
  const derive = (salt: string) =>
    typeof password === 'string' ? nodeCrypto.pbkdf2Sync(password, salt, 1, 32, 'sha1') : Buffer.from(password);
  const base = token.split('*').slice(0, 6).join('*');
  const mac = nodeCrypto.createHmac('sha256', derive(p.macSalt)).update(base).digest('base64url');
  expect(mac).toBe(p.mac);
  const decipher = nodeCrypto.createDecipheriv('aes-256-cbc', derive(p.encSalt), Buffer.from(p.iv, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(p.ciphertext, 'base64url')), decipher.final()]).toString('utf8');
}

describe.each(ENGINES)('ironSeal output ($engine engine)', ({ options }) => {
  it('has the iron shape: prefix, id, 128-bit hex salts (iron readers take any length), 16-byte IV, padded ciphertext, 32-byte MAC', async () => {
    const keys = createKeyRing(SECRET, options);
    const token = await ironSeal(keys, JSON_TEXT, undefined);
    expect(token).toMatch(/^Fe26\.2\*1\*[0-9a-f]{32}\*[\w-]{22}\*[\w-]+\*\*[0-9a-f]{32}\*[\w-]{43}$/);
    const p = split(token);
    expect(p.prefix).toBe(IRON_PREFIX);
    expect(Buffer.from(p.ciphertext, 'base64url').length % 16).toBe(0);
    // PKCS#7 always pads: a plaintext of n bytes becomes 16 * (floor(n / 16) + 1).
    const n = Buffer.byteLength(JSON_TEXT);
    expect(Buffer.from(p.ciphertext, 'base64url').length).toBe(16 * (Math.floor(n / 16) + 1));
  });

  it('writes the expiration in ms and only when given', async () => {
    const keys = createKeyRing(SECRET, options);
    expect(split(await ironSeal(keys, '{}', 1_700_000_000_123)).expiration).toBe('1700000000123');
    expect(split(await ironSeal(keys, '{}', undefined)).expiration).toBe('');
  });

  it('opens with an independent node:crypto implementation of the format (string and raw key)', async () => {
    expect(independentOpen(SECRET, await ironSeal(createKeyRing(SECRET, options), JSON_TEXT, undefined))).toBe(JSON_TEXT);
    expect(independentOpen(RAW_32, await ironSeal(createKeyRing(RAW_32, options), JSON_TEXT, 1e13))).toBe(JSON_TEXT);
  });

  it('uses a fresh IV per seal: the same value twice gives different iv and ciphertext', async () => {
    for (const keys of [createKeyRing(SECRET, options), createKeyRing(RAW_32, options)]) {
      const a = split(await ironSeal(keys, JSON_TEXT, undefined));
      const b = split(await ironSeal(keys, JSON_TEXT, undefined));
      expect(b.iv).not.toBe(a.iv);
      expect(b.ciphertext).not.toBe(a.ciphertext);
      expect(b.mac).not.toBe(a.mac);
      // Within a process the derived keys (hence the salts) are reused; the IV is what varies.
      expect(b.encSalt).toBe(a.encSalt);
    }
    const ivs = new Set<string>();
    const keys = createKeyRing(SECRET, options);
    for (let i = 0; i < 200; i++) ivs.add(split(await ironSeal(keys, '1', undefined)).iv);
    expect(ivs.size).toBe(200);
  });

  it('concurrent first seals share one derivation and all open', async () => {
    const keys = createKeyRing(SECRET, options);
    const tokens = await Promise.all(Array.from({ length: 50 }, (_, i) => ironSeal(keys, String(i), undefined)));
    expect(new Set(tokens.map((t) => split(t).macSalt)).size).toBe(1);
    const opened = await Promise.all(tokens.map((t) => open(keys, t)));
    expect(opened.map((r) => (r.ok ? r.plaintext : r.code))).toEqual(tokens.map((_, i) => String(i)));
    expect(keys.current.cacheSize).toBe(2);
  });
});

describe('synchronous sealing on the node engine (the adapters commit inside writeHead)', () => {
  it('node: ironSeal returns a string, not a promise, from the very first seal', () => {
    const keys = createKeyRing(SECRET, { crypto: 'node' });
    const first = ironSeal(keys, JSON_TEXT, undefined);
    expect(typeof first).toBe('string');
    expect(typeof ironSeal(keys, JSON_TEXT, undefined)).toBe('string');
    expect(typeof ironSeal(createKeyRing(RAW_32), JSON_TEXT, undefined)).toBe('string');
  });

  it('node with a stretched key: the first seal waits for the stretch, later ones are synchronous', async () => {
    const keys = createKeyRing(SECRET, { iterations: 5000 });
    const first = ironSeal(keys, JSON_TEXT, undefined);
    expect(first).toBeInstanceOf(Promise);
    const token = await first;
    expect(typeof ironSeal(keys, JSON_TEXT, undefined)).toBe('string');
    expect((await open(keys, token)).ok).toBe(true);
  });

  it('webcrypto: ironSeal returns a promise', async () => {
    const result = ironSeal(createKeyRing(SECRET, { crypto: 'webcrypto' }), JSON_TEXT, undefined);
    expect(result).toBeInstanceOf(Promise);
    expect(typeof (await result)).toBe('string');
  });
});

describe('the iron constants src writes out (src never imports iron-webcrypto)', () => {
  it('are iron-webcrypto 2.0.0’s token prefix and default clock skew', () => {
    expect(IRON_PREFIX).toBe(iron.macPrefix);
    expect(DEFAULT_SKEW_SECONDS).toBe(iron.defaults.timestampSkewSec);
  });
});

describe.each(ENGINES)('interop with iron-webcrypto 2.0.0 ($engine engine)', ({ options }) => {
  const obj = { a: 1, b: ['x', null, true], c: { d: '🍪 漢字' } };

  it('a token from iron.seal (string password, empty id) opens with ironOpen and gives the same JSON', async () => {
    const token = await iron.seal(obj, SECRET, iron.defaults);
    expect(split(token).id).toBe('');
    const r = await open(createKeyRing(SECRET, options), token);
    expect(r).toMatchObject({ ok: true, plaintext: JSON.stringify(obj), expiration: undefined });
  });

  it('our token opens with iron.unseal (string password)', async () => {
    const token = await ironSeal(createKeyRing(SECRET, options), JSON.stringify(obj), undefined);
    await expect(iron.unseal(token, SECRET, iron.defaults)).resolves.toEqual(obj);
  });

  it('{ id, secret } passwords, both ways', async () => {
    const fromIron = await iron.seal(obj, { id: 'k9', secret: SECRET }, iron.defaults);
    expect(split(fromIron).id).toBe('k9');
    const keys = createKeyRing(
      [
        { id: 'k10', secret: SECRET_2 },
        { id: 'k9', secret: SECRET },
      ],
      options,
    );
    const r = await open(keys, fromIron);
    expect(r.ok && r.plaintext).toBe(JSON.stringify(obj));
    expect(r.ok && r.key.id).toBe('k9');
    expect(await codeOf(createKeyRing([{ id: 'k10', secret: SECRET_2 }], options), fromIron)).toBe('ERR_SEAL_UNKNOWN_KEY');

    const ours = await ironSeal(keys, JSON.stringify(obj), undefined);
    expect(split(ours).id).toBe('k10');
    await expect(iron.unseal(ours, { k10: SECRET_2, k9: SECRET }, iron.defaults)).resolves.toEqual(obj);
    await expect(iron.unseal(ours, { k9: SECRET }, iron.defaults)).rejects.toThrow(/Cannot find password/);
  });

  it('a 32-byte Uint8Array key, both ways', async () => {
    const fromIron = await iron.seal(obj, RAW_32, iron.defaults);
    expect(split(fromIron).encSalt).toBe('');
    const keys = createKeyRing(RAW_32, options);
    const r = await open(keys, fromIron);
    expect(r.ok && r.plaintext).toBe(JSON.stringify(obj));
    const ours = await ironSeal(keys, JSON.stringify(obj), undefined);
    await expect(iron.unseal(ours, RAW_32, iron.defaults)).resolves.toEqual(obj);
    // The raw key is not the string password: a string-password ring refuses it (empty salts).
    expect(await codeOf(createKeyRing(SECRET, options), fromIron)).toBe('ERR_SEAL_MALFORMED');
  });

  it("iron-webcrypto's ttl tokens are respected (expiry in ms, 60 s skew)", async () => {
    const t0 = Date.now();
    const token = await iron.seal(obj, SECRET, { ...iron.defaults, ttl: 10_000 });
    const exp = Number(split(token).expiration);
    expect(exp).toBeGreaterThanOrEqual(t0 + 10_000);
    const keys = createKeyRing(SECRET, options);
    expect(await codeOf(keys, token, exp - SKEW)).toBe('ok');
    expect(await codeOf(keys, token, exp + SKEW - 1)).toBe('ok');
    expect(await codeOf(keys, token, exp + SKEW)).toBe('ERR_SEAL_EXPIRED');
    const r = await open(keys, token, t0);
    expect(r.ok && r.expiration).toBe(exp);
  });

  it('our expiring tokens are refused by iron once expired', async () => {
    const keys = createKeyRing(SECRET, options);
    const past = await ironSeal(keys, JSON.stringify(obj), Date.now() - SKEW - 1000);
    await expect(iron.unseal(past, SECRET, iron.defaults)).rejects.toThrow(/Expired seal/);
    const future = await ironSeal(keys, JSON.stringify(obj), Date.now() + 60_000);
    await expect(iron.unseal(future, SECRET, iron.defaults)).resolves.toEqual(obj);
  });

  it('an empty token id selects the "default" key when there is one, else the current key', async () => {
    const token = await iron.seal(obj, SECRET, iron.defaults);
    const withDefault = createKeyRing(
      [
        { id: 'a', secret: SECRET },
        { id: 'default', secret: SECRET_2 },
      ],
      options,
    );
    expect(await codeOf(withDefault, token)).toBe('ERR_SEAL_BAD_MAC');
    const r = await open(createKeyRing([{ id: 'a', secret: SECRET }, { id: 'b', secret: SECRET_2 }], options), token);
    expect(r.ok && r.key.id).toBe('a');
  });

  it('a token crafted by hand with node:crypto opens (a third implementation)', async () => {
    const r = await open(createKeyRing(SECRET, options), craftToken(SECRET, JSON_TEXT, { id: '1', expiration: Date.now() + 5000 }));
    expect(r.ok && r.plaintext).toBe(JSON_TEXT);
  });
});

describe.each(ENGINES)('ironOpen refusals ($engine engine)', ({ options }) => {
  const keys = createKeyRing(SECRET, options);
  const rawKeys = createKeyRing(RAW_32, options);
  const fresh = () => ironSeal(keys, JSON_TEXT, Date.now() + 3_600_000);

  it('never throws on a non-string', async () => {
    for (const value of [undefined, null, 42, {}, ['Fe26.2']]) {
      expect(await ironOpen(keys, value as unknown as string, Date.now(), SKEW)).toEqual({ ok: false, code: 'ERR_SEAL_MALFORMED' });
    }
  });

  it('accepts the untouched token', async () => {
    const token = await fresh();
    expect(await codeOf(keys, token)).toBe('ok');
  });

  describe('malformed: ERR_SEAL_MALFORMED', () => {
    const cases: Array<[string, (t: string) => string]> = [
      ['the empty string', () => ''],
      ['7 components', (t) => t.slice(0, t.lastIndexOf('*'))],
      ['9 components', (t) => `${t}*x`],
      ['9 components (empty extra)', (t) => `${t}*`],
      ['a leading extra component', (t) => `*${t}`],
      ['prefix Fe26.1', (t) => withPart(t, 'prefix', 'Fe26.1')],
      ['prefix fe26.2', (t) => withPart(t, 'prefix', 'fe26.2')],
      ['empty prefix', (t) => withPart(t, 'prefix', '')],
      ['id with a dash', (t) => withPart(t, 'id', 'a-b')],
      ['id with a non-ASCII letter', (t) => withPart(t, 'id', 'é')],
      ['id with a space', (t) => withPart(t, 'id', '1 ')],
      ['non-hex encryption salt', (t) => withPart(t, 'encSalt', 'z'.repeat(64))],
      ['non-hex mac salt', (t) => withPart(t, 'macSalt', `${'0'.repeat(63)}g`)],
      ['empty encryption salt', (t) => withPart(t, 'encSalt', '')],
      ['empty mac salt', (t) => withPart(t, 'macSalt', '')],
      ['a 257-character salt', (t) => withPart(t, 'macSalt', 'a'.repeat(257))],
      ['an IV of 15 bytes', (t) => withPart(t, 'iv', b64u(new Uint8Array(15)))],
      ['an IV of 17 bytes', (t) => withPart(t, 'iv', b64u(new Uint8Array(17)))],
      ['an empty IV', (t) => withPart(t, 'iv', '')],
      ['an IV in standard base64', (t) => withPart(t, 'iv', Buffer.alloc(16, 0xfb).toString('base64'))],
      ['an IV with padding', (t) => withPart(t, 'iv', `${split(t).iv}==`)],
      ['ciphertext of 17 bytes', (t) => withPart(t, 'ciphertext', b64u(new Uint8Array(17)))],
      ['ciphertext of 15 bytes', (t) => withPart(t, 'ciphertext', b64u(new Uint8Array(15)))],
      ['empty ciphertext', (t) => withPart(t, 'ciphertext', '')],
      ['ciphertext with a dot', (t) => withPart(t, 'ciphertext', `${split(t).ciphertext.slice(0, -4)}a.bc`)],
      ['a 31-byte digest', (t) => withPart(t, 'mac', b64u(new Uint8Array(31)))],
      ['a 33-byte digest', (t) => withPart(t, 'mac', b64u(new Uint8Array(33)))],
      ['an empty digest', (t) => withPart(t, 'mac', '')],
      ['a digest with padding', (t) => withPart(t, 'mac', `${split(t).mac}=`)],
      ['expiration with a leading zero', (t) => withPart(t, 'expiration', `0${split(t).expiration}`)],
      ['expiration "0"', (t) => withPart(t, 'expiration', '0')],
      ['expiration with a letter', (t) => withPart(t, 'expiration', `${split(t).expiration.slice(0, -1)}a`)],
      ['negative expiration', (t) => withPart(t, 'expiration', `-${split(t).expiration}`)],
      ['fractional expiration', (t) => withPart(t, 'expiration', `${split(t).expiration}.5`)],
      ['expiration with a space', (t) => withPart(t, 'expiration', ` ${split(t).expiration}`)],
      ['expiration in exponent form', (t) => withPart(t, 'expiration', '2e12')],
      ['a 17-digit expiration', (t) => withPart(t, 'expiration', '1'.repeat(17))],
    ];
    it.each(cases)('%s', async (_name, mutate) => {
      const token = await fresh();
      const bad = mutate(token);
      expect(bad).not.toBe(token);
      expect(await codeOf(keys, bad)).toBe('ERR_SEAL_MALFORMED');
    });

    it('a non-canonical base64url digest (same bytes to Buffer, other low bits)', async () => {
      const token = await fresh();
      const { mac } = split(token);
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      // 32 bytes → 43 characters; the last carries 4 bits of data and 2 unused low bits.
      const last = alphabet.indexOf(mac.at(-1)!);
      expect(last & 3).toBe(0);
      for (let low = 1; low <= 3; low++) {
        const respelled = mac.slice(0, -1) + alphabet[last | low]!;
        expect(Buffer.from(respelled, 'base64url').equals(Buffer.from(mac, 'base64url'))).toBe(true);
        expect(await codeOf(keys, withPart(token, 'mac', respelled))).toBe('ERR_SEAL_MALFORMED');
      }
    });

    it('a raw-key token with salts filled in (salts are not covered by the MAC)', async () => {
      const token = await ironSeal(rawKeys, JSON_TEXT, undefined);
      expect(await codeOf(rawKeys, token)).toBe('ok');
      expect(await codeOf(rawKeys, withPart(token, 'macSalt', randomHex(32)))).toBe('ERR_SEAL_MALFORMED');
      expect(await codeOf(rawKeys, withPart(token, 'encSalt', randomHex(32)))).toBe('ERR_SEAL_MALFORMED');
    });

    it('1 MB of garbage, and a 1 MB token-shaped string', async () => {
      const garbage = nodeCrypto.randomBytes(1 << 20).toString('latin1');
      expect(await codeOf(keys, garbage)).toBe('ERR_SEAL_MALFORMED');
      expect(await codeOf(keys, '*'.repeat(1 << 20))).toBe('ERR_SEAL_MALFORMED');
      const huge = withPart(await fresh(), 'ciphertext', b64u(new Uint8Array(3 * 16 * 21846)));
      expect(huge.length).toBeGreaterThan(1 << 20);
      expect(await codeOf(keys, huge)).toBe('ERR_SEAL_BAD_MAC');
    });

    it('authentic, but the padding is not PKCS#7 (made with the key, not by iron)', async () => {
      const bad = craftToken(SECRET, new Uint8Array(32), { id: '1', noPadding: true }); // last byte 0: invalid padding
      expect(await codeOf(keys, bad)).toBe('ERR_SEAL_MALFORMED');
      const bad17 = craftToken(SECRET, new Uint8Array(16).fill(17), { id: '1', noPadding: true });
      expect(await codeOf(keys, bad17)).toBe('ERR_SEAL_MALFORMED');
      // Last byte 2 but the byte before it 5: every padding byte is checked, on both engines alike.
      const inconsistent = new Uint8Array(16).fill(7);
      inconsistent[14] = 5;
      inconsistent[15] = 2;
      expect(await codeOf(keys, craftToken(SECRET, inconsistent, { id: '1', noPadding: true }))).toBe('ERR_SEAL_MALFORMED');
    });
  });

  describe('each component tampered', () => {
    const flipHex = (s: string) => (s[0] === 'a' ? 'b' : 'a') + s.slice(1);
    const flipB64 = (s: string) => (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
    const table: Array<[keyof Parts, (p: Parts) => string, string]> = [
      ['prefix', () => 'Fe26.3', 'ERR_SEAL_MALFORMED'],
      ['id', () => '7', 'ERR_SEAL_UNKNOWN_KEY'],
      ['encSalt', (p) => flipHex(p.encSalt), 'ERR_SEAL_BAD_MAC'],
      ['iv', (p) => flipB64(p.iv), 'ERR_SEAL_BAD_MAC'],
      ['ciphertext', (p) => flipB64(p.ciphertext), 'ERR_SEAL_BAD_MAC'],
      ['expiration', (p) => String(Number(p.expiration) + 1), 'ERR_SEAL_BAD_MAC'],
      ['macSalt', (p) => flipHex(p.macSalt), 'ERR_SEAL_BAD_MAC'],
      ['mac', (p) => flipB64(p.mac), 'ERR_SEAL_BAD_MAC'],
    ];
    it('covers all eight components', () => {
      expect(table.map(([name]) => name)).toEqual([...PART_NAMES]);
    });
    it.each(table)('%s → %s', async (name, change, code) => {
      const token = await fresh();
      const p = split(token);
      const bad = join({ ...p, [name]: change(p) });
      expect(bad).not.toBe(token);
      expect(await codeOf(keys, bad)).toBe(code);
    });

    it('id changed to another id of the ring (same secret): ERR_SEAL_BAD_MAC, the id is authenticated', async () => {
      const two = createKeyRing(
        [
          { id: '1', secret: SECRET },
          { id: '2', secret: SECRET },
        ],
        options,
      );
      const token = await ironSeal(two, JSON_TEXT, undefined);
      expect(await codeOf(two, withPart(token, 'id', '2'))).toBe('ERR_SEAL_BAD_MAC');
    });

    it('expiration removed or added: ERR_SEAL_BAD_MAC', async () => {
      expect(await codeOf(keys, withPart(await fresh(), 'expiration', ''))).toBe('ERR_SEAL_BAD_MAC');
      const forever = await ironSeal(keys, JSON_TEXT, undefined);
      expect(await codeOf(keys, withPart(forever, 'expiration', String(Date.now() + 1000)))).toBe('ERR_SEAL_BAD_MAC');
    });

    it('the upper-case spelling of a salt is another salt: ERR_SEAL_BAD_MAC', async () => {
      const token = await fresh();
      const p = split(token);
      expect(await codeOf(keys, withPart(token, 'macSalt', p.macSalt.toUpperCase()))).toBe('ERR_SEAL_BAD_MAC');
    });

    it('an authentic token under another secret: ERR_SEAL_BAD_MAC', async () => {
      const other = await ironSeal(createKeyRing(SECRET_2, options), JSON_TEXT, undefined);
      expect(await codeOf(keys, other)).toBe('ERR_SEAL_BAD_MAC');
    });
  });

  describe('expiry', () => {
    it('is checked against now minus the skew, the boundary being expired', async () => {
      const exp = Date.now() + 1000;
      const token = await ironSeal(keys, JSON_TEXT, exp);
      expect((await ironOpen(keys, token, exp + SKEW - 1, SKEW)).ok).toBe(true);
      expect(await ironOpen(keys, token, exp + SKEW, SKEW)).toEqual({ ok: false, code: 'ERR_SEAL_EXPIRED' });
      expect((await ironOpen(keys, token, exp - 1, 0)).ok).toBe(true);
      expect(await ironOpen(keys, token, exp, 0)).toEqual({ ok: false, code: 'ERR_SEAL_EXPIRED' });
    });

    it('holds the same boundary on a ring that never saw the token (MAC verified, not served from the token cache)', async () => {
      const exp = Date.now() + 1000;
      const token = await ironSeal(keys, JSON_TEXT, exp);
      const stranger = () => createKeyRing(SECRET, { ...options, tokenCache: 0 });
      expect((await ironOpen(stranger(), token, exp + SKEW - 1, SKEW)).ok).toBe(true);
      expect(await ironOpen(stranger(), token, exp + SKEW, SKEW)).toEqual({ ok: false, code: 'ERR_SEAL_EXPIRED' });
      expect(await ironOpen(stranger(), token, exp, 0)).toEqual({ ok: false, code: 'ERR_SEAL_EXPIRED' });
    });

    it('an expired token with a tampered MAC is a bad MAC, not expired', async () => {
      const token = await ironSeal(keys, JSON_TEXT, 1_000_000);
      expect(await codeOf(keys, token)).toBe('ERR_SEAL_EXPIRED');
      const p = split(token);
      expect(await codeOf(keys, withPart(token, 'mac', (p.mac[0] === 'A' ? 'B' : 'A') + p.mac.slice(1)))).toBe('ERR_SEAL_BAD_MAC');
      expect(await codeOf(keys, withPart(token, 'expiration', '1000001'))).toBe('ERR_SEAL_BAD_MAC');
    });
  });

  describe('authentic plaintext that is not text', () => {
    it('invalid UTF-8 gives ERR_SEAL_NOT_JSON', async () => {
      const token = craftToken(SECRET, Uint8Array.of(0x7b, 0xff, 0xfe, 0x7d), { id: '1' });
      expect(await codeOf(keys, token)).toBe('ERR_SEAL_NOT_JSON');
    });

    it('any valid UTF-8 is returned as is (JSON is checked one level up)', async () => {
      const r = await open(keys, await ironSeal(keys, 'not json ✓', undefined));
      expect(r.ok && r.plaintext).toBe('not json ✓');
      const empty = await open(keys, await ironSeal(keys, '', undefined));
      expect(empty.ok && empty.plaintext).toBe('');
    });
  });
});

describe('promises from another realm (edge-runtime hands out such promises)', () => {
  /** The WebCrypto engine, with every promise it returns disguised as a plain thenable. */
  function foreignEngine(): CryptoEngine {
    const base = getEngine('webcrypto')!;
    const disguise = <T>(value: MaybePromise<T>): MaybePromise<T> =>
      value instanceof Promise ? ({ then: (ok: (v: T) => unknown, ko: (e: unknown) => unknown) => value.then(ok, ko) } as unknown as Promise<T>) : value;
    return {
      kind: 'webcrypto',
      importKey: (raw, usage) => disguise(base.importKey(raw, usage)),
      pbkdf2: (...args) => disguise(base.pbkdf2(...args)),
      encrypt: (...args) => disguise(base.encrypt(...args)),
      decrypt: (...args) => disguise(base.decrypt(...args)),
      sign: (...args) => disguise(base.sign(...args)),
      verify: (...args) => disguise(base.verify(...args)),
    };
  }

  it('still refuses a tampered token and opens a good one', async () => {
    const secret = 'r'.repeat(40);
    const ring = new KeyRing([new RingKey('1', secret, foreignEngine(), 1)]);
    const token = await ironSeal(ring, '{"a":1}', undefined);
    const good = await ironOpen(ring, token, Date.now(), SKEW);
    expect(good).toMatchObject({ ok: true, plaintext: '{"a":1}' });
    const parts = token.split('*');
    parts[4] = parts[4]!.slice(0, -2) + (parts[4]!.endsWith('AA') ? 'BA' : 'AA');
    expect(await ironOpen(ring, parts.join('*'), Date.now(), SKEW)).toEqual({ ok: false, code: 'ERR_SEAL_BAD_MAC' });
  });

  it('works with a raw 32-byte key too', async () => {
    const ring = new KeyRing([new RingKey('1', new Uint8Array(32).fill(7), foreignEngine(), 1)]);
    const token = await ironSeal(ring, '"x"', undefined);
    expect(await ironOpen(ring, token, Date.now(), SKEW)).toMatchObject({ ok: true, plaintext: '"x"' });
  });
});
