/**
 * Next.js cookie-store adapter: the awaited `cookies()` of Next 15/16, for
 * server actions, route handlers and server components. Reads with
 * `getAll()`, writes with `set()`. It only moves cookies.
 *
 * @module
 * @internal
 */
import { SessionError } from '../errors';
import { isCookieValue } from '../cookie/grammar';
import type { ResolvedCookieOptions } from '../cookie/options';
import type { CommitSink } from '../session/session';
import type { CookieStoreLike } from './types';
import { hasMethods } from './shape';
import { cookieSetOptions } from './web';

export function isCookieStore(value: unknown): value is CookieStoreLike {
  return hasMethods(value, 'getAll', 'set');
}

/**
 * A Cookie header rebuilt from the store, with only the names that can be
 * ours: `name` and its chunks `name.<digits>`, and with `fromIronSession` the
 * old cookie `legacy` and its chunks `legacy.<digits>`, which loading migrates.
 *
 * The store's values are not the bytes the browser sent: Next.js
 * percent-decodes them (`%3B` becomes `;`). Pasted into a header as they are,
 * a value tossed from a sibling subdomain under the legacy name, decoding to
 * `x; __Host-session=<another seal>`, would read as a second cookie the
 * browser never had under that name, defeating `__Host-`. So every character
 * that is not an RFC 6265bis §4.1.1 cookie-octet (`;`, SP, `,`, `"`, `\`,
 * CTLs, non-ASCII) is written as `%XX` again: each store entry stays exactly
 * one pair of the rebuilt header, and a value that was not a seal (no seal
 * contains those characters) is still one that is not. The names are ours
 * (validated tokens) plus a dot and digits, so they cannot split a pair either.
 */
export function storeCookieHeader(store: CookieStoreLike, name: string, legacy?: string): string {
  let header = '';
  for (const { name: n, value } of store.getAll()) {
    if (typeof n !== 'string' || typeof value !== 'string') continue;
    if (isGroup(n, name) || (legacy !== undefined && isGroup(n, legacy))) {
      header += (header ? '; ' : '') + `${n}=${isCookieValue(value) ? value : value.replace(NON_COOKIE_OCTETS, percentEncode)}`;
    }
  }
  return header;
}

/** Every character that is not a cookie-octet (RFC 6265bis §4.1.1). */
const NON_COOKIE_OCTETS = /[^\x21\x23-\x2B\x2D-\x3A\x3C-\x5B\x5D-\x7E]/g;

/** `%` and the character's code in hex: never a separator, never part of a seal. */
const percentEncode = (c: string): string => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`;

/** `n` is `base` or `base.<1 or 2 ASCII digits>` (no string built per cookie). */
function isGroup(n: string, base: string): boolean {
  if (!n.startsWith(base)) return false;
  const extra = n.length - base.length;
  if (extra === 0) return true;
  if ((extra !== 2 && extra !== 3) || n.charCodeAt(base.length) !== 46 /* . */) return false;
  for (let i = base.length + 1; i < n.length; i++) {
    const c = n.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

export function cookieStoreSink(store: CookieStoreLike, o: ResolvedCookieOptions): CommitSink {
  return {
    check() {},
    write(cookies) {
      try {
        for (const cookie of cookies) store.set(cookieSetOptions(cookie, o));
      } catch (err) {
        throw new SessionError(
          'ERR_SESSION_ADAPTER',
          'sealed-session: Next.js refused to set the session cookie; cookies can be written in server actions, route handlers and middleware, not while a server component renders (read the session there without committing)',
          { cause: err },
        );
      }
    },
  };
}
