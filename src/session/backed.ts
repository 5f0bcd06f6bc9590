/**
 * Sessions whose state lives in a storage backend ({@link SessionBackend}):
 * the cookie store's `spill` option, and `RedisSessionStore` (which spills
 * always). The cookie then seals, instead of the state, the backend's
 * session key: the payload's `v` is that key, a string, where a
 * cookie-held session has its state, an object (a state is never a string,
 * so the two cannot be mistaken for each other). Everything else in the
 * cookie is as usual: id, creation time, own lifetimes, the envelope's issue
 * time, the purpose binding, key rotation.
 *
 * Two hooks, both per request:
 * - {@link openBacked}, when the store has opened an authentic cookie: reads
 *   the state a key points to (one backend round trip, which also moves the
 *   idle end when the cookie is due for a re-issue);
 * - {@link BackendLink.write}, the session's commit: writes the state where it
 *   belongs (the backend only when it changed; the cookie while it fits, with
 *   `spill` in hybrid mode) and returns the cookies.
 *
 * Concurrency: the backend's versioned write. When another request wrote the
 * session since it was loaded, the fields this request changed are applied to
 * the state as it is now (`onConflict: 'merge'`, the default), unless both
 * changed the same field: then the commit throws `ERR_STORE_CONFLICT` and
 * writes nothing. `'error'` throws on any concurrent write, `'overwrite'`
 * writes this request's state over the other's (last writer wins).
 *
 * @module
 * @internal
 */
import { configError, isSessionError, SessionError } from '../errors';
import { isPromiseLike, type MaybePromise } from '../util/maybe-promise';
import type { NewSession, SessionBackend, StoredSession } from './backend';
import { Lifetime } from './lifetime';
import type { InvalidReason, ResolvedStoreOptions } from './options';
import type { SessionPayload } from './payload';
import { jsonObjectIssue, outputIssue, validateSync, type Json, type JsonObject } from './schema';
import type { SessionStatus } from './session';
import { writeCookies, type WriteRequest, type WriteResult } from './writer';

/**
 * What a concurrent change of the same session does to a commit; see {@link SpillOptions.onConflict}.
 *
 * @example
 * ```ts
 * const onConflict: ConflictPolicy = 'error'; // refuse any concurrent change
 * const store = new RedisSessionStore({ client, keys, onConflict });
 * ```
 */
export type ConflictPolicy = 'merge' | 'error' | 'overwrite';

/**
 * The cookie store's `spill` option in full (a {@link SessionBackend} alone
 * is the same as `{ backend }`).
 *
 * @typeParam State the session state type.
 *
 * @example
 * ```ts
 * const store = new CookieSessionStore({
 *   keys: process.env.SESSION_SECRET!,
 *   schema,
 *   spill: { backend: new RedisBackend({ client }), onConflict: 'error' },
 * });
 * ```
 */
export interface SpillOptions<State = JsonObject> {
  /** Where a state that does not fit the cookie goes. */
  readonly backend: SessionBackend;
  /**
   * Keep every session's state in the backend, never in the cookie (which
   * then carries only the session key): revocable sessions of any size.
   * `RedisSessionStore` is a store with this set. Default false: the state
   * stays in the cookie while it fits the budget (`maxBytes`).
   */
  readonly always?: boolean;
  /**
   * With `always`: whose session it is, from its state (for example
   * `(s) => s.userId`), so that `backend.deleteOwner(owner)` ends every
   * session of that user at once ("log out everywhere"). A session whose
   * owner changes gets a new key on its commit, as with `renew()`.
   */
  readonly owner?: (state: State) => string | undefined;
  /**
   * When another request wrote the same session after this one loaded it:
   * - `merge` (default): the fields this request changed are applied to the
   *   session as it is now, and the others keep the other request's values;
   *   a field both requests changed (to different values), or a merged state
   *   the schema refuses, throws `ERR_STORE_CONFLICT` and writes nothing.
   * - `error`: any concurrent write throws `ERR_STORE_CONFLICT` (nothing written).
   * - `overwrite`: this request's state replaces the other's (last writer wins).
   */
  readonly onConflict?: ConflictPolicy;
}

/** `spill` after validation. */
export interface ResolvedSpill {
  readonly backend: SessionBackend;
  readonly always: boolean;
  readonly owner: ((state: never) => string | undefined) | undefined;
  readonly onConflict: ConflictPolicy;
}

const KNOWN = ['backend', 'always', 'owner', 'onConflict'];
const POLICIES: readonly ConflictPolicy[] = ['merge', 'error', 'overwrite'];
const fail = (option: string, message: string) => configError('ERR_CONFIG_OPTION', option, message);

const isBackend = (value: unknown): value is SessionBackend =>
  value !== null && typeof value === 'object' && ['load', 'save', 'update', 'touch', 'delete'].every((m) => typeof (value as Record<string, unknown>)[m] === 'function');

