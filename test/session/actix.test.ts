/**
 * actix-session's acceptance suite (actix-session `test_helpers::acceptance_tests`
 * and `tests/middleware.rs`), ported to CookieSessionStore: the same steps and
 * the same expectations, except where a stateless cookie store must behave
 * differently, which is said at the step.
 */
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { CookieSessionStore, type Session } from '../../src/index';
import { Browser, DAY, SECRET, cookieNamed, isRemoval, request } from './helpers';
import { fixClock } from '../helpers/clock';

const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);

fixClock(T0);

const later = (seconds: number) => vi.setSystemTime(Date.now() + seconds * 1000);

const schema = z.object({
  counter: z.number().int().default(0),
  userId: z.string().optional(),
});
type State = z.output<typeof schema>;

describe('basic workflow (custom path and domain)', () => {
  it('sets the cookie with Path=/test/ and Domain, and the next request reads the counter', async () => {
    const store = new CookieSessionStore({
      keys: SECRET,
      schema,
      cookie: { name: 'actix-test', path: '/test/', domain: 'example.com' }, // actix uses 'localhost', which we refuse as a single label
      ttl: 100,
    });
    const browser = new Browser();

    const first = await request(store, browser, (s) => s.set('counter', 100));
    const cookie = cookieNamed(first.cookies, 'actix-test');
    expect(first.cookies).toHaveLength(1);
    expect(cookie.attributes.get('path')).toBe('/test/');
    expect(cookie.attributes.get('domain')).toBe('example.com');
    expect(cookie.attributes.get('secure')).toBe(true);
    expect(cookie.attributes.get('httponly')).toBe(true);
    expect(cookie.attributes.get('samesite')).toBe('Lax');
    expect(cookie.maxAge).toBe(100);

    const second = await request(store, browser, (s) => `counter: ${s.get('counter')}`);
    expect(second.result).toBe('counter: 100');
    expect(second.setCookies).toEqual([]);
  });
});

describe('expiration is refreshed on state changes only (persistent, on-change)', () => {
  it('sets Max-Age when the state changes, and no cookie for an unchanged request', async () => {
    // actix: max_session_length 60 s. Here the sliding idle window plays that
    // role (ttl is the absolute cap), so a change re-issues a full window.
    const store = new CookieSessionStore({ keys: SECRET, schema, ttl: 7 * DAY, idleTimeout: 60 });
    const browser = new Browser();

    const r1 = await request(store, browser, (s) => s.set('counter', 100));
    expect(cookieNamed(r1.cookies, 'session').maxAge).toBe(60);

    later(10);
    const r2 = await request(store, browser, () => 'no-changes-in-session');
    expect(r2.setCookies).toEqual([]);
    expect(r2.session.status).toBe('unchanged');

    later(10);
    const r3 = await request(store, browser, (s) => s.set('counter', 100));
    expect(cookieNamed(r3.cookies, 'session').maxAge).toBe(60);
    expect(r3.session.status).toBe('changed');
  });

  it('with a fixed ttl and no idle window, Max-Age counts down to the absolute expiry', async () => {
    const store = new CookieSessionStore({ keys: SECRET, schema, ttl: 60, idleTimeout: false });
    const browser = new Browser();
    const r1 = await request(store, browser, (s) => s.set('counter', 1));
    expect(r1.cookies[0]?.maxAge).toBe(60);
    later(20);
    expect((await request(store, browser)).setCookies).toEqual([]);
    const r3 = await request(store, browser, (s) => s.set('counter', 2));
    // The session lives 60 s from its creation, whatever happens: 40 s left.
    expect(r3.cookies[0]?.maxAge).toBe(40);
  });
});

describe("expiration is refreshed on every request (extend: 'on-request', touchAfter: 0)", () => {
  it('re-sends the cookie with a fresh Max-Age on an unchanged request', async () => {
    const store = new CookieSessionStore({ keys: SECRET, schema, ttl: 7 * DAY, idleTimeout: 60, extend: 'on-request', touchAfter: 0 });
    const browser = new Browser();

    const r1 = await request(store, browser, (s) => s.set('counter', 100));
    const v1 = cookieNamed(r1.cookies, 'session').value;

    later(10);
    const r2 = await request(store, browser, () => 'no-changes-in-session');
    expect(r2.session.status).toBe('unchanged');
    const c2 = cookieNamed(r2.cookies, 'session');
    expect(c2.maxAge).toBe(60);
    expect(c2.value).not.toBe(v1);

    // 50 s after the first cookie, which alone would be dead at 60 s, the
    // browser still holds a session: each request slid the window.
    later(40);
    const r3 = await request(store, browser, (s) => s.get('counter'));
    expect(r3.result).toBe(100);
    expect(r3.session.invalidReason).toBeUndefined();
    expect(cookieNamed(r3.cookies, 'session').maxAge).toBe(60);
  });

  it('with the default touchAfter (60 s) it re-sends at most once a minute', async () => {
    const store = new CookieSessionStore({ keys: SECRET, schema, idleTimeout: 3600, extend: 'on-request' });
    const browser = new Browser();
    await request(store, browser, (s) => s.set('counter', 1));
    later(59);
    expect((await request(store, browser)).setCookies).toEqual([]);
    later(1);
    expect((await request(store, browser)).cookies.map((c) => c.name)).toEqual(['session']);
  });
});

