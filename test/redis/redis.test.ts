/**
 * What is particular to the Redis backend, on a real redis-server and a real
 * 3-master Redis Cluster through node-redis and ioredis: the key design (a
 * dump holds no usable key), the owner index staying bounded, the hash-tag
 * slots, the NOSCRIPT fallback, configuration errors, and faults (SIGSTOP
 * past the timeout, SIGKILL, restart, error replies, a corrupt record).
 *
 * Needs Debian's redis-server package (apt-get install redis-server): skipped
 * with one loud line without it, failing under CI=true.
 */
import { createHash } from 'node:crypto';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSessionError } from '../../src/errors';
import { RedisBackend, type RedisClientLike } from '../../src/redis/index';
import { MEMBERS } from '../../src/redis/scripts';
import type { StoredSession } from '../../src/session/backend';
import { redisTestsEnabled, startRedisCluster, startRedisServer, type RedisCluster, type RedisServer } from '../helpers/redis';
import { DAY, HOUR, rejectsWith } from '../session/backend-suite';
import { openCluster, openSingle, type OpenClient } from './clients';

const enabled = redisTestsEnabled('test/redis/redis.test.ts', { cluster: true });
const sha256 = (text: string) => createHash('sha256').update(text).digest('base64url');
const tagOf = (key: string) => key.split('.')[0]!;
const recordKey = (prefix: string, key: string) => `${prefix}{${tagOf(key)}}:${sha256(key)}`;

/** The error a promise rejects with. */
async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (err: unknown) => err,
  );
}

/** Redis's own clock, ms. */
async function redisClock(c: OpenClient): Promise<number> {
  const [sec, usec] = (await c.command(['TIME'])) as [string, string];
  return Number(sec) * 1000 + Math.floor(Number(usec) / 1000);
}

/** Poll until `test` holds, at most `ms`. */
async function waitFor(test: () => Promise<boolean>, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await test())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Every string reachable from a value (own properties, enumerable or not, causes, stacks), and its inspection, as one text. */
function everything(value: unknown): string {
  const seen = new Set<unknown>();
  const out: string[] = [inspect(value, { depth: 20, showHidden: true })];
  const walk = (v: unknown, depth: number) => {
    if (depth > 20 || v === null || seen.has(v)) return;
    if (typeof v === 'string') return void out.push(v);
    if (typeof v !== 'object' && typeof v !== 'function') return void out.push(String(v));
    seen.add(v);
    for (const key of Reflect.ownKeys(v as object)) {
      out.push(String(key));
      try {
        walk((v as Record<PropertyKey, unknown>)[key], depth + 1);
      } catch {
        // a getter that throws
      }
    }
  };
  walk(value, 0);
  return out.join('\n');
}