/** Validate the `spill` option. */
export function resolveSpill(input: unknown): ResolvedSpill | undefined {
  if (input === undefined) return undefined;
  const options = (isBackend(input) ? { backend: input } : input) as Partial<Record<keyof SpillOptions, unknown>> | null;
  if (options === null || typeof options !== 'object' || !isBackend(options.backend)) {
    throw fail('spill', 'must be a session backend (load, save, update, touch, delete), such as new RedisBackend({ client }) from sealed-session/redis, or { backend, always?, owner?, onConflict? }');
  }
  for (const name of Object.keys(options)) if (!KNOWN.includes(name)) throw fail(`spill.${name}`, `is not an option; spill options: ${KNOWN.join(', ')}`);
  const { backend, always = false, owner, onConflict = 'merge' } = options;
  if (typeof always !== 'boolean') throw fail('spill.always', 'must be true or false');
  if (owner !== undefined) {
    if (typeof owner !== 'function') throw fail('owner', 'must be a function from the session state to its owner id (a string) or undefined');
    if (!always) throw fail('owner', 'needs always: true: a session held in the cookie cannot be ended from the server');
    if (typeof backend.deleteOwner !== 'function') throw fail('owner', 'needs a backend with deleteOwner (log out everywhere)');
  }
  if (!POLICIES.includes(onConflict as ConflictPolicy)) throw fail('onConflict', "must be 'merge', 'error' or 'overwrite'");
  return Object.freeze({ backend, always, owner: owner as ResolvedSpill['owner'], onConflict: onConflict as ConflictPolicy });
}

/** What the backend holds of a session (`data` is `{ s: state, f?: flash }`), as loaded or last written. */
interface Stored {
  readonly key: string;
  /** The cookie payload's id the record was written for (a renew changes it). */
  readonly id: string;
  readonly version: number;
  readonly data: JsonObject;
  readonly json: string;
  readonly expiresAt: number;
  readonly idleTimeout: number;
  readonly owner: string | undefined;
}

/** The commit of a backed session: the cookies, and the state when a merge changed it. */
export type BackedWrite = WriteResult & { readonly state?: object };

type Versioned = { ok: true; session: StoredSession } | { ok: false; reason: 'conflict'; current: StoredSession } | { ok: false; reason: 'missing' };

const conflict = (message: string): SessionError => new SessionError('ERR_STORE_CONFLICT', `sealed-session: ${message}; nothing was written`);

const same = (a: unknown, b: unknown): boolean => a === b || JSON.stringify(a) === JSON.stringify(b);

const objectOr = (value: unknown): JsonObject => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as JsonObject) : {});

const field = (o: JsonObject, key: string) => (Object.hasOwn(o, key) ? o[key] : undefined);

/**
 * Three-way merge of one object's fields: `mine` and `theirs` both started
 * from `base`. Fields only one side changed take that side's value; a field
 * both changed throws `ERR_STORE_CONFLICT`, even to the same value (two
 * increments of a counter from 1 both give 2: taking either would lose the
 * other), unless both removed it.
 */
function mergeFields(base: unknown, mine: unknown, theirs: unknown): JsonObject {
  const [b, m, t] = [objectOr(base), objectOr(mine), objectOr(theirs)];
  const out: JsonObject = { ...t };
  for (const key of new Set([...Object.keys(b), ...Object.keys(m)])) {
    const was = field(b, key);
    const value = field(m, key);
    if (same(value, was)) continue;
    const other = field(t, key);
    if (!same(other, was) && !(other === undefined && value === undefined)) {
      throw conflict(`another request changed "${key.slice(0, 64)}" of this session too (load it again and redo the change)`);
    }
    if (value === undefined) delete out[key];
    else out[key] = value;
  }
  return out;
}

/**
 * The link between one request's session and the backend: what was loaded
 * (key, version, state), and the commit (its {@link SessionPersist}).
 */
export interface BackendLink {
  readonly spill: ResolvedSpill;
  /** Remember a loaded record, and the cookie's own lifetimes (`due`: its cookie is due for a re-issue, and the load moved its idle end). */
  loaded(record: StoredSession, payload: SessionPayload, state: unknown, flash: unknown, due: boolean): void;
  readonly write: (o: ResolvedStoreOptions, req: WriteRequest, status: SessionStatus) => MaybePromise<BackedWrite>;
}

