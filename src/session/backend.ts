/**
 * The storage backend seam: where a session's state lives when it does not
 * live in the cookie. The cookie then carries only the session **key** that
 * a backend hands out (sealed with the key ring like any cookie), and the
 * backend keeps the state and its expiry under that key.
 *
 * It is actix-session's five operations (load, save, update, update-TTL,
 * delete) with what a typed, revocable session needs on top: expiry checked
 * against the caller's clock, a version per record for optimistic
 * concurrency, and an optional owner for "log out everywhere".
 *
 * Implementations: {@link MemoryBackend} (one process; tests and docs) and
 * `RedisBackend` from `sealed-session/redis` (node-redis or ioredis, single
 * node or Redis Cluster). Every implementation must pass the same
 * conformance suite (test/session/backend-suite.ts).
 *
 * @module
 */
import { configError, SessionError } from '../errors';
import { randomBytes } from '../seal/engine';
import { toBase64Url } from '../util/encoding';
import type { JsonObject } from './schema';

/**
 * One stored session, as {@link SessionBackend.load} returns it. All times
 * are ms since the epoch on the caller's clock; durations are ms.
 *
 * @example
 * ```ts
 * const record: StoredSession | undefined = await backend.load(key, Date.now());
 * if (record) console.log(record.version, new Date(record.idleExpiresAt));
 * ```
 */
export interface StoredSession {
  /** The session key: what the cookie carries (sealed). Treat it as a secret. */
  readonly key: string;
  /** The state, a JSON object (a copy: changing it changes nothing stored). */
  readonly data: JsonObject;
  /** When the session was created. */
  readonly createdAt: number;
  /** The absolute end: the session dies then whatever happens. */
  readonly expiresAt: number;
  /** The idle window (ms); 0 for none. */
  readonly idleTimeout: number;
  /** The idle end: `min(last activity + idleTimeout, expiresAt)`; `expiresAt` without an idle window. */
  readonly idleExpiresAt: number;
  /** 1 when saved, one more with every {@link SessionBackend.update} (a touch does not count). */
  readonly version: number;
  /** Whose session this is, for {@link SessionBackend.deleteOwner}. Fixed for a key: a new owner takes a new key ({@link SessionBackend.renew}). */
  readonly owner?: string | undefined;
}

/**
 * What {@link SessionBackend.save} stores.
 *
 * @example
 * ```ts
 * const now = Date.now();
 * const session: NewSession = { data: { cart: [] }, expiresAt: now + 7 * 86_400_000, idleTimeout: 3_600_000, owner: 'ada' };
 * const { key } = await backend.save(session, now);
 * ```
 */
export interface NewSession {
  /** The state to store (a JSON object). */
  readonly data: JsonObject;
  /** Default: `now`. */
  readonly createdAt?: number | undefined;
  /** The absolute end (after `now`). */
  readonly expiresAt: number;
  /** The idle window in ms; absent or 0 for none. */
  readonly idleTimeout?: number | undefined;
  /** Whose session this is (1–1024 characters), e.g. the user id; absent for an anonymous session. */
  readonly owner?: string | undefined;
}

/**
 * What {@link SessionBackend.update} writes: the new state, if the record is still at `expectedVersion`.
 *
 * @example
 * ```ts
 * const change: SessionChange = { expectedVersion: loaded.version, data: { ...loaded.data, theme: 'dark' } };
 * const result = await backend.update(loaded.key, change, Date.now());
 * ```
 */
export interface SessionChange {
  /** The version the caller loaded; the write is refused (`conflict`) if the record moved on. */
  readonly expectedVersion: number;
  /** The new state (a JSON object). */
  readonly data: JsonObject;
  /** A new absolute end (e.g. after `setTtl`); default: unchanged. */
  readonly expiresAt?: number | undefined;
  /** A new idle window; default: unchanged. */
  readonly idleTimeout?: number | undefined;
}

/**
 * What {@link SessionBackend.renew} writes under the new key, if the old record is still at `expectedVersion`.
 *
 * @example
 * ```ts
 * const now = Date.now();
 * const renewed: RenewedSession = { expectedVersion: loaded.version, data: loaded.data, expiresAt: now + 86_400_000, owner: 'ada' };
 * const result = await backend.renew?.(loaded.key, renewed, now);
 * ```
 */