/** Retry `fn` until it resolves (the client reconnecting), at most `ms`. */
async function eventually<T>(fn: () => Promise<T>, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

describe.skipIf(!enabled)('Redis backend, single node', () => {
  let server: RedisServer;
  const open: OpenClient[] = [];

  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    await Promise.all(open.map((c) => c.close()));
    await server?.stop();
  });

  for (const kind of ['node-redis', 'ioredis'] as const) {
    describe(kind, () => {
      let c: OpenClient;
      let backend: RedisBackend;
      const prefix = `t-${kind}:`;
      beforeAll(async () => {
        c = await openSingle(kind, server);
        open.push(c);
        backend = new RedisBackend({ client: c.client, prefix });
      });

      it('a dump holds no session key: the record is at prefix{tag}:SHA-256(key), and no key or value contains the key or its random part', async () => {
        const now = Date.now();
        const s = await backend.save({ data: { secret: 'state' }, expiresAt: now + DAY, idleTimeout: HOUR, owner: 'ada' }, now);
        expect(s.key).toMatch(/^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/);
        const random = s.key.split('.')[1]!;
        const keys = (await c.command(['KEYS', `${prefix}*`])) as string[];
        expect(keys.sort()).toEqual([recordKey(prefix, s.key), `${prefix}{${tagOf(s.key)}}:o`].sort());
        const dump = JSON.stringify([keys, await c.command(['HGETALL', recordKey(prefix, s.key)]), await c.command(['ZRANGE', `${prefix}{${tagOf(s.key)}}:o`, '0', '-1'])]);
        expect(dump).toContain('state');
        expect(dump).not.toContain(random);
        expect(dump).not.toContain(s.key);
        // The tag of an owned session is derived from the owner: every session of ada shares it.
        const again = await backend.save({ data: {}, expiresAt: now + DAY, owner: 'ada' }, now);
        expect(tagOf(again.key)).toBe(tagOf(s.key));
        expect(tagOf((await backend.save({ data: {}, expiresAt: now + DAY }, now)).key)).not.toBe(tagOf(s.key));
        await backend.deleteOwner('ada', now);
      });

      it('the Redis TTL is the idle end minus the caller clock (relative, so the clocks need not agree); touch renews it and the index score', async () => {
        const t0 = Date.now();
        const s = await backend.save({ data: {}, expiresAt: t0 + DAY, idleTimeout: 10_000, owner: `ttl-${kind}` }, t0);
        const rec = recordKey(prefix, s.key);
        const idx = `${prefix}{${tagOf(s.key)}}:o`;
        expect(Number(await c.command(['PTTL', rec]))).toBeLessThanOrEqual(10_000);
        await new Promise((resolve) => setTimeout(resolve, 400));
        expect(Number(await c.command(['PTTL', rec]))).toBeLessThanOrEqual(9_600);
        const t1 = Date.now();
        expect(await backend.touch(s.key, t1)).toBe(t1 + 10_000);
        expect(Number(await c.command(['PTTL', rec]))).toBeGreaterThan(9_900);
        // The index scores the moment Redis itself drops the record, on Redis's clock.
        const untilDropped = Number(await c.command(['ZSCORE', idx, sha256(s.key)])) - (await redisClock(c));
        expect(untilDropped).toBeGreaterThan(9_800);
        expect(untilDropped).toBeLessThanOrEqual(10_000);
        // A caller clock far ahead of Redis's: the TTL is still the remaining idle window.
        const ahead = t1 + 365 * DAY;
        const far = await backend.save({ data: {}, expiresAt: ahead + DAY, idleTimeout: HOUR }, ahead);
        const pttl = Number(await c.command(['PTTL', recordKey(prefix, far.key)]));
        expect(pttl).toBeGreaterThan(HOUR - 5000);
        expect(pttl).toBeLessThanOrEqual(HOUR);
        // A session found ended by the caller's clock is deleted, with its index entry.
        expect(await backend.load(s.key, t1 + 10_000)).toBeUndefined();
        expect(await c.command(['EXISTS', rec])).toBe(0);
        expect(await c.command(['EXISTS', idx])).toBe(0);
      });

      it('the owner index never grows past the records Redis holds: entries leave once Redis dropped their record, and it expires with its last session', async () => {
        const now = Date.now();
        const owner = `busy-${kind}`;
        for (let i = 0; i < 30; i++) await backend.save({ data: { i }, expiresAt: now + DAY, idleTimeout: 200, owner }, now);
        const first = await backend.save({ data: {}, expiresAt: now + DAY, idleTimeout: 200, owner }, now);
        const idx = `${prefix}{${tagOf(first.key)}}:o`;
        expect(await c.command(['ZCARD', idx])).toBe(31);
        // Redis drops the records after 200 ms; the index lets their entries go a second later (its margin).
        await waitFor(async () => Number(await c.command(['EXISTS', recordKey(prefix, first.key)])) === 0);
        await new Promise((resolve) => setTimeout(resolve, 1100));
        const later = Date.now();
        const fresh = await backend.save({ data: {}, expiresAt: later + DAY, idleTimeout: HOUR, owner }, later);
        expect(await c.command(['ZCARD', idx])).toBe(1);
        const pttl = Number(await c.command(['PTTL', idx]));
        expect(pttl).toBeGreaterThan(HOUR - 5000);
        expect(pttl).toBeLessThanOrEqual(HOUR + 1000);
        // A session found ended on the caller's clock leaves the index at once.
        expect(await backend.load(fresh.key, later + HOUR)).toBeUndefined();
        expect(await c.command(['EXISTS', idx])).toBe(0);
        expect(await backend.deleteOwner(owner, later)).toBe(0);
      });

      it('log out everywhere ends every session of the owner, also one that a server with a slower clock still serves (clock skew)', async () => {
        const slow = Date.now();
        const fast = slow + 10 * 60_000; // an app server whose clock runs ten minutes ahead
        const owner = `skew-${kind}`;
        const onSlow = await backend.save({ data: { where: 'slow' }, expiresAt: slow + DAY, idleTimeout: 60_000, owner }, slow);
        // The fast server signs the same user in elsewhere: its index write must not prune the slow server's session...
        const onFast = await backend.save({ data: { where: 'fast' }, expiresAt: fast + DAY, idleTimeout: 60_000, owner }, fast);
        expect(await c.command(['ZCARD', `${prefix}{${tagOf(onSlow.key)}}:o`])).toBe(2);
        // ...and its log-out-everywhere must end it, though on the fast clock it ended nine minutes ago.
        expect(await backend.deleteOwner(owner, fast)).toBe(1);
        expect(await backend.load(onSlow.key, slow)).toBeUndefined();
        expect(await backend.load(onFast.key, fast)).toBeUndefined();
        expect(await c.command(['EXISTS', recordKey(prefix, onSlow.key)])).toBe(0);
      });

      it('a script that fails has written nothing: update, renew, touch and save check every key before their first write', async () => {
        const now = Date.now();
        const owner = `atomic-${kind}`;
        const s = await backend.save({ data: { cart: ['book'] }, expiresAt: now + DAY, idleTimeout: HOUR, owner }, now);
        const rec = recordKey(prefix, s.key);
        const idx = `${prefix}{${tagOf(s.key)}}:o`;
        const before = await c.command(['HGETALL', rec]);
        const keysBefore = ((await c.command(['KEYS', `${prefix}{${tagOf(s.key)}}:*`])) as string[]).sort();
        // Something else wrote the owner index's name: every write that would index the session fails.
        await c.command(['DEL', idx]);
        await c.command(['SET', idx, 'not an index']);
        await rejectsWith(backend.update(s.key, { expectedVersion: 1, data: { cart: [] } }, now + 1000), 'ERR_STORE_UNAVAILABLE');
        await rejectsWith(backend.renew(s.key, { expectedVersion: 1, data: { cart: [] }, expiresAt: now + DAY, owner }, now + 1000), 'ERR_STORE_UNAVAILABLE');
        await rejectsWith(backend.touch(s.key, now + 60_000), 'ERR_STORE_UNAVAILABLE');
        await rejectsWith(backend.save({ data: {}, expiresAt: now + DAY, owner }, now), 'ERR_STORE_UNAVAILABLE');
        await rejectsWith(backend.deleteOwner(owner, now), 'ERR_STORE_UNAVAILABLE');
        await rejectsWith(backend.delete(s.key), 'ERR_STORE_UNAVAILABLE');
        // The record is as it was (same version, state and idle end), and no other record appeared under the tag.
        expect(await c.command(['HGETALL', rec])).toEqual(before);
        await c.command(['DEL', idx]);
        await c.command(['ZADD', idx, '1', 'x']);
        expect(((await c.command(['KEYS', `${prefix}{${tagOf(s.key)}}:*`])) as string[]).sort()).toEqual(keysBefore);
        await c.command(['DEL', idx]);
        expect(await backend.load(s.key, now)).toMatchObject({ data: { cart: ['book'] }, version: 1 });
        await backend.delete(s.key);
      });

      it("an error holds no session state, key or owner: not in its message, nor in its cause (ioredis puts the command's arguments on its errors)", async () => {
        const now = Date.now();
        const owner = `owner-marker-${kind}`;
        const s = await backend.save({ data: { secret: 'state-marker-4f1c' }, expiresAt: now + DAY, owner }, now);
        const idx = `${prefix}{${tagOf(s.key)}}:o`;
        await c.command(['DEL', idx]);
        await c.command(['SET', idx, 'x']);
        try {
          const err = await failure(backend.update(s.key, { expectedVersion: 1, data: { secret: 'state-marker-9e2d' } }, now));
          expect(isSessionError(err, 'ERR_STORE_UNAVAILABLE')).toBe(true);
          expect((err as Error).cause).toBeInstanceOf(Error);
          expect((err as Error).message).toContain('WRONGTYPE');
          const text = everything(err);
          for (const secret of ['state-marker', owner, s.key.split('.')[1]!, sha256(s.key), tagOf(s.key)]) expect(text, secret).not.toContain(secret);
        } finally {
          await c.command(['DEL', idx]);
        }
      });

      it('renew keeps the slot (same tag) unless the owner changes, and leaves no trace of the old key', async () => {
        const now = Date.now();
        const anon = await backend.save({ data: {}, expiresAt: now + DAY }, now);
        const r1 = (await backend.renew(anon.key, { expectedVersion: 1, data: { a: 1 }, expiresAt: now + DAY }, now)) as { session: StoredSession };
        expect(tagOf(r1.session.key)).toBe(tagOf(anon.key));
        const r2 = (await backend.renew(r1.session.key, { expectedVersion: 2, data: { a: 2 }, expiresAt: now + DAY, owner: `renew-${kind}` }, now)) as { session: StoredSession };
        expect(tagOf(r2.session.key)).not.toBe(tagOf(anon.key));
        for (const old of [anon.key, r1.session.key]) expect(await c.command(['EXISTS', recordKey(prefix, old)])).toBe(0);
        expect(await c.command(['ZRANGE', `${prefix}{${tagOf(r2.session.key)}}:o`, '0', '-1'])).toEqual([sha256(r2.session.key)]);
        await backend.delete(r2.session.key);
        expect(await c.command(['EXISTS', `${prefix}{${tagOf(r2.session.key)}}:o`])).toBe(0);
      });

      it('log out everywhere reads the index again when a session of the owner was added between its two steps, and ends that one too', async () => {
        const now = Date.now();
        const owner = `between-${kind}`;
        const membersSha = createHash('sha1').update(MEMBERS.text).digest('hex');
        const injected: StoredSession[] = [];
        // A client on which a sign-in on another connection lands right after the first index read.
        const meddling = new Proxy(c.client as object, {
          get(target, prop, receiver) {
            const value = Reflect.get(target, prop, receiver) as unknown;
            if (!['evalSha', 'evalsha', 'eval'].includes(String(prop)) || typeof value !== 'function') return typeof value === 'function' ? value.bind(target) : value;
            return async (script: string, ...rest: unknown[]) => {
              const reply = await (value as (...a: unknown[]) => Promise<unknown>).call(target, script, ...rest);
              if ((script === membersSha || script === MEMBERS.text) && injected.length < 2) injected.push(await backend.save({ data: {}, expiresAt: now + DAY, owner }, now));
              return reply;
            };
          },
        }) as RedisClientLike;
        const before = await Promise.all(Array.from({ length: 3 }, () => backend.save({ data: {}, expiresAt: now + DAY, owner }, now)));
        expect(await new RedisBackend({ client: meddling, prefix }).deleteOwner(owner, now)).toBe(5);
        expect(injected).toHaveLength(2);
        for (const s of [...before, ...injected]) expect(await backend.load(s.key, now)).toBeUndefined();
      });

      it('runs again after SCRIPT FLUSH (EVALSHA answers NOSCRIPT, EVAL reloads it)', async () => {
        const now = Date.now();
        const s = await backend.save({ data: { n: 1 }, expiresAt: now + DAY }, now);
        expect(await c.command(['SCRIPT', 'FLUSH'])).toBe('OK');
        expect((await backend.load(s.key, now))!.data).toEqual({ n: 1 });
        expect((await backend.update(s.key, { expectedVersion: 1, data: { n: 2 } }, now)).ok).toBe(true);
      });

      it('an error reply or a record it did not write is ERR_STORE_UNAVAILABLE, never "no session", and the message holds no key', async () => {
        const now = Date.now();
        const wrongType = await backend.save({ data: {}, expiresAt: now + DAY }, now);
        await c.command(['DEL', recordKey(prefix, wrongType.key)]);
        await c.command(['SET', recordKey(prefix, wrongType.key), 'x']);
        const err = await failure(backend.load(wrongType.key, now));
        expect(isSessionError(err, 'ERR_STORE_UNAVAILABLE')).toBe(true);
        expect((err as Error).message).toContain('WRONGTYPE');
        expect((err as Error).message).not.toContain(wrongType.key.split('.')[1]!);
        expect((err as Error).message).not.toContain(sha256(wrongType.key));

        const corrupt = await backend.save({ data: {}, expiresAt: now + DAY }, now);
        await c.command(['HSET', recordKey(prefix, corrupt.key), 'd', 'not json']);
        await rejectsWith(backend.load(corrupt.key, now), 'ERR_STORE_UNAVAILABLE');
        await c.command(['HSET', recordKey(prefix, corrupt.key), 'd', '{}', 'v', 'x']);
        await rejectsWith(backend.load(corrupt.key, now), 'ERR_STORE_UNAVAILABLE');
      });

      it('bad configuration fails at construction', () => {
        for (const options of [{ client: c.client, prefix: 'a{b}:' }, { client: {} as never }, { client: c.client, commandTimeout: 0 }, { client: c.client, commandTimeout: 1.5 }]) {
          let err: unknown;
          try {
            new RedisBackend(options);
          } catch (e) {
            err = e;
          }
          expect(isSessionError(err, 'ERR_CONFIG_OPTION'), JSON.stringify(Object.keys(options))).toBe(true);
        }
      });
    });
  }
});

