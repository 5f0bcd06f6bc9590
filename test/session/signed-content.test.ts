/**
 * `content: 'signed'`: a store whose cookies are readable but tamper-proof
 * (`Sig1*…`), with the same Session API, keys, rotation, purpose binding and
 * server-side expiry as the encrypted default, and never confused with it:
 * each mode refuses the other's cookies (`wrong-content`), both ways.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CookieSessionStore, type InvalidSessionEvent } from '../../src/index';
import { fromIronSession } from '../../src/iron-session/index';
import { fixClock } from '../helpers/clock';
import { Browser, DAY, HOUR, MINUTE, OTHER_SECRET, SECRET, SECRET_2, isRemoval, request, thrown } from './helpers';

const T0 = Date.UTC(2026, 5, 1, 12, 0, 0);
const at = fixClock(T0);

const schema = z.object({
  theme: z.enum(['light', 'dark']).default('light'),
  bucket: z.string().optional(),
  blob: z.string().optional(),
});

type Options = Omit<ConstructorParameters<typeof CookieSessionStore<typeof schema>>[0], 'schema'>;
const signed = (options: Partial<Options> = {}) => new CookieSessionStore({ keys: SECRET, schema, content: 'signed', ...options });
const encrypted = (options: Partial<Options> = {}) => new CookieSessionStore({ keys: SECRET, schema, ...options });

/** The JSON inside a signed cookie value, read with nothing but base64url: what anyone holding the cookie sees. */
function readWithoutKeys(value: string): { i: number; p: string; d: { id: string; c: number; v: unknown } } {
  const parts = value.split('*');
  expect(parts).toHaveLength(5);
  return JSON.parse(Buffer.from(parts[3]!, 'base64url').toString('utf8'));
}

