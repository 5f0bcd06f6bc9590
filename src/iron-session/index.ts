/**
 * `sealed-session/iron-session`: read iron-session 8/9's cookies, so an
 * application can switch libraries without signing anyone out. Give the
 * reader to a store as its `legacy` option; apps that never migrate never
 * load this code.
 *
 * @example
 * ```ts
 * import { CookieSessionStore } from 'sealed-session';
 * import { fromIronSession } from 'sealed-session/iron-session';
 *
 * const store = new CookieSessionStore({
 *   keys: process.env.SESSION_SECRET!,
 *   legacy: fromIronSession({ cookieName: 'myapp_session', password: { 1: process.env.IRON_PASSWORD! }, ttl: 14 * 86_400 }),
 * });
 * ```
 *
 * @packageDocumentation
 */
import { SessionError, configError, rejectUnknownOptions } from '../errors';
import { isCookieName } from '../cookie/grammar';
import type { EngineChoice } from '../seal/engine';
import { checkKeyRingOptions, createKeyRing, deferredKeyRing, renamedKeyError, type KeyRing, type Keys } from '../seal/keys';
import type { LegacyReader } from '../session/legacy';
import { ironSessionReader } from './reader';

export type { LegacyReader, LegacyCookie, LegacyOpenResult } from '../session/legacy';

/** Ten years, the longest ttl a store accepts. */
const MAX_TTL = 10 * 365 * 24 * 60 * 60;

/**
 * iron-session's options, as your iron-session configuration spells them.
 *
 * @example
 * ```ts
 * const options: IronSessionOptions = { cookieName: 'myapp_session', password: process.env.IRON_PASSWORD!, ttl: 14 * 86_400 };
 * ```
 */
export interface IronSessionOptions {
  /** iron-session's `cookieName`; its chunks `cookieName.0` … `cookieName.3` are read too. May equal the store's `cookie.name`. */
  readonly cookieName: string;
  /**
   * iron-session's `password`: a string (key id `1`) or its `{ [id]: password }`
   * map. Or a function returning it (`() => process.env.IRON_PASSWORD!`), for
   * a build step without the secrets (`next build`): called when the first
   * old cookie is read, checked then (`ERR_CONFIG_KEYS` from that load).
   */
  readonly password: string | Readonly<Record<string, string>> | (() => string | Readonly<Record<string, string>>);
  /**
   * iron-session's `ttl` in seconds, exactly (its default is 14 days; `0`
   * for none). Given, a migrated session is dated from iron-session's last
   * save; without it, a migrated session is undated (`createdAt` 0 for
   * `isRevoked`) and its lifetime starts at the migration.
   */
  readonly ttl?: number;
  /** The crypto engine for the old cookies (default `'auto'`). */
  readonly crypto?: EngineChoice;
}

function describe(value: unknown): string {
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : typeof value;
}

/** The option names of {@link fromIronSession}; any other is refused, naming the nearest. */
const LEGACY_OPTIONS: readonly string[] = ['cookieName', 'password', 'ttl', 'crypto'];

/**
 * A reader of iron-session 8/9 cookies for a store's `legacy` option. Throws
 * `ERR_CONFIG_*` naming `fromIronSession.<option>` for a bad configuration.
 *
 * @example
 * ```ts
 * const legacy = fromIronSession({ cookieName: 'myapp_session', password: { 2: process.env.IRON_PW_2!, 1: process.env.IRON_PW_1! } });
 * const store = new CookieSessionStore({ keys: process.env.SESSION_SECRET!, legacy });
 * ```
 */
export function fromIronSession(input: IronSessionOptions): LegacyReader {
  if (!input || typeof input !== 'object' || typeof input.cookieName !== 'string' || !isCookieName(input.cookieName)) {
    throw configError('ERR_CONFIG_OPTION', 'fromIronSession.cookieName', "must be iron-session's cookieName (an RFC 6265 token)");
  }
  rejectUnknownOptions(input, LEGACY_OPTIONS, 'fromIronSession.');
  const password: unknown = input.password;
  if (typeof password !== 'string' && typeof password !== 'function' && (!password || typeof password !== 'object')) {
    throw configError('ERR_CONFIG_KEYS', 'fromIronSession.password', "must be iron-session's password: a string, or its { [id]: password } map (or a function returning one)");
  }
  const ttl = input.ttl === undefined ? 0 : input.ttl;
  if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 0 || ttl > MAX_TTL) {
    throw configError('ERR_CONFIG_OPTION', 'fromIronSession.ttl', `must be iron-session's ttl: a whole number of seconds from 0 (none) to ${MAX_TTL}; got ${describe(ttl)}`);
  }
  const options = input.crypto === undefined ? {} : { crypto: input.crypto };
  try {
    checkKeyRingOptions(options);
  } catch (err) {
    throw err instanceof SessionError && err.option === 'crypto' ? configError('ERR_CONFIG_OPTION', 'fromIronSession.crypto', err.message.slice(err.message.indexOf('crypto: ') + 8)) : err;
  }
  const maxAge = ttl === 0 ? undefined : ttl;
  // iron-session reads a string password as key id 1, and a map by numeric id: exactly our key ring's rules.
  if (typeof password === 'function') return ironSessionReader(deferredKeyRing(password as () => unknown, options, 'fromIronSession.password'), input.cookieName, maxAge);
  let ring: KeyRing;
  try {
    ring = createKeyRing(password as Keys, options);
  } catch (err) {
    throw renamedKeyError(err, 'fromIronSession.password');
  }
  return ironSessionReader(() => ring, input.cookieName, maxAge);
}