export interface RenewedSession extends NewSession {
  /** The version the caller loaded; the renew is refused (`conflict`) if the record moved on. */
  readonly expectedVersion: number;
}

/**
 * The outcome of a versioned write. `conflict`: another write came first;
 * `current` is the record as it is now, so the caller can merge and retry
 * (see {@link updateWithRetry}). `missing`: the session is gone (deleted,
 * ended by {@link SessionBackend.deleteOwner}, or expired) and must not be
 * written back: a write must never resurrect a revoked session.
 *
 * @example
 * ```ts
 * const result: WriteResult = await backend.update(key, { expectedVersion: 3, data }, Date.now());
 * if (!result.ok && result.reason === 'conflict') console.log('now at version', result.current.version);
 * ```
 */
export type WriteResult =
  | {
      /** Written. */
      readonly ok: true;
      /** The record as written. */
      readonly session: StoredSession;
    }
  | {
      /** Not written. */
      readonly ok: false;
      /** Another write came first. */
      readonly reason: 'conflict';
      /** The record as it is now. */
      readonly current: StoredSession;
    }
  | {
      /** Not written. */
      readonly ok: false;
      /** The session is gone. */
      readonly reason: 'missing';
    };

/**
 * A session store. Keys are made by the backend ({@link save},
 * {@link renew}); a caller only ever passes back a key it got from the
 * backend and read from an authenticated (sealed) cookie, never bytes an
 * unsealed cookie carried. Every operation takes the caller's `now`, and a
 * record is alive while `now < idleExpiresAt` (which is never past
 * `expiresAt`); the store's own expiry (Redis TTL) only collects garbage.
 *
 * Failures: an operation that cannot reach its store, times out, or gets an
 * error back rejects with a `SessionError` of code `ERR_STORE_UNAVAILABLE`,
 * never with an empty answer. A bad argument (a time that is not an integer,
 * an expiry in the past, an owner that is not a string) throws
 * `ERR_CONFIG_OPTION`.
 *
 * A backend for another store, for example a SQL table
 * `sessions(key, data, created_at, expires_at, idle_timeout, idle_expires_at, version, owner)`:
 *
 * @example
 * ```ts
 * import { randomBytes } from 'node:crypto';
 * import { SessionError, type SessionBackend, type StoredSession } from 'sealed-session';
 *
 * const unavailable = (cause: unknown) => new SessionError('ERR_STORE_UNAVAILABLE', 'sessions table unavailable', { cause });
 *
 * export const sqlBackend = (db: Db): SessionBackend => ({
 *   async load(key, now, touchAfter) {
 *     const row = await db.one('SELECT * FROM sessions WHERE key = $1 AND idle_expires_at > $2', [key, now]).catch((e) => { throw unavailable(e); });
 *     if (!row) return undefined;
 *     if (touchAfter !== undefined) await this.touch(key, now, touchAfter);
 *     return toStored(row);
 *   },
 *   async save(s, now) {
 *     const key = randomBytes(32).toString('base64url');
 *     const idle = s.idleTimeout ?? 0;
 *     const end = idle ? Math.min(now + idle, s.expiresAt) : s.expiresAt;
 *     await db.run('INSERT INTO sessions VALUES ($1, $2, $3, $4, $5, $6, 1, $7)', [key, JSON.stringify(s.data), s.createdAt ?? now, s.expiresAt, idle, end, s.owner ?? null]);
 *     return { key, data: s.data, createdAt: s.createdAt ?? now, expiresAt: s.expiresAt, idleTimeout: idle, idleExpiresAt: end, version: 1, owner: s.owner };
 *   },
 *   async update(key, change, now) {
 *     // UPDATE … SET data = $1, version = version + 1, idle_expires_at = … WHERE key = $2 AND version = $3 AND idle_expires_at > $4
 *     // 1 row: ok; 0 rows: SELECT it again → 'conflict' with the current row, or 'missing'.
 *   },
 *   async touch(key, now, after = 0) {
 *     // UPDATE … SET idle_expires_at = LEAST($now + idle_timeout, expires_at) WHERE key = $1 AND idle_timeout > 0
 *     //   AND LEAST($now + idle_timeout, expires_at) - idle_expires_at >= GREATEST($after, 1) AND idle_expires_at > $now
 *   },
 *   async delete(key) {
 *     await db.run('DELETE FROM sessions WHERE key = $1', [key]);
 *   },
 *   async deleteOwner(owner) {
 *     return (await db.run('DELETE FROM sessions WHERE owner = $1', [owner])).rowCount;
 *   },
 * });
 * ```
 */