/** A new link for one request. */
export function backendLink(spill: ResolvedSpill, o: ResolvedStoreOptions): BackendLink {
  const backend = spill.backend;
  let stored: Stored | undefined;
  /** The idle end was moved already (at load, or by a write). */
  let touched = false;
  /** The cookie is due for a re-issue (sliding its idle window); and its own lifetimes, as loaded. */
  let due = false;
  let lifetimes = '';
  /** The write in progress (settled, never rejecting), if any. */
  let tail: Promise<void> | undefined;
  const lifetimesOf = (p: SessionPayload) => `${p.lifetime}/${p.persistent === true}/${p.idleTimeout}`;

  /** `plan`, once the backend no longer holds this session (it moved back into the cookie, or was destroyed). */
  const forget = (plan: MaybePromise<WriteResult>): MaybePromise<WriteResult> => {
    if (stored === undefined) return plan;
    return backend.delete(stored.key).then(() => {
      stored = undefined;
      return plan;
    });
  };

  /** This request's changes (from `base` to `mine`) applied to `theirs`; the state checked by the schema. */
  const merge = (base: JsonObject, mine: JsonObject, theirs: JsonObject): JsonObject => {
    const flash = mergeFields(base.f, mine.f, theirs.f);
    const checked = validateSync<JsonObject>(o.schema, mergeFields(base.s, mine.s, theirs.s));
    if (checked.issues || outputIssue(o.schema, checked.value)) throw conflict('another request changed this session too, and the two changes together do not pass the schema');
    return Object.keys(flash).length > 0 ? { s: checked.value, f: flash } : { s: checked.value };
  };

  /** A versioned write with the conflict policy: `write(version, data)` until it lands. */
  const versioned = async (from: Stored, mine: JsonObject, write: (version: number, data: JsonObject) => Promise<Versioned>): Promise<[StoredSession, JsonObject]> => {
    let version = from.version;
    let data = mine;
    for (let attempt = 0; ; attempt++) {
      const result = await write(version, data);
      if (result.ok) return [result.session, data];
      // Gone (destroyed, renewed, logged out everywhere, expired) while this request had it: never written back.
      if (result.reason === 'missing') throw conflict('the session ended while this request had it (destroyed, renewed or logged out by another request, or expired)');
      if (spill.onConflict === 'error') throw conflict('another request changed this session after this one loaded it (onConflict: error)');
      if (attempt >= 8) throw conflict('the session kept changing under this request');
      version = result.current.version;
      data = spill.onConflict === 'overwrite' ? mine : merge(from.data, mine, result.current.data);
    }
  };

  /** A renew for a backend without `renew`: the new record first, then the old one deleted. */
  const renewBySave = async (key: string, version: number, session: NewSession, now: number): Promise<Versioned> => {
    const current = await backend.load(key, now);
    if (current === undefined) return { ok: false, reason: 'missing' };
    if (current.version !== version) return { ok: false, reason: 'conflict', current };
    const saved = await backend.save(session, now);
    await backend.delete(key);
    return { ok: true, session: saved };
  };

  const ownerOf = (state: unknown): string | undefined => {
    const owner = spill.owner?.(state as never);
    if (owner !== undefined && (typeof owner !== 'string' || owner.length === 0 || owner.length > 1024)) {
      throw fail('owner', 'must return a string of 1 to 1024 characters, or undefined');
    }
    return owner;
  };

  const toBackend = async (req: WriteRequest, status: SessionStatus): Promise<BackedWrite> => {
    const p = req.payload!;
    const now = req.now;
    const mine: JsonObject = p.flash ? { s: p.state as JsonObject, f: p.flash } : { s: p.state as JsonObject };
    const json = JSON.stringify(mine);
    const times = { createdAt: req.createdAt, expiresAt: req.createdAt + req.lifetime * 1000, idleTimeout: (req.idleTimeout ?? 0) * 1000 };
    const owner = ownerOf(p.state);
    const from = stored;
    let written: StoredSession | undefined;
    let data = mine;
    if (from !== undefined && p.id !== from.id && status !== 'renewed') {
      // destroy() and then new writes: the old session is gone, this is another one.
      await backend.delete(from.key);
      stored = undefined;
    }
    if (stored === undefined) {
      written = await backend.save({ data, ...times, owner }, now);
    } else if (p.id !== stored.id || owner !== stored.owner) {
      // renew(), or a new owner (sign-in): a new key, the old one deleted in the same step.
      const old = stored;
      [written, data] = await versioned(old, mine, (version, d) =>
        backend.renew ? backend.renew(old.key, { expectedVersion: version, data: d, ...times, owner }, now) : renewBySave(old.key, version, { data: d, ...times, owner }, now),
      );
    } else if (json !== stored.json || times.expiresAt !== stored.expiresAt || times.idleTimeout !== stored.idleTimeout) {
      const old = stored;
      [written, data] = await versioned(old, mine, (version, d) => backend.update(old.key, { expectedVersion: version, data: d, expiresAt: times.expiresAt, idleTimeout: times.idleTimeout }, now));
    } else if (status !== 'unchanged') {
      // Written again as it was (a set() to the value it had): nothing to write, no cookie to re-issue.
      return { cookies: [], chunks: 0 };
    } else if (!touched && (await backend.touch(stored.key, now, 0)) === undefined) {
      // Unchanged and re-issued (touch(), a key rotation): the idle end moves with the cookie; unless the session ended meanwhile.
      throw conflict('the session ended while this request had it');
    }
    if (written !== undefined) {
      stored = { key: written.key, id: p.id, version: written.version, data, json: data === mine ? json : JSON.stringify(data), ...times, owner };
    }
    touched = true;
    // A change under the same key needs no new cookie, unless the cookie is due (its idle window slides) or its own lifetimes changed.
    const adopt = data === mine ? undefined : (data.s as object);
    if (written !== undefined && from !== undefined && written.key === from.key && !due && lifetimesOf(p) === lifetimes) {
      return adopt === undefined ? { cookies: [], chunks: 0 } : { cookies: [], chunks: 0, state: adopt };
    }
    due = false;
    lifetimes = lifetimesOf(p);
    const ref: SessionPayload = { id: p.id, createdAt: p.createdAt, state: stored!.key, lifetime: p.lifetime, persistent: p.persistent, idleTimeout: p.idleTimeout };
    const plan = await writeCookies(o, { ...req, payload: ref });
    return adopt === undefined ? plan : { ...plan, state: adopt };
  };

  /** One commit's write: a removal, the backend (always), or the cookie while it fits (hybrid). */
  const writeNow = (options: ResolvedStoreOptions, req: WriteRequest, status: SessionStatus): MaybePromise<BackedWrite> => {
    if (req.mode === 'remove') return forget(writeCookies(options, req));
    if (spill.always) return toBackend(req, status);
    // Hybrid: in the cookie while it fits; in the backend past that.
    const tooLarge = (err: unknown) => {
      if (!isSessionError(err, 'ERR_SESSION_TOO_LARGE')) throw err;
      return toBackend(req, status);
    };
    let planned: MaybePromise<WriteResult>;
    try {
      planned = writeCookies(options, req);
    } catch (err) {
      return tooLarge(err);
    }
    return isPromiseLike(planned) ? planned.then(forget, tooLarge) : forget(planned);
  };

  return {
    spill,
    loaded(record, payload, state, flash, reissue) {
      const data: JsonObject = flash === undefined ? { s: state as JsonObject } : { s: state as JsonObject, f: flash as JsonObject };
      stored = { key: record.key, id: payload.id, version: record.version, data, json: JSON.stringify(data), expiresAt: record.expiresAt, idleTimeout: record.idleTimeout, owner: record.owner };
      touched = due = reissue;
      lifetimes = lifetimesOf(payload);
    },
    write(options, req, status) {
      // One write at a time, in commit order: a commit started while an earlier one still talks to the backend
      // waits for it (whatever its outcome), so it compares with, and writes over, what that one left, and the
      // newest commit's write is the last to land (never an older, overtaken one after it).
      const result = tail === undefined ? writeNow(options, req, status) : tail.then(() => writeNow(options, req, status));
      if (isPromiseLike(result)) {
        // Cleared in the first reaction to the write, before the commit's own: a commit after it is awaited runs at once.
        const done = (): void => {
          if (tail === settled) tail = undefined;
        };
        const settled: Promise<void> = result.then(done, done);
        tail = settled;
      }
      return result;
    },
  };
}

