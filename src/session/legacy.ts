/**
 * The plug for reading another library's session cookie, so an application
 * can switch without signing anyone out: the store asks a {@link LegacyReader}
 * for an old cookie when its own is absent, validates what it opened against
 * the schema, and re-issues it in this format (deleting the old cookie) on
 * the first commit. The core knows no other format: a reader is built by a
 * subpath export such as `fromIronSession` from `sealed-session/iron-session`.
 *
 * @module
 */
import type { UnsealErrorCode } from '../errors';
import type { MaybePromise } from '../util/maybe-promise';

/**
 * An old cookie found in a request by {@link LegacyReader.find}: its value
 * (joined, when the old library chunked it) and the names it came under.
 *
 * @example
 * ```ts
 * const reader = fromIronSession({ cookieName: 'myapp_session', password: process.env.IRON_PASSWORD! });
 * const found: LegacyCookie | undefined = reader.find('myapp_session.0=Fe26.2*1*…; myapp_session.1=…');
 * found?.names; // ['myapp_session.0', 'myapp_session.1']: deleted once the session is migrated
 * ```
 */
export interface LegacyCookie {
  /** Its value, joined from its chunks. */
  readonly token: string;
  /** The cookie names it came in, to delete once migrated. */
  readonly names: readonly string[];
}

/**
 * What {@link LegacyReader.open} gave for an old cookie: its data (checked
 * against the store's schema next) or the reason it was refused.
 *
 * @example
 * ```ts
 * const opened: LegacyOpenResult = await reader.open(found.token, Date.now(), 60_000);
 * if (opened.ok) console.info('migrating', opened.data, 'saved at', opened.savedAt);
 * else console.warn('old cookie refused:', opened.code); // e.g. 'ERR_SEAL_BAD_MAC', 'ERR_SEAL_EXPIRED'
 * ```
 */
export type LegacyOpenResult =
  | {
      /** Opened: `data` is the old session. */
      readonly ok: true;
      /** The old session object, validated by the store's schema next. */
      readonly data: unknown;
      /** When the old cookie was last saved (ms since the epoch), under its MAC; `undefined` when nothing dates it. */
      readonly savedAt: number | undefined;
    }
  | {
      /** Refused: `code` says why. */
      readonly ok: false;
      /** Why it was refused (reported as the matching `invalidReason`). */
      readonly code: UnsealErrorCode;
    };

/**
 * Reads one other library's session cookie: the `legacy` option of a store.
 *
 * @example
 * ```ts
 * import { fromIronSession } from 'sealed-session/iron-session';
 *
 * const reader: LegacyReader = fromIronSession({ cookieName: 'myapp_session', password: process.env.IRON_PASSWORD! });
 * const store = new CookieSessionStore({ keys: process.env.SESSION_SECRET!, legacy: reader });
 * ```
 */
export interface LegacyReader {
  /** The old cookie's name (its chunks are named from it). */
  readonly cookieName: string;
  /** Find the old cookie in a request's Cookie header. */
  find(header: string | undefined): LegacyCookie | undefined;
  /** Whether a value under the store's own cookie name is in the old format (an old cookie of the same name). */
  owns(value: string): boolean;
  /**
   * Open an old cookie's `token`; `now` is the store's clock (ms since the
   * epoch) and `skewMs` its clock-skew allowance (ms). Answers a result, or a
   * promise of one (a WebCrypto engine is asynchronous).
   */
  open(token: string, now: number, skewMs: number): MaybePromise<LegacyOpenResult>;
}

/** @internal Throw unless `value` looks like a {@link LegacyReader}. */
export function isLegacyReader(value: unknown): value is LegacyReader {
  const r = value as Partial<Record<keyof LegacyReader, unknown>> | null;
  return !!r && typeof r === 'object' && typeof r.cookieName === 'string' && typeof r.find === 'function' && typeof r.owns === 'function' && typeof r.open === 'function';
}
