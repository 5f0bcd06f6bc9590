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
    revocation = redisEpochRevocation({ redis: client, ttlSeconds: TTL, userOf: (s) => s.userId });
    store = new CookieSessionStore({ keys: SECRET_1, schema, ttl: TTL, isRevoked: revocation.isRevoked, onInvalid: (e) => events.push(e) });

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
    expect(await client.ttl('sessions-valid-after:ada')).toBeGreaterThan(TTL);

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
    const hook = redisEpochRevocation({ redis: down, ttlSeconds: TTL, userOf: (s: z.output<typeof schema>) => s.userId });
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