describe('complex workflow', () => {
  const store = () =>
    new CookieSessionStore({ keys: SECRET, schema, cookie: { name: 'test-session' }, ttl: 7 * DAY, idleTimeout: false });

  // The handlers of actix-session's acceptance test.
  const index = (s: Session<State>) => ({ userId: s.get('userId'), counter: s.get('counter') });
  const doSomething = (s: Session<State>) => {
    s.set('counter', s.get('counter') + 1);
    return index(s);
  };
  const login = (userId: string) => (s: Session<State>) => {
    s.renew();
    s.set('userId', userId);
    return index(s);
  };
  const logout = (s: Session<State>) => {
    s.destroy();
    return 'logged out';
  };

  it('runs the ten steps', async () => {
    const app = store();
    const browser = new Browser();

    // 1. GET / without a cookie: no Set-Cookie (lazy creation), default state.
    const r1 = await request(app, browser, index);
    expect(r1.setCookies).toEqual([]);
    expect(r1.result).toEqual({ userId: undefined, counter: 0 });
    expect(r1.session.isNew).toBe(true);

    // 2. POST /do_something: counter 1, cookie #1 with Max-Age = 7 days.
    const r2 = await request(app, browser, doSomething);
    expect(r2.result).toEqual({ userId: undefined, counter: 1 });
    const cookie1 = cookieNamed(r2.cookies, 'test-session');
    expect(cookie1.maxAge).toBe(7 * DAY);

    // 3. GET / with cookie #1: no Set-Cookie, counter 1.
    later(1);
    const r3 = await request(app, browser, index);
    expect(r3.setCookies).toEqual([]);
    expect(r3.result).toEqual({ userId: undefined, counter: 1 });
    expect(r3.session.isNew).toBe(false);

    // 4. POST /do_something with cookie #1: counter 2, cookie #2.
    const r4 = await request(app, browser, doSomething);
    expect(r4.result).toEqual({ userId: undefined, counter: 2 });
    const cookie2 = cookieNamed(r4.cookies, 'test-session');
    // Counted from the session's creation 1 s ago (absolute ttl), not reset to 7 days as actix does.
    expect(cookie2.maxAge).toBe(7 * DAY - 1);
    const idBeforeLogin = r4.session.id;

    // 5. POST /login with cookie #2: renew, userId set; cookie #3 differs from #2.
    const r5 = await request(app, browser, login('ferris'));
    const cookie3 = cookieNamed(r5.cookies, 'test-session');
    expect(cookie3.value).not.toBe(cookie2.value);
    expect(r5.result).toEqual({ userId: 'ferris', counter: 2 });
    expect(r5.session.status).toBe('renewed');
    expect(r5.session.id).not.toBe(idBeforeLogin);
    // Renewal restarts the absolute lifetime.
    expect(cookie3.maxAge).toBe(7 * DAY);

    // 6. GET / with cookie #3.
    const r6 = await request(app, browser, index);
    expect(r6.result).toEqual({ userId: 'ferris', counter: 2 });
    expect(r6.session.id).toBe(r5.session.id);

    // 7. POST /do_something with cookie #3: counter 3.
    const r7 = await request(app, browser, doSomething);
    expect(r7.result).toEqual({ userId: 'ferris', counter: 3 });

    // 8. GET / with the old cookie #2. A cookie store cannot invalidate (actix's
    //    `is_invalidation_supported = false` branch): the old state comes back,
    //    under the old, pre-login session id, and without the login.
    const replay = await app.load(`test-session=${cookie2.value}`);
    expect(replay.invalidReason).toBeUndefined();
    expect(index(replay)).toEqual({ userId: undefined, counter: 2 });
    expect(replay.id).toBe(idBeforeLogin);
    expect(await replay.commit()).toEqual([]);

    // 9. POST /logout with cookie #3: a removal cookie, Max-Age=0, same attributes.
    const r9 = await request(app, browser, logout);
    expect(r9.session.status).toBe('purged');
    expect(r9.cookies).toHaveLength(1);
    const removal = cookieNamed(r9.cookies, 'test-session');
    expect(removal.value).toBe('');
    expect(removal.maxAge).toBe(0);
    expect(isRemoval(removal)).toBe(true);
    expect(removal.attributes.get('path')).toBe('/');
    expect(removal.attributes.get('secure')).toBe(true);
    expect(removal.attributes.get('httponly')).toBe(true);
    expect(removal.attributes.get('samesite')).toBe('Lax');
    expect(browser.header()).toBeUndefined();

    // 10. GET / after logout: a fresh session, no Set-Cookie.
    const r10 = await request(app, browser, index);
    expect(r10.setCookies).toEqual([]);
    expect(r10.result).toEqual({ userId: undefined, counter: 0 });

    // Replaying cookie #3 after logout still opens it (stateless); only
    // `isRevoked` can close that door, as the next test shows.
    const stolen = await app.load(`test-session=${cookie3.value}`);
    expect(index(stolen)).toEqual({ userId: 'ferris', counter: 2 });
  });

  it('isRevoked closes the replay door after logout ("log out everywhere")', async () => {
    const loggedOutAfter = new Map<string, number>();
    const app = new CookieSessionStore({
      keys: SECRET,
      schema,
      cookie: { name: 'test-session' },
      idleTimeout: false,
      isRevoked: ({ data, createdAt }) => data.userId !== undefined && createdAt <= (loggedOutAfter.get(data.userId) ?? -1),
    });
    const browser = new Browser();
    await request(app, browser, login('ferris'));
    const copied = browser.header();
    later(5);
    await request(app, browser, (s) => {
      loggedOutAfter.set(s.get('userId')!, Date.now());
      s.destroy();
    });
    const replay = await app.load(copied);
    expect(replay.invalidReason).toBe('revoked');
    expect(replay.get('userId')).toBeUndefined();
    // A new login after the cut-off is not affected.
    later(5);
    const again = await request(app, browser, login('ferris'));
    const back = await app.load(browser.header());
    expect(back.invalidReason).toBeUndefined();
    expect(back.get('userId')).toBe('ferris');
    expect(again.session.id).toBe(back.id);
  });

  it('logout with a custom path and domain removes the cookie with the same Path, Domain, Secure, HttpOnly and SameSite', async () => {
    // actix-session tests/middleware.rs `cookie_storage`: path /test, domain localhost (here example.com: a single-label domain is refused).
    const app = new CookieSessionStore({
      keys: SECRET,
      schema,
      cookie: { name: 'id', path: '/test', domain: 'example.com', sameSite: 'strict' },
      lifecycle: 'browser',
    });
    const browser = new Browser();
    const r1 = await request(app, browser, (s) => s.set('userId', 'id'));
    const set = cookieNamed(r1.cookies, 'id');
    expect(set.maxAge).toBeUndefined();
    expect(set.attributes.has('expires')).toBe(false);

    const r2 = await request(app, browser, logout);
    const removal = cookieNamed(r2.cookies, 'id');
    expect(removal.maxAge).toBe(0);
    for (const attribute of ['path', 'domain', 'secure', 'httponly', 'samesite', 'partitioned']) {
      expect(removal.attributes.get(attribute), attribute).toEqual(set.attributes.get(attribute));
    }
    expect(removal.attributes.get('path')).toBe('/test');
    expect(removal.attributes.get('domain')).toBe('example.com');
  });
});