export interface SessionBackend {
  /**
   * The session under `key`, or `undefined` if there is none or it has
   * ended by `now`. With `touchAfter` (ms), also moves the idle end
   * forward, in the same round trip, when that gains at least `touchAfter`
   * ms (see {@link touch}); the returned record shows the new idle end.
   */
  load(key: string, now: number, touchAfter?: number): Promise<StoredSession | undefined>;
  /** Store a new session under a new key (≥ 256 random bits) and return it, version 1. */
  save(session: NewSession, now: number): Promise<StoredSession>;
  /** Replace the state (and optionally the expiry) if the record is at `change.expectedVersion`; activity, so the idle end moves to `now + idleTimeout` (never past `expiresAt`). */
  update(key: string, change: SessionChange, now: number): Promise<WriteResult>;
  /**
   * Update-TTL: move the idle end to `min(now + idleTimeout, expiresAt)` when
   * that gains at least `after` ms (default 0: any gain), so the caller
   * throttles writes. Never moves it back, never past `expiresAt`, does not
   * change the version. Returns the idle end now in force, or `undefined` if
   * the session has ended.
   */
  touch(key: string, now: number, after?: number): Promise<number | undefined>;
  /** Delete the session (nothing happens if there is none). */
  delete(key: string): Promise<void>;
  /**
   * Optional: atomically move the session to a new key (the old one stops
   * working in the same step) with the given state, times and owner, if the
   * old record is at `expectedVersion`. Without it, a caller does
   * `save` + `delete`.
   */
  renew?(key: string, session: RenewedSession, now: number): Promise<WriteResult>;
  /** Optional ("log out everywhere"): end every session of `owner` at once; returns how many were alive. */
  deleteOwner?(owner: string, now: number): Promise<number>;
}

const MAX_TIME = 8.64e15;

/** @internal Check a time (ms since the epoch) given to a backend. */
export function checkTime(value: unknown, option: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || value > MAX_TIME) {
    throw configError('ERR_CONFIG_OPTION', option, 'must be a whole number of milliseconds since the epoch');
  }
  return value;
}

/** @internal Check an owner id given to a backend. */
export function checkOwner(value: unknown, option = 'owner'): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0 || value.length > 1024) {
    throw configError('ERR_CONFIG_OPTION', option, 'must be a string of 1 to 1024 characters, or undefined');
  }
  return value;
}

/** @internal Check the state given to a backend and serialise it. */
export function encodeData(value: unknown, option = 'data'): string {
  let json: string | undefined;
  try {
    json = value !== null && typeof value === 'object' && !Array.isArray(value) ? JSON.stringify(value) : undefined;
  } catch {
    json = undefined;
  }
  if (json === undefined) throw configError('ERR_CONFIG_OPTION', option, 'must be a JSON object');
  return json;
}

/** @internal The checked times of a new or renewed session. */
export function checkNew(session: NewSession, now: number): { createdAt: number; expiresAt: number; idleTimeout: number; idleExpiresAt: number } {
  checkTime(now, 'now');
  const createdAt = session.createdAt === undefined ? now : checkTime(session.createdAt, 'createdAt');
  const expiresAt = checkTime(session.expiresAt, 'expiresAt');
  if (expiresAt <= now) throw configError('ERR_CONFIG_OPTION', 'expiresAt', 'must be after now');
  const idleTimeout = session.idleTimeout === undefined ? 0 : checkTime(session.idleTimeout, 'idleTimeout');
  return { createdAt, expiresAt, idleTimeout, idleExpiresAt: idleEnd(now, idleTimeout, expiresAt) };
}