describe("content: 'signed'", () => {
  it('writes a Sig1 token whose content anyone can read (the point, and the warning), with the usual cookie attributes', async () => {
    const browser = new Browser();
    const { cookies } = await request(signed(), browser, (s) => s.set('bucket', 'B'));
    const value = browser.get('session')!;
    expect(value).toMatch(/^Sig1\*1\*\d+\*[A-Za-z0-9_-]+\*[A-Za-z0-9_-]{43}$/);
    const envelope = readWithoutKeys(value);
    expect(envelope.p).toBe('cookie:session');
    expect(envelope.d.v).toEqual({ theme: 'light', bucket: 'B' });
    expect(cookies[0]!.attributes.get('httponly')).toBe(true);
    expect(cookies[0]!.attributes.get('secure')).toBe(true);
    expect(cookies[0]!.attributes.get('samesite')).toBe('Lax');
  });

  it('has the same Session API: validated writes, flash, renew, setTtl, destroy, chunking', async () => {
    const store = signed({ maxChunks: 3, maxBytes: 12_000 });
    const browser = new Browser();
    const first = await request(store, browser, (s) => {
      s.set('theme', 'dark');
      s.flash('notice', 'Saved');
      expect(thrown(() => s.set('theme', 'blue' as never)).code).toBe('ERR_SESSION_INVALID');
      return s.id;
    });
    const second = await request(store, browser, (s) => [s.get('theme'), s.takeFlash('notice'), s.id]);
    expect(second.result).toEqual(['dark', 'Saved', first.result]);
    const renewed = await request(store, browser, (s) => {
      s.renew();
      s.setTtl(2 * DAY);
      return s.id;
    });
    expect(renewed.result).not.toBe(first.result);
    expect((await store.load(browser.header())).expiresAt).toBe(renewed.session.createdAt + 2 * DAY * 1000);
    // A large state spreads over chunks, as sealed ones do.
    const blob = Array.from({ length: 1500 }, (_, i) => i.toString(36)).join('-');
    await request(store, browser, (s) => s.set('blob', blob));
    expect(browser.names()).toEqual(['session', 'session.1']);
    expect((await store.load(browser.header())).get('blob')).toBe(blob);
    const destroyed = await request(store, browser, (s) => s.destroy());
    expect(destroyed.cookies.every(isRemoval)).toBe(true);
    expect(browser.names()).toEqual([]);
  });

  it('refuses a cookie whose readable content was edited and re-encoded (tampered), and any changed character', async () => {
    const store = signed();
    const browser = new Browser();
    await request(store, browser, (s) => s.set('bucket', 'A'));
    const value = browser.get('session')!;
    const parts = value.split('*');
    const edited = readWithoutKeys(value);
    edited.d.v = { theme: 'light', bucket: 'B' };
    parts[3] = Buffer.from(JSON.stringify(edited)).toString('base64url');
    expect((await store.load(`session=${parts.join('*')}`)).invalidReason).toBe('tampered');
    // A later expiry written in by hand: the MAC covers it too.
    const later = value.split('*');
    later[2] = String(Number(later[2]) + 365 * DAY * 1000);
    expect((await store.load(`session=${later.join('*')}`)).invalidReason).toBe('tampered');
    for (const i of [7, Math.floor(value.length / 2), value.length - 5]) {
      const flipped = `${value.slice(0, i)}${value[i] === 'A' ? 'B' : 'A'}${value.slice(i + 1)}`;
      expect(['tampered', 'malformed']).toContain((await store.load(`session=${flipped}`)).invalidReason);
    }
  });

  it('enforces ttl and idleTimeout from inside the signed payload, on the server clock', async () => {
    const store = signed({ ttl: DAY, idleTimeout: HOUR });
    const browser = new Browser();
    await request(store, browser, (s) => s.set('bucket', 'A'));
    const header = browser.header();
    at(HOUR - 1);
    expect((await store.load(header)).get('bucket')).toBe('A');
    at(HOUR + 1);
    expect((await store.load(header)).invalidReason).toBe('idle');
    // Kept alive by requests, it still ends at the absolute lifetime.
    at(0);
    const alive = new Browser();
    await request(store, alive, (s) => s.set('bucket', 'B'));
    for (let t = 30 * MINUTE; t < DAY; t += 30 * MINUTE) {
      at(t);
      await request(store, alive, (s) => s.touch());
    }
    // The browser drops it at its Max-Age; a copy sent later is refused by the server.
    const copy = alive.header();
    at(DAY + 1);
    expect((await store.load(copy)).invalidReason).toBe('expired');
  });

  it('rotates keys like a sealed store: an old key reads and is re-issued under the new one; a removed key is unknown-key and left alone', async () => {
    const browser = new Browser();
    await request(signed({ keys: [{ id: '1', secret: SECRET }] }), browser, (s) => s.set('bucket', 'A'));
    expect(browser.get('session')!.startsWith('Sig1*1*')).toBe(true);
    const rotated = signed({ keys: [{ id: '2', secret: SECRET_2 }, { id: '1', secret: SECRET }] });
    const reissued = await request(rotated, browser);
    expect(reissued.session.get('bucket')).toBe('A');
    expect(browser.get('session')!.startsWith('Sig1*2*')).toBe(true);

    const old = new Browser();
    await request(signed({ keys: [{ id: '1', secret: SECRET }] }), old, (s) => s.set('bucket', 'A'));
    const retired = await request(signed({ keys: [{ id: '2', secret: SECRET_2 }] }), old);
    expect(retired.session.invalidReason).toBe('unknown-key');
    expect(retired.setCookies).toEqual([]);
  });

  it("binds the cookie name: another store's signed cookie with the same keys is wrong-purpose", async () => {
    const browser = new Browser();
    await request(signed({ cookie: { name: 'prefs' } }), browser, (s) => s.set('bucket', 'A'));
    const stolen = `session=${browser.get('prefs')}`;
    expect((await signed().load(stolen)).invalidReason).toBe('wrong-purpose');
  });

  it('is smaller than a sealed cookie of the same state (no IV, salts or block padding)', async () => {
    const sizes: Record<string, number> = {};
    for (const [name, store] of [
      ['encrypted', encrypted()],
      ['signed', signed()],
    ] as const) {
      const browser = new Browser();
      await request(store, browser, (s) => s.set('bucket', 'B-2026-06'));
      sizes[name] = browser.get('session')!.length;
    }
    console.info(`cookie value for the same small state: encrypted ${sizes.encrypted} characters, signed ${sizes.signed}`);
    // Two 32-character salts and a 22-character IV, plus the block padding and its base64.
    expect(sizes.signed).toBeLessThan(sizes.encrypted! - 86);
  });

  it('compresses too (compress: true), reading both forms', async () => {
    const store = signed({ compress: true, maxBytes: 12_000, maxChunks: 3 });
    const browser = new Browser();
    const blob = 'light dark '.repeat(700);
    await request(store, browser, (s) => s.set('blob', blob));
    expect(browser.names()).toEqual(['session']);
    expect(browser.get('session')!.length).toBeLessThan(blob.length / 10);
    expect((await signed({ maxBytes: 12_000, maxChunks: 3 }).load(browser.header())).get('blob')).toBe(blob);
  });
});

