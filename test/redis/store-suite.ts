/**
 * The RedisSessionStore suite: what a user of `sealed-session/redis` sees
 * (Set-Cookie values, state read back, errors, what Redis holds), run by
 * test/redis/store.test.ts on a real redis-server and a real 3-master Redis
 * Cluster, through node-redis and ioredis.
 */
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { CookieSessionStore } from '../../src/index';
import { RedisSessionStore, type RedisClientLike, type RedisSessionStoreOptions } from '../../src/redis/index';
import { openSealed } from '../../src/seal/index';
import type { RedisServer } from '../helpers/redis';
import { Browser, DAY, HOUR, rejection, request, SECRET, SECRET_2 } from '../session/helpers';

export const schema = z.object({
  userId: z.string().optional(),
  cart: z.array(z.string()).default([]),
  theme: z.string().default('light'),
  visits: z.number().default(0),
});
export type State = z.output<typeof schema>;

export interface StoreSuiteContext {
  readonly client: RedisClientLike;
  /** A raw command, routed by `key` on a cluster. */
  command(args: string[], key?: string): Promise<unknown>;
  /** Every master (one for a single node). */
  readonly nodes: readonly RedisServer[];
}

/**
 * What a piece of work cost Redis, over every node: round trips (the
 * commands the backend sent, EVALSHA, EVAL and HMGET, seen with MONITOR: a
 * script is one, the commands it runs inside are not; an EVALSHA answered
 * NOSCRIPT and the EVAL after it, once per script and node, count as one)
 * and writes (Redis's dirty counter).
 */
interface Counters {
  commands: number;
  writes: number;
}