describe.skipIf(!enabled)('Redis backend faults', () => {
  for (const kind of ['node-redis', 'ioredis'] as const) {
    describe(kind, () => {
      let server: RedisServer;
      let c: OpenClient;
      let backend: RedisBackend;
      beforeAll(async () => {
        server = await startRedisServer({ persistent: true });
        c = await openSingle(kind, server);
        backend = new RedisBackend({ client: c.client, commandTimeout: 300 });
      });
      afterAll(async () => {
        server?.resume();
        await c?.close();
        await server?.stop();
      });

      it('Redis stopped (SIGSTOP) past the timeout: every operation rejects with ERR_STORE_UNAVAILABLE in about the timeout; after SIGCONT the same key works and nothing written before is lost', async () => {
        const now = Date.now();
        const s = await backend.save({ data: { cart: ['book'] }, expiresAt: now + DAY, idleTimeout: HOUR, owner: 'ada' }, now);
        server.pause();
        try {
          const started = Date.now();
          await rejectsWith(backend.load(s.key, now), 'ERR_STORE_UNAVAILABLE');
          const took = Date.now() - started;
          expect(took).toBeGreaterThanOrEqual(290);
          expect(took).toBeLessThan(2000);
          await rejectsWith(backend.touch(s.key, now + 60_000), 'ERR_STORE_UNAVAILABLE');
          await rejectsWith(backend.save({ data: {}, expiresAt: now + DAY }, now), 'ERR_STORE_UNAVAILABLE');
          await rejectsWith(backend.deleteOwner('ada', now), 'ERR_STORE_UNAVAILABLE');
        } finally {
          server.resume();
        }
        // The deleteOwner above timed out before its second step: the session is still there.
        expect(await eventually(() => backend.load(s.key, now + 60_000))).toMatchObject({ data: { cart: ['book'] }, version: 1, owner: 'ada' });
      });

      it('a write that timed out may still be applied when Redis wakes up; the versioned retry then sees a conflict, never a double write', async () => {
        const now = Date.now();
        const s = await backend.save({ data: { count: 0 }, expiresAt: now + DAY }, now);
        server.pause();
        try {
          await rejectsWith(backend.update(s.key, { expectedVersion: 1, data: { count: 1 } }, now), 'ERR_STORE_UNAVAILABLE');
        } finally {
          server.resume();
        }
        const retry = await eventually(() => backend.update(s.key, { expectedVersion: 1, data: { count: 1 } }, now));
        expect(retry).toMatchObject({ ok: false, reason: 'conflict', current: { data: { count: 1 }, version: 2 } });
      });

      it('Redis killed: ERR_STORE_UNAVAILABLE; restarted: the same key loads with its data (append-only file), and writes work again', async () => {
        const now = Date.now();
        const s = await backend.save({ data: { draft: 'x'.repeat(10_000) }, expiresAt: now + DAY, idleTimeout: HOUR }, now);
        const updated = await backend.update(s.key, { expectedVersion: 1, data: { draft: 'final' } }, now);
        expect(updated.ok).toBe(true);
        await server.kill();
        await rejectsWith(backend.load(s.key, now), 'ERR_STORE_UNAVAILABLE');
        // (A write attempted now could still be applied after the restart, from the client's offline
        // queue: the outcome of a timed-out command is unknown, as the test above shows.)
        await rejectsWith(backend.save({ data: {}, expiresAt: now + DAY }, now), 'ERR_STORE_UNAVAILABLE');
        await server.restart();
        expect(await eventually(() => backend.load(s.key, now + 1000))).toMatchObject({ data: { draft: 'final' }, version: 2 });
        expect((await backend.update(s.key, { expectedVersion: 2, data: { draft: 'after' } }, now + 2000)).ok).toBe(true);
      });

      it('a client that is closed: ERR_STORE_UNAVAILABLE', async () => {
        const closed = await openSingle(kind, server);
        await closed.close();
        await rejectsWith(new RedisBackend({ client: closed.client, commandTimeout: 300 }).load(`${'a'.repeat(22)}.${'b'.repeat(43)}`, Date.now()), 'ERR_STORE_UNAVAILABLE');
      });
    });
  }

  it('the default timeout is 1000 ms', async () => {
    const server = await startRedisServer();
    const c = await openSingle('node-redis', server);
    try {
      const backend = new RedisBackend({ client: c.client });
      const now = Date.now();
      const s = await backend.save({ data: {}, expiresAt: now + DAY }, now);
      server.pause();
      const started = Date.now();
      await rejectsWith(backend.load(s.key, now), 'ERR_STORE_UNAVAILABLE');
      expect(Date.now() - started).toBeGreaterThanOrEqual(990);
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      server.resume();
      await c.close();
      await server.stop();
    }
  });
});

