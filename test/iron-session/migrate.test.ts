/**
 * Migration from iron-session 9: real iron-session output is read by a store
 * with `fromIronSession`, re-issued in our format on the same response, and
 * the old cookie deleted — so switching libraries logs nobody out.
 */
import { getIronSession, sealData as ironSealData, webCookies } from 'iron-session';
import { defaults as ironDefaults, seal as ironSeal } from 'iron-webcrypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { CookieSessionStore, sealData, type InvalidSessionEvent } from '../../src/index';
import { fromIronSession } from '../../src/iron-session/index';
import { Browser, DAY, HOUR, SECRET, SECRET_2, expectConfigError, isRemoval, rejection, request } from '../session/helpers';

const IRON_PASSWORD = 'the-old-iron-session-password-0123456789';
const schema = z.object({ userId: z.string().optional(), cart: z.array(z.string()).default([]) });
type State = z.output<typeof schema>;

afterEach(() => vi.useRealTimers());

/** What iron-session 9 sends to a browser for `data`. */
async function ironSessionCookies(
  data: Partial<State> & Record<string, unknown>,
  options: { cookieName?: string; password?: string | Record<string, string>; chunk?: boolean; ttl?: number } = {},
): Promise<string[]> {
  const headers = new Headers();
  const session = await getIronSession<Record<string, unknown>>(webCookies(new Request('http://127.0.0.1/'), headers), {
    cookieName: options.cookieName ?? 'myapp',
    password: options.password ?? IRON_PASSWORD,
    ttl: options.ttl ?? 14 * 86_400,
    ...(options.chunk !== undefined && { chunk: options.chunk }),
  });
  Object.assign(session, data);
  await session.save();
  return headers.getSetCookie();
}

function migratingStore(extra: { cookieName?: string; password?: string | Record<string, string>; name?: string } = {}) {
  return new CookieSessionStore({
    keys: SECRET,
    schema,
    cookie: { name: extra.name ?? 'session' },
    legacy: fromIronSession({ cookieName: extra.cookieName ?? 'myapp', password: extra.password ?? IRON_PASSWORD }),
  });
}

