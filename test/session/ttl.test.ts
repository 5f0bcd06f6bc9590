/**
 * Lifetimes, with a fake clock (only `Date` is faked): absolute ttl, idle
 * timeout, the sliding re-issue, Max-Age bounds, per-session `setTtl`,
 * browser-session cookies, replay of a copied cookie, and a clock that jumps
 * back.
 */
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { CookieSessionStore, type InvalidSessionEvent } from '../../src/index';
import { Browser, DAY, HOUR, MAX_AGE_CAP, MINUTE, SECRET, cookieNamed, ironParts, request, thrown } from './helpers';
import { fixClock } from '../helpers/clock';

const T0 = Date.UTC(2030, 5, 1, 8, 0, 0);

/** Move the clock to T0 + seconds. */
const at = fixClock(T0);

const schema = z.object({ n: z.number().default(0), userId: z.string().optional() });

/** A browser holding a session created at T0 (n = 1). */
async function started(options: Partial<ConstructorParameters<typeof CookieSessionStore<typeof schema>>[0]> = {}) {
  const events: InvalidSessionEvent[] = [];
  const store = new CookieSessionStore({ keys: SECRET, schema, onInvalid: (e) => events.push(e), ...options });
  const browser = new Browser();
  const first = await request(store, browser, (s) => s.set('n', 1));
  return { store, browser, events, first, value: browser.get('session')! };
}

describe('absolute ttl', () => {
  it('a session is valid until created + ttl, then expired', async () => {
    const { store, value, events, first } = await started({ ttl: HOUR, idleTimeout: false });
    expect(first.cookies[0]?.maxAge).toBe(HOUR);
    at(HOUR - 1);
    expect((await store.load(`session=${value}`)).get('n')).toBe(1);
    at(HOUR);
    const s = await store.load(`session=${value}`);
    expect(s.invalidReason).toBe('expired');
    expect(s.get('n')).toBe(0);
    expect(events.map((e) => e.reason)).toEqual(['expired']);
    expect(events[0]?.sessionId).toBe(first.session.id);
    // The dead cookie is cleared.
    expect((await s.commit()).map((h) => h.split(';')[0])).toEqual(['session=']);
  });

  it('writes do not extend it: the expiry is counted from creation', async () => {
    const { store, browser } = await started({ ttl: HOUR, idleTimeout: false });
    for (const t of [600, 1200, 1800, 2400, 3000]) {
      at(t);
      const r = await request(store, browser, (s) => s.set('n', t));
      expect(r.cookies[0]?.maxAge).toBe(HOUR - t);
      expect(r.session.expiresAt).toBe(T0 + HOUR * 1000);
    }
    const last = browser.get('session')!;
    at(HOUR);
    // The browser has dropped it by now (Max-Age ran out); a replayed copy is refused.
    expect(browser.header()).toBeUndefined();
    expect((await store.load(`session=${last}`)).invalidReason).toBe('expired');
  });

  it('renew restarts the absolute lifetime', async () => {
    const { store, browser } = await started({ ttl: HOUR, idleTimeout: false });
    at(HOUR - 10);
    const r = await request(store, browser, (s) => s.renew());
    expect(r.cookies[0]?.maxAge).toBe(HOUR);
    at(HOUR + 10);
    expect((await store.load(browser.header())).get('n')).toBe(1);
  });

  it('the skew allowance does not extend a session past its ttl', async () => {
    const { store, value } = await started({ ttl: HOUR, idleTimeout: false, timestampSkewSec: 600 });
    at(HOUR + 1);
    expect((await store.load(`session=${value}`)).invalidReason).toBe('expired');
  });
});

