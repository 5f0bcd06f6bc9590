/**
 * `compress: true` on the store: what the browser receives (fewer, shorter
 * cookies for repetitive state; a small state unchanged), both forms read by
 * every store whatever its setting, the inflation bound on read (a bomb
 * sealed with the store's own key) and on write, and the same behaviour on
 * the node engine with node:zlib and on WebCrypto with Compression Streams.
 */
import * as nodeZlib from 'node:zlib';
import { unseal, defaults } from 'iron-webcrypto';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CookieSessionStore, type InvalidSessionEvent } from '../../src/index';
import { planChunks } from '../../src/cookie/framing';
import { ironSeal } from '../../src/seal/iron';
import { forceCompressionBackend } from '../../src/util/compress';
import { newItems } from '../../examples/demo/store';
import { Browser, SECRET, rejection, request, thrown } from './helpers';

afterEach(() => forceCompressionBackend(undefined));

const schema = z.object({
  userId: z.string().optional(),
  cart: z.array(z.object({ sku: z.string(), title: z.string(), qty: z.number() })).default([]),
  note: z.string().optional(),
});

const CONFIGS = [
  { name: 'node engine, node:zlib', crypto: 'node', backend: 'node:zlib' },
  { name: 'WebCrypto, Compression Streams', crypto: 'webcrypto', backend: 'compression-streams' },
] as const;

/** The Cookie header a browser sends for a session whose joined value is `token`. */
function headerOf(name: string, token: string): string {
  return planChunks(name, token)
    .values.map((value, i) => `${i === 0 ? name : `${name}.${i}`}=${value}`)
    .join('; ');
}

/** Total octets of the session's cookies in the request (what the budget counts). */
const requestBytes = (browser: Browser) => browser.header()?.length ?? 0;