describe('fromIronSession', () => {
  it("reads iron-session's cookie, re-issues it in our format and deletes the old one", async () => {
    const browser = new Browser();
    browser.apply(await ironSessionCookies({ userId: 'u_42', cart: ['a', 'b'] }));
    expect(browser.get('myapp')).toMatch(/^Fe26\.2\*1\*.*~2$/);

    const store = migratingStore();
    const first = await request(store, browser, (s) => s.data);
    expect(first.result).toEqual({ userId: 'u_42', cart: ['a', 'b'] });
    expect(first.session.isNew).toBe(false);
    expect(first.session.invalidReason).toBeUndefined();
    // One response: our cookie set, theirs deleted.
    expect(first.cookies.find((c) => c.name === 'session')?.value).toMatch(/^Fe26\.2\*1\*/);
    expect(first.cookies.filter(isRemoval).map((c) => c.name)).toEqual(['myapp']);
    expect(browser.names()).toEqual(['session']);

    // From then on it is an ordinary session: an unchanged read sends nothing.
    const second = await request(store, browser, (s) => s.get('userId'));
    expect(second.result).toBe('u_42');
    expect(second.setCookies).toEqual([]);
  });

  it('works when both libraries use the same cookie name', async () => {
    const browser = new Browser();
    browser.apply(await ironSessionCookies({ userId: 'u_7' }, { cookieName: 'session' }));
    const store = migratingStore({ cookieName: 'session' });
    const first = await request(store, browser, (s) => s.get('userId'));
    expect(first.result).toBe('u_7');
    expect(first.cookies.map((c) => c.name)).toEqual(['session']);
    expect(browser.get('session')).not.toContain('~');
    expect((await request(store, browser, (s) => s.get('userId'))).result).toBe('u_7');
  });

  it("reads iron-session 9's chunked cookies (name.0, name.1, …) and deletes every chunk", async () => {
    const big = Array.from({ length: 120 }, (_, i) => `item-${i}-${'x'.repeat(20)}`);
    const browser = new Browser();
    browser.apply(await ironSessionCookies({ userId: 'u_big', cart: big }, { chunk: true }));
    expect(browser.names()).toEqual(expect.arrayContaining(['myapp.0', 'myapp.1']));

    const store = new CookieSessionStore({ keys: SECRET, schema, maxBytes: 8192, legacy: fromIronSession({ cookieName: 'myapp', password: IRON_PASSWORD }) });
    const first = await request(store, browser, (s) => s.get('cart').length);
    expect(first.result).toBe(120);
    expect(browser.names().every((n) => n === 'session' || n.startsWith('session.'))).toBe(true);
  });

  it("takes iron-session's password map (the highest id sealed)", async () => {
    const password = { 1: IRON_PASSWORD, 2: SECRET_2 };
    const browser = new Browser();
    browser.apply(await ironSessionCookies({ userId: 'u_map' }, { password }));
    expect(browser.get('myapp')).toMatch(/^Fe26\.2\*2\*/);
    expect((await request(migratingStore({ password }), browser, (s) => s.get('userId'))).result).toBe('u_map');
    // Without id 2 in the map, the cookie is left alone (it may be readable elsewhere).
    const stranger = new Browser();
    stranger.apply(await ironSessionCookies({ userId: 'u_map' }, { password }));
    const refused = await request(migratingStore({ password: { 1: IRON_PASSWORD } }), stranger);
    expect(refused.session.invalidReason).toBe('unknown-key');
    expect(refused.setCookies).toEqual([]);
  });

  it('refuses a tampered, expired or out-of-schema iron-session cookie with a reason, and deletes it', async () => {
    const tampered = new Browser();
    tampered.apply(await ironSessionCookies({ userId: 'u_1' }));
    tampered.put('myapp', tampered.get('myapp')!.replace(/\*([A-Za-z0-9_-])([A-Za-z0-9_-]*)\*\d+\*/, (m, c: string, rest: string) => m.replace(c + rest, (c === 'A' ? 'B' : 'A') + rest)));
    const t = await request(migratingStore(), tampered);
    expect(t.session.invalidReason).toBe('tampered');
    expect(tampered.names()).toEqual([]);

    vi.useFakeTimers({ now: Date.UTC(2026, 0, 1) });
    const old = new Browser();
    old.apply(await ironSessionCookies({ userId: 'u_2' }, { ttl: 3600 }));
    const copied = old.get('myapp')!;
    vi.setSystemTime(Date.UTC(2026, 0, 1) + 2 * 3600_000);
    // The browser dropped it (Max-Age); a copy replayed by hand is refused on the server.
    expect(old.names()).toEqual([]);
    old.put('myapp', copied);
    const e = await request(migratingStore(), old);
    expect(e.session.invalidReason).toBe('expired');
    vi.useRealTimers();

    const wrongShape = new Browser();
    wrongShape.apply(await ironSessionCookies({ userId: 42 as unknown as string }));
    const w = await request(migratingStore(), wrongShape);
    expect(w.session.invalidReason).toBe('invalid-schema');
    expect(w.session.data).toEqual({ cart: [] });
  });

  it("refuses this library's own tokens under the old cookie's name when the old password is also our key, and deletes them", async () => {
    // The migration case the docs allow: `keys` is the old password.
    const events: InvalidSessionEvent[] = [];
    const store = new CookieSessionStore({ keys: IRON_PASSWORD, schema, legacy: fromIronSession({ cookieName: 'myapp', password: IRON_PASSWORD }), onInvalid: (e) => events.push(e) });
    const admin = new CookieSessionStore({ keys: IRON_PASSWORD, schema, cookie: { name: 'admin' } });
    const adminSession = await admin.load(undefined);
    adminSession.set('userId', 'root');
    const adminCookie = (await adminSession.commit())[0]!.split(';')[0]!.slice('admin='.length);
    const tokens: Array<[string, string]> = [
      ['a magic link', await sealData({ userId: 'u_1' }, { keys: IRON_PASSWORD, purpose: 'magic-link', ttl: 900 })],
      ['a token without a purpose', await sealData({ userId: 'u_1' }, { keys: IRON_PASSWORD })],
      ["another store's session cookie", adminCookie],
      ["another store's session cookie with iron-session's ~2 suffix", `${adminCookie}~2`],
    ];
    for (const [what, token] of tokens) {
      events.length = 0;
      const browser = new Browser();
      browser.put('myapp', token);
      const r = await request(store, browser, (s) => s.get('userId'));
      expect(r.session.invalidReason, what).toBe('wrong-purpose');
      expect(r.session.isNew, what).toBe(true);
      expect(r.result, what).toBeUndefined();
      expect(events, what).toEqual([{ reason: 'wrong-purpose', cookie: 'myapp' }]);
      // Deleted, and nothing issued in its place.
      expect(r.cookies.filter((c) => !isRemoval(c)), what).toEqual([]);
      expect(r.cookies.filter(isRemoval).map((c) => c.name), what).toContain('myapp');
    }
    // Under the store's own name too (legacy cookieName = cookie.name): a session cookie of ours dressed as iron-session's.
    const sameName = new CookieSessionStore({ keys: IRON_PASSWORD, schema, legacy: fromIronSession({ cookieName: 'session', password: IRON_PASSWORD }) });
    const dressed = new Browser();
    dressed.put('session', `${adminCookie}~2`);
    expect((await request(sameName, dressed, (s) => s.get('userId'))).session.invalidReason).toBe('wrong-purpose');
    // iron-session's own cookies still migrate under that configuration.
    const real = new Browser();
    real.apply(await ironSessionCookies({ userId: 'u_real' }));
    expect((await request(store, real, (s) => s.get('userId'))).result).toBe('u_real');
  });

  it('refuses an iron seal that is not a session object (a string, an array, null) as malformed', async () => {
    const store = migratingStore();
    // iron-session's sealData copies an array into an object; iron-webcrypto (its sealer) seals one as is.
    const seals: Array<[unknown, string]> = [
      ...(await Promise.all(['u_42', null, 42].map(async (v): Promise<[unknown, string]> => [v, await ironSealData(v as never, { password: IRON_PASSWORD })]))),
      [['u_42'], `${await ironSeal(['u_42'], { id: '1', secret: IRON_PASSWORD }, ironDefaults)}~2`],
    ];
    for (const [value, token] of seals) {
      const browser = new Browser();
      browser.put('myapp', token);
      const r = await request(store, browser, (s) => s.get('userId'));
      expect(r.session.invalidReason, JSON.stringify(value)).toBe('malformed');
      expect(r.session.isNew).toBe(true);
      expect(r.cookies.filter((c) => !isRemoval(c))).toEqual([]);
      expect(r.cookies.filter(isRemoval).map((c) => c.name)).toContain('myapp');
    }
  });

  it('takes the old password as a function, called when the first old cookie comes: a build without it constructs', async () => {
    const env: Record<string, string | undefined> = {};
    let calls = 0;
    const legacy = fromIronSession({ cookieName: 'myapp', password: () => (calls++, env.IRON_PASSWORD!) });
    const store = new CookieSessionStore({ keys: () => SECRET, schema, legacy });
    expect(calls).toBe(0);
    // No old cookie: the password is not needed.
    expect((await store.load(undefined)).isNew).toBe(true);
    expect(calls).toBe(0);
    const browser = new Browser();
    browser.apply(await ironSessionCookies({ userId: 'u_fn' }));
    const err = await rejection(store.load(browser.header()));
    expect(err).toMatchObject({ code: 'ERR_CONFIG_KEYS', option: 'fromIronSession.password' });
    expect(err.message).toContain('the function returned undefined');
    env.IRON_PASSWORD = IRON_PASSWORD;
    expect((await request(store, browser, (s) => s.get('userId'))).result).toBe('u_fn');
    // A short password from the function: the usual key error, named after the option.
    const short = fromIronSession({ cookieName: 'myapp', password: () => 'short' });
    const other = new Browser();
    other.apply(await ironSessionCookies({ userId: 'u_fn' }));
    const shortErr = await rejection(new CookieSessionStore({ keys: SECRET, schema, legacy: short }).load(other.header()));
    expect(shortErr).toMatchObject({ code: 'ERR_CONFIG_KEYS', option: 'fromIronSession.password' });
    expect(shortErr.message).toContain('secret is 5 characters');
    // Its other options are still checked when it is built.
    expectConfigError(() => fromIronSession({ cookieName: 'myapp', password: () => IRON_PASSWORD, crypto: 'rsa' as never }), 'ERR_CONFIG_OPTION', 'fromIronSession.crypto');
  });

  it('prefers our own cookie when both are present', async () => {
    const store = migratingStore();
    const browser = new Browser();
    await request(store, browser, (s) => s.set('userId', 'ours'));
    browser.apply(await ironSessionCookies({ userId: 'theirs' }));
    expect((await request(store, browser, (s) => s.get('userId'))).result).toBe('ours');
  });

  it('is configured strictly', () => {
    expectConfigError(() => new CookieSessionStore({ keys: SECRET, legacy: fromIronSession({ cookieName: 'bad name', password: IRON_PASSWORD }) }), 'ERR_CONFIG_OPTION', 'fromIronSession.cookieName');
    expectConfigError(() => new CookieSessionStore({ keys: SECRET, legacy: fromIronSession({ cookieName: 'ok', password: 'short' }) }), 'ERR_CONFIG_KEYS', 'fromIronSession.password');
    for (const ttl of [-1, 1.5, Number.NaN, '14d' as unknown as number, 11 * 365 * DAY]) {
      expectConfigError(() => new CookieSessionStore({ keys: SECRET, legacy: fromIronSession({ cookieName: 'ok', password: IRON_PASSWORD, ttl }) }), 'ERR_CONFIG_OPTION', 'fromIronSession.ttl');
    }
    new CookieSessionStore({ keys: SECRET, legacy: fromIronSession({ cookieName: 'ok', password: IRON_PASSWORD, ttl: 0 }) });
  });
});