describe('idle timeout', () => {
  it('a session unused for idleTimeout is idle', async () => {
    const { store, value, events } = await started({ idleTimeout: 10 * MINUTE });
    at(10 * MINUTE - 1);
    expect((await store.load(`session=${value}`)).invalidReason).toBeUndefined();
    at(10 * MINUTE);
    const s = await store.load(`session=${value}`);
    expect(s.invalidReason).toBe('idle');
    expect(s.get('n')).toBe(0);
    expect(events.at(-1)?.reason).toBe('idle');
  });

  it('stays idle (not expired) long after the idle window, with key and session id in the event', async () => {
    const { store, value, events, first } = await started({ ttl: 7 * DAY, idleTimeout: 10 * MINUTE });
    for (const t of [11 * MINUTE, HOUR, DAY]) {
      at(t);
      const s = await store.load(`session=${value}`);
      expect(s.invalidReason, `at +${t}s`).toBe('idle');
    }
    expect(events.map((e) => e.reason)).toEqual(['idle', 'idle', 'idle']);
    for (const e of events) expect(e).toEqual({ reason: 'idle', cookie: 'session', keyId: '1', sessionId: first.session.id });
  });

  it('past the absolute ttl it is expired, whatever the idle window says', async () => {
    const { store, browser, value, events, first } = await started({ ttl: HOUR, idleTimeout: 40 * MINUTE });
    // Keep it active so the idle window never runs out.
    at(30 * MINUTE);
    await request(store, browser, (s) => s.set('n', 2));
    const active = browser.get('session')!;
    at(HOUR + 5 * MINUTE);
    expect((await store.load(`session=${active}`)).invalidReason).toBe('expired');
    // The first cookie, unused since T0: both limits are past; the absolute one wins.
    at(2 * HOUR);
    expect((await store.load(`session=${value}`)).invalidReason).toBe('expired');
    expect(events.every((e) => e.keyId === '1' && e.sessionId === first.session.id)).toBe(true);
  });

  it('with a browser the cookie also disappears on its own when the idle Max-Age runs out', async () => {
    const { store, browser } = await started({ idleTimeout: 10 * MINUTE });
    at(10 * MINUTE);
    expect(browser.header()).toBeUndefined();
    const r = await request(store, browser);
    expect(r.session.invalidReason).toBeUndefined();
    expect(r.session.isNew).toBe(true);
  });
});

describe('limits sealed into the cookie', () => {
  it('raising ttl in the config does not revive a cookie past its sealed expiry (beyond the skew)', async () => {
    const { value } = await started({ ttl: HOUR, idleTimeout: false });
    const relaxed = new CookieSessionStore({ keys: SECRET, schema, ttl: DAY, idleTimeout: false, timestampSkewSec: 60 });
    at(HOUR + 59);
    expect((await relaxed.load(`session=${value}`)).get('n')).toBe(1);
    at(HOUR + 60);
    expect((await relaxed.load(`session=${value}`)).invalidReason).toBe('expired');
  });

  it('raising idleTimeout in the config does not revive an idle cookie (beyond the skew)', async () => {
    const { value } = await started({ idleTimeout: 10 * MINUTE });
    const relaxed = new CookieSessionStore({ keys: SECRET, schema, idleTimeout: HOUR, timestampSkewSec: 60 });
    at(11 * MINUTE);
    expect((await relaxed.load(`session=${value}`)).invalidReason).toBe('idle');
  });

  it('raising ttl in the config: a cookie reaching its old absolute end is expired, not idle', async () => {
    const { value, events } = await started({ ttl: HOUR, idleTimeout: DAY });
    const relaxed = new CookieSessionStore({ keys: SECRET, schema, ttl: 2 * HOUR, idleTimeout: DAY, onInvalid: (e) => events.push(e) });
    at(HOUR + 60);
    expect((await relaxed.load(`session=${value}`)).invalidReason).toBe('expired');
    expect(events.at(-1)?.reason).toBe('expired');
  });

  it('a tie between the idle and absolute ends reports expired', async () => {
    const { store, browser, events } = await started({ ttl: HOUR, idleTimeout: 10 * MINUTE });
    // Kept in use every 500 s (inside the 600 s idle window) up to T0 + 3000 s.
    for (let t = 500; t <= 3000; t += 500) {
      at(t);
      const r = await request(store, browser, (s) => s.set('n', t));
      expect(r.session.invalidReason, `at +${t}s`).toBeUndefined();
    }
    // Issued at T0 + 3000: idle end 3000 + 600 = absolute end 0 + 3600, so the sealed expiry is T0 + 3600 from both.
    const value = browser.get('session')!;
    expect(ironParts(value)[5]).toBe(String(T0 + HOUR * 1000));
    // Both limits raised: ttl 4200 and idle 1200 still end together for this cookie (3000 + 1200 = 0 + 4200).
    const relaxed = new CookieSessionStore({ keys: SECRET, schema, ttl: 70 * MINUTE, idleTimeout: 20 * MINUTE, onInvalid: (e) => events.push(e) });
    // The sealed expiry binds with the default 60 s skew allowance.
    at(HOUR + 59);
    expect((await relaxed.load(`session=${value}`)).get('n')).toBe(3000);
    at(HOUR + 60);
    expect((await relaxed.load(`session=${value}`)).invalidReason).toBe('expired');
    expect(events.map((e) => e.reason)).toEqual(['expired']);
  });

  it('raising idleTimeout under a session of its own lifetime (setTtl): idle, told from the sealed lifetime', async () => {
    const store = new CookieSessionStore({ keys: SECRET, schema, ttl: DAY, idleTimeout: 10 * MINUTE });
    const browser = new Browser();
    await request(store, browser, (s) => s.setTtl(HOUR));
    const value = browser.get('session')!;
    const relaxed = new CookieSessionStore({ keys: SECRET, schema, ttl: DAY, idleTimeout: 2 * HOUR });
    at(11 * MINUTE);
    expect((await relaxed.load(`session=${value}`)).invalidReason).toBe('idle');
  });

  it('lowering ttl in the config applies at once to existing cookies', async () => {
    const { value } = await started({ ttl: DAY, idleTimeout: false });
    const strict = new CookieSessionStore({ keys: SECRET, schema, ttl: HOUR, idleTimeout: false });
    at(HOUR);
    expect((await strict.load(`session=${value}`)).invalidReason).toBe('expired');
  });
});