describe.each(CONFIGS)('compress: true ($name)', ({ crypto, backend }) => {
  const make = (options: { compress?: boolean; maxBytes?: number; maxChunks?: number; onInvalid?: (e: InvalidSessionEvent) => void } = {}) => {
    forceCompressionBackend(backend);
    return new CookieSessionStore({ keys: SECRET, schema, crypto, maxChunks: 3, maxBytes: 12_000, ...options });
  };

  it("the demo's 140-item cart needs 1 cookie instead of 3, and reads back", async () => {
    const cart = newItems(0, 140);
    const plain = new Browser();
    const packed = new Browser();
    await request(make(), plain, (s) => s.set('cart', cart));
    await request(make({ compress: true }), packed, (s) => s.set('cart', cart));
    expect(plain.names()).toEqual(['session', 'session.1', 'session.2']);
    expect(packed.names()).toEqual(['session']);
    expect(requestBytes(packed)).toBeLessThan(requestBytes(plain) / 5);
    const { session } = await request(make({ compress: true }), packed);
    expect(session.invalidReason).toBeUndefined();
    expect(session.get('cart')).toEqual(cart);
  });

  it('leaves a small state as it is: the same cookie length as without compression, and still a plain iron token', async () => {
    const plain = new Browser();
    const packed = new Browser();
    await request(make(), plain, (s) => s.set('userId', 'u_8f3k2'));
    await request(make({ compress: true }), packed, (s) => s.set('userId', 'u_8f3k2'));
    expect(packed.get('session')!.length).toBe(plain.get('session')!.length);
    // Any iron implementation opens it.
    const envelope = (await unseal(packed.get('session')!, { 1: SECRET }, defaults)) as { d: { v: unknown } };
    expect(envelope.d.v).toEqual({ cart: [], userId: 'u_8f3k2' });
  });

  it('a compressed cookie is refused by other iron implementations instead of misread (iron-webcrypto throws)', async () => {
    const packed = new Browser();
    await request(make({ compress: true }), packed, (s) => s.set('cart', newItems(0, 20)));
    await expect(unseal(packed.get('session')!, { 1: SECRET }, defaults)).rejects.toThrow();
  });

  it('is off by default, and either setting reads both forms: turning it on or off logs nobody out', async () => {
    const cart = newItems(0, 60);
    const byDefault = new Browser();
    const off = new Browser();
    await request(make(), byDefault, (s) => s.set('cart', cart));
    await request(make({ compress: false }), off, (s) => s.set('cart', cart));
    expect(requestBytes(byDefault)).toBe(requestBytes(off));

    const packed = new Browser();
    await request(make({ compress: true }), packed, (s) => s.set('cart', cart));
    expect(requestBytes(packed)).toBeLessThan(requestBytes(off) / 3);
    // Compressed cookie, compression now off: read, and rewritten uncompressed on the next change.
    const turnedOff = await request(make(), packed, (s) => s.set('note', 'off'));
    expect(turnedOff.session.invalidReason).toBeUndefined();
    expect(turnedOff.session.get('cart')).toEqual(cart);
    expect(requestBytes(packed)).toBeGreaterThanOrEqual(requestBytes(off));
    // Uncompressed cookie, compression now on.
    const turnedOn = await request(make({ compress: true }), packed, (s) => {
      const before = s.get('note');
      s.set('note', 'on');
      return before;
    });
    expect(turnedOn.session.invalidReason).toBeUndefined();
    expect(turnedOn.result).toBe('off');
    expect(requestBytes(packed)).toBeLessThan(requestBytes(off) / 3);
  });

  it('a compressed cookie changed in any byte of its ciphertext or MAC is refused as tampered, never inflated', async () => {
    const browser = new Browser();
    await request(make({ compress: true }), browser, (s) => s.set('cart', newItems(0, 140)));
    const token = browser.get('session')!;
    const store = make({ compress: true });
    const parts = token.split('*');
    for (const index of [4, 7]) {
      const part = parts[index]!;
      const flipped = [...parts];
      flipped[index] = `${part.slice(0, 5)}${part[5] === 'A' ? 'B' : 'A'}${part.slice(6)}`;
      expect((await store.load(`session=${flipped.join('*')}`)).invalidReason).toBe('tampered');
    }
  });

  it('a payload sealed with the right key that would inflate past 16 × maxBytes is refused as inflate-limit, reported with its key id', async () => {
    const events: InvalidSessionEvent[] = [];
    const store = make({ onInvalid: (e) => events.push(e) });
    const { envelope, deflated } = bombPayload(store.cookieName, 4 * 1024 * 1024);
    const token = await sealRaw(store, envelope, Uint8Array.of(0xff, ...deflated));
    expect(token.length).toBeLessThan(12_000);
    const session = await store.load(headerOf('session', token));
    expect(session.invalidReason).toBe('inflate-limit');
    expect(session.isNew).toBe(true);
    expect(events).toEqual([{ reason: 'inflate-limit', cookie: 'session', keyId: '1' }]);
    // The refused cookie goes away on the next commit.
    const removals = await session.commit();
    expect(removals.some((c) => c.startsWith('session=;') && c.includes('Max-Age=0'))).toBe(true);
  });

  it('the bound is 16 × maxBytes: a payload of exactly that many bytes opens, one byte more is refused', async () => {
    const store = make({ maxBytes: 2048 });
    const bound = 16 * 2048;
    for (const [size, expected] of [
      [bound, undefined],
      [bound + 1, 'inflate-limit'],
    ] as const) {
      const { envelope, deflated } = bombPayload(store.cookieName, size);
      expect(Buffer.byteLength(envelope)).toBe(size);
      const token = await sealRaw(store, envelope, Uint8Array.of(0xff, ...deflated));
      expect((await store.load(headerOf('session', token))).invalidReason).toBe(expected);
    }
  });

  it('an authentic compressed payload that is not valid DEFLATE, or not JSON once inflated, is malformed', async () => {
    const store = make();
    const garbage = await sealRaw(store, '{}', Uint8Array.of(0xff, 0x12, 0x34, 0x56));
    expect((await store.load(`session=${garbage}`)).invalidReason).toBe('malformed');
    const notJson = await sealRaw(store, '{}', Uint8Array.of(0xff, ...nodeZlib.deflateRawSync(Buffer.from([0xc3, 0x28]))));
    expect((await store.load(`session=${notJson}`)).invalidReason).toBe('malformed');
  });

  it('refuses to write a state whose JSON is over 16 × maxBytes even though it would compress into the budget', async () => {
    const store = make({ compress: true, maxBytes: 1024, maxChunks: 1 });
    const session = await store.load(undefined);
    session.set('note', ' '.repeat(16 * 1024));
    const err = await rejection(session.commit());
    expect(err.code).toBe('ERR_SESSION_TOO_LARGE');
    expect(err.message).toContain('16 × maxBytes');
    expect(err.details).toMatchObject({ allowed: 16 * 1024 });
    expect((err.details as { measured: number }).measured).toBeGreaterThan(16 * 1024);
    // Just under the bound it is written, in one small cookie, and reads back.
    const browser = new Browser();
    const note = ' '.repeat(16 * 1024 - 200);
    await request(store, browser, (s) => s.set('note', note));
    expect(browser.names()).toEqual(['session']);
    expect((await store.load(browser.header())).get('note')).toBe(note);
  });
});

