/**
 * `sealed-session/react-router`: a React Router `SessionStorage` whose
 * sessions are sealed cookies, so an app switches from
 * `createCookieSessionStorage` by changing one import. Data and flash data
 * are typed from the store's schema; flash values use the store's own flash
 * (`session.flash` / `takeFlash`), so they survive exactly one read.
 *
 * Nothing from `react-router` is imported at run time: the types below are
 * the shape of its `Session` and `SessionStorage`, and the example app
 * (examples/react-router) type-checks this storage against the real ones.
 *
 * @module
 */
import {
  SessionError,
  type CookieSessionStore,
  type Json,
  type RequestLike,
  type Session as SealedSession,
  type StandardSchemaV1,
  type SchemaState,
} from 'sealed-session';

/**
 * React Router's `FlashSessionData`: the data, and flash values under
 * `__flash_<name>__` (what `session.data` holds).
 *
 * @example
 * ```ts
 * type Data = FlashSessionData<{ user: string }, { notice: string }>;
 * // { user?: string; __flash_notice__?: string }
 * ```
 */
export type FlashSessionData<Data, FlashData> = Partial<Data & { [Key in keyof FlashData as `__flash_${Key & string}__`]: FlashData[Key] }>;

/**
 * React Router's `Session<Data, FlashData>` (same members, same types), as
 * {@link SealedSessionStorage.getSession} gives it.
 *
 * @example
 * ```ts
 * export async function action({ request }: Route.ActionArgs) {
 *   const session: Session<{ user?: string }, { notice: string }> = await getSession(request.headers.get('Cookie'));
 *   session.set('user', 'ada');
 *   session.flash('notice', 'Welcome, ada');
 *   return redirect('/', { headers: { 'Set-Cookie': await commitSession(session) } });
 * }
 * ```
 */
export interface Session<Data = Record<string, unknown>, FlashData = Data> {
  /** The sealed session's id (stable across requests until `renew`/`destroy`). */
  readonly id: string;
  /** The current state (flash values are read with `get`). */
  readonly data: FlashSessionData<Data, FlashData>;
  /** Whether the state has this field, or a flash value of this name arrived (looking does not remove it). */
  has(name: (keyof Data | keyof FlashData) & string): boolean;
  /** A flash value of this name (removed from the next cookie), else the state's field. */
  get<Key extends (keyof Data | keyof FlashData) & string>(
    name: Key,
  ): (Key extends keyof Data ? Data[Key] : undefined) | (Key extends keyof FlashData ? FlashData[Key] : undefined) | undefined;
  /** Set one field; the schema checks the whole next state (`ERR_SESSION_INVALID` otherwise). */
  set<Key extends keyof Data & string>(name: Key, value: Data[Key]): void;
  /** A value for the next request's first `get(name)` only. */
  flash<Key extends keyof FlashData & string>(name: Key, value: FlashData[Key]): void;
  /** Remove a field (a field with a default goes back to its default). */
  unset(name: keyof Data & string): void;
}

/**
 * What `commitSession` and `destroySession` take besides the session. Only
 * `maxAge` and `expires` mean something here (they set this session's own
 * lifetime, as `session.setTtl` does); the cookie's other attributes are the
 * store's.
 *
 * @example
 * ```ts
 * // "Remember me": this session lives 30 days from now.
 * const cookie = await commitSession(session, { maxAge: 30 * 86_400 } satisfies CommitOptions);
 * ```
 */
export interface CommitOptions {
  /** Seconds this session lives from now on (a whole number from 1 to ten years). */
  readonly maxAge?: number;
  /** When this session ends. */
  readonly expires?: Date;
}

/**
 * React Router's `SessionStorage<Data, FlashData>`, plus
 * `getSession(request)` (one session per request), `commitSessionCookies`
 * (a chunked session) and `sealed` (the sealed session behind a session),
 * as {@link createSealedSessionStorage} returns it.
 *
 * @example
 * ```ts
 * const storage: SealedSessionStorage<{ user?: string }, { notice: string }> = createSealedSessionStorage(store);
 * const session = await storage.getSession(request); // or (request.headers.get('Cookie')), as with React Router's storages
 * if (storage.sealed(session).invalidReason) console.warn('refused cookie:', storage.sealed(session).invalidReason);
 * ```
 */