describe.skipIf(!enabled)('Redis backend on a 3-master cluster', () => {
  let cluster: RedisCluster;
  const open: OpenClient[] = [];
  beforeAll(async () => {
    cluster = await startRedisCluster();
  }, 60_000);
  afterAll(async () => {
    for (const n of cluster?.nodes ?? []) n.resume();
    await Promise.all(open.map((c) => c.close()));
    await cluster?.stop();
  });

  for (const kind of ['node-redis cluster', 'ioredis cluster'] as const) {
    it(`${kind}: an owner's sessions and index share one node; anonymous sessions spread over all three; one stopped master fails only its own keys`, async () => {
      const c = await openCluster(kind, cluster);
      open.push(c);
      const prefix = `${kind.replace(' ', '-')}:`;
      const backend = new RedisBackend({ client: c.client, prefix, commandTimeout: 300 });
      const now = Date.now();
      const owned = await Promise.all(Array.from({ length: 6 }, () => backend.save({ data: {}, expiresAt: now + DAY, owner: 'ada' }, now)));
      const nodes = new Set([...owned.map((s) => cluster.nodeOf(recordKey(prefix, s.key)).port), cluster.nodeOf(`${prefix}{${tagOf(owned[0]!.key)}}:o`).port]);
      expect(nodes.size).toBe(1);
      const anon = await Promise.all(Array.from({ length: 30 }, () => backend.save({ data: { n: 1 }, expiresAt: now + DAY }, now)));
      const byNode = new Map<RedisServer, StoredSession[]>();
      for (const s of anon) {
        const node = cluster.nodeOf(recordKey(prefix, s.key));
        byNode.set(node, [...(byNode.get(node) ?? []), s]);
      }
      expect(byNode.size).toBe(3);
      expect(await backend.deleteOwner('ada', now)).toBe(6);

      // SIGSTOP one master for about a second (well under cluster-node-timeout, so the cluster stays up).
      const [stopped, onIt] = [...byNode.entries()][0]!;
      const elsewhere = anon.filter((s) => !onIt.includes(s));
      stopped.pause();
      try {
        await rejectsWith(backend.load(onIt[0]!.key, now), 'ERR_STORE_UNAVAILABLE');
        expect((await backend.load(elsewhere[0]!.key, now))?.data).toEqual({ n: 1 });
      } finally {
        stopped.resume();
      }
      expect((await eventually(() => backend.load(onIt[0]!.key, now)))?.data).toEqual({ n: 1 });
    });

    it(`${kind}: a sign-in renew across slots whose second step fails rejects with ERR_STORE_UNAVAILABLE and leaves no session of the new owner behind`, async () => {
      const c = await openCluster(kind, cluster);
      open.push(c);
      const prefix = `x-${kind.replace(' ', '-')}:`;
      const backend = new RedisBackend({ client: c.client, prefix, commandTimeout: 300 });
      const now = Date.now();
      const anon = await backend.save({ data: { cart: 1 }, expiresAt: now + DAY }, now);
      const oldNode = cluster.nodeOf(recordKey(prefix, anon.key));
      // An owner whose tag (first 128 bits of SHA-256 of the owner id, as the backend derives it) is served by another master.
      const ownerTag = (owner: string) => sha256(`sealed-session owner\0${owner}`).slice(0, 22);
      let owner = '';
      for (let i = 0; !owner; i++) if (cluster.nodeOf(`${prefix}{${ownerTag(`u${i}`)}}:o`) !== oldNode) owner = `u${i}`;
      oldNode.pause();
      try {
        await rejectsWith(backend.renew(anon.key, { expectedVersion: 1, data: { cart: 1 }, expiresAt: now + DAY, owner }, now), 'ERR_STORE_UNAVAILABLE');
      } finally {
        oldNode.resume();
      }
      // The new record was written first and deleted again when the old slot did not answer.
      const idx = `${prefix}{${ownerTag(owner)}}:o`;
      expect(await c.command(['EXISTS', idx], idx)).toBe(0);
      expect(await eventually(() => backend.deleteOwner(owner, now))).toBe(0);
    });
  }
});