describe('the two content modes never read each other', () => {
  it.each([
    ['a sealed cookie at a signed store', encrypted, signed],
    ['a signed cookie at an encrypted store', signed, encrypted],
  ] as const)('%s is refused as wrong-content (same keys, same cookie name), reported, and removed on commit', async (_, writer, reader) => {
    const browser = new Browser();
    await request(writer(), browser, (s) => s.set('bucket', 'A'));
    const events: InvalidSessionEvent[] = [];
    const { session, cookies } = await request(reader({ onInvalid: (e) => events.push(e) }), browser);
    expect(session.invalidReason).toBe('wrong-content');
    expect(session.isNew).toBe(true);
    expect(session.get('bucket')).toBeUndefined();
    expect(events).toEqual([{ reason: 'wrong-content', cookie: 'session' }]);
    expect(cookies.map((c) => [c.name, isRemoval(c)])).toEqual([['session', true]]);
  });

  it('is decided by the token before any key is used: a cookie of the other mode under a secret this store lacks is wrong-content too, not tampered', async () => {
    for (const [writer, reader] of [
      [encrypted, signed],
      [signed, encrypted],
    ] as const) {
      const browser = new Browser();
      await request(writer({ keys: OTHER_SECRET }), browser, (s) => s.set('bucket', 'A'));
      expect((await reader().load(browser.header())).invalidReason).toBe('wrong-content');
    }
  });

  it('a chunked cookie of the other mode is refused the same way', async () => {
    const blob = Array.from({ length: 1500 }, (_, i) => i.toString(36)).join('-');
    for (const [writer, reader] of [
      [encrypted, signed],
      [signed, encrypted],
    ] as const) {
      const browser = new Browser();
      await request(writer({ maxChunks: 3, maxBytes: 12_000 }), browser, (s) => s.set('blob', blob));
      expect(browser.names()).toContain('session.1');
      expect((await reader({ maxChunks: 3, maxBytes: 12_000 }).load(browser.header())).invalidReason).toBe('wrong-content');
    }
  });
});

describe('content option', () => {
  it("is 'encrypted' or 'signed'", () => {
    const err = thrown(() => new CookieSessionStore({ keys: SECRET, content: 'plain' as never }));
    expect(err.code).toBe('ERR_CONFIG_OPTION');
    expect(err.option).toBe('content');
    expect(err.message).toContain("'encrypted', 'signed'");
  });

  it('refuses to migrate encrypted iron-session cookies into readable ones', () => {
    const legacy = fromIronSession({ cookieName: 'old', password: 'iron-session-password-0123456789abcdefgh' });
    const err = thrown(() => new CookieSessionStore({ keys: SECRET, content: 'signed', legacy }));
    expect(err.code).toBe('ERR_CONFIG_OPTION');
    expect(err.option).toBe('legacy');
    expect(new CookieSessionStore({ keys: SECRET, legacy }).cookieName).toBe('session');
  });
});
