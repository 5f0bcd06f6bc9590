/**
 * The typed session a request works with: reads, validated writes, status,
 * lifetimes, and `commit()` which turns it into Set-Cookie values.
 *
 * @module
 */
import type { InvalidReason, ResolvedStoreOptions } from './options';
import { newSessionId, type SessionPayload } from './payload';
import { checkFlash } from './flash';
import { outputIssue, rejectIssues, validateSync, type Json } from './schema';
import { after, isPromiseLike, type MaybePromise } from '../util/maybe-promise';
import { writeCookies, type CookieWrite, type WriteRequest, type WriteResult } from './writer';
import { Lifetime } from './lifetime';

const headerValues = (writes: readonly CookieWrite[]): string[] => writes.map((w) => w.header);


/** @internal Where a session's commit writes: a response, in adapter terms. */
export interface CommitSink {
  /** Throw (`ERR_SESSION_HEADERS_SENT`) when the response can no longer take cookies. */
  check(): void;
  /** Put the cookies on the response, by the adapters' one rule for cookie names (src/adapters/merge.ts). */
  write(cookies: readonly CookieWrite[]): void;
  /** Called once, when the session first has something to write (the node adapter hooks writeHead only then). */
  pending?(): void;
  /** A commit made at change `version` failed synchronously (its caller got the error). */
  failed?(version: number): void;
  /** A commit made at change `version` is sealing asynchronously: returns the promise its caller gets. */
  running?(version: number, result: Promise<CookieWrite[]>): Promise<CookieWrite[]>;
}

/**
 * - `unchanged`: nothing was written; the response carries no cookie (except
 *   a due re-issue: rotation, sliding idle window, `extend: 'on-request'`).
 * - `changed`: the state changed; the cookie is written, even if the state is now empty.
 * - `purged`: `destroy()` was called; the cookie and all its chunks are removed.
 * - `renewed`: `renew()` gave the session a new id (do it at sign-in); survives later writes.
 *
 * @example
 * ```ts
 * session.renew();
 * session.set('userId', user.id);
 * session.status; // 'renewed'
 * ```
 */
export type SessionStatus = 'unchanged' | 'changed' | 'purged' | 'renewed';

/**
 * Keys of `T` that may be absent: the only ones `remove` accepts.
 *
 * @example
 * ```ts
 * type K = OptionalKeys<{ userId?: string; visits: number }>; // 'userId'
 * ```
 */
export type OptionalKeys<T> = { [K in keyof T]-?: {} extends Pick<T, K> ? K : never }[keyof T];

/**
 * A read-only view of the state, all the way down: what `session.data` and
 * `session.get` return, so that every change goes through a validated write.
 *
 * @example
 * ```ts
 * const cart: DeepReadonly<{ sku: string }[]> = session.get('cart');
 * // cart.push(item);  // does not compile: write with session.update(...)
 * ```
 */
export type DeepReadonly<T> = T extends (infer E)[]
  ? ReadonlyArray<DeepReadonly<E>>
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/**
 * What `takeFlash<T>` may claim a value is: any JSON for a store without a
 * `flashSchema` (an unchecked cast, as before), nothing with one (the type
 * comes from the schema, so `takeFlash<string>(…)` does not compile).
 */
type UncheckedFlash<Flash> = string extends keyof Flash ? Json : never;

/**
 * @internal How a commit turns the session into cookies: `writeCookies` (the
 * state sealed into the cookie), or, for a store with a backend
 * (session/backed.ts), a write of the state to the backend and a cookie with
 * its key. A `state` in the result replaces the session's (a merge with a
 * concurrent write).
 */
export type SessionPersist = (o: ResolvedStoreOptions, req: WriteRequest, status: SessionStatus) => MaybePromise<WriteResult & { readonly state?: object }>;

