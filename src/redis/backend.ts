/**
 * {@link RedisBackend}: the {@link SessionBackend} in Redis. The design (keys,
 * slots, faults) is described on the `sealed-session/redis` entry
 * (src/redis/index.ts); the Lua scripts are in scripts.ts.
 *
 * @module
 * @internal
 */
import type * as NodeCrypto from 'node:crypto';
import { configError, SessionError } from '../errors';
import {
  checkNew,
  checkOwner,
  checkTime,
  encodeData,
  randomKey,
  type NewSession,
  type RenewedSession,
  type SessionBackend,
  type SessionChange,
  type StoredSession,
  type WriteResult,
} from '../session/backend';
import { randomBytes } from '../seal/engine';
import { toBase64Url } from '../util/encoding';
import type { JsonObject } from '../session/schema';
import { nodeCrypto, scriptRunner, unavailable, type RedisClientLike, type ScriptRunner } from './client';
import { DELETE, END_OWNER, LOAD, MEMBERS, RENEW, RETIRE, SAVE, TOUCH, UPDATE } from './scripts';


/**
 * Options of `new RedisBackend(options)`.
 *
 * @example
 * ```ts
 * const options: RedisBackendOptions = { client, prefix: 'myapp:sess:', commandTimeout: 500 };
 * const backend = new RedisBackend(options);
 * ```
 */
export interface RedisBackendOptions {
  /**
   * A connected client: node-redis `createClient()`/`createCluster()` (give it
   * an `error` listener) or ioredis `new Redis()`/`new Cluster()`. The backend
   * never connects, quits or reconfigures it.
   */
  readonly client: RedisClientLike;
  /** Prefix of every key, without `{` or `}`. Default `sess:`. */
  readonly prefix?: string;
  /** Ms a command may take before it fails with `ERR_STORE_UNAVAILABLE`. Default 1000. */
  readonly commandTimeout?: number;
}

const KEY = /^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;
/** A record's fields, in the order the scripts return them (scripts.ts). */
const FIELDS = ['d', 'c', 'e', 'i', 'x', 'v', 'o'];
const MEMBER = /^[A-Za-z0-9_-]{43}$/;
type Field = string | null | undefined;

/**
 * The Redis {@link SessionBackend}. See the module documentation for the
 * key and slot design; the Lua scripts are in `src/redis/scripts.ts`.
 *
 * @example
 * ```ts
 * const backend = new RedisBackend({ client: new Redis(process.env.REDIS_URL!), commandTimeout: 500 });
 * const now = Date.now();
 * const saved = await backend.save({ data: { cart: [] }, expiresAt: now + 7 * 86_400_000, idleTimeout: 86_400_000 }, now);
 * const loaded = await backend.load(saved.key, Date.now(), 60_000); // touches the idle end once a minute at most
 * ```
 */
export class RedisBackend implements SessionBackend {
  readonly #run: ScriptRunner['run'];
  readonly #read: ScriptRunner['read'];
  readonly #prefix: string;
  readonly #crypto: typeof NodeCrypto;

  constructor(options: RedisBackendOptions) {
    if (options === null || typeof options !== 'object') throw configError('ERR_CONFIG_OPTION', 'options', 'must be an object with a client');
    const prefix = options.prefix ?? 'sess:';
    if (typeof prefix !== 'string' || /[{}]/.test(prefix) || prefix.length > 200) {
      throw configError('ERR_CONFIG_OPTION', 'prefix', 'must be a string of at most 200 characters without { or } (they would change the hash slot)');
    }
    const timeout = options.commandTimeout ?? 1000;
    if (typeof timeout !== 'number' || !Number.isInteger(timeout) || timeout < 1 || timeout > 60_000) {
      throw configError('ERR_CONFIG_OPTION', 'commandTimeout', 'must be a whole number of milliseconds from 1 to 60000');
    }
    const runner = scriptRunner(options.client, timeout);
    this.#run = runner.run;
    this.#read = runner.read;
    this.#prefix = prefix;
    this.#crypto = nodeCrypto();
  }