describe('the length leak of compression (CRIME/BREACH), which is why it is off by default', () => {
  it('a guess an attacker puts into the session beside a secret gives a shorter cookie when it matches the secret', async () => {
    forceCompressionBackend('node:zlib');
    const store = new CookieSessionStore({ keys: SECRET, schema, compress: true });
    const secret = 'csrf=q8Zr2LkV9xWm4TnB7yHc3PdJ6sFa1GeU';
    const lengthWith = async (guess: string) => {
      const browser = new Browser();
      await request(store, browser, (s) => {
        s.set('userId', secret); // the secret
        s.set('note', `${guess} ${'filler '.repeat(20)}`); // attacker-chosen (a search term, a cart note)
      });
      return browser.get('session')!.length;
    };
    const right = await lengthWith(secret);
    const wrong = await lengthWith('csrf=Xk3mQ9pL2vB8nR5tY7wZ4cF6hJ1dS0aE');
    expect(right).toBeLessThan(wrong);
    // Without compression the two are the same length: nothing leaks beyond the size of the state.
    const plain = new CookieSessionStore({ keys: SECRET, schema });
    const plainLength = async (guess: string) => {
      const browser = new Browser();
      await request(plain, browser, (s) => {
        s.set('userId', secret);
        s.set('note', `${guess} ${'filler '.repeat(20)}`);
      });
      return browser.get('session')!.length;
    };
    expect(await plainLength(secret)).toBe(await plainLength('csrf=Xk3mQ9pL2vB8nR5tY7wZ4cF6hJ1dS0aE'));
  });
});