/**
 * What an authentic cookie means for a store with a backend (`link`) or
 * without: `undefined` for a cookie that holds its state (go on as usual), a
 * reason to refuse it, or the payload with the state and flash the backend
 * holds for its key (one round trip, which also moves the idle end when the
 * cookie is due for a re-issue, so the commit needs no second one).
 */
export function openBacked(
  o: ResolvedStoreOptions,
  link: BackendLink | undefined,
  payload: SessionPayload,
  opened: { readonly issuedAt: number; readonly stale: boolean },
  now: number,
): undefined | InvalidReason | Promise<InvalidReason | SessionPayload> {
  const key = payload.state;
  if (typeof key !== 'string') return link?.spill.always ? 'wrong-purpose' : undefined;
  // A key cookie read by a store without a backend, or one of a store that holds its state in the cookie.
  if (link === undefined) return 'wrong-purpose';
  const due = opened.stale || new Lifetime(o, payload, opened.issuedAt).reissueDue(now);
  return link.spill.backend.load(key, now, due ? 0 : undefined).then((record) => {
    // Gone: destroyed, renewed, logged out everywhere, or ended in the backend.
    if (record === undefined) return 'revoked';
    const data = record.data as { s?: Json; f?: Json };
    const flash = data.f;
    if (flash !== undefined && jsonObjectIssue(flash) !== undefined) return 'malformed';
    link.loaded(record, payload, data.s, flash, due);
    return { ...payload, state: data.s, flash: flash as Record<string, Json> | undefined };
  });
}

