/**
 * Revocation ("log out everywhere") with the store's `isRevoked` hook and a
 * per-user epoch in a real Redis (examples/revocation/redis-epoch.ts), behind
 * a real node:http server.
 *
 * Needs Debian's `redis-server` package (`apt-get install redis-server`).
 * Without it the tests fail under CI=true, and are skipped locally with one
 * loud line (test/helpers/redis.ts, the rule for every Redis test).
 */
import type http from 'node:http';
import { createClient } from 'redis';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { redisEpochRevocation, type EpochRevocation } from '../../examples/revocation/redis-epoch';
import { CookieSessionStore, type InvalidSessionEvent } from '../../src/index';
import { Browser } from '../session/helpers';
import { SECRET_1, sendJson, startServer, type TestServer } from './helpers';
import { redisTestsEnabled, startRedisServer, type RedisServer } from '../helpers/redis';
import { fixClock } from '../helpers/clock';

const installed = redisTestsEnabled('test/security/revocation.test.ts');

const TTL = 3600;
const schema = z.object({ userId: z.string().optional(), visits: z.number().default(0) });
type Client = ReturnType<typeof createClient>;

describe.skipIf(!installed)('revocation with a per-user epoch in Redis', () => {
  let redis: RedisServer;
  let client: Client;
  let revocation: EpochRevocation<z.output<typeof schema>>;
  let store: CookieSessionStore<typeof schema>;
  let server: TestServer;
  const events: InvalidSessionEvent[] = [];

  beforeAll(async () => {
    redis = await startRedisServer();
    client = createClient({ url: redis.url });
    client.on('error', () => {}); // reported by the failing command instead
    await client.connect();
    revocation = redisEpochRevocation({ redis: client, maxLifetime: () => store.maxLifetime, userOf: (s) => s.userId });
    store = new CookieSessionStore({ keys: SECRET_1, schema, ttl: TTL, maxTtl: 30 * TTL, isRevoked: revocation.isRevoked, onInvalid: (e) => events.push(e) });

    const handler = async (req: http.IncomingMessage, res: http.ServerResponse) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const session = await store.handleSession(req, res);
      if (url.pathname === '/sign-in') {
        session.renew();
        session.set('userId', url.searchParams.get('user') ?? 'nobody');
      } else if (url.pathname === '/log-out-everywhere') {
        const user = session.get('userId');
        if (user) await revocation.revokeAll(user);
        session.destroy();
      } else {
        session.set('visits', session.get('visits') + 1);
      }
      sendJson(res, { userId: session.get('userId') ?? null, invalidReason: session.invalidReason ?? null, id: session.id });
    };
    server = await startServer((req, res) => {
      handler(req, res).catch(() => sendJson(res, { error: 'unavailable' }, 503));
    });
  });

  afterAll(async () => {
    await server?.close();
    if (client?.isOpen) await client.quit();
    await redis?.stop();
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  /** One request from a browser, applying its Set-Cookie. */
  async function visit(browser: Browser, path = '/me'): Promise<{ status: number; userId: string | null; invalidReason: string | null; id: string }> {
    const cookie = browser.header();
    const res = await fetch(`${server.url}${path}`, { method: path === '/me' ? 'GET' : 'POST', headers: cookie ? { cookie } : {} });
    browser.apply(res.headers.getSetCookie());
    return { status: res.status, ...((await res.json()) as { userId: string | null; invalidReason: string | null; id: string }) };
  }

  /** Wait (real time) until the clock has passed `epoch`; at most about a second. */
  async function after(epoch: number): Promise<void> {
    while (Date.now() < epoch) await new Promise((resolve) => setTimeout(resolve, epoch - Date.now() + 5));
  }

  it('logging out everywhere ends the sessions of every device of that user, and only theirs', async () => {
    const laptop = new Browser();
    const phone = new Browser();
    const someoneElse = new Browser();
    await visit(laptop, '/sign-in?user=ada');
    await visit(phone, '/sign-in?user=ada');
    await visit(someoneElse, '/sign-in?user=grace');
    expect(await visit(laptop)).toMatchObject({ userId: 'ada', invalidReason: null });
    expect(await visit(phone)).toMatchObject({ userId: 'ada', invalidReason: null });
    const stolen = phone.clone(); // a copy of the phone's cookie, taken before the revocation

    // "Log out everywhere", clicked on the laptop.
    await visit(laptop, '/log-out-everywhere');
    const epoch = Number(await client.get('sessions-valid-after:ada'));
    expect(epoch % 1000).toBe(0);
    expect(epoch).toBeGreaterThan(Date.now() - 1000);
    // Kept for the longest any session can live (maxTtl, not ttl), plus the largest skew allowance.
    expect(await client.ttl('sessions-valid-after:ada')).toBeGreaterThan(store.maxLifetime + 600);

    // The phone's next request: an empty session, reason revoked; its cookie is
    // replaced (here by the fresh anonymous session the page wrote).
    events.length = 0;
    expect(await visit(phone)).toMatchObject({ userId: null, invalidReason: 'revoked' });
    expect(events).toEqual([expect.objectContaining({ reason: 'revoked', cookie: 'session' })]);
    expect(await visit(phone)).toMatchObject({ userId: null, invalidReason: null });
    // A copy of the old cookie is refused too, however often it is replayed.
    expect(await visit(stolen.clone())).toMatchObject({ userId: null, invalidReason: 'revoked' });
    // The other user is untouched.
    expect(await visit(someoneElse)).toMatchObject({ userId: 'grace', invalidReason: null });

    // Signing in again after the epoch works, on both devices.
    await after(epoch);
    await visit(laptop, '/sign-in?user=ada');
    await visit(phone, '/sign-in?user=ada');
    expect(await visit(laptop)).toMatchObject({ userId: 'ada', invalidReason: null });
    expect(await visit(phone)).toMatchObject({ userId: 'ada', invalidReason: null });
    expect(await visit(stolen.clone())).toMatchObject({ invalidReason: 'revoked' });
  });

  it('compares whole seconds: a sign-in in the same second as the revocation is refused, one in the next second is not', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const second = Math.floor(Date.now() / 1000) * 1000 + 10_000;
    vi.setSystemTime(second + 200);
    const epoch = await revocation.revokeAll('linus');
    expect(epoch).toBe(second + 1000);
    const device = new Browser();
    vi.setSystemTime(second + 700);
    await visit(device, '/sign-in?user=linus');
    expect(await visit(device)).toMatchObject({ invalidReason: 'revoked' });
    vi.setSystemTime(second + 1000);
    await visit(device, '/sign-in?user=linus');
    expect(await visit(device)).toMatchObject({ userId: 'linus', invalidReason: null });
  });

  it('anonymous sessions never ask Redis; signed-in ones fail closed when Redis is unreachable', async () => {
    const down = createClient({ url: redis.url });
    down.on('error', () => {});
    await down.connect();
    await down.destroy();
    const get = vi.spyOn(down, 'get');
    const hook = redisEpochRevocation({ redis: down, maxLifetime: TTL, userOf: (s: z.output<typeof schema>) => s.userId });
    const isolated = new CookieSessionStore({ keys: SECRET_1, schema, ttl: TTL, isRevoked: hook.isRevoked });

    const anonymous = await isolated.load(undefined);
    anonymous.set('visits', 1);
    const again = await isolated.load((await anonymous.commit()).map((c) => c.split(';')[0]).join('; '));
    expect(again.get('visits')).toBe(1);
    expect(get).not.toHaveBeenCalled();

    const signedIn = await isolated.load(undefined);
    signedIn.set('userId', 'ada');
    const header = (await signedIn.commit()).map((c) => c.split(';')[0]).join('; ');
    await expect(isolated.load(header)).rejects.toThrow();
    expect(get).toHaveBeenCalledTimes(1);
  });
});

