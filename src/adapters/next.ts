/**
 * Next.js cookie-store adapter: the awaited `cookies()` of Next 15/16, for
 * server actions, route handlers and server components. Reads with
 * `getAll()`, writes with `set()`. It only moves cookies.
 *
 * @module
 * @internal
 */
import { SessionError } from '../errors';
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
 * ours: `name` and its chunks `name.<n>`, and with `fromIronSession` the old
 * cookie `legacy` and its chunks `legacy.<n>`, which loading migrates.
 */
export function storeCookieHeader(store: CookieStoreLike, name: string, legacy?: string): string {
  let header = '';
  for (const { name: n, value } of store.getAll()) {
    if (isGroup(n, name) || (legacy !== undefined && isGroup(n, legacy))) header += (header ? '; ' : '') + `${n}=${value}`;
  }
  return header;
}

/** `n` is `base` or `base.<anything>` (no string built per cookie). */
function isGroup(n: string, base: string): boolean {
  return n.startsWith(base) && (n.length === base.length || n.charCodeAt(base.length) === 46 /* . */);
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