describe('sliding idle window (on-change)', () => {
  it('an unchanged read re-issues only after half the idle window', async () => {
    const { store, browser, value } = await started({ idleTimeout: 600 });
    at(299);
    const early = await request(store, browser);
    expect(early.setCookies).toEqual([]);
    at(300);
    const due = await request(store, browser);
    expect(due.session.status).toBe('unchanged');
    const c = cookieNamed(due.cookies, 'session');
    expect(c.maxAge).toBe(600);
    expect(c.value).not.toBe(value);
    // It slid: alive at 300 + 599, while the first cookie died at 600.
    at(899);
    expect((await store.load(browser.header())).invalidReason).toBeUndefined();
    expect((await store.load(`session=${value}`)).invalidReason).toBe('idle');
    // Half a window after the last issue (300), it re-issues again; right after, nothing to do.
    at(600);
    const r = await request(store, browser);
    expect(r.cookies.map((x) => x.name)).toEqual(['session']);
    at(601);
    expect((await request(store, browser)).setCookies).toEqual([]);
    at(1199);
    expect((await request(store, browser)).session.invalidReason).toBeUndefined();
  });

  it('never extends past the absolute ttl: iron expiry and Max-Age stop at created + ttl', async () => {
    const ttl = 1000;
    const { store, browser } = await started({ ttl, idleTimeout: 600 });
    for (const t of [300, 600, 900]) {
      at(t);
      const r = await request(store, browser);
      const c = cookieNamed(r.cookies, 'session');
      const expiration = Number(ironParts(c.value)[5]);
      expect(expiration).toBeLessThanOrEqual(T0 + ttl * 1000);
      expect(expiration).toBe(Math.min(T0 + ttl * 1000, T0 + (t + 600) * 1000));
      expect(t + c.maxAge!).toBeLessThanOrEqual(ttl);
      expect(c.maxAge).toBe(Math.min(600, ttl - t));
    }
    at(ttl);
    expect((await request(store, browser)).session.isNew).toBe(true);
  });

  it("extend: 'on-request' with the default touchAfter keeps a short idle window alive under steady use", async () => {
    // idleTimeout 60 and a request every 40 s: the session must never go idle.
    const { store, browser, first } = await started({ idleTimeout: 60, extend: 'on-request' });
    for (let t = 40; t <= 400; t += 40) {
      at(t);
      const r = await request(store, browser, (s) => s.get('n'));
      expect(r.session.invalidReason, `at +${t}s`).toBeUndefined();
      expect(r.result, `at +${t}s`).toBe(1);
      expect(r.session.id).toBe(first.session.id);
    }
  });

  it("extend: 'on-request' keeps alive a session whose own idle timeout (setTtl) is shorter than touchAfter allows", async () => {
    // The store: idle 1 day, so touchAfter 60. The session: idle 60 s, and a request every 59 s.
    const store = new CookieSessionStore({ keys: SECRET, schema, extend: 'on-request' });
    const browser = new Browser();
    const first = await request(store, browser, (s) => {
      s.set('n', 1);
      s.setTtl(HOUR, { idleTimeout: 60 });
    });
    for (let t = 59; t <= 10 * 59; t += 59) {
      at(t);
      const r = await request(store, browser, (s) => s.get('n'));
      expect(r.session.invalidReason, `at +${t}s`).toBeUndefined();
      expect(r.result, `at +${t}s`).toBe(1);
      expect(r.session.id).toBe(first.session.id);
      expect(cookieNamed(r.cookies, 'session').maxAge).toBe(60);
    }
    // Re-issued at most every half of its idle window, not on every request.
    at(10 * 59 + 29);
    expect((await request(store, browser)).setCookies).toEqual([]);
    at(10 * 59 + 30);
    expect((await request(store, browser)).setCookies).toHaveLength(1);
  });

  it('touch() re-issues before the window is half gone', async () => {
    const { store, browser } = await started({ idleTimeout: 600 });
    at(10);
    const r = await request(store, browser, (s) => s.touch());
    expect(cookieNamed(r.cookies, 'session').maxAge).toBe(600);
  });
});