  #hash(text: string): string {
    return this.#crypto.createHash('sha256').update(text).digest('base64url');
  }

  #tagOf(owner: string): string {
    return this.#hash(`sealed-session owner\0${owner}`).slice(0, 22);
  }

  /** The Redis names for a key: record, owner index, index member. `undefined` for a key this backend did not make. */
  #names(key: string): { tag: string; rec: string; idx: string; member: string } | undefined {
    const tag = typeof key === 'string' ? KEY.exec(key)?.[1] : undefined;
    if (tag === undefined) return undefined;
    const member = this.#hash(key);
    return { tag, rec: `${this.#prefix}{${tag}}:${member}`, idx: `${this.#prefix}{${tag}}:o`, member };
  }

  #newKey(tag: string) {
    const key = `${tag}.${randomKey()}`; // 256 bits from the library's one CSPRNG draw (seal/engine)
    return { key, ...this.#names(key)! };
  }

  #record(key: string, reply: unknown, offset = 0): StoredSession {
    const f = (Array.isArray(reply) ? reply.slice(offset, offset + 7) : []) as Field[];
    const num = (value: Field) => (typeof value === 'string' && /^\d{1,16}$/.test(value) ? Number(value) : NaN);
    const [createdAt, expiresAt, idleTimeout, idleExpiresAt, version] = [f[1], f[2], f[3], f[4], f[5]].map(num) as [number, number, number, number, number];
    let data: unknown;
    try {
      data = typeof f[0] === 'string' ? JSON.parse(f[0]) : undefined;
    } catch {
      data = undefined;
    }
    const owner = f[6] ?? undefined;
    if (
      data === null || typeof data !== 'object' || Array.isArray(data) ||
      ![createdAt, expiresAt, idleTimeout, idleExpiresAt, version].every(Number.isSafeInteger) ||
      (owner !== undefined && typeof owner !== 'string')
    ) {
      throw unavailable('answered with a session record this backend did not write');
    }
    return { key, data: data as JsonObject, createdAt, expiresAt, idleTimeout, idleExpiresAt, version, owner };
  }

  #conflictOrMissing(key: string, reply: unknown[]): WriteResult {
    if (reply[0] === 'conflict') return { ok: false, reason: 'conflict', current: this.#record(key, reply, 1) };
    if (reply[0] === 'missing') return { ok: false, reason: 'missing' };
    throw unavailable('answered a write with something this backend did not expect');
  }

  async load(key: string, now: number, touchAfter?: number): Promise<StoredSession | undefined> {
    checkTime(now, 'now');
    const after = touchAfter === undefined ? -1 : checkTime(touchAfter, 'touchAfter');
    const n = this.#names(key);
    if (n === undefined) return undefined;
    if (after < 0 && this.#read !== undefined) {
      // Read only: one HMGET, no script. A record found ended on the caller's clock goes to the script, which drops it.
      const fields = await this.#read(n.rec, FIELDS);
      if (!Array.isArray(fields) || fields[0] === null || fields[0] === undefined) return undefined;
      const record = this.#record(key, fields);
      if (now < record.idleExpiresAt) return record;
    }
    const reply = await this.#run(LOAD, [n.rec, n.idx], [String(now), String(after), n.member]);
    return reply === null || reply === undefined || reply === false ? undefined : this.#record(key, reply);
  }

  async save(session: NewSession, now: number): Promise<StoredSession> {
    const t = checkNew(session, now);
    const json = encodeData(session.data);
    const owner = checkOwner(session.owner);
    const tag = owner === undefined ? toBase64Url(randomBytes(16)) : this.#tagOf(owner);
    const n = this.#newKey(tag);
    await this.#create(n, json, t, owner, 1, now);
    return { key: n.key, data: JSON.parse(json) as JsonObject, ...t, version: 1, owner };
  }

  async #create(
    n: { rec: string; idx: string; member: string },
    json: string,
    t: { createdAt: number; expiresAt: number; idleTimeout: number; idleExpiresAt: number },
    owner: string | undefined,
    version: number,
    now: number,
  ): Promise<void> {
    const args = [String(now), n.member, json, String(t.createdAt), String(t.expiresAt), String(t.idleTimeout), String(t.idleExpiresAt), owner ?? '', String(version)];
    const created = await this.#run(SAVE, [n.rec, n.idx], args);
    // 256 random bits never collide; a 0 here means something else wrote under our prefix.
    if (created !== 1) throw unavailable('already holds a record under a brand-new session key');
  }

  async update(key: string, change: SessionChange, now: number): Promise<WriteResult> {
    checkTime(now, 'now');
    const expected = checkTime(change.expectedVersion, 'expectedVersion');
    const json = encodeData(change.data);
    const expiresAt = change.expiresAt === undefined ? undefined : checkTime(change.expiresAt, 'expiresAt');
    if (expiresAt !== undefined && expiresAt <= now) throw configError('ERR_CONFIG_OPTION', 'expiresAt', 'must be after now');
    const idleTimeout = change.idleTimeout === undefined ? undefined : checkTime(change.idleTimeout, 'idleTimeout');
    const n = this.#names(key);
    if (n === undefined) return { ok: false, reason: 'missing' };
    const args = [String(now), n.member, String(expected), json, expiresAt === undefined ? '' : String(expiresAt), idleTimeout === undefined ? '' : String(idleTimeout)];
    const reply = (await this.#run(UPDATE, [n.rec, n.idx], args)) as unknown[];
    if (!Array.isArray(reply) || reply[0] !== 'ok') return this.#conflictOrMissing(key, Array.isArray(reply) ? reply : []);
    // The script does not send the state back: it is the one written.
    return { ok: true, session: this.#record(key, [json, ...reply.slice(1)]) };
  }

  async touch(key: string, now: number, after = 0): Promise<number | undefined> {
    checkTime(now, 'now');
    checkTime(after, 'after');
    const n = this.#names(key);
    if (n === undefined) return undefined;
    const reply = await this.#run(TOUCH, [n.rec, n.idx], [String(now), String(after), n.member]);
    if (reply === null || reply === undefined || reply === false) return undefined;
    const end = Number(reply);
    if (!Number.isSafeInteger(end)) throw unavailable('answered a touch with something this backend did not expect');
    return end;
  }

  async delete(key: string): Promise<void> {
    const n = this.#names(key);
    if (n === undefined) return;
    await this.#run(DELETE, [n.rec, n.idx], [n.member]);
  }

  async renew(key: string, session: RenewedSession, now: number): Promise<WriteResult> {
    const expected = checkTime(session.expectedVersion, 'expectedVersion');
    const t = checkNew(session, now);
    const json = encodeData(session.data);
    const owner = checkOwner(session.owner);
    const old = this.#names(key);
    if (old === undefined) return { ok: false, reason: 'missing' };
    const tag = owner === undefined ? old.tag : this.#tagOf(owner);
    const stored = (n: { key: string }, version: number): WriteResult => ({
      ok: true,
      session: { key: n.key, data: JSON.parse(json) as JsonObject, ...t, version, owner },
    });

    if (tag === old.tag) {
      for (;;) {
        const n = this.#newKey(tag);
        const args = [String(now), old.member, n.member, String(expected), json, String(t.createdAt), String(t.expiresAt), String(t.idleTimeout), String(t.idleExpiresAt), owner ?? ''];
        const reply = (await this.#run(RENEW, [old.rec, n.rec, old.idx], args)) as unknown[];
        if (Array.isArray(reply) && reply[0] === 'ok') return stored(n, Number(reply[1]));
        if (Array.isArray(reply) && reply[0] === 'taken') continue; // 2^-256; draw another key
        return this.#conflictOrMissing(key, Array.isArray(reply) ? reply : []);
      }
    }

    // A new owner: the new record goes to the owner's slot first, then the old one is retired.
    const n = this.#newKey(tag);
    await this.#create(n, json, t, owner, expected + 1, now);
    let reply: unknown[];
    try {
      reply = (await this.#run(RETIRE, [old.rec, old.idx], [String(now), old.member, String(expected)])) as unknown[];
    } catch (err) {
      await this.#run(DELETE, [n.rec, n.idx], [n.member]).catch(() => {});
      throw err;
    }
    if (Array.isArray(reply) && reply[0] === 'ok') return stored(n, expected + 1);
    await this.#run(DELETE, [n.rec, n.idx], [n.member]);
    return this.#conflictOrMissing(key, Array.isArray(reply) ? reply : []);
  }

  async deleteOwner(owner: string, now: number): Promise<number> {
    checkTime(now, 'now');
    if (checkOwner(owner) === undefined) throw configError('ERR_CONFIG_OPTION', 'owner', 'must be a string of 1 to 1024 characters');
    const tag = this.#tagOf(owner);
    const idx = `${this.#prefix}{${tag}}:o`;
    for (let attempt = 0; attempt < 8; attempt++) {
      const members = await this.#run(MEMBERS, [idx], []);
      if (!Array.isArray(members) || !members.every((m): m is string => typeof m === 'string' && MEMBER.test(m))) {
        throw unavailable('answered with an owner index this backend did not write');
      }
      const recs = members.map((m) => `${this.#prefix}{${tag}}:${m}`);
      const count = await this.#run(END_OWNER, [idx, ...recs], [String(now), owner, ...members]);
      if (typeof count !== 'number' || !Number.isSafeInteger(count)) throw unavailable('answered a log-out-everywhere with something unexpected');
      if (count >= 0) return count;
    }
    throw new SessionError('ERR_STORE_CONFLICT', 'sealed-session: the sessions of this owner kept changing during log-out-everywhere; try again');
  }
}
