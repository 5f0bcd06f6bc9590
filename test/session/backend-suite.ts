/**
 * The storage backend conformance suite: what every `SessionBackend` must do,
 * run against MemoryBackend (test/session/backend.test.ts) and against the
 * Redis backend on node-redis and ioredis, single node and Redis Cluster
 * (test/redis/backend.test.ts). Times are the caller's clock: each test
 * passes its own `now`, so expiry is tested exactly without waiting.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { isSessionError } from '../../src/errors';
import { updateWithRetry, type SessionBackend, type StoredSession } from '../../src/session/backend';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export interface SuiteContext {
  backend: SessionBackend;
}

/** Expect a promise to reject with a SessionError of `code`. */
export async function rejectsWith(promise: Promise<unknown>, code: string): Promise<void> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isSessionError(err), `expected a SessionError ${code}, got ${String(err)}`).toBe(true);
  expect((err as { code: string }).code).toBe(code);
}

export function backendSuite(name: string, setup: () => Promise<SuiteContext> | SuiteContext): void {
  describe(`SessionBackend conformance: ${name}`, () => {
    let backend: SessionBackend;
    // Each test has its own moment, far apart, so no two share a time.
    let clock = Date.now();
    const moment = () => (clock += 30 * DAY);

    beforeAll(async () => {
      backend = (await setup()).backend;
    });

    async function fresh(now: number, extra: { owner?: string; idleTimeout?: number; data?: Record<string, unknown> } = {}): Promise<StoredSession> {
      return backend.save({ data: (extra.data ?? { n: 0 }) as never, expiresAt: now + DAY, idleTimeout: extra.idleTimeout ?? HOUR, owner: extra.owner }, now);
    }

    it('save hands out a new key of 256+ random bits and load returns the record: data, times, version 1, owner', async () => {
      const now = moment();
      const saved = await backend.save({ data: { cart: ['book'], nested: { a: 1 } }, createdAt: now - 5, expiresAt: now + DAY, idleTimeout: HOUR, owner: 'ada' }, now);
      expect(saved).toMatchObject({ data: { cart: ['book'], nested: { a: 1 } }, createdAt: now - 5, expiresAt: now + DAY, idleTimeout: HOUR, idleExpiresAt: now + HOUR, version: 1, owner: 'ada' });
      expect(saved.key.replace(/[^A-Za-z0-9_-]/g, '').length).toBeGreaterThanOrEqual(43);
      expect(await backend.load(saved.key, now + 1)).toEqual(saved);
      const keys = new Set(await Promise.all(Array.from({ length: 20 }, async () => (await fresh(now)).key)));
      expect(keys.size).toBe(20);
    });

    it('an anonymous session has no owner, and without an idle window it lives to its absolute end', async () => {
      const now = moment();
      const saved = await backend.save({ data: {}, expiresAt: now + DAY }, now);
      expect(saved).toMatchObject({ createdAt: now, idleTimeout: 0, idleExpiresAt: now + DAY, owner: undefined });
      expect((await backend.load(saved.key, now + DAY - 1))?.data).toEqual({});
      expect(await backend.load(saved.key, now + DAY)).toBeUndefined();
    });

    it('load of a key it never made, or of bytes that are not a key, is undefined (never an error)', async () => {
      const now = moment();
      const { key } = await fresh(now);
      const other = key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A');
      for (const k of [other, '', 'x', 'not a key at all', `${key}x`, '{tag}:x', '*']) expect(await backend.load(k, now)).toBeUndefined();
      expect(await backend.load(key, now)).toBeDefined();
    });

    it('the data read back is a copy: changing it changes nothing stored', async () => {
      const now = moment();
      const saved = await fresh(now, { data: { list: [1] } });
      (saved.data.list as number[]).push(2);
      const loaded = (await backend.load(saved.key, now))!;
      expect(loaded.data).toEqual({ list: [1] });
      (loaded.data.list as number[]).push(3);
      expect((await backend.load(saved.key, now))!.data).toEqual({ list: [1] });
    });

    it('expiry is exact on the caller clock: alive until the idle end, gone at it, and gone at the absolute end whatever the activity', async () => {
      const now = moment();
      const a = await fresh(now);
      expect(await backend.load(a.key, now + HOUR - 1)).toBeDefined();
      expect(await backend.load(a.key, now + HOUR)).toBeUndefined();
      expect(await backend.load(a.key, now)).toBeUndefined(); // found ended once: gone for good

      const b = await fresh(now);
      for (let t = now; t < now + DAY; t += HOUR / 2) expect(await backend.touch(b.key, t)).toBe(Math.min(t + HOUR, now + DAY));
      expect(await backend.touch(b.key, now + DAY - 10)).toBe(now + DAY);
      expect(await backend.load(b.key, now + DAY - 1)).toBeDefined();
      expect(await backend.load(b.key, now + DAY)).toBeUndefined();
    });

    it('touch moves the idle end forward only when that gains `after` ms, never back, never past the absolute end, without a new version', async () => {
      const now = moment();
      const s = await fresh(now);
      expect(await backend.touch(s.key, now + 1000, 60_000)).toBe(now + HOUR); // gain 1 s < 60 s: not due
      expect(await backend.touch(s.key, now + 60_000, 60_000)).toBe(now + 60_000 + HOUR); // due
      expect(await backend.touch(s.key, now + 30_000)).toBe(now + 60_000 + HOUR); // earlier time: never back
      const loaded = (await backend.load(s.key, now + 61_000))!;
      expect(loaded).toMatchObject({ idleExpiresAt: now + 60_000 + HOUR, version: 1 });
      expect(await backend.touch(s.key, now + DAY - 1)).toBeUndefined(); // ended at now + 60 s + 1 h
      const noIdle = await backend.save({ data: {}, expiresAt: now + DAY }, now);
      expect(await backend.touch(noIdle.key, now + HOUR)).toBe(now + DAY);
      expect(await backend.touch('nope', now)).toBeUndefined();
    });

    it('load with touchAfter touches in the same call when due, and not before', async () => {
      const now = moment();
      const s = await fresh(now);
      expect((await backend.load(s.key, now + 59_000, 60_000))!.idleExpiresAt).toBe(now + HOUR);
      expect((await backend.load(s.key, now + 60_000, 60_000))!.idleExpiresAt).toBe(now + 60_000 + HOUR);
      expect((await backend.load(s.key, now + 61_000))!.idleExpiresAt).toBe(now + 60_000 + HOUR);
      expect((await backend.load(s.key, now + HOUR + 59_000))!.version).toBe(1);
    });

    it('update writes at the expected version: new data, version + 1, the idle end moves (activity), and optionally new times', async () => {
      const now = moment();
      const s = await fresh(now, { owner: 'ada' });
      const r1 = await backend.update(s.key, { expectedVersion: 1, data: { n: 1 } }, now + 1000);
      expect(r1).toEqual({ ok: true, session: { ...s, data: { n: 1 }, version: 2, idleExpiresAt: now + 1000 + HOUR } });
      const r2 = await backend.update(s.key, { expectedVersion: 2, data: { n: 2 }, expiresAt: now + 2 * DAY, idleTimeout: 2 * HOUR }, now + 2000);
      expect(r2).toMatchObject({ ok: true, session: { data: { n: 2 }, version: 3, expiresAt: now + 2 * DAY, idleTimeout: 2 * HOUR, idleExpiresAt: now + 2000 + 2 * HOUR, owner: 'ada' } });
      expect(await backend.load(s.key, now + 3000)).toEqual((r2 as { session: StoredSession }).session);
      const r3 = await backend.update(s.key, { expectedVersion: 3, data: { n: 3 }, expiresAt: now + 3000 + 60_000 }, now + 3000);
      expect(r3).toMatchObject({ ok: true, session: { idleExpiresAt: now + 3000 + 60_000 } }); // the idle end never passes the absolute end
    });

    it('update at a version that moved is a conflict carrying the current record, and writes nothing', async () => {
      const now = moment();
      const s = await fresh(now);
      await backend.update(s.key, { expectedVersion: 1, data: { n: 'first' } }, now);
      const stale = await backend.update(s.key, { expectedVersion: 1, data: { n: 'second' } }, now + 1);
      expect(stale).toMatchObject({ ok: false, reason: 'conflict', current: { key: s.key, data: { n: 'first' }, version: 2 } });
      expect((await backend.load(s.key, now + 2))!.data).toEqual({ n: 'first' });
    });

    it('update of a deleted or ended session is `missing` and never brings it back', async () => {
      const now = moment();
      const deleted = await fresh(now);
      await backend.delete(deleted.key);
      expect(await backend.update(deleted.key, { expectedVersion: 1, data: { n: 1 } }, now)).toEqual({ ok: false, reason: 'missing' });
      expect(await backend.load(deleted.key, now)).toBeUndefined();
      const ended = await fresh(now);
      expect(await backend.update(ended.key, { expectedVersion: 1, data: { n: 1 } }, now + HOUR)).toEqual({ ok: false, reason: 'missing' });
      expect(await backend.load(ended.key, now)).toBeUndefined();
      expect(await backend.update('not-a-key', { expectedVersion: 1, data: {} }, now)).toEqual({ ok: false, reason: 'missing' });
    });

    it('of concurrent writes at one version exactly one wins; updateWithRetry loses none of 25 concurrent increments', async () => {
      const now = moment();
      const s = await fresh(now);
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => backend.update(s.key, { expectedVersion: 1, data: { n: i } }, now)));
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      expect(results.filter((r) => !r.ok && r.reason === 'conflict')).toHaveLength(9);

      const counter = await fresh(now, { data: { count: 0 } });
      await Promise.all(
        Array.from({ length: 25 }, () => updateWithRetry(backend, counter.key, (d) => ({ count: (d.count as number) + 1 }), { now, retries: 100 })),
      );
      expect((await backend.load(counter.key, now))!).toMatchObject({ data: { count: 25 }, version: 26 });
    });

    it('updateWithRetry gives ERR_STORE_CONFLICT when its retries run out, undefined for a missing session, and writes nothing when the change returns undefined', async () => {
      const now = moment();
      const s = await fresh(now, { data: { count: 0 } });
      // Another writer gets in between every read and write of this one.
      const meddled: SessionBackend = {
        load: (k, t, a) => backend.load(k, t, a),
        save: (x, t) => backend.save(x, t),
        touch: (k, t, a) => backend.touch(k, t, a),
        delete: (k) => backend.delete(k),
        async update(k, change, t) {
          const cur = (await backend.load(k, t))!;
          await backend.update(k, { expectedVersion: cur.version, data: { count: -1 } }, t);
          return backend.update(k, change, t);
        },
      };
      let calls = 0;
      const change = (d: Record<string, unknown>) => (calls++, { count: (d.count as number) + 1 });
      await rejectsWith(updateWithRetry(meddled, s.key, change, { now, retries: 2 }), 'ERR_STORE_CONFLICT');
      expect(calls).toBe(3);
      expect((await backend.load(s.key, now))!.data).toEqual({ count: -1 });
      expect(await updateWithRetry(backend, 'nope', () => ({}), { now })).toBeUndefined();
      const before = (await backend.load(s.key, now))!;
      expect(await updateWithRetry(backend, s.key, () => undefined, { now })).toEqual(before);
      expect((await backend.load(s.key, now))!.version).toBe(before.version);
    });

    it('delete ends the session at once; deleting again or a key it never made is fine', async () => {
      const now = moment();
      const s = await fresh(now);
      await backend.delete(s.key);
      expect(await backend.load(s.key, now)).toBeUndefined();
      await backend.delete(s.key);
      await backend.delete('not-a-key');
    });

    it('renew moves the session to a new key (the old one dead at once) with new state and times, version + 1', async () => {
      const now = moment();
      const s = await fresh(now, { data: { step: 1 } });
      const r = await backend.renew!(s.key, { expectedVersion: 1, data: { step: 2 }, expiresAt: now + 2 * DAY, idleTimeout: HOUR }, now + 1000);
      expect(r.ok).toBe(true);
      const renewed = (r as { session: StoredSession }).session;
      expect(renewed.key).not.toBe(s.key);
      expect(renewed).toMatchObject({ data: { step: 2 }, createdAt: now + 1000, expiresAt: now + 2 * DAY, idleExpiresAt: now + 1000 + HOUR, version: 2, owner: undefined });
      expect(await backend.load(s.key, now + 1000)).toBeUndefined();
      expect(await backend.load(renewed.key, now + 1000)).toEqual(renewed);
      expect(await backend.update(s.key, { expectedVersion: 1, data: {} }, now + 1000)).toEqual({ ok: false, reason: 'missing' });
    });

    it('renew at a stale version is a conflict and leaves the old key working; renew of a missing session is `missing`', async () => {
      const now = moment();
      for (const owner of [undefined, 'grace']) {
        const s = await fresh(now);
        await backend.update(s.key, { expectedVersion: 1, data: { n: 1 } }, now);
        const r = await backend.renew!(s.key, { expectedVersion: 1, data: { n: 9 }, expiresAt: now + DAY, owner }, now);
        expect(r).toMatchObject({ ok: false, reason: 'conflict', current: { data: { n: 1 }, version: 2 } });
        expect((await backend.load(s.key, now))!.data).toEqual({ n: 1 });
        if (owner) expect(await backend.deleteOwner!(owner, now)).toBe(0); // no half-made session of the new owner is left
        await backend.delete(s.key);
        expect(await backend.renew!(s.key, { expectedVersion: 2, data: {}, expiresAt: now + DAY, owner }, now)).toEqual({ ok: false, reason: 'missing' });
      }
    });

    it('renew can give a session an owner (sign-in), keep it, change it or drop it; deleteOwner follows', async () => {
      const now = moment();
      const anon = await fresh(now);
      const signedIn = await backend.renew!(anon.key, { expectedVersion: 1, data: { user: 'lin' }, expiresAt: now + DAY, idleTimeout: HOUR, owner: 'lin' }, now);
      const s1 = (signedIn as { session: StoredSession }).session;
      expect(s1).toMatchObject({ owner: 'lin', version: 2 });
      const again = (await backend.renew!(s1.key, { expectedVersion: 2, data: { user: 'lin' }, expiresAt: now + DAY, owner: 'lin' }, now)) as { session: StoredSession };
      expect(await backend.load(s1.key, now)).toBeUndefined();
      const other = (await backend.renew!(again.session.key, { expectedVersion: 3, data: { user: 'mo' }, expiresAt: now + DAY, owner: 'mo' }, now)) as { session: StoredSession };
      expect(await backend.deleteOwner!('lin', now)).toBe(0);
      expect((await backend.load(other.session.key, now))!.owner).toBe('mo');
      const dropped = (await backend.renew!(other.session.key, { expectedVersion: 4, data: {}, expiresAt: now + DAY }, now)) as { session: StoredSession };
      expect(await backend.deleteOwner!('mo', now)).toBe(0);
      expect((await backend.load(dropped.session.key, now))!).toMatchObject({ owner: undefined, version: 5 });
    });

    it('deleteOwner ends every live session of that owner at once, and only theirs; later sign-ins work', async () => {
      const now = moment();
      const owner = `ada-${now}`;
      const mine = await Promise.all(Array.from({ length: 5 }, () => fresh(now, { owner })));
      const theirs = await fresh(now, { owner: `${owner}-other` });
      const anon = await fresh(now);
      const ended = await fresh(now - HOUR, { owner }); // idle end passed: not counted
      expect(await backend.deleteOwner!(owner, now)).toBe(5);
      for (const s of [...mine, ended]) expect(await backend.load(s.key, now)).toBeUndefined();
      for (const s of mine) expect(await backend.update(s.key, { expectedVersion: 1, data: {} }, now)).toEqual({ ok: false, reason: 'missing' });
      expect(await backend.load(theirs.key, now)).toBeDefined();
      expect(await backend.load(anon.key, now)).toBeDefined();
      expect(await backend.deleteOwner!(owner, now)).toBe(0);
      const later = await fresh(now + 1, { owner });
      expect((await backend.load(later.key, now + 2))!.owner).toBe(owner);
      expect(await backend.deleteOwner!('nobody', now)).toBe(0);
    });

    it('deleteOwner is atomic against concurrent writes to those sessions: after it, none survives', async () => {
      const now = moment();
      const owner = `race-${now}`;
      const sessions = await Promise.all(Array.from({ length: 8 }, () => fresh(now, { owner })));
      const writes = sessions.flatMap((s) => [
        backend.update(s.key, { expectedVersion: 1, data: { n: 1 } }, now),
        backend.touch(s.key, now + 60_000),
      ]);
      const count = await backend.deleteOwner!(owner, now);
      await Promise.all(writes);
      expect(count).toBe(8);
      for (const s of sessions) expect(await backend.load(s.key, now + 60_000)).toBeUndefined();
    });

    it('deleteOwner racing sign-ins of the same owner: every session it counted is gone, the rest are alive, and none from before survives', async () => {
      const now = moment();
      const owner = `signing-in-${now}`;
      const before = await Promise.all(Array.from({ length: 5 }, () => fresh(now, { owner })));
      const during = Array.from({ length: 20 }, () => fresh(now, { owner }));
      const count = await backend.deleteOwner!(owner, now);
      const racing = await Promise.all(during);
      for (const s of before) expect(await backend.load(s.key, now)).toBeUndefined();
      const alive = (await Promise.all(racing.map((s) => backend.load(s.key, now)))).filter(Boolean).length;
      expect(count).toBeGreaterThanOrEqual(5);
      expect(alive + count).toBe(25);
      expect(await backend.deleteOwner!(owner, now)).toBe(alive);
    });

    it('bad arguments are ERR_CONFIG_OPTION, before anything is stored', async () => {
      const now = moment();
      const s = await fresh(now);
      await rejectsWith(backend.save({ data: {}, expiresAt: now }, now), 'ERR_CONFIG_OPTION');
      await rejectsWith(backend.save({ data: [] as never, expiresAt: now + 1 }, now), 'ERR_CONFIG_OPTION');
      await rejectsWith(backend.save({ data: { big: 10n } as never, expiresAt: now + 1 }, now), 'ERR_CONFIG_OPTION');
      await rejectsWith(backend.save({ data: {}, expiresAt: now + 1, owner: '' }, now), 'ERR_CONFIG_OPTION');
      await rejectsWith(backend.save({ data: {}, expiresAt: now + 1.5 }, now), 'ERR_CONFIG_OPTION');
      await rejectsWith(backend.save({ data: {}, expiresAt: now + 1, idleTimeout: -1 }, now), 'ERR_CONFIG_OPTION');
      await rejectsWith(backend.load(s.key, Number.NaN), 'ERR_CONFIG_OPTION');
      await rejectsWith(backend.update(s.key, { expectedVersion: 1, data: {}, expiresAt: now - 1 }, now), 'ERR_CONFIG_OPTION');
      await rejectsWith(backend.deleteOwner!('', now), 'ERR_CONFIG_OPTION');
      expect(await backend.load(s.key, now)).toMatchObject({ version: 1, data: { n: 0 } });
    });
  });
}

export { DAY, HOUR };