/** @internal What the store hands a new session. */
export interface SessionInit<State> {
  readonly options: ResolvedStoreOptions;
  /** Makes the state of a fresh session (the schema's defaults), synchronously. */
  readonly fresh: () => State;
  readonly state: State;
  readonly payload?: SessionPayload;
  /** ms since the epoch when the incoming cookie was issued. */
  readonly issuedAt?: number;
  /** The incoming cookie was opened by an old key: re-seal it. */
  readonly stale?: boolean;
  readonly invalidReason?: InvalidReason;
  /** Remove the incoming cookies even if nothing is written (they were refused). */
  readonly clearIncoming?: boolean;
  /** Chunk indexes ≥ 1 the request carried. */
  readonly chunksPresent: readonly number[];
  /** Migrated from another format (iron-session): write it in ours on the first commit. */
  readonly migrated?: boolean;
  /** Other cookie names to delete on the first commit (the migrated cookie). */
  readonly removeOnCommit?: readonly string[];
  /** Where the commit goes; default `writeCookies`. */
  readonly persist?: SessionPersist | undefined;
}

/**
 * One request's session. Get it from `store.load(cookieHeader)` or
 * `store.handleSession(req, res)`.
 *
 * @typeParam State the state type, from the store's schema.
 * @typeParam Flash the flash values' type, from the store's `flashSchema` (any JSON without one).
 *
 * @example
 * ```ts
 * const session = await store.load(request.headers.get('cookie'));
 * session.set('count', session.get('count') + 1);
 * const setCookies = await session.commit(); // add each to the response
 * ```
 */
export class Session<State extends object = Record<string, Json>, Flash extends object = Record<string, Json>> {
  readonly #o: ResolvedStoreOptions;
  readonly #fresh: () => State;
  #state: State;
  #status: SessionStatus = 'unchanged';
  #id: string;
  /** Creation and issue times, lifetime and idle timeout. */
  readonly #time: Lifetime;
  #flashIn: Record<string, Json> | undefined;
  #flashOut: Record<string, Json> | undefined;
  #isNew: boolean;
  readonly #stale: boolean;
  readonly #invalidReason: InvalidReason | undefined;
  readonly #clearIncoming: boolean;
  /** Chunk indexes ≥ 1 the browser may hold: those the request carried, then those we wrote. */
  #chunksHeld: Set<number>;
  /** Something to write since the last commit. */
  #pending = false;
  /** Bumped by every change (the node adapter records the one a commit failed at). */
  #version = 0;
  /** Numbers each commit that seals or removes, in the order they started. */
  #commits = 0;
  /** The number of the commit whose cookies were last recorded (and written to the sink). */
  #recorded = 0;
  #forceWrite = false;
  #committed = false;
  #sink: CommitSink | undefined;
  #removeOnCommit: readonly string[];
  readonly #persist: SessionPersist;

  /** @internal Sessions come from a store. */
  constructor(init: SessionInit<State>) {
    this.#o = init.options;
    this.#fresh = init.fresh;
    this.#state = init.state;
    const p = init.payload;
    this.#id = p?.id ?? newSessionId();
    this.#time = new Lifetime(init.options, p, init.issuedAt);
    this.#flashIn = p?.flash;
    this.#isNew = p === undefined;
    this.#stale = init.stale ?? false;
    this.#invalidReason = init.invalidReason;
    this.#clearIncoming = init.clearIncoming ?? false;
    this.#chunksHeld = new Set(init.chunksPresent);
    this.#removeOnCommit = init.removeOnCommit ?? [];
    this.#persist = init.persist ?? writeCookies;
    if (init.migrated) {
      this.#isNew = false;
      this.#pending = true;
    }
  }

  /**
   * The session id: 128 random bits, new for every new or renewed session. Safe to log; not a secret.
   *
   * @example
   * ```ts
   * log.info({ session: session.id }, 'checkout');
   * ```
   */
  get id(): string {
    return this.#id;
  }

  /**
   * What `commit()` will do; see {@link SessionStatus}.
   *
   * @example
   * ```ts
   * if (session.status === 'unchanged') return cachedResponse;
   * ```
   */
  get status(): SessionStatus {
    return this.#status;
  }

  /**
   * True when the request carried no valid session (or after `destroy()` and a new write).
   *
   * @example
   * ```ts
   * if (session.isNew) session.set('landingPage', new URL(request.url).pathname);
   * ```
   */
  get isNew(): boolean {
    return this.#isNew;
  }