describe('Max-Age bounds', () => {
  it('ttl: 1 never gives Max-Age ≤ 0 (iron-session #ttl<=60 bug)', async () => {
    const { store, browser, first } = await started({ ttl: 1, idleTimeout: false });
    expect(first.cookies[0]?.maxAge).toBe(1);
    vi.setSystemTime(T0 + 400);
    const r = await request(store, browser, (s) => s.set('n', 2));
    expect(r.cookies[0]?.maxAge).toBe(1);
    expect(r.cookies[0]?.attributes.get('expires')).toBeDefined();
    vi.setSystemTime(T0 + 999);
    expect((await store.load(`session=${r.cookies[0]?.value}`)).get('n')).toBe(2);
    vi.setSystemTime(T0 + 1000);
    expect((await store.load(`session=${r.cookies[0]?.value}`)).invalidReason).toBe('expired');
  });

  it('a huge ttl caps Max-Age at 400 days, with a matching Expires', async () => {
    const { first } = await started({ ttl: 10 * 365 * DAY, idleTimeout: false });
    const c = first.cookies[0]!;
    expect(c.maxAge).toBe(MAX_AGE_CAP);
    expect(Date.parse(c.attributes.get('expires') as string)).toBe(T0 + MAX_AGE_CAP * 1000);
  });

  it('Max-Age is never above what is left of the session', async () => {
    const { store, browser } = await started({ ttl: 2 * HOUR, idleTimeout: HOUR });
    at(50 * MINUTE);
    expect((await request(store, browser)).cookies[0]?.maxAge).toBe(HOUR);
    at(HOUR + 30 * MINUTE);
    const r = await request(store, browser, (s) => s.set('n', 5));
    expect(r.cookies[0]?.maxAge).toBe(30 * MINUTE);
  });
});