/**
 * Time passing for Redis as for the fake clock: every key's expiry moves
 * `seconds` closer (PTTL, then PEXPIRE with what is left), and a key whose
 * expiry is reached is gone, as Redis would have let it expire.
 */
async function ageRedis(client: Client, seconds: number): Promise<void> {
  for (const key of await client.keys('*')) {
    const left = await client.pTTL(key);
    if (left < 0) continue; // no expiry
    if (left <= seconds * 1000) await client.del(key);
    else await client.pExpire(key, left - seconds * 1000);
  }
}

describe.skipIf(!installed)('an epoch outlives every session it revokes, "remember me" ones included (fake clock, Redis aged with it)', () => {
  const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);
  const at = fixClock(T0);
  let redis: RedisServer;
  let client: Client;

  beforeAll(async () => {
    redis = await startRedisServer();
    client = createClient({ url: redis.url });
    client.on('error', () => {});
    await client.connect();
  });
  afterAll(async () => {
    if (client?.isOpen) await client.quit();
    await redis?.stop();
  });

  /** The store and epoch of examples/revocation, with `options` (docs/ttl.md's "remember me" by default). */
  function world(options: { ttl: number; idleTimeout: number | false; maxTtl?: number; lifecycle?: 'browser' }) {
    let store: CookieSessionStore<typeof schema> | undefined;
    const revocation = redisEpochRevocation({ redis: client, maxLifetime: () => store!.maxLifetime, userOf: (s: z.output<typeof schema>) => s.userId });
    store = new CookieSessionStore({ keys: SECRET_1, schema, ...options, isRevoked: revocation.isRevoked });
    return { store, revocation };
  }

  /** Sign in with "remember me", as docs/ttl.md does; returns the cookie header a thief copies. */
  async function rememberedSignIn(store: CookieSessionStore<typeof schema>, user: string, idleTimeout: number | false): Promise<string> {
    const session = await store.load(undefined);
    session.renew();
    session.set('userId', user);
    session.setTtl(30 * 86_400, { idleTimeout });
    return (await session.commit()).map((c) => c.split(';')[0]).join('; ');
  }

  /** Move the clock (and Redis' expiries) to T0 + `seconds`. */
  let now = 0;
  async function advance(seconds: number): Promise<void> {
    await ageRedis(client, seconds - now);
    now = seconds;
    at(seconds);
  }

  it("docs/ttl.md's remember me (ttl 12 h, setTtl 30 days, a week's idle): a stolen cookie stays revoked after 12 h, until it is idle", async () => {
    now = 0;
    await client.flushAll();
    const { store, revocation } = world({ lifecycle: 'browser', ttl: 12 * 3600, idleTimeout: 30 * 60, maxTtl: 30 * 86_400 });
    const stolen = await rememberedSignIn(store, 'ada', 7 * 86_400);
    await advance(60);
    await revocation.revokeAll('ada');
    for (const t of [12 * 3600 + 61, 13 * 3600, 3 * 86_400, 7 * 86_400 - 1]) {
      await advance(t);
      expect((await store.load(stolen)).invalidReason, `at +${t} s`).toBe('revoked');
    }
    await advance(7 * 86_400);
    expect((await store.load(stolen)).invalidReason).toBe('idle');
  });

  it('with no idle limit of its own, a stolen remembered cookie stays revoked past day 8, until its 30 days are over', async () => {
    now = 0;
    await client.flushAll();
    // The example's own wiring: ttl 7 days, maxTtl 30 days.
    const { store, revocation } = world({ ttl: 7 * 86_400, idleTimeout: 86_400, maxTtl: 30 * 86_400 });
    const stolen = await rememberedSignIn(store, 'ada', false);
    await advance(60);
    await revocation.revokeAll('ada');
    for (const t of [7 * 86_400 + 61, 8 * 86_400, 29 * 86_400, 30 * 86_400 - 1]) {
      await advance(t);
      expect((await store.load(stolen)).invalidReason, `at +${t} s`).toBe('revoked');
    }
    // The epoch is still there at the last moment any session created before it could be accepted.
    expect(Number(await client.pTTL('sessions-valid-after:ada'))).toBeGreaterThan(0);
    await advance(30 * 86_400);
    expect((await store.load(stolen)).invalidReason).toBe('expired');
  });

  it('keeps each epoch for the store maxLifetime (maxTtl) plus the largest skew allowance and a minute', async () => {
    now = 0;
    await client.flushAll();
    const { store, revocation } = world({ ttl: 3600, idleTimeout: false, maxTtl: 5 * 86_400 });
    expect(store.maxLifetime).toBe(5 * 86_400);
    await revocation.revokeAll('grace');
    expect(await client.ttl('sessions-valid-after:grace')).toBe(5 * 86_400 + 600 + 60);
    // Without maxTtl, a session may be given up to ten years with setTtl: so may the epoch.
    const open = world({ ttl: 3600, idleTimeout: false });
    await open.revocation.revokeAll('linus');
    expect(await client.ttl('sessions-valid-after:linus')).toBe(10 * 365 * 86_400 + 660);
  });
});

describe('isRevoked from plain JavaScript', () => {
  it('treats any truthy answer (a database row, 1) as revoked, and only a falsy one as valid', async () => {
    const issuer = new CookieSessionStore({ keys: SECRET_1 });
    const fresh = await issuer.load(undefined);
    fresh.set('userId', 'ada');
    const header = (await fresh.commit()).map((c) => c.split(';')[0]).join('; ');
    for (const [answer, reason] of [
      [{ revokedAt: 1 }, 'revoked'],
      [1, 'revoked'],
      [0, undefined],
      [null, undefined],
    ] as const) {
      const store = new CookieSessionStore({ keys: SECRET_1, isRevoked: () => answer as unknown as boolean });
      expect((await store.load(header)).invalidReason, JSON.stringify(answer)).toBe(reason);
    }
  });
});
