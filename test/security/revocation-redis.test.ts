/**
 * Revocation with the sessions in Redis (examples/revocation/redis.ts,
 * RedisSessionStore) behind a real node:http server and a real
 * redis-server: sign-in renews the key, sign-out and "log out everywhere"
 * delete the state, and every copy of a cookie taken before is refused
 * (`revoked`) however often it is replayed. No waiting for an epoch second.
 *
 * Needs Debian's `redis-server` package (`apt-get install redis-server`):
 * skipped with one loud line without it, failing under CI=true.
 */
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRevocationApp } from '../../examples/revocation/redis';
import { Client, listen, type Listening } from '../helpers/jar';
import { redisTestsEnabled, startRedisServer, type RedisServer } from '../helpers/redis';
import { SECRET_1 } from './helpers';

const enabled = redisTestsEnabled('test/security/revocation-redis.test.ts');

interface Me {
  userId: string | null;
  invalidReason: string | null;
  ended?: number;
}

describe.skipIf(!enabled)('revocation with the sessions in Redis', () => {
  let redis: RedisServer;
  let client: ReturnType<typeof createClient>;
  let app: Listening;

  beforeAll(async () => {
    redis = await startRedisServer();
    client = createClient({ url: redis.url });
    client.on('error', () => {});
    await client.connect();
    app = await listen(createRevocationApp({ client, secret: SECRET_1, commandTimeout: 300 }).server);
  });
  afterAll(async () => {
    redis?.resume();
    await app?.close();
    await client?.destroy();
    await redis?.stop();
  });

  const visit = async (browser: Client, path = '/me') => {
    const r = await browser.fetch(path, { method: path === '/me' ? 'GET' : 'POST' });
    return { status: r.status, ...(JSON.parse(r.text) as Me) };
  };
  /** A second browser holding a copy of `browser`'s cookies (a thief, or a stale tab). */
  const copyOf = (browser: Client) => {
    const copy = new Client(app.origin);
    for (const name of browser.jar.names()) copy.jar.put(name, browser.jar.get(name)!);
    return copy;
  };

  it('sign-in gives a new key: a cookie copied before it is worthless after it', async () => {
    const browser = new Client(app.origin);
    await visit(browser, '/sign-in?user=eve-target');
    const before = copyOf(browser);
    await visit(browser, '/sign-in?user=ada');
    expect(await visit(browser)).toMatchObject({ userId: 'ada', invalidReason: null });
    expect(await visit(before)).toMatchObject({ userId: null, invalidReason: 'revoked' });
  });

  it('sign-out deletes the state: a copy of the cookie is refused (revoked), every time it is replayed', async () => {
    const browser = new Client(app.origin);
    await visit(browser, '/sign-in?user=ada');
    const stolen = browser.jar.get('session')!;
    const records = (await client.keys('sess:*')).length;
    await visit(browser, '/sign-out');
    expect((await client.keys('sess:*')).length).toBe(records - 1);
    expect(browser.jar.names()).toEqual([]);
    for (let i = 0; i < 3; i++) {
      const thief = new Client(app.origin);
      thief.jar.put('session', stolen);
      expect(await visit(thief)).toMatchObject({ userId: null, invalidReason: 'revoked' });
    }
  });

  it('log out everywhere ends every session of that user at once, and only theirs; signing in again works at once', async () => {
    const laptop = new Client(app.origin);
    const phone = new Client(app.origin);
    const other = new Client(app.origin);
    await visit(laptop, '/sign-in?user=grace');
    await visit(phone, '/sign-in?user=grace');
    await visit(other, '/sign-in?user=linus');
    const stolen = copyOf(phone);
    expect(await visit(laptop, '/log-out-everywhere')).toMatchObject({ ended: 2 });
    expect(await visit(phone)).toMatchObject({ userId: null, invalidReason: 'revoked' });
    expect(await visit(copyOf(stolen))).toMatchObject({ userId: null, invalidReason: 'revoked' });
    expect(await visit(other)).toMatchObject({ userId: 'linus', invalidReason: null });
    await visit(phone, '/sign-in?user=grace');
    expect(await visit(phone)).toMatchObject({ userId: 'grace', invalidReason: null });
    expect(await visit(copyOf(stolen))).toMatchObject({ invalidReason: 'revoked' });
  });

  it('Redis down: a request with a session fails (503), keeps its cookie, and works again once Redis is back', async () => {
    const browser = new Client(app.origin);
    await visit(browser, '/sign-in?user=ada');
    const cookie = browser.jar.get('session');
    redis.pause();
    try {
      expect((await visit(browser)).status).toBe(503);
    } finally {
      redis.resume();
    }
    expect(browser.jar.get('session')).toBe(cookie);
    let me: Me & { status: number } = { status: 0, userId: null, invalidReason: null };
    for (let i = 0; i < 100 && me.status !== 200; i++) me = await visit(browser).catch(() => me);
    expect(me).toMatchObject({ status: 200, userId: 'ada' });
  });
});