describe('setTtl ("remember me")', () => {
  it('survives later writes and outlives the store ttl', async () => {
    const store = new CookieSessionStore({ keys: SECRET, schema, ttl: DAY, idleTimeout: false });
    const browser = new Browser();
    const r1 = await request(store, browser, (s) => {
      s.set('userId', 'ada');
      s.setTtl(30 * DAY);
    });
    expect(r1.cookies[0]?.maxAge).toBe(30 * DAY);
    expect(r1.session.expiresAt).toBe(T0 + 30 * DAY * 1000);

    at(2 * DAY);
    const r2 = await request(store, browser, (s) => s.set('n', 2));
    expect(r2.session.invalidReason).toBeUndefined();
    expect(r2.session.get('userId')).toBe('ada');
    expect(r2.cookies[0]?.maxAge).toBe(28 * DAY);

    at(29 * DAY);
    const r3 = await request(store, browser, (s) => s.renew());
    // renew keeps the session's own lifetime and restarts it.
    expect(r3.cookies[0]?.maxAge).toBe(30 * DAY);
    at(58 * DAY);
    expect((await store.load(browser.header())).get('userId')).toBe('ada');
  });

  it("makes a lifecycle: 'browser' cookie persistent, and destroy forgets it", async () => {
    const store = new CookieSessionStore({ keys: SECRET, schema, lifecycle: 'browser', idleTimeout: false });
    const browser = new Browser();
    const plain = await request(store, browser, (s) => s.set('n', 1));
    expect(plain.cookies[0]?.maxAge).toBeUndefined();
    expect(plain.cookies[0]?.attributes.has('expires')).toBe(false);

    const remembered = await request(store, browser, (s) => s.setTtl(30 * DAY));
    expect(remembered.cookies[0]?.maxAge).toBe(30 * DAY);
    const later = await request(store, browser, (s) => s.set('n', 2));
    expect(later.cookies[0]?.maxAge).toBe(30 * DAY);

    await request(store, browser, (s) => s.destroy());
    const fresh = await request(store, browser, (s) => s.set('n', 3));
    expect(fresh.cookies[0]?.maxAge).toBeUndefined();
  });

  it("gives the session its own idle timeout: a remembered user away for a weekend is still signed in", async () => {
    const store = new CookieSessionStore({ keys: SECRET, schema, ttl: 10 * DAY, idleTimeout: DAY });
    const plain = new Browser();
    const remembered = new Browser();
    await request(store, plain, (s) => s.set('userId', 'bo'));
    const plainCopy = plain.get('session')!;
    const r = await request(store, remembered, (s) => {
      s.set('userId', 'ada');
      s.setTtl(30 * DAY, { idleTimeout: 7 * DAY });
    });
    // Max-Age and the sealed expiry follow the session's own idle window.
    expect(r.cookies[0]?.maxAge).toBe(7 * DAY);
    expect(r.session.idleExpiresAt).toBe(T0 + 7 * DAY * 1000);

    at(3 * DAY); // away for a long weekend
    // The store's one-day idle limit ends the plain session (even replayed by hand past its Max-Age)…
    plain.put('session', plainCopy);
    expect((await request(store, plain)).session.invalidReason).toBe('idle');
    // …but not the remembered one.
    const back = await request(store, remembered, (s) => s.get('userId'));
    expect(back.session.invalidReason).toBeUndefined();
    expect(back.result).toBe('ada');
    // It survives later writes, and still dies after 7 idle days.
    await request(store, remembered, (s) => s.set('n', 5));
    const copied = remembered.get('session')!;
    at(3 * DAY + 7 * DAY + 1);
    remembered.put('session', copied);
    expect((await request(store, remembered)).session.invalidReason).toBe('idle');
  });

  it('idleTimeout: false in setTtl lifts the idle limit for that session only', async () => {
    const store = new CookieSessionStore({ keys: SECRET, schema, ttl: DAY, idleTimeout: HOUR });
    const browser = new Browser();
    await request(store, browser, (s) => s.setTtl(10 * DAY, { idleTimeout: false }));
    const copied = browser.get('session')!;
    at(5 * DAY);
    browser.put('session', copied);
    const later = await request(store, browser, (s) => s.get('n'));
    expect(later.session.invalidReason).toBeUndefined();
    expect(later.session.idleExpiresAt).toBeUndefined();
    // destroy() forgets it: a new session has the store's one-hour limit again.
    await request(store, browser, (s) => s.destroy());
    const fresh = await request(store, browser, (s) => s.set('n', 1));
    expect(fresh.session.idleExpiresAt).toBe(T0 + 5 * DAY * 1000 + HOUR * 1000);
    expect(() => fresh.session.setTtl(DAY, { idleTimeout: 0 })).toThrow(expect.objectContaining({ code: 'ERR_CONFIG_OPTION', option: 'setTtl.idleTimeout' }));
  });

  it('setTtl with persistent: false keeps a browser-session cookie', async () => {
    const store = new CookieSessionStore({ keys: SECRET, schema, lifecycle: 'browser' });
    const s = await store.load(undefined);
    s.setTtl(30 * DAY, { persistent: false });
    const [header] = await s.commit();
    expect(header).not.toMatch(/Max-Age|Expires/);
  });

  it.each([0, -1, 1.5, Number.NaN, 11 * 365 * DAY])('refuses %s seconds', async (bad) => {
    const s = await new CookieSessionStore({ keys: SECRET, schema }).load(undefined);
    expect(thrown(() => s.setTtl(bad)).code).toBe('ERR_CONFIG_OPTION');
    expect(s.status).toBe('unchanged');
  });
});

describe("lifecycle: 'browser'", () => {
  it('sets no Max-Age or Expires, on writes and re-issues alike, but keeps the server-side limits', async () => {
    const { store, browser, first, value } = await started({ lifecycle: 'browser', idleTimeout: 600, ttl: HOUR });
    expect(first.cookies[0]?.raw).not.toMatch(/Max-Age|Expires/);
    at(300);
    const reissue = await request(store, browser);
    expect(reissue.cookies).toHaveLength(1);
    expect(reissue.cookies[0]?.raw).not.toMatch(/Max-Age|Expires/);
    at(600);
    expect((await store.load(`session=${value}`)).invalidReason).toBe('idle');
    at(HOUR);
    expect((await store.load(browser.header())).invalidReason).toBe('expired');
  });
});