export interface SealedSessionStorage<Data, FlashData> {
  /**
   * Read the session of a request; a missing, tampered or expired cookie
   * gives an empty session.
   *
   * - `getSession(request)`: the request's session. Every call with the same
   *   `Request` gives the same session object, so a change made anywhere in
   *   the request is seen everywhere else in it, and one `commitSession`
   *   after the last change stores them all.
   * - `getSession(cookieHeader)`: React Router's own form. A string is not a
   *   request (two requests can send the same header), so each call parses it
   *   into a session of its own, as `createCookieSessionStorage` does: same
   *   state and id, but a change to one is not in another.
   */
  getSession: {
    (request: RequestLike, options?: unknown): Promise<Session<Data, FlashData>>;
    (cookieHeader?: string | null, options?: unknown): Promise<Session<Data, FlashData>>;
  };
  /**
   * The one `Set-Cookie` value that stores this session (always a fresh
   * cookie, as React Router's cookie storage does). Throws
   * `ERR_SESSION_TOO_LARGE` when the state does not fit, and
   * `ERR_SESSION_ADAPTER` when it needs more than one cookie (give the store
   * `maxChunks: 1`, or use {@link commitSessionCookies}).
   */
  commitSession: (session: Session<Data, FlashData>, options?: CommitOptions) => Promise<string>;
  /** The `Set-Cookie` value that deletes the session cookie (a later `commitSession` of the session, unless it was written to since, deletes it again). */
  destroySession: (session: Session<Data, FlashData>, options?: CommitOptions) => Promise<string>;
  /** Every `Set-Cookie` value storing this session (a chunked session has several): `headers.append` each. */
  commitSessionCookies: (session: Session<Data, FlashData>, options?: CommitOptions) => Promise<string[]>;
  /** The sealed session behind a session of this storage (status, `invalidReason`, `renew()`, `setTtl()`…). */
  sealed: (session: Session<Data, FlashData>) => SealedSession<Data & object>;
}

/** What {@link createSealedSessionStorage} wraps: one sealed session and the flash values it has peeked. */
interface Entry {
  readonly sealed: SealedSession<Record<string, Json>>;
  /** Flash values `has()` took out to look at but `get()` has not returned: flashed again on commit. */
  readonly peeked: Map<string, Json>;
  /** Flash values `get()` returned this request (a second `get()` gives the same value). */
  readonly taken: Map<string, Json>;
}

/**
 * A React Router `SessionStorage` backed by a {@link CookieSessionStore}.
 *
 * @typeParam S the store's schema: `Data` is its output type.
 * @typeParam FlashData the flash values' types (JSON values), by name.
 *
 * @example
 * ```ts
 * // app/sessions.server.ts — was: createCookieSessionStorage({ cookie })
 * import { createSealedSessionStorage } from 'sealed-session/react-router';
 *
 * export const { getSession, commitSession, destroySession } =
 *   createSealedSessionStorage<typeof schema, { notice: string }>(store);
 * ```
 */