describe('the legacy option', () => {
  it('takes only a reader (fromIronSession from sealed-session/iron-session), naming the option otherwise', () => {
    for (const bad of [{ cookieName: 'myapp', password: IRON_PASSWORD }, 'myapp', {}]) {
      expectConfigError(() => new CookieSessionStore({ keys: SECRET, legacy: bad as never }), 'ERR_CONFIG_OPTION', 'legacy');
    }
  });
});

describe('fromIronSession and isRevoked ("log out everywhere")', () => {
  const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);
  const IRON_TTL = 14 * DAY;

  /** An iron-session cookie for u_42 saved at T0 + 0.7 s, then the clock at T0 + `later` seconds. */
  async function stolenAt(later: number): Promise<Browser> {
    vi.useFakeTimers({ toFake: ['Date'], now: T0 + 700 });
    const browser = new Browser();
    browser.apply(await ironSessionCookies({ userId: 'u_42' }, { ttl: IRON_TTL }));
    vi.setSystemTime(T0 + later * 1000);
    return browser;
  }

  /** A store whose hook revokes u_42's sessions created before `signedOutAt`, and records what it saw. */
  function revokingStore(signedOutAt: number, iron: { ttl?: number } = {}) {
    const seen: { createdAt: number; issuedAt: number; userId: string | undefined }[] = [];
    const events: InvalidSessionEvent[] = [];
    const store = new CookieSessionStore({
      keys: SECRET,
      schema,
      ttl: 30 * DAY,
      legacy: fromIronSession({ cookieName: 'myapp', password: IRON_PASSWORD, ...iron }),
      onInvalid: (e) => events.push(e),
      isRevoked: (info) => {
        seen.push({ createdAt: info.createdAt, issuedAt: info.issuedAt, userId: info.data.userId });
        return info.data.userId === 'u_42' && info.createdAt < signedOutAt;
      },
    });
    return { store, seen, events };
  }

  it('refuses, as revoked, an old iron-session cookie replayed after a sign-out everywhere, and deletes it', async () => {
    const browser = await stolenAt(HOUR + 60);
    const { store, seen, events } = revokingStore(T0 + HOUR, { ttl: IRON_TTL });
    const r = await request(store, browser);
    expect(r.session.invalidReason).toBe('revoked');
    expect(r.session.data).toEqual({ cart: [] });
    expect(r.session.isNew).toBe(true);
    // Dated from iron-session's last save (sealed expiry − its ttl), in whole seconds.
    expect(seen).toEqual([{ createdAt: T0, issuedAt: T0, userId: 'u_42' }]);
    expect(events).toEqual([{ reason: 'revoked', cookie: 'myapp' }]);
    expect(r.cookies.filter(isRemoval).map((c) => c.name)).toContain('myapp');
    expect(browser.names()).toEqual([]);
  });

  it("the store's notBefore refuses an old cookie saved before it, and an undated one, as revoked; one saved after it migrates", async () => {
    const notBefore = T0 + HOUR;
    const make = (iron: { ttl?: number }) =>
      new CookieSessionStore({ keys: SECRET, schema, ttl: 30 * DAY, notBefore, legacy: fromIronSession({ cookieName: 'myapp', password: IRON_PASSWORD, ...iron }) });
    const savedBefore = await stolenAt(2 * HOUR);
    expect((await request(make({ ttl: IRON_TTL }), savedBefore)).session.invalidReason).toBe('revoked');
    expect(savedBefore.names()).toEqual([]);
    const undated = await stolenAt(2 * HOUR);
    expect((await request(make({}), undated)).session.invalidReason).toBe('revoked');
    // Saved after notBefore (iron-session still in use on another server): dated after it, migrated.
    vi.setSystemTime(notBefore + 1000);
    const savedAfter = new Browser();
    savedAfter.apply(await ironSessionCookies({ userId: 'u_43' }, { ttl: IRON_TTL }));
    expect((await request(make({ ttl: IRON_TTL }), savedAfter, (s) => s.get('userId'))).result).toBe('u_43');
  });

  it("without iron-session's ttl the hook sees createdAt 0, so any valid-after time refuses the cookie", async () => {
    const browser = await stolenAt(HOUR + 60);
    const { store, seen } = revokingStore(T0 + HOUR);
    const r = await request(store, browser);
    expect(r.session.invalidReason).toBe('revoked');
    expect(seen).toEqual([{ createdAt: 0, issuedAt: 0, userId: 'u_42' }]);
    expect(browser.names()).toEqual([]);
  });

  it('a fromIronSession.ttl smaller than iron-session\'s (a save time in the future) leaves the cookie undated, not dated now', async () => {
    const browser = await stolenAt(10 * DAY);
    const { store, seen } = revokingStore(T0 + 5 * DAY, { ttl: DAY });
    const r = await request(store, browser);
    expect(r.session.invalidReason).toBe('revoked');
    expect(seen).toEqual([{ createdAt: 0, issuedAt: 0, userId: 'u_42' }]);
    expect(browser.names()).toEqual([]);
  });

  it('migrates a cookie saved after the sign-out, with that creation time sealed for later loads', async () => {
    const browser = await stolenAt(HOUR);
    const { store, seen } = revokingStore(T0 - HOUR, { ttl: IRON_TTL });
    const first = await request(store, browser, (s) => s.get('userId'));
    expect(first.result).toBe('u_42');
    expect(first.session.invalidReason).toBeUndefined();
    expect(first.session.createdAt).toBe(T0);
    // Its lifetime counts from then: this store's ttl of 30 days after iron-session saved it.
    expect(first.session.expiresAt).toBe(T0 + 30 * DAY * 1000);
    expect(browser.names()).toEqual(['session']);

    vi.setSystemTime(T0 + 2 * HOUR * 1000);
    const second = await request(store, browser, (s) => s.get('userId'));
    expect(second.result).toBe('u_42');
    expect(seen.map((s) => s.createdAt)).toEqual([T0, T0]);
  });

  it("without iron-session's ttl an accepted cookie's lifetime starts at the migration, in whole seconds", async () => {
    const browser = await stolenAt(HOUR + 0.5);
    const { store, seen } = revokingStore(0);
    const first = await request(store, browser, (s) => s.get('userId'));
    expect(first.result).toBe('u_42');
    expect(first.session.createdAt).toBe(T0 + HOUR * 1000);
    vi.setSystemTime(T0 + 2 * HOUR * 1000);
    await request(store, browser);
    expect(seen.map((s) => s.createdAt)).toEqual([0, T0 + HOUR * 1000]);
  });

  it("refuses as expired a migrated cookie at exactly its save time + this store's ttl, and accepts it 1 ms earlier", async () => {
    // Saved at T0 + 0.7 s, dated T0 (whole seconds); this store's ttl (7 days) ends before iron-session's own (14 days).
    const browser = await stolenAt(7 * DAY);
    const header = browser.header();
    const events: InvalidSessionEvent[] = [];
    const store = new CookieSessionStore({
      keys: SECRET,
      schema,
      ttl: 7 * DAY,
      legacy: fromIronSession({ cookieName: 'myapp', password: IRON_PASSWORD, ttl: IRON_TTL }),
      onInvalid: (e) => events.push(e),
    });
    const ended = await store.load(header);
    expect(ended.invalidReason).toBe('expired');
    expect(events).toEqual([{ reason: 'expired', cookie: 'myapp' }]);
    vi.setSystemTime(T0 + 7 * DAY * 1000 - 1);
    const s = await store.load(header);
    expect(s.invalidReason).toBeUndefined();
    expect(s.get('userId')).toBe('u_42');
    expect(s.createdAt).toBe(T0);
    expect(events).toHaveLength(1);
  });

  it("the store's maxIdleTimeout refuses, as idle, a cookie iron-session last saved longer ago than it, and an undated one; a recent one migrates", async () => {
    // maxIdleTimeout caps every session's idle time ("no session stays valid longer than this without a re-issue"):
    // iron-session's last save is the migrated cookie's last issue, so one saved 2 days ago under a 1 h cap is idle.
    const make = (iron: { ttl?: number }) =>
      new CookieSessionStore({
        keys: SECRET,
        schema,
        ttl: 30 * DAY,
        idleTimeout: HOUR,
        maxIdleTimeout: HOUR,
        legacy: fromIronSession({ cookieName: 'myapp', password: IRON_PASSWORD, ...iron }),
      });
    const stale = await stolenAt(2 * DAY);
    const refused = await request(make({ ttl: IRON_TTL }), stale);
    expect(refused.session.invalidReason).toBe('idle');
    expect(refused.session.get('userId')).toBeUndefined();
    expect(stale.names()).toEqual([]);
    // Undated (no fromIronSession.ttl): nothing shows it was used within the cap, so it is refused too, as notBefore does.
    const undated = await stolenAt(60);
    expect((await request(make({}), undated)).session.invalidReason).toBe('idle');
    // Saved a minute ago: within the cap, migrated.
    const recent = await stolenAt(60);
    expect((await request(make({ ttl: IRON_TTL }), recent, (s) => s.get('userId'))).result).toBe('u_42');
  });

  it("refuses as expired a cookie iron-session saved longer than this store's ttl ago", async () => {
    const browser = await stolenAt(10 * DAY);
    const store = new CookieSessionStore({ keys: SECRET, schema, ttl: 7 * DAY, legacy: fromIronSession({ cookieName: 'myapp', password: IRON_PASSWORD, ttl: IRON_TTL }) });
    const r = await request(store, browser);
    expect(r.session.invalidReason).toBe('expired');
    expect(browser.names()).toEqual([]);
  });
});