describe('a copied cookie', () => {
  it('dies on time even when the attacker ignores Max-Age', async () => {
    const { store, browser, value } = await started({ ttl: HOUR, idleTimeout: 20 * MINUTE });
    // The victim keeps using the session; the attacker replays the copy.
    for (const t of [15 * MINUTE, 30 * MINUTE, 45 * MINUTE]) {
      at(t);
      await request(store, browser, (s) => s.set('n', t));
    }
    at(20 * MINUTE - 1);
    expect((await store.load(`session=${value}`)).get('n')).toBe(1);
    at(20 * MINUTE);
    expect((await store.load(`session=${value}`)).invalidReason).toBe('idle');
    // And the victim's own session still ends at its absolute ttl.
    const own = browser.get('session')!;
    at(HOUR);
    expect((await store.load(`session=${own}`)).invalidReason).toBe('expired');
  });
});

describe('a clock that jumps back', () => {
  it('refuses a cookie created further in the future than the skew allowance, as clock-skew', async () => {
    const { store, value, events } = await started({ timestampSkewSec: 60 });
    at(-30);
    expect((await store.load(`session=${value}`)).get('n')).toBe(1);
    at(-61);
    const s = await store.load(`session=${value}`);
    // A timestamp from the future is not trusted, and says why.
    expect(s.invalidReason).toBe('clock-skew');
    expect(events.at(-1)?.reason).toBe('clock-skew');
  });

  it('with timestampSkewSec: 0, any cookie from the future is refused', async () => {
    const { store, value } = await started({ timestampSkewSec: 0 });
    vi.setSystemTime(T0 - 1000);
    expect((await store.load(`session=${value}`)).invalidReason).toBe('clock-skew');
  });
});

describe('creation time in whole seconds', () => {
  it('a new, renewed or restarted session: first response, sealed expiry and later loads agree', async () => {
    const store = new CookieSessionStore({ keys: SECRET, schema, ttl: 10, idleTimeout: false });
    const browser = new Browser();
    at(0.9);
    const first = await request(store, browser, (s) => s.set('n', 1));
    expect(first.session.createdAt).toBe(T0);
    expect(first.session.expiresAt).toBe(T0 + 10_000);
    const value = cookieNamed(first.cookies, 'session').value;
    expect(Number(ironParts(value)[5])).toBe(T0 + 10_000);
    // Max-Age rounds up (9.1 s left): never a removal for a cookie just written; the server refuses it from T0+10 s.
    expect(cookieNamed(first.cookies, 'session').maxAge).toBe(10);
    at(5);
    const later = await store.load(browser.header());
    expect(later.createdAt).toBe(first.session.createdAt);
    expect(later.expiresAt).toBe(first.session.expiresAt);
    // Alive until the expiresAt the first response promised, not a moment less.
    at(9.999);
    expect((await store.load(`session=${value}`)).get('n')).toBe(1);
    at(10);
    expect((await store.load(`session=${value}`)).invalidReason).toBe('expired');

    at(3.7);
    const renewed = await request(store, browser, (s) => s.renew());
    expect(renewed.session.createdAt).toBe(T0 + 3000);
    expect(Number(ironParts(browser.get('session')!)[5])).toBe(T0 + 13_000);
    expect((await store.load(browser.header())).expiresAt).toBe(renewed.session.expiresAt);

    at(4.2);
    const restarted = await request(store, browser, (s) => {
      s.destroy();
      s.set('n', 2);
    });
    expect(restarted.session.createdAt).toBe(T0 + 4000);
    expect((await store.load(browser.header())).expiresAt).toBe(restarted.session.expiresAt);
  });
});

describe('idleExpiresAt / expiresAt / createdAt', () => {
  it('report the limits of the loaded session', async () => {
    const { store, browser } = await started({ ttl: HOUR, idleTimeout: 10 * MINUTE });
    at(120);
    const s = await store.load(browser.header());
    expect(s.createdAt).toBe(T0);
    expect(s.expiresAt).toBe(T0 + HOUR * 1000);
    expect(s.idleExpiresAt).toBe(T0 + 10 * MINUTE * 1000);
    const none = await new CookieSessionStore({ keys: SECRET, schema, idleTimeout: false }).load(undefined);
    expect(none.idleExpiresAt).toBeUndefined();
  });
});