export function createSealedSessionStorage<S extends StandardSchemaV1, FlashData extends { [K in keyof FlashData]: Json } = {}>(
  store: CookieSessionStore<S>,
): SealedSessionStorage<SchemaState<S>, FlashData> {
  type Data = SchemaState<S>;
  const entries = new WeakMap<object, Entry>();
  /** `getSession(request)`'s session of each request (the promise, so concurrent calls share it too). */
  const byRequest = new WeakMap<object, Promise<Session<Data, FlashData>>>();

  const entryOf = (session: unknown): Entry => {
    const entry = typeof session === 'object' && session !== null ? entries.get(session) : undefined;
    if (!entry) {
      throw new SessionError(
        'ERR_SESSION_ADAPTER',
        'sealed-session/react-router: commitSession and destroySession take a session from this storage’s getSession',
      );
    }
    return entry;
  };

  const lifetime = (sealed: Entry['sealed'], options: CommitOptions | undefined): void => {
    // `setTtl` counts from the session's creation; `maxAge` and `expires` from now.
    const end = options?.maxAge !== undefined ? Date.now() + options.maxAge * 1000 : options?.expires?.getTime();
    if (end !== undefined) sealed.setTtl(Math.max(1, Math.floor((end - sealed.createdAt) / 1000)));
  };

  const cookies = async (session: Session<Data, FlashData>, options: CommitOptions | undefined): Promise<string[]> => {
    const { sealed, peeked } = entryOf(session);
    if (sealed.status === 'purged') {
      // Destroyed and not written to since: the newest state is no session, so this commit deletes the cookie
      // (again, after a destroySession), and a flash value looked at before the destroy goes with it.
      peeked.clear();
      sealed.destroy();
      return sealed.commit();
    }
    // A flash value `has()` looked at but nobody read stays for the next request.
    for (const [name, value] of peeked) sealed.flash(name, value);
    peeked.clear();
    lifetime(sealed, options);
    // React Router's cookie storage sends a fresh cookie on every commit: so does this one, with the state as it is now.
    // (A new session nobody wrote to gets its first cookie; a second commit re-issues the newest state.)
    if (sealed.status === 'unchanged' && sealed.isNew) sealed.renew();
    else sealed.touch();
    return sealed.commit();
  };

  const one = (values: string[]): string => {
    if (values.length === 1) return values[0] as string;
    throw new SessionError(
      'ERR_SESSION_ADAPTER',
      `sealed-session/react-router: this session needs ${values.length} Set-Cookie values and commitSession returns one; give the store maxChunks: 1, or append each value of commitSessionCookies(session)`,
    );
  };

  const wrap = (sealed: Entry['sealed']): Session<Data, FlashData> => {
    const entry: Entry = { sealed, peeked: new Map(), taken: new Map() };
    const flashValue = (name: string): Json | undefined => {
      if (entry.taken.has(name)) return entry.taken.get(name);
      if (entry.peeked.has(name)) return entry.peeked.get(name);
      const value = sealed.takeFlash(name);
      if (value !== undefined) entry.peeked.set(name, value);
      return value;
    };
    const session: Session<Data, FlashData> = {
      get id() {
        return sealed.id;
      },
      get data() {
        return sealed.data as FlashSessionData<Data, FlashData>;
      },
      has: (name) => flashValue(name) !== undefined || sealed.has(name),
      get: (name) => {
        const flashed = flashValue(name);
        if (flashed !== undefined) {
          entry.peeked.delete(name);
          entry.taken.set(name, flashed);
          return flashed as never;
        }
        return sealed.get(name) as never;
      },
      set: (name, value) => sealed.set(name, value as never),
      flash: (name, value) => sealed.flash(name, value as Json),
      unset: (name) => sealed.remove(name as never),
    };
    entries.set(session, entry);
    return session;
  };

  const load = async (header: string | null): Promise<Session<Data, FlashData>> => {
    const sealed = await store.handleSession({ headers: { get: (name: string) => (name.toLowerCase() === 'cookie' ? header : null) } });
    return wrap(sealed as unknown as Entry['sealed']);
  };

  const getSession = ((from?: RequestLike | string | null) => {
    if (typeof from !== 'object' || from === null) return load(typeof from === 'string' ? from : null);
    if (typeof (from as Partial<RequestLike>).headers?.get !== 'function') {
      return Promise.reject(
        new SessionError(
          'ERR_SESSION_ADAPTER',
          "sealed-session/react-router: getSession takes the Request (getSession(request)) or its Cookie header (getSession(request.headers.get('Cookie')))",
        ),
      );
    }
    let session = byRequest.get(from);
    if (session === undefined) byRequest.set(from, (session = load(from.headers.get('cookie'))));
    return session;
  }) as SealedSessionStorage<Data, FlashData>['getSession'];

  return {
    getSession,
    commitSession: async (session, options) => one(await cookies(session, options)),
    commitSessionCookies: cookies,
    destroySession: async (session) => {
      const { sealed, peeked, taken } = entryOf(session);
      sealed.destroy();
      // Flash values of the destroyed session are gone for every holder of it (getSession(request) shares it).
      peeked.clear();
      taken.clear();
      // The deletion of the cookie (and of any chunk the request carried); sent even for a session the browser never held.
      return one(await sealed.commit());
    },
    sealed: (session) => entryOf(session).sealed as unknown as SealedSession<Data & object>,
  };
}