/** @internal Where the idle window of activity at `now` ends. */
export function idleEnd(now: number, idleTimeout: number, expiresAt: number): number {
  return idleTimeout === 0 ? expiresAt : Math.min(now + idleTimeout, expiresAt);
}

/** @internal A new random session key: 256 bits, base64url (43 characters). */
export function randomKey(): string {
  return toBase64Url(randomBytes(32));
}

/**
 * Options of {@link updateWithRetry}.
 *
 * @example
 * ```ts
 * const options: UpdateWithRetryOptions = { retries: 10 };
 * await updateWithRetry(backend, key, (d) => ({ ...d, seen: true }), options);
 * ```
 */
export interface UpdateWithRetryOptions {
  /** The caller's clock. Default `Date.now()`. */
  readonly now?: number;
  /** How many times to re-read and re-apply after a conflict. Default 3. */
  readonly retries?: number;
}

/**
 * Read-modify-write without lost updates: loads the session, applies
 * `change` to its state and writes the result at the version it read; when
 * another write came first, applies `change` again to the state as it is
 * now. `change` must be a pure function of the state it gets (it may run
 * several times). Returning `undefined` writes nothing.
 *
 * Resolves to the stored session, or `undefined` if there is none (or it
 * ended meanwhile: it is never written back). Rejects with
 * `ERR_STORE_CONFLICT` when every retry met a newer version, and with
 * `ERR_STORE_UNAVAILABLE` when the store fails.
 *
 * @example
 * ```ts
 * await updateWithRetry(backend, key, (cart) => ({ ...cart, items: [...(cart.items as string[]), 'book'] }));
 * ```
 */
export async function updateWithRetry(
  backend: SessionBackend,
  key: string,
  change: (data: JsonObject, current: StoredSession) => JsonObject | undefined,
  { now = Date.now(), retries = 3 }: UpdateWithRetryOptions = {},
): Promise<StoredSession | undefined> {
  let current = await backend.load(key, now);
  for (let attempt = 0; current !== undefined; attempt++) {
    const data = change(current.data, current);
    if (data === undefined) return current;
    const result = await backend.update(key, { expectedVersion: current.version, data }, now);
    if (result.ok) return result.session;
    if (result.reason === 'missing') return undefined;
    if (attempt >= retries) {
      throw new SessionError('ERR_STORE_CONFLICT', `sealed-session: the session changed under ${retries + 1} attempts to update it`);
    }
    current = result.current;
  }
  return undefined;
}

interface MemoryRecord {
  json: string;
  createdAt: number;
  expiresAt: number;
  idleTimeout: number;
  idleExpiresAt: number;
  version: number;
  owner: string | undefined;
}

/**
 * A {@link SessionBackend} in this process's memory: for tests, examples
 * and single-process apps. It stores a serialised copy of the state (so it
 * behaves like a remote store: no shared objects), drops a record when it
 * is found ended, and sweeps ended records on every write, so it never grows
 * past the sessions alive.
 *
 * @example
 * ```ts
 * const backend = new MemoryBackend();
 * const now = Date.now();
 * const { key } = await backend.save({ data: { cart: [] }, expiresAt: now + 86_400_000, idleTimeout: 3_600_000, owner: 'ada' }, now);
 * (await backend.load(key, Date.now()))?.data; // { cart: [] }
 * await backend.deleteOwner('ada', Date.now()); // 1
 * ```
 */
export class MemoryBackend implements SessionBackend {
  readonly #records = new Map<string, MemoryRecord>();
  #lastSweep = 0;

  /** How many records are held (alive or not yet swept). */
  get size(): number {
    return this.#records.size;
  }

