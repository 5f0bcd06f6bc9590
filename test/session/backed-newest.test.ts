/**
 * Newest state wins on a backed session too: two un-awaited commits of one
 * request on a RedisSessionStore (state in Redis) — the Redis record, not
 * only the cookie, ends with the newest state. The request's own earlier
 * commit is not "another request" to merge with.
 *
 * Real redis-server (test/helpers/redis.ts); skipped loudly without it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { RedisSessionStore } from '../../src/redis/index';
import { redisTestsEnabled, startRedisServer, type RedisServer } from '../helpers/redis';
import { openSingle, type OpenClient } from '../redis/clients';
import { Browser, request, SECRET } from './helpers';

const enabled = redisTestsEnabled('test/session/backed-newest.test.ts');
const schema = z.object({ role: z.enum(['user', 'admin']).default('user'), n: z.number().default(0) });

describe.skipIf(!enabled)('backed sessions: the newest state wins in the backend', () => {
  let redis: RedisServer;
  let c: OpenClient;
  beforeAll(async () => {
    redis = await startRedisServer();
    c = await openSingle('node-redis', redis);
  });
  afterAll(async () => {
    await c?.close();
    await redis?.stop();
  });

  for (const onConflict of ['merge', 'overwrite', 'error'] as const) {
    it(`a privilege granted then revoked in one request (two un-awaited commits, onConflict ${onConflict}) stays revoked in Redis and in the session`, async () => {
      const store = new RedisSessionStore({ client: c.client, keys: SECRET, schema, prefix: `newest-${onConflict}:`, onConflict });
      const browser = new Browser();
      await request(store, browser, (s) => s.set('n', 1));
      const session = await store.load(browser.header());
      session.set('role', 'admin');
      const first = session.commit();
      session.set('role', 'user');
      const second = session.commit();
      const results = await Promise.allSettled([first, second]);
      for (const r of results) if (r.status === 'fulfilled') browser.apply(r.value);
      // Whatever the commits returned, the session and the next request see the newest state.
      expect(session.get('role')).toBe('user');
      expect((await request(store, browser, (s) => s.get('role'))).result).toBe('user');
    });
  }

  it('destroy() after an un-awaited commit that renewed the session leaves no record of it in Redis (nothing re-created behind the removal)', async () => {
    const prefix = 'newest-destroy:';
    const store = new RedisSessionStore({ client: c.client, keys: SECRET, schema, prefix });
    const browser = new Browser();
    await request(store, browser, (s) => s.set('n', 1));
    const session = await store.load(browser.header());
    session.renew();
    session.set('role', 'admin');
    const first = session.commit();
    session.destroy();
    const second = session.commit();
    const results = await Promise.allSettled([first, second]);
    for (const r of results) if (r.status === 'fulfilled') browser.apply(r.value);
    expect(browser.header()).toBeUndefined();
    expect(await c.command(['KEYS', `${prefix}*`])).toEqual([]);
  });
});