describe('compression across backends and engines', () => {
  it('a cookie compressed by node:zlib on the node engine reads on WebCrypto with Compression Streams, and the reverse', async () => {
    const cart = newItems(0, 140);
    const zlibStore = () => (forceCompressionBackend('node:zlib'), new CookieSessionStore({ keys: SECRET, schema, compress: true, maxBytes: 12_000 }));
    const webStore = () =>
      (forceCompressionBackend('compression-streams'), new CookieSessionStore({ keys: SECRET, schema, compress: true, crypto: 'webcrypto', maxBytes: 12_000 }));
    const a = new Browser();
    await request(zlibStore(), a, (s) => s.set('cart', cart));
    const readByWeb = await request(webStore(), a, (s) => s.set('note', 'web'));
    expect(readByWeb.session.get('cart')).toEqual(cart);
    const readByZlib = await request(zlibStore(), a);
    expect(readByZlib.session.invalidReason).toBeUndefined();
    expect(readByZlib.session.get('note')).toBe('web');
  });

  it('stays synchronous on the node engine with node:zlib (adapters commit while node:http writes its headers)', async () => {
    forceCompressionBackend('node:zlib');
    const store = new CookieSessionStore({ keys: SECRET, schema, compress: true, maxBytes: 12_000 });
    const session = store.loadNow(undefined);
    expect(session).not.toBeInstanceOf(Promise);
    const loaded = session as Exclude<typeof session, Promise<unknown>>;
    loaded.set('cart', newItems(0, 140));
    const written = loaded.commitNow();
    expect(Array.isArray(written)).toBe(true);
    const header = (written as { name: string; value: string }[]).map((c) => `${c.name}=${c.value}`).join('; ');
    // Uncached (a store with another ring): verified, decrypted and inflated, still without a promise.
    const reader = new CookieSessionStore({ keys: SECRET, schema, maxBytes: 12_000, tokenCache: 0 });
    const reread = reader.loadNow(header);
    expect(reread).not.toBeInstanceOf(Promise);
    expect((reread as typeof loaded).get('cart')).toHaveLength(140);
  });

  it("the token cache keeps a compressed cookie's text only up to maxBytes characters, so compression does not raise its memory", async () => {
    forceCompressionBackend('node:zlib');
    const store = new CookieSessionStore({ keys: SECRET, schema, compress: true, maxBytes: 4096 });
    const small = new Browser();
    await request(store, small, (s) => s.set('cart', newItems(0, 40))); // ~2.5 kB of JSON
    const large = new Browser();
    await request(store, large, (s) => s.set('cart', newItems(0, 140))); // ~8.6 kB of JSON
    const ring = store.options.ring;
    expect(ring.recall(small.get('session')!)).toBeDefined();
    expect(ring.recall(large.get('session')!)).toBeUndefined();
    // Read back by a ring that never saw them: the same rule on the way in.
    const reader = new CookieSessionStore({ keys: SECRET, schema, maxBytes: 4096 });
    for (const browser of [small, large]) expect((await reader.load(browser.header())).invalidReason).toBeUndefined();
    expect(reader.options.ring.recall(small.get('session')!)).toBeDefined();
    expect(reader.options.ring.recall(large.get('session')!)).toBeUndefined();
  });
});

describe('compress option', () => {
  it('must be a boolean', () => {
    const err = thrown(() => new CookieSessionStore({ keys: SECRET, compress: 'yes' as never }));
    expect(err.code).toBe('ERR_CONFIG_OPTION');
    expect(err.option).toBe('compress');
  });

  it('is refused at construction on a runtime with neither node:zlib nor CompressionStream, saying to turn it off', () => {
    forceCompressionBackend('none');
    const err = thrown(() => new CookieSessionStore({ keys: SECRET, compress: true }));
    expect(err.code).toBe('ERR_CONFIG_OPTION');
    expect(err.option).toBe('compress');
    expect(err.message).toContain('turn compression off');
    // Without it the store is fine there.
    expect(new CookieSessionStore({ keys: SECRET }).cookieName).toBe('session');
  });
});

/**
 * An iron token of these plaintext bytes, sealed with the store's own key (what only a key holder can
 * make), kept out of the token cache (which would otherwise answer with `text`).
 */
export function sealRaw(store: { options: { ring: Parameters<typeof ironSeal>[0] } }, text: string, bytes: Uint8Array) {
  return ironSeal(store.options.ring, text, undefined, bytes, -1);
}

/**
 * A session envelope of exactly `size` bytes of JSON, padded with spaces (valid JSON, so only the
 * bound can refuse it), and its raw DEFLATE at `level`.
 */
export function bombPayload(cookieName: string, size: number, level = 9): { envelope: string; deflated: Buffer } {
  const head = `{"i":${Date.now()},"p":"cookie:${cookieName}","d":{"id":"AAAAAAAAAAAAAAAAAAAAAA","c":${Math.floor(Date.now() / 1000)},"v":{}}`;
  const envelope = `${head}${' '.repeat(size - head.length - 1)}}`;
  return { envelope, deflated: nodeZlib.deflateRawSync(Buffer.from(envelope), { level }) };
}