  #alive(key: string, now: number): MemoryRecord | undefined {
    const record = this.#records.get(key);
    if (record === undefined) return undefined;
    if (now >= record.idleExpiresAt) {
      this.#records.delete(key);
      return undefined;
    }
    return record;
  }

  #sweep(now: number): void {
    if (now - this.#lastSweep < 1000) return;
    this.#lastSweep = now;
    for (const [key, record] of this.#records) if (now >= record.idleExpiresAt) this.#records.delete(key);
  }

  #touch(record: MemoryRecord, now: number, after: number): void {
    const end = idleEnd(now, record.idleTimeout, record.expiresAt);
    if (end - record.idleExpiresAt >= Math.max(after, 1)) record.idleExpiresAt = end;
  }

  #stored(key: string, r: MemoryRecord): StoredSession {
    return {
      key,
      data: JSON.parse(r.json) as JsonObject,
      createdAt: r.createdAt,
      expiresAt: r.expiresAt,
      idleTimeout: r.idleTimeout,
      idleExpiresAt: r.idleExpiresAt,
      version: r.version,
      owner: r.owner,
    };
  }

  async load(key: string, now: number, touchAfter?: number): Promise<StoredSession | undefined> {
    checkTime(now, 'now');
    const record = this.#alive(key, now);
    if (record === undefined) return undefined;
    if (touchAfter !== undefined) this.#touch(record, now, checkTime(touchAfter, 'touchAfter'));
    return this.#stored(key, record);
  }

  async save(session: NewSession, now: number): Promise<StoredSession> {
    const times = checkNew(session, now);
    const record: MemoryRecord = { json: encodeData(session.data), ...times, version: 1, owner: checkOwner(session.owner) };
    this.#sweep(now);
    const key = randomKey();
    this.#records.set(key, record);
    return this.#stored(key, record);
  }

  async update(key: string, change: SessionChange, now: number): Promise<WriteResult> {
    checkTime(now, 'now');
    checkTime(change.expectedVersion, 'expectedVersion');
    const json = encodeData(change.data);
    const expiresAt = change.expiresAt === undefined ? undefined : checkTime(change.expiresAt, 'expiresAt');
    if (expiresAt !== undefined && expiresAt <= now) throw configError('ERR_CONFIG_OPTION', 'expiresAt', 'must be after now');
    const idleTimeout = change.idleTimeout === undefined ? undefined : checkTime(change.idleTimeout, 'idleTimeout');
    const record = this.#alive(key, now);
    if (record === undefined) return { ok: false, reason: 'missing' };
    if (record.version !== change.expectedVersion) return { ok: false, reason: 'conflict', current: this.#stored(key, record) };
    record.json = json;
    if (expiresAt !== undefined) record.expiresAt = expiresAt;
    if (idleTimeout !== undefined) record.idleTimeout = idleTimeout;
    record.idleExpiresAt = idleEnd(now, record.idleTimeout, record.expiresAt);
    record.version += 1;
    this.#sweep(now);
    return { ok: true, session: this.#stored(key, record) };
  }

  async touch(key: string, now: number, after = 0): Promise<number | undefined> {
    checkTime(now, 'now');
    checkTime(after, 'after');
    const record = this.#alive(key, now);
    if (record === undefined) return undefined;
    this.#touch(record, now, after);
    return record.idleExpiresAt;
  }

  async delete(key: string): Promise<void> {
    this.#records.delete(key);
  }

  async renew(key: string, session: RenewedSession, now: number): Promise<WriteResult> {
    checkTime(session.expectedVersion, 'expectedVersion');
    const times = checkNew(session, now);
    const json = encodeData(session.data);
    const owner = checkOwner(session.owner);
    const old = this.#alive(key, now);
    if (old === undefined) return { ok: false, reason: 'missing' };
    if (old.version !== session.expectedVersion) return { ok: false, reason: 'conflict', current: this.#stored(key, old) };
    this.#records.delete(key);
    const record: MemoryRecord = { json, ...times, version: old.version + 1, owner };
    const next = randomKey();
    this.#records.set(next, record);
    return { ok: true, session: this.#stored(next, record) };
  }

  async deleteOwner(owner: string, now: number): Promise<number> {
    checkTime(now, 'now');
    checkOwner(owner);
    let count = 0;
    for (const [key, record] of this.#records) {
      if (record.owner !== owner) continue;
      if (now < record.idleExpiresAt) count++;
      this.#records.delete(key);
    }
    return count;
  }
}