  /**
   * Why the request's session cookie was refused, if it was: `expired`, `idle`,
   * `tampered`, `unknown-key`, `invalid-schema`, `malformed`… The session is
   * then empty, as if new.
   *
   * @example
   * ```ts
   * if (session.invalidReason === 'idle') return Response.redirect(new URL('/login?timeout=1', request.url), 303);
   * ```
   */
  get invalidReason(): InvalidReason | undefined {
    return this.#invalidReason;
  }

  /**
   * When the session was created (ms since the epoch). Reset by `renew()`.
   * Stored in whole seconds, so a loaded session reads a multiple of 1000.
   *
   * @example
   * ```ts
   * const ageMinutes = (Date.now() - session.createdAt) / 60_000;
   * ```
   */
  get createdAt(): number {
    return this.#time.createdAt;
  }

  /**
   * When the session dies whatever happens (ms since the epoch): created + `ttl` (or `setTtl`).
   *
   * @example
   * ```ts
   * const secondsLeft = Math.floor((session.expiresAt - Date.now()) / 1000);
   * ```
   */
  get expiresAt(): number {
    return this.#time.expiresAt;
  }

  /**
   * When the session dies if no request comes (ms since the epoch): last issue
   * + `idleTimeout`, never after `expiresAt`. `undefined` without an idle timeout.
   * For a session not issued yet, counted from now.
   *
   * @example
   * ```ts
   * const warnAt = (session.idleExpiresAt ?? session.expiresAt) - 5 * 60_000; // show "still there?"
   * ```
   */
  get idleExpiresAt(): number | undefined {
    return this.#time.idleExpiresAt;
  }

  /**
   * The whole state (read-only: change it with `set`, `update`, `remove`).
   *
   * @example
   * ```ts
   * return Response.json(session.data);
   * ```
   */
  get data(): DeepReadonly<State> {
    return this.#state as DeepReadonly<State>;
  }