describe('a guard that reads the session', () => {
  const app = new CookieSessionStore({ keys: SECRET, schema });
  const protectedHandler = (s: Session<State>) => {
    const userId = s.get('userId');
    return userId === undefined ? { status: 401 } : { status: 200, body: `hello ${userId}` };
  };

  it('refuses without a session and lets a signed-in session through', async () => {
    const browser = new Browser();
    expect((await request(app, browser, protectedHandler)).result).toEqual({ status: 401 });
    await request(app, browser, (s) => {
      s.renew();
      s.set('userId', 'ferris');
    });
    const ok = await request(app, browser, protectedHandler);
    expect(ok.result).toEqual({ status: 200, body: 'hello ferris' });
    // Reading does not write.
    expect(ok.setCookies).toEqual([]);
  });

  it('refuses a tampered session cookie without throwing', async () => {
    const browser = new Browser();
    await request(app, browser, (s) => s.set('userId', 'ferris'));
    const value = browser.get('session')!;
    const flipped = value.slice(0, -3) + (value.endsWith('AAA') ? 'BBB' : 'AAA');
    browser.put('session', flipped);
    const r = await request(app, browser, protectedHandler);
    expect(r.result).toEqual({ status: 401 });
    expect(r.session.invalidReason).toBe('tampered');
    // The bad cookie is cleared.
    expect(r.cookies.map((c) => [c.name, c.maxAge])).toEqual([['session', 0]]);
  });
});