describe('operator controls: maxTtl, maxIdleTimeout, notBefore', () => {
  /** A "remember me" session as docs/ttl.md builds it: store ttl 12 h and 30 idle minutes, setTtl 30 days with a week of absence. */
  async function remembered(idleTimeout: number | false = 7 * DAY) {
    const issuer = new CookieSessionStore({ keys: SECRET, schema, lifecycle: 'browser', ttl: 12 * HOUR, idleTimeout: 30 * MINUTE });
    const browser = new Browser();
    await request(issuer, browser, (s) => {
      s.set('userId', 'ada');
      s.setTtl(30 * DAY, { idleTimeout });
    });
    return { issuer, value: browser.get('session')! };
  }

  it('lowering ttl or idleTimeout alone leaves a setTtl session its own longer limits', async () => {
    const { value } = await remembered();
    const stricter = new CookieSessionStore({ keys: SECRET, schema, ttl: HOUR, idleTimeout: 10 * MINUTE });
    at(3 * DAY);
    expect((await stricter.load(`session=${value}`)).get('userId')).toBe('ada');
  });

  it("maxTtl caps existing cookies' own lifetimes when they are read: lowering it ends a 30-day remembered session at once", async () => {
    const { issuer, value } = await remembered();
    const events: InvalidSessionEvent[] = [];
    const capped = new CookieSessionStore({ keys: SECRET, schema, lifecycle: 'browser', ttl: 12 * HOUR, idleTimeout: 30 * MINUTE, maxTtl: 2 * DAY, onInvalid: (e) => events.push(e) });
    at(2 * DAY - 1);
    const inside = await capped.load(`session=${value}`);
    expect(inside.get('userId')).toBe('ada');
    expect(inside.expiresAt).toBe(T0 + 2 * DAY * 1000);
    at(2 * DAY);
    expect((await capped.load(`session=${value}`)).invalidReason).toBe('expired');
    expect(events.map((e) => e.reason)).toEqual(['expired']);
    // The store without the cap still accepts it: the cap is the only thing that changed.
    expect((await issuer.load(`session=${value}`)).get('userId')).toBe('ada');
    expect(issuer.maxLifetime).toBe(10 * 365 * DAY);
    expect(capped.maxLifetime).toBe(2 * DAY);
  });

  it('maxTtl caps setTtl for new sessions: expiresAt, the sealed expiry and Max-Age stop at maxTtl', async () => {
    const store = new CookieSessionStore({ keys: SECRET, schema, ttl: HOUR, idleTimeout: false, maxTtl: DAY });
    const browser = new Browser();
    const r = await request(store, browser, (s) => s.setTtl(30 * DAY));
    expect(r.session.expiresAt).toBe(T0 + DAY * 1000);
    expect(r.cookies[0]?.maxAge).toBe(DAY);
    const value = browser.get('session')!;
    at(DAY - 1);
    expect((await store.load(`session=${value}`)).invalidReason).toBeUndefined();
    at(DAY);
    expect((await store.load(`session=${value}`)).invalidReason).toBe('expired');
    // Even on a server that lifts the cap, the cookie dies at its sealed expiry (plus the skew). Which limit it was
    // is a guess there (the sealed 30 days say it was not the absolute one), as for any deadline sealed before a change.
    const lifted = new CookieSessionStore({ keys: SECRET, schema, ttl: HOUR, idleTimeout: false });
    at(DAY + 59);
    expect((await lifted.load(`session=${value}`)).invalidReason).toBeUndefined();
    at(DAY + 60);
    expect(['expired', 'idle']).toContain((await lifted.load(`session=${value}`)).invalidReason);
  });

  it("maxIdleTimeout caps existing cookies' own idle timeouts, idleTimeout: false included", async () => {
    for (const own of [7 * DAY, false] as const) {
      at(0);
      const { value } = await remembered(own);
      const capped = new CookieSessionStore({ keys: SECRET, schema, ttl: 12 * HOUR, idleTimeout: 30 * MINUTE, maxIdleTimeout: HOUR });
      at(HOUR - 1);
      const inside = await capped.load(`session=${value}`);
      expect(inside.get('userId'), String(own)).toBe('ada');
      expect(inside.idleExpiresAt).toBe(T0 + HOUR * 1000);
      at(HOUR);
      expect((await capped.load(`session=${value}`)).invalidReason, String(own)).toBe('idle');
    }
  });

  it('maxIdleTimeout caps setTtl for new sessions: the idle deadline and Max-Age stop at it', async () => {
    const store = new CookieSessionStore({ keys: SECRET, schema, ttl: HOUR, idleTimeout: 10 * MINUTE, maxIdleTimeout: 20 * MINUTE });
    const r = await request(store, new Browser(), (s) => s.setTtl(30 * DAY, { idleTimeout: false }));
    expect(r.session.idleExpiresAt).toBe(T0 + 20 * MINUTE * 1000);
    expect(r.cookies[0]?.maxAge).toBe(20 * MINUTE);
  });

  it('notBefore refuses every session created before it as revoked, reported to onInvalid; later ones pass', async () => {
    const { value: before } = await remembered();
    at(10);
    const { value: same } = await remembered(); // created at T0 + 10 s
    at(11);
    const { value: after } = await remembered();
    for (const notBefore of [new Date(T0 + 10_500), T0 + 10_500]) {
      const events: InvalidSessionEvent[] = [];
      const store = new CookieSessionStore({ keys: SECRET, schema, ttl: 12 * HOUR, idleTimeout: 30 * MINUTE, notBefore, onInvalid: (e) => events.push(e) });
      at(20);
      const refused = await store.load(`session=${before}`);
      expect(refused.invalidReason).toBe('revoked');
      expect(refused.get('userId')).toBeUndefined();
      expect(events).toEqual([expect.objectContaining({ reason: 'revoked', cookie: 'session' })]);
      // Created in the second of notBefore, before or after it: the creation second is rounded down, so refused.
      expect((await store.load(`session=${same}`)).invalidReason).toBe('revoked');
      expect((await store.load(`session=${after}`)).get('userId')).toBe('ada');
      // The refused cookie is deleted on the response.
      expect((await refused.commit()).map((h) => h.split(';')[0])).toEqual(['session=']);
      // A sign-in from now on is accepted.
      const browser = new Browser();
      await request(store, browser, (s) => s.set('userId', 'grace'));
      expect((await store.load(browser.header())).get('userId')).toBe('grace');
    }
  });

  it('refuses a notBefore given in seconds (a Unix time), which would revoke nothing, at construction', () => {
    // 1_893_456_000 is 2030-01-01 in seconds; read as ms it is 1970-01-22, before every session, so the kill switch would do nothing.
    const seconds = Math.floor(T0 / 1000);
    const make = (notBefore: unknown) => () => new CookieSessionStore({ keys: SECRET, notBefore: notBefore as number });
    for (const bad of [seconds, 1, 999_999_999_999, new Date(seconds)]) expectConfig(make(bad), 'notBefore', /in ms since the epoch.*seconds/);
    // 0 (none), and any real time in ms, are accepted.
    expect(make(0)).not.toThrow();
    expect(make(T0)).not.toThrow();
    expect(make(new Date(T0))).not.toThrow();
  });

  it('refuses contradictory or out-of-range controls at construction, naming the option', () => {
    const make = (options: Record<string, unknown>) => () => new CookieSessionStore({ keys: SECRET, ...options });
    expectConfig(make({ ttl: 2 * DAY, maxTtl: DAY }), 'ttl', /above maxTtl \(86400 s\); lower ttl or raise maxTtl/);
    expectConfig(make({ idleTimeout: false, maxIdleTimeout: HOUR }), 'idleTimeout', /is false \(none\), above maxIdleTimeout/);
    expectConfig(make({ idleTimeout: 2 * HOUR, maxIdleTimeout: HOUR }), 'idleTimeout', /above maxIdleTimeout \(3600 s\)/);
    for (const bad of [0, -1, Number.NaN, '1d', 11 * 365 * DAY]) {
      expectConfig(make({ ttl: 1, maxTtl: bad }), 'maxTtl', /must be a number of seconds/);
      expectConfig(make({ idleTimeout: 1, maxIdleTimeout: bad }), 'maxIdleTimeout', /must be a number of seconds/);
    }
    for (const bad of [new Date('nope'), Number.NaN, -1, '2030-01-01', null]) expectConfig(make({ notBefore: bad }), 'notBefore', /must be a Date/);
    expect(() => make({ ttl: DAY, maxTtl: DAY, idleTimeout: HOUR, maxIdleTimeout: HOUR, notBefore: 0 })()).not.toThrow();
  });
});

function expectConfig(fn: () => unknown, option: string, message: RegExp): void {
  const err = thrown(fn);
  expect({ code: err.code, option: err.option }).toEqual({ code: 'ERR_CONFIG_OPTION', option });
  expect(err.message).toMatch(message);
}
