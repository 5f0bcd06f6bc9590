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

/** A Cookie header rebuilt from the store, with only the names that can be ours. */
export function storeCookieHeader(store: CookieStoreLike, name: string): string {
  let header = '';
  for (const { name: n, value } of store.getAll()) {
    if (n === name || n.startsWith(`${name}.`)) header += (header ? '; ' : '') + `${n}=${value}`;
  }
  return header;
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