  /**
   * One field of the state, read-only. A key the state declares by name
   * gives its type (which includes `undefined` when the field is optional); a
   * key that only an index signature covers (a store without a schema,
   * `z.record`, `.catchall`) may be absent, so its type includes `undefined`.
   *
   * @example
   * ```ts
   * const userId = session.get('userId'); // typed from the schema
   * const theme = untyped.get('theme'); // DeepReadonly<Json> | undefined without a schema
   * ```
   */
  get<K extends keyof State>(
    key: K,
  ): K extends keyof { [P in keyof State as {} extends Record<P, 1> ? never : P]: 0 } ? DeepReadonly<State[K]> : DeepReadonly<State[K]> | undefined {
    // (The condition: an index signature's key type accepts `{}`, a key declared by name does not.)
    // Own fields only: `get('constructor')` must not reach Object.prototype.
    return (Object.hasOwn(this.#state, key) ? this.#state[key] : undefined) as never;
  }

  /**
   * Whether the state has this field (and it is not `undefined`).
   *
   * @example
   * ```ts
   * if (!session.has('userId')) return new Response('Sign in first', { status: 401 });
   * ```
   */
  has(key: keyof State): boolean {
    return Object.hasOwn(this.#state, key) && this.#state[key] !== undefined;
  }

  /**
   * Set one field. The whole next state is validated first, and what the
   * schema outputs must be a JSON object (no `Date`, `Map`, `NaN`…, as the
   * cookie holds JSON); on failure this throws `ERR_SESSION_INVALID` (with
   * the `issues`) and nothing changes.
   *
   * @example
   * ```ts
   * session.set('theme', 'dark');
   * ```
   */
  set<K extends keyof State>(key: K, value: State[K] | DeepReadonly<State[K]>): void {
    // A computed key defines an own property (never the `__proto__` setter).
    this.#write({ ...this.#state, [key]: value } as State);
  }

  /**
   * Replace the state with what `fn` returns from the current one; validated like `set`.
   *
   * @example
   * ```ts
   * session.update((s) => ({ ...s, cart: [...s.cart, item] }));
   * ```
   */
  update(fn: (data: DeepReadonly<State>) => State | DeepReadonly<State>): void {
    this.#write(fn(this.#state as DeepReadonly<State>) as State);
  }

  /**
   * Remove an optional field; validated like `set`.
   *
   * @example
   * ```ts
   * session.remove('userId'); // only keys the schema makes optional
   * ```
   */
  remove(key: OptionalKeys<State>): void {
    const next = { ...this.#state };
    delete next[key];
    this.#write(next);
  }

  /**
   * Reset the state to a fresh session's (the schema's defaults). Keeps the
   * session id; use `destroy()` to sign out.
   *
   * @example
   * ```ts
   * session.clear(); // e.g. { cart: [] } again; the cookie is rewritten on commit
   * ```
   */
  clear(): void {
    this.#write(this.#fresh());
  }

  /**
   * Add a flash value: kept in the cookie until a later request reads it with
   * {@link takeFlash}. For "Saved!" notices across a redirect. The value must
   * be JSON, and pass the store's `flashSchema` if it has one, which also
   * types `key` and `value` (`ERR_SESSION_INVALID` otherwise, and nothing
   * changes).
   *
   * @example
   * ```ts
   * session.flash('notice', 'Profile saved');
   * await session.commit();
   * return Response.redirect(new URL('/profile', request.url), 303);
   * ```
   */
  flash<K extends keyof Flash & string>(key: K, value: Exclude<Flash[K], undefined>): void {
    // Validated now, like `set`: a value JSON cannot carry (NaN, a Date…) would otherwise make every commit throw.
    const checked = checkFlash(this.#o.flashSchema, key, value);
    if (!checked.ok) rejectIssues('the flash value', checked.issues, this.#o.flashSchema ? 'flashSchema' : undefined);
    this.#beginWrite();
    this.#flashOut = { ...this.#flashOut, [key]: checked.value };
    this.#markChanged();
  }

  /**
   * Read a flash value set by an earlier request, and remove it (the cookie
   * is rewritten on commit). Values flashed during this same request are
   * not visible here. With a `flashSchema`, `key` and the result are typed
   * from it (and the value was validated when the cookie was read); without
   * one, the result is any JSON, and `takeFlash<T>` states what you expect
   * (unchecked).
   *
   * @example
   * ```ts
   * const notice = session.takeFlash('notice'); // 'Profile saved', then undefined
   * await session.commit();
   * ```
   */
  takeFlash<T extends UncheckedFlash<Flash> = never, K extends keyof Flash & string = keyof Flash & string>(
    key: K,
  ): ([T] extends [never] ? Exclude<Flash[K], undefined> : T) | undefined {
    const incoming = this.#flashIn;
    if (!incoming || !Object.hasOwn(incoming, key)) return undefined;
    const value = incoming[key] as never;
    const { [key]: _, ...rest } = incoming;
    this.#flashIn = Object.keys(rest).length ? rest : undefined;
    this.#markChanged();
    return value;
  }

  /**
   * Give this session its own absolute lifetime, counted from its creation,
   * for example "remember me for 30 days". With `persistent` (the default) its
   * cookie gets a Max-Age even under `lifecycle: 'browser'`. Kept through
   * later writes and `renew()`; gone with `destroy()`. The store's
   * `idleTimeout` still applies unless `idleTimeout` gives this session its
   * own (seconds, or `false` for none) — a remembered user who stays away a
   * weekend should not be signed out by a one-day idle limit. Both are
   * capped by the store's `maxTtl` and `maxIdleTimeout`, when this session
   * is written and whenever its cookie is read. Throws
   * `ERR_CONFIG_OPTION` unless `seconds` (and `idleTimeout`) are whole
   * numbers from 1 to ten years.
   *
   * @example
   * ```ts
   * if (form.get('remember') === 'on') session.setTtl(30 * 86_400, { idleTimeout: 7 * 86_400 });
   * ```
   */
  setTtl(seconds: number, options: { persistent?: boolean; idleTimeout?: number | false } = {}): void {
    Lifetime.check(seconds, options);
    this.#beginWrite();
    this.#time.setOwn(seconds, options);
    this.#markChanged();
  }

  /**
   * Remove the session: the response deletes the cookie and every chunk, and
   * nothing of the old state can come back. A later write in the same request
   * starts a brand-new session (new id).
   *
   * @example
   * ```ts
   * session.destroy();
   * await session.commit(); // Max-Age=0 for the cookie and every chunk
   * ```
   */
  destroy(): void {
    this.#state = this.#fresh();
    this.#flashIn = this.#flashOut = undefined;
    this.#time.clearOwn();
    this.#status = 'purged';
    this.#changedNow();
  }

  /**
   * Give the session a new id and a new cookie, keeping the state: call it
   * when privileges change (sign-in) so an id seen before cannot be reused.
   * The absolute lifetime restarts. The status stays `renewed` through later writes.
   *
   * @example
   * ```ts
   * session.renew(); // at sign-in: no session fixation
   * session.set('userId', user.id);
   * await session.commit();
   * ```
   */
  renew(): void {
    if (this.#status === 'purged') this.#restart();
    this.#id = newSessionId();
    this.#time.renew();
    this.#status = 'renewed';
    this.#changedNow();
  }

  /**
   * Re-issue the cookie on this response even though nothing changed (slides
   * the idle window, refreshes Max-Age). A no-op for a new, untouched session.
   *
   * @example
   * ```ts
   * // an endpoint the page polls to say "the user is still here"
   * session.touch();
   * await session.commit();
   * ```
   */
  touch(): void {
    // Nothing to re-issue for a session the browser does not hold yet (lazy creation).
    if (this.#status === 'purged' || (this.#time.issuedAt === undefined && this.#status === 'unchanged')) return;
    this.#forceWrite = true;
    this.#changedNow();
  }

  /**
   * The Set-Cookie values this response must carry, `[]` if none. Throws
   * `ERR_SESSION_TOO_LARGE` before producing anything when the state does not
   * fit the budget, so the client keeps its previous cookie. A second commit
   * returns only what changed since the first. A session from
   * `handleSession` also writes them to its response.
   *
   * The newest state always wins, whatever order seals finish in (the
   * WebCrypto engine seals asynchronously): a commit that finishes after the
   * session changed again, or after a later commit was recorded, writes
   * nothing, returns `[]` and leaves the change pending for the next commit
   * (or the adapter's own at the end of the request).
   *
   * @example
   * ```ts
   * for (const value of await session.commit()) res.appendHeader('set-cookie', value);
   * ```
   */
  commit(): Promise<string[]> {
    try {
      const writes = this.commitNow();
      // Settled already on the node:crypto engine: one resolved promise, no extra hop.
      return isPromiseLike(writes) ? writes.then(headerValues) : Promise.resolve(headerValues(writes));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /*
   * What adapters use and users should not: @internal, so not in the published
   * types. Named methods rather than symbol-keyed ones: esbuild cannot prove a
   * computed class key free of side effects, so one such member keeps the whole
   * class (and the cookie code it reaches) in bundles that never use it.
   */

  /** @internal Attach the response a commit writes to (adapters). */
  attachSink(sink: CommitSink): void {
    this.#sink = sink;
  }

  /**
   * @internal Commit, synchronously when the engine allows (node:crypto), and
   * hand the cookies to the attached response.
   */
  commitNow(): MaybePromise<CookieWrite[]> {
    this.#sink?.check();
    const now = Date.now();
    const first = !this.#committed;
    let mode: 'write' | 'remove' | 'none' = 'none';
    if (this.#pending) mode = this.#status === 'purged' ? 'remove' : 'write';
    else if (first && this.#time.issuedAt !== undefined && this.#reissueDue(now)) mode = 'write';
    else if (first && (this.#clearIncoming || this.#removeOnCommit.length > 0)) mode = 'remove';
    if (mode === 'none') {
      this.#committed = true;
      return [];
    }
    const version = this.#version;
    const sink = this.#sink;
    let written: MaybePromise<CookieWrite[]>;
    try {
      written = this.#emit(mode, now, version, ++this.#commits);
    } catch (err) {
      sink?.failed?.(version);
      throw err;
    }
    if (!isPromiseLike(written) || sink?.running === undefined) return written;
    return sink.running(version, written);
  }

  /** @internal The change counter: bumped by every change. */
  get version(): number {
    return this.#version;
  }

  #emit(mode: 'write' | 'remove', now: number, version: number, commit: number): MaybePromise<CookieWrite[]> {
    return after(
      this.#persist(this.#o, {
        mode,
        now,
        payload: mode === 'write' ? this.#payload() : undefined,
        createdAt: this.#time.createdAt,
        lifetime: this.#time.lifetimeSeconds,
        persistent: this.#time.persistent,
        idleTimeout: this.#time.idleSeconds,
        chunksPresent: [...this.#chunksHeld].sort((a, b) => a - b),
        alsoRemove: this.#removeOnCommit,
      }, this.#status),
      ({ cookies, chunks, state }) => {
        // Overtaken while it sealed (asynchronous engine): the session changed since, or a later commit was
        // recorded. Its cookies hold an older state, so they must reach neither the response nor the books:
        // the change stays pending for the next commit, which seals the newest state.
        if (version !== this.#version || commit < this.#recorded) return [];
        // The response first: when it cannot take the cookies (immutable headers, headers sent), this throws and
        // nothing is recorded as committed, so a later commit() writes (or fails) again instead of returning [].
        this.#sink?.write(cookies);
        this.#recorded = commit;
        if (state !== undefined) this.#state = state as State;
        for (let i = 1; i < chunks; i++) this.#chunksHeld.add(i);
        this.#committed = true;
        this.#removeOnCommit = [];
        this.#pending = this.#forceWrite = false;
        // (A backed session's change may need no new cookie: then the browser's cookie keeps its issue time.)
        if (mode === 'write' && cookies.length > 0) this.#time.issuedAt = now;
        return cookies;
      },
    );
  }

  /** @internal Whether a commit would write anything now. */
  get hasPendingWrite(): boolean {
    return this.#pending || (!this.#committed && (this.#clearIncoming || this.#removeOnCommit.length > 0 || (this.#time.issuedAt !== undefined && this.#reissueDue(Date.now()))));
  }

  #reissueDue(now: number): boolean {
    return this.#stale || this.#forceWrite || this.#time.reissueDue(now);
  }

  #payload(): SessionPayload {
    const flash = this.#flashIn || this.#flashOut ? { ...this.#flashIn, ...this.#flashOut } : undefined;
    const time = this.#time.payloadFields();
    // Spelled out, not spread: this runs on every write.
    return { id: this.#id, createdAt: time.createdAt, state: this.#state, lifetime: time.lifetime, persistent: time.persistent, idleTimeout: time.idleTimeout, flash };
  }

  /** A write after destroy() starts a new session; otherwise nothing to do. */
  #beginWrite(): void {
    if (this.#status === 'purged') this.#restart();
  }

  #restart(): void {
    this.#id = newSessionId();
    this.#time.restart();
    this.#isNew = true;
    this.#status = 'unchanged';
  }

  #changedNow(): void {
    if (!this.#pending) this.#sink?.pending?.();
    this.#pending = true;
    this.#version++;
  }

  #markChanged(): void {
    if (this.#status !== 'renewed') this.#status = 'changed';
    this.#changedNow();
  }

  #write(next: State): void {
    const schema = this.#o.schema;
    const result = validateSync<State>(schema, next);
    if (result.issues) rejectIssues('the session state', result.issues);
    // Refused now, not at commit (ERR_SEAL_NOT_SERIALIZABLE).
    const notJson = outputIssue(schema, result.value);
    if (notJson) rejectIssues("the schema's output", [notJson], 'the JSON check (a schema must output a JSON object)');
    if (this.#status === 'purged') {
      const value = result.value;
      this.#restart();
      this.#state = value;
    } else {
      this.#state = result.value;
    }
    this.#markChanged();
  }
}