export function storeSuite(name: string, setup: () => Promise<StoreSuiteContext>): void {
  describe(`RedisSessionStore: ${name}`, () => {
    let ctx: StoreSuiteContext;
    const infos: Array<ReturnType<typeof createClient>> = [];
    let n = 0;

    const monitors: Array<ReturnType<typeof createClient>> = [];
    /** Every command a client sent to any node, as MONITOR shows it. */
    const seen: string[] = [];

    beforeAll(async () => {
      ctx = await setup();
      for (const node of ctx.nodes) {
        const info = createClient({ url: node.url });
        info.on('error', () => {});
        await info.connect();
        infos.push(info);
        const monitor = createClient({ url: node.url });
        monitor.on('error', () => {});
        await monitor.connect();
        await monitor.monitor((line: string) => void seen.push(line));
        monitors.push(monitor);
      }
    });
    afterAll(async () => {
      await Promise.all([...infos, ...monitors].map((c) => c.destroy()));
    });

    /** A store of its own (own prefix) for each test. */
    function store(options: Partial<RedisSessionStoreOptions<typeof schema>> = {}) {
      const prefix = `st${++n}-${name.replace(/\W+/g, '-')}:`;
      const s = new RedisSessionStore({ client: ctx.client, keys: SECRET, schema, prefix, owner: (state) => state.userId, ...options });
      return Object.assign(s, { prefix });
    }

    async function redisKeys(prefix: string): Promise<string[]> {
      const all: string[] = [];
      for (const info of infos) all.push(...((await info.keys(`${prefix}*`)) as string[]));
      return all.sort();
    }

    let marks = 0;
    /** What `fn` costs in Redis round trips and writes. */
    async function cost(fn: () => Promise<unknown>): Promise<Counters> {
      const dirty = async () => {
        let n = 0;
        for (const info of infos) n += Number(/rdb_changes_since_last_save:(\d+)/.exec(await info.info('persistence'))?.[1]);
        return n;
      };
      const writes = await dirty();
      const from = seen.length;
      await fn();
      // Wait until every node's MONITOR has shown a marker sent after the work: it has shown the work too.
      const mark = `cost-mark-${++marks}`;
      await Promise.all(infos.map((info) => info.echo(mark)));
      for (let i = 0; seen.filter((l) => l.includes(mark)).length < infos.length; i++) {
        if (i > 500) throw new Error('MONITOR did not show the marker');
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      // What the backend sends (EVALSHA, EVAL, HMGET), not from inside a script; not the clients' own housekeeping (CLUSTER SLOTS, PING…).
      const lines = seen.slice(from).filter((l) => !/\[\d+ lua\]/.test(l) && /^\S+ \[\d+ \S+\] "(evalsha|eval|hmget)"/i.test(l));
      const noscript = lines.filter((l) => /"eval"/i.test(l)).length;
      return { commands: lines.length - noscript, writes: (await dirty()) - writes };
    }

    /** The payload a session cookie seals. */
    async function sealedIn(s: RedisSessionStore<typeof schema>, value: string): Promise<Record<string, unknown>> {
      const opened = await openSealed<Record<string, unknown>>(s.options.ring, value, s.options.purpose, Date.now(), 60_000);
      expect(opened.ok).toBe(true);
      return (opened as { data: Record<string, unknown> }).data;
    }

    it('the cookie carries only a sealed session key of 256+ random bits; the state lives in Redis under a key derived from it, which no cookie can replay', async () => {
      const s = store();
      const browser = new Browser();
      const { setCookies } = await request(s, browser, (session) => session.set('cart', ['secret-item-7f3a']));
      expect(setCookies).toHaveLength(1);
      const value = browser.get('session')!;
      expect(value).toMatch(/^Fe26\.2\*/);
      const sealed = await sealedIn(s, value);
      expect(typeof sealed.v).toBe('string');
      expect(JSON.stringify(sealed)).not.toContain('secret-item');
      const key = sealed.v as string;
      expect(key.split('.')[1]).toMatch(/^[A-Za-z0-9_-]{43}$/);
      // Redis holds one record, whose name is derived (one-way) from the key.
      const names = await redisKeys(s.prefix);
      expect(names).toHaveLength(1);
      const dump = JSON.stringify([names, await ctx.command(['HGETALL', names[0]!], names[0])]);
      expect(dump).toContain('secret-item-7f3a');
      expect(dump).not.toContain(key.split('.')[1]);
      // Everything in the dump, tried as a cookie: refused; so is the bare key, unsealed.
      for (const candidate of [...names, ...((await ctx.command(['HGETALL', names[0]!], names[0])) as string[]), key]) {
        const session = await s.load(`session=${candidate}`);
        expect(session.invalidReason).toBe('malformed');
        expect(session.data.cart).toEqual([]);
      }
      expect((await s.load(browser.header())).data.cart).toEqual(['secret-item-7f3a']);
    });

    it('a new session is written only once it has state (lazy): a request that writes nothing costs no Redis command and sets no cookie', async () => {
      const s = store();
      const browser = new Browser();
      const spent = await cost(() => request(s, browser, (session) => session.get('cart')));
      expect(spent).toEqual({ commands: 0, writes: 0 });
      expect(browser.names()).toEqual([]);
      expect(await redisKeys(s.prefix)).toEqual([]);
    });

    it('Redis round trips per request: new 1, read-only 1 and no write, changed 2, renewed 2, signed in (new owner) 3, destroyed 2; the cookie is set only when it must change', async () => {
      const s = store();
      const browser = new Browser();
      expect(await cost(() => request(s, browser, (session) => session.set('visits', 1)))).toEqual({ commands: 1, writes: expect.any(Number) });
      const readOnly = await cost(async () => {
        const { setCookies, result } = await request(s, browser, (session) => session.get('visits'));
        expect(result).toBe(1);
        expect(setCookies).toEqual([]);
      });
      expect(readOnly).toEqual({ commands: 1, writes: 0 });
      const changed = await cost(async () => {
        // A change under the same key: written to Redis; the browser's cookie (the same key) needs no replacing.
        expect((await request(s, browser, (session) => session.set('visits', 2))).setCookies).toEqual([]);
      });
      expect(changed.commands).toBe(2);
      expect(changed.writes).toBeGreaterThan(0);
      // The same value written again is no change: no write.
      expect(await cost(() => request(s, browser, (session) => session.set('visits', 2)))).toMatchObject({ commands: 1, writes: 0 });
      const renewed = await cost(async () => {
        const { setCookies } = await request(s, browser, (session) => session.renew());
        expect(setCookies).toHaveLength(1);
      });
      expect(renewed.commands).toBe(2);
      // A sign-in (renew with a new owner) moves the session to the owner's slot: a write there, then the old record retired.
      expect((await cost(() => request(s, browser, (session) => {
        session.renew();
        session.set('userId', 'ada');
      }))).commands).toBe(3);
      const destroyed = await cost(() => request(s, browser, (session) => session.destroy()));
      expect(destroyed.commands).toBe(2);
      expect(await redisKeys(s.prefix)).toEqual([]);
    });

    it('expiry lives in Redis too: the record expires with the idle window, never past the absolute end', async () => {
      const s = store({ ttl: 2 * HOUR, idleTimeout: HOUR });
      const browser = new Browser();
      await request(s, browser, (session) => session.set('visits', 1));
      const [rec] = await redisKeys(s.prefix);
      const pttl = Number(await ctx.command(['PTTL', rec!], rec));
      expect(pttl).toBeGreaterThan(HOUR * 1000 - 5000);
      expect(pttl).toBeLessThanOrEqual(HOUR * 1000);
      // A session whose idle window would run past its absolute end.
      const short = store({ ttl: 600, idleTimeout: HOUR });
      const other = new Browser();
      await request(short, other, (session) => session.set('visits', 1));
      const [shortRec] = await redisKeys(short.prefix);
      const shortTtl = Number(await ctx.command(['PTTL', shortRec!], shortRec));
      expect(shortTtl).toBeGreaterThan(600_000 - 5000);
      expect(shortTtl).toBeLessThanOrEqual(600_000);
    });

    it('idle and absolute ends on the clock: a read moves the idle end (in the load round trip, with the cookie) only once half the idle window has passed, a change moves it in Redis at once and re-issues the cookie when due; a cookie past its end is refused without asking Redis', async () => {
      const t0 = Math.ceil(Date.now() / 1000) * 1000; // a whole second: the creation time a cookie seals
      vi.useFakeTimers({ toFake: ['Date'] });
      try {
        vi.setSystemTime(t0);
        const s = store({ ttl: DAY, idleTimeout: HOUR });
        const browser = new Browser();
        await request(s, browser, (session) => session.set('visits', 1));
        const [rec] = await redisKeys(s.prefix);
        const idleEnd = async () => Number(await ctx.command(['HGET', rec!, 'x'], rec));
        expect(await idleEnd()).toBe(t0 + HOUR * 1000);
        vi.setSystemTime(t0 + 20 * 60_000);
        const early = await cost(async () => expect((await request(s, browser)).setCookies).toEqual([]));
        expect(early).toEqual({ commands: 1, writes: 0 });
        expect(await idleEnd()).toBe(t0 + HOUR * 1000);
        vi.setSystemTime(t0 + 40 * 60_000);
        const due = await cost(async () => expect((await request(s, browser)).setCookies).toHaveLength(1));
        expect(due.commands).toBe(1);
        expect(due.writes).toBeGreaterThan(0);
        expect(await idleEnd()).toBe(t0 + 100 * 60_000);
        // A change moves Redis's idle end at once; the cookie follows when it is due again (half the window after its issue).
        vi.setSystemTime(t0 + 50 * 60_000);
        expect((await request(s, browser, (session) => session.set('visits', 5))).setCookies).toEqual([]);
        expect(await idleEnd()).toBe(t0 + 110 * 60_000);
        vi.setSystemTime(t0 + 75 * 60_000);
        expect((await request(s, browser, (session) => session.set('visits', 6))).setCookies).toHaveLength(1);
        expect(await idleEnd()).toBe(t0 + 135 * 60_000);
        vi.setSystemTime(t0 + 80 * 60_000);
        // Idle past the end: the browser drops the cookie (Max-Age), and a replay of it is refused from the cookie alone.
        const kept = browser.get('session')!;
        vi.setSystemTime(t0 + 135 * 60_000);
        expect(browser.names()).toEqual([]);
        const replay = new Browser();
        replay.put('session', kept);
        const idle = await cost(async () => expect((await request(s, replay, (session) => session.invalidReason)).result).toBe('idle'));
        expect(idle.commands).toBe(0);
        // The absolute end, however active the session.
        const busy = store({ ttl: 2 * HOUR, idleTimeout: HOUR });
        const b2 = new Browser();
        vi.setSystemTime(t0);
        await request(busy, b2, (session) => session.set('visits', 1));
        for (let minutes = 35; minutes < 120; minutes += 35) {
          vi.setSystemTime(t0 + minutes * 60_000);
          expect((await request(busy, b2, (session) => session.get('visits'))).result).toBe(1);
        }
        const [busyRec] = await redisKeys(busy.prefix);
        expect(Number(await ctx.command(['HGET', busyRec!, 'x'], busyRec))).toBe(t0 + 2 * HOUR * 1000);
        const last = b2.get('session')!;
        vi.setSystemTime(t0 + 2 * HOUR * 1000);
        const late = new Browser();
        late.put('session', last);
        expect((await request(busy, late, (session) => session.invalidReason)).result).toBe('expired');
      } finally {
        vi.useRealTimers();
      }
    });

    it('renew() issues a new key and deletes the old one in the same step; the old cookie replayed gives an empty session, reason revoked', async () => {
      const s = store();
      const browser = new Browser();
      await request(s, browser, (session) => session.set('cart', ['book']));
      const stolen = browser.clone();
      const before = await redisKeys(s.prefix);
      const { session: renewed } = await request(s, browser, (session) => {
        session.renew();
        session.set('userId', 'ada');
      });
      expect(renewed.status).toBe('renewed');
      const after = await redisKeys(s.prefix);
      expect(after.filter((k) => before.includes(k))).toEqual([]);
      const replay = await request(s, stolen, (session) => ({ reason: session.invalidReason, cart: session.get('cart'), user: session.get('userId') }));
      expect(replay.result).toEqual({ reason: 'revoked', cart: [], user: undefined });
      // The replayed cookie is removed, and the real one still works.
      expect(stolen.names()).toEqual([]);
      expect((await request(s, browser, (session) => session.data)).result).toMatchObject({ userId: 'ada', cart: ['book'] });
    });

    it('no rollback: an older copy of the cookie reads the state as it is now', async () => {
      const s = store();
      const browser = new Browser();
      await request(s, browser, (session) => session.set('cart', ['coupon']));
      const older = browser.clone();
      await request(s, browser, (session) => session.set('cart', []));
      expect((await request(s, older, (session) => session.get('cart'))).result).toEqual([]);
    });

    it('destroy() deletes the state in Redis; the old cookie replayed gives an empty session, reason revoked', async () => {
      const s = store();
      const browser = new Browser();
      await request(s, browser, (session) => session.set('cart', ['book']));
      const stolen = browser.clone();
      const { setCookies } = await request(s, browser, (session) => session.destroy());
      expect(setCookies.some((c) => c.startsWith('session=;'))).toBe(true);
      expect(await redisKeys(s.prefix)).toEqual([]);
      const replay = await request(s, stolen, (session) => [session.invalidReason, session.get('cart')]);
      expect(replay.result).toEqual(['revoked', []]);
    });

    it('a sign-in without renew() still gets a new key: the owner of a key never changes', async () => {
      const s = store();
      const browser = new Browser();
      await request(s, browser, (session) => session.set('cart', ['book']));
      const anonymous = browser.clone();
      await request(s, browser, (session) => session.set('userId', 'ada'));
      expect((await request(s, anonymous, (session) => session.invalidReason)).result).toBe('revoked');
      expect((await request(s, browser, (session) => session.get('userId'))).result).toBe('ada');
    });

    it('log out everywhere: every session of the owner ends at once, others stay; the index does not outlive them', async () => {
      const s = store();
      const ada = [new Browser(), new Browser(), new Browser()];
      for (const b of ada) await request(s, b, (session) => session.set('userId', 'ada'));
      const bob = new Browser();
      await request(s, bob, (session) => session.set('userId', 'bob'));
      expect(await s.logOutEverywhere('ada')).toBe(3);
      for (const b of ada) expect((await request(s, b, (session) => [session.invalidReason, session.get('userId')])).result).toEqual(['revoked', undefined]);
      expect((await request(s, bob, (session) => session.get('userId'))).result).toBe('bob');
      expect((await redisKeys(s.prefix)).filter((k) => k.endsWith(':o'))).toHaveLength(1); // bob's
      expect(await s.logOutEverywhere('ada')).toBe(0);
      const ownerless = new RedisSessionStore({ client: ctx.client, keys: SECRET, schema, prefix: s.prefix });
      await expect(ownerless.logOutEverywhere('ada')).rejects.toMatchObject({ code: 'ERR_CONFIG_OPTION', option: 'owner' });
    });

    it('no lost updates: concurrent changes to different fields both land (merged); to the same field, one commit throws ERR_STORE_CONFLICT and writes nothing', async () => {
      const s = store();
      const browser = new Browser();
      await request(s, browser, (session) => session.set('visits', 1));
      const header = browser.header();
      const [a, b] = await Promise.all([s.load(header), s.load(header)]);
      a.set('cart', ['book']);
      b.set('theme', 'dark');
      await a.commit();
      await b.commit();
      // The merge is visible to the request that made it, and stored.
      expect(b.data).toMatchObject({ cart: ['book'], theme: 'dark' });
      expect((await s.load(header)).data).toMatchObject({ cart: ['book'], theme: 'dark', visits: 1 });

      const [c, d] = await Promise.all([s.load(header), s.load(header)]);
      c.set('visits', c.get('visits') + 1);
      d.set('visits', d.get('visits') + 1);
      await c.commit();
      const err = await rejection(d.commit());
      expect(err.code).toBe('ERR_STORE_CONFLICT');
      expect((await s.load(header)).get('visits')).toBe(2);
      // Retried the documented way (load again, redo the change), it lands.
      const retry = await s.load(header);
      retry.set('visits', retry.get('visits') + 1);
      await retry.commit();
      expect((await s.load(header)).get('visits')).toBe(3);
    });

    it("onConflict: 'error' refuses any concurrent change; 'overwrite' (opt-in) lets the last writer win", async () => {
      for (const [onConflict, expected] of [['error', 'conflict'], ['overwrite', 'light']] as const) {
        const s = store({ onConflict });
        const browser = new Browser();
        await request(s, browser, (session) => session.set('visits', 1));
        const header = browser.header();
        const [a, b] = await Promise.all([s.load(header), s.load(header)]);
        a.set('theme', 'dark');
        b.set('cart', ['book']);
        await a.commit();
        if (expected === 'conflict') {
          expect((await rejection(b.commit())).code).toBe('ERR_STORE_CONFLICT');
          expect((await s.load(header)).data).toMatchObject({ theme: 'dark', cart: [] });
        } else {
          await b.commit();
          expect((await s.load(header)).data).toMatchObject({ theme: 'light', cart: ['book'] });
        }
      }
    });

    it('a change to a session another request ended meanwhile (logged out everywhere, destroyed, renewed) is never written back: ERR_STORE_CONFLICT', async () => {
      const s = store();
      for (const end of ['log out everywhere', 'destroy', 'renew'] as const) {
        const browser = new Browser();
        await request(s, browser, (session) => session.set('userId', 'ada'));
        const late = await s.load(browser.header());
        if (end === 'log out everywhere') await s.logOutEverywhere('ada');
        else await request(s, browser.clone(), (session) => (end === 'destroy' ? session.destroy() : session.renew()));
        late.set('cart', ['book']);
        expect((await rejection(late.commit())).code, end).toBe('ERR_STORE_CONFLICT');
        const left = await Promise.all((await redisKeys(s.prefix)).filter((k) => !k.endsWith(':o')).map((k) => ctx.command(['HGET', k, 'd'], k)));
        expect(left.join(), end).not.toContain('book');
        await s.logOutEverywhere('ada');
      }
    });

    it('the state read back from Redis is validated by the schema: a record the schema refuses gives an empty session (invalid-schema), and its commit deletes it', async () => {
      const s = store();
      const browser = new Browser();
      await request(s, browser, (session) => session.set('cart', ['book']));
      const key = (await sealedIn(s, browser.get('session')!)).v as string;
      const stored = (await s.backend.load(key, Date.now()))!;
      expect(stored.data).toEqual({ s: { cart: ['book'], theme: 'light', visits: 0 } });
      await s.backend.update(key, { expectedVersion: stored.version, data: { s: { cart: 'not a list' } } }, Date.now());
      const { result, setCookies } = await request(s, browser, (session) => [session.invalidReason, session.get('cart')]);
      expect(result).toEqual(['invalid-schema', []]);
      expect(setCookies.some((c) => c.startsWith('session=;'))).toBe(true);
      expect(await redisKeys(s.prefix)).toEqual([]);
    });

    it("a cookie store's cookie is refused by the Redis store (wrong-purpose), and a Redis store's cookie by a cookie store with the same keys", async () => {
      const s = store();
      const cookieStore = new CookieSessionStore({ keys: SECRET, schema });
      const fromCookie = new Browser();
      await request(cookieStore, fromCookie, (session) => session.set('userId', 'mallory'));
      expect((await request(s, fromCookie, (session) => [session.invalidReason, session.get('userId')])).result).toEqual(['wrong-purpose', undefined]);
      const fromRedis = new Browser();
      await request(s, fromRedis, (session) => session.set('cart', ['book']));
      expect((await request(cookieStore, fromRedis, (session) => session.invalidReason)).result).toBe('wrong-purpose');
    });

    it('key rotation: a cookie sealed with the old key still opens, and is re-sealed with the new one; the state in Redis stays', async () => {
      const old = store({ keys: [{ id: '1', secret: SECRET }] });
      const browser = new Browser();
      await request(old, browser, (session) => session.set('cart', ['book']));
      const rotated = new RedisSessionStore({ client: ctx.client, prefix: old.prefix, schema, keys: [{ id: '2', secret: SECRET_2 }, { id: '1', secret: SECRET }] });
      const before = browser.get('session')!;
      expect(before.split('*')[1]).toBe('1');
      const { result, setCookies } = await request(rotated, browser, (session) => session.get('cart'));
      expect(result).toEqual(['book']);
      expect(setCookies).toHaveLength(1);
      expect(browser.get('session')!.split('*')[1]).toBe('2');
      expect(await redisKeys(old.prefix)).toHaveLength(1);
      expect((await request(rotated, browser, (session) => session.get('cart'))).result).toEqual(['book']);
    });

    it('flash values, setTtl and a state far past any cookie budget go through Redis', async () => {
      const s = store();
      const browser = new Browser();
      const big = Array.from({ length: 500 }, (_, i) => `item-${i}-${'x'.repeat(40)}`);
      const { setCookies } = await request(s, browser, (session) => {
        session.set('cart', big);
        session.flash('notice', 'Saved!');
        session.setTtl(30 * DAY, { idleTimeout: 7 * DAY });
      });
      expect(setCookies).toHaveLength(1);
      expect(setCookies[0]!.length).toBeLessThan(1000);
      const [rec] = await redisKeys(s.prefix);
      expect(Number(await ctx.command(['PTTL', rec!], rec))).toBeGreaterThan(7 * DAY * 1000 - 10_000);
      const read = await request(s, browser, (session) => [session.takeFlash('notice'), session.get('cart').length]);
      expect(read.result).toEqual(['Saved!', 500]);
      expect((await request(s, browser, (session) => session.takeFlash('notice'))).result).toBeUndefined();
    });
  });
}
