/**
 * Cache headers for a response that carries the session's Set-Cookie: a
 * shared cache (CDN, proxy) that stored it would hand one user's session,
 * and the page made for them, to every other user it serves it to. One
 * implementation for every adapter (store option `cacheHeaders`, default on):
 *
 * - no `Cache-Control` → `private, no-cache`: no shared cache stores it
 *   (`private`), and the user's own browser may keep it but must ask the
 *   server before reusing it (`no-cache`), so a page is never shown from
 *   cache after the session changed. Not `no-store`: that also keeps pages
 *   out of many browsers' back/forward cache, a cost the application can
 *   choose by setting `no-store` itself, which is kept;
 * - a `Cache-Control` that lets shared caches store the response (`public`,
 *   `s-maxage`, or neither an unqualified `private` nor `no-store`) is made
 *   private: `public` and `s-maxage` are removed, `private` is added, the
 *   rest (`max-age`…) kept. Made private rather than refused: an error would
 *   break the response (often a sign-in) for a header the library can make
 *   safe; the rewrite of an explicit `public` / `s-maxage` is reported
 *   (`public-cache`) so the application can fix its headers;
 * - `Vary: Cookie` is added (merged into the application's Vary, once;
 *   `Vary: *` is left alone).
 *
 * @module
 * @internal
 */
import type { ResolvedStoreOptions } from '../session/options';
import type { HeadersLike } from './types';
import { warn } from './warn';

/** Read and write one response's headers, whatever holds them (node's response, a `Headers`, writeHead's own). */
export interface HeaderAccess {
  get(name: string): string | undefined;
  set(name: string, value: string): void;
}

const directiveName = (directive: string): string => {
  const eq = directive.indexOf('=');
  return (eq === -1 ? directive : directive.slice(0, eq)).trim().toLowerCase();
};

/** The private `Cache-Control` for a response carrying the session cookie; `undefined` when `current` is private already. */
export function privateCacheControl(current: string | undefined): { readonly value: string; readonly shared: boolean } | undefined {
  const directives = (current ?? '')
    .split(',')
    .map((d) => d.trim())
    .filter((d) => d !== '');
  if (directives.length === 0) return { value: 'private, no-cache', shared: false };
  let shared = false;
  let isPrivate = false;
  const kept: string[] = [];
  for (const directive of directives) {
    const name = directiveName(directive);
    if (name === 'public' || name === 's-maxage') {
      shared = true;
      continue;
    }
    // `private="field"` only keeps the named fields out of shared caches: the response is still stored.
    if (name === 'no-store' || (name === 'private' && !directive.includes('='))) isPrivate = true;
    kept.push(directive);
  }
  if (isPrivate && !shared) return undefined;
  if (!isPrivate) kept.unshift('private');
  return { value: kept.join(', '), shared };
}

/** `Vary` with `Cookie` in it; `undefined` when it has it already (or is `*`). */
export function varyWithCookie(current: string | undefined): string | undefined {
  const value = (current ?? '').trim();
  if (value === '') return 'Cookie';
  for (const name of value.split(',')) {
    const n = name.trim().toLowerCase();
    if (n === 'cookie' || n === '*') return undefined;
  }
  return `${value}, Cookie`;
}

/** Make a response that carries the session's cookie private to its user (unless `cacheHeaders: false`). */
export function applyCacheHeaders(headers: HeaderAccess, o: ResolvedStoreOptions): void {
  if (!o.cacheHeaders) return;
  const cacheControl = headers.get('cache-control');
  const decided = privateCacheControl(cacheControl);
  if (decided !== undefined) {
    headers.set('cache-control', decided.value);
    if (decided.shared) {
      warn(
        o,
        'public-cache',
        o.cookie.name,
        `a response carrying the session cookie had "Cache-Control: ${cacheControl}", letting shared caches hand the session to other users; it was sent as "Cache-Control: ${decided.value}" (cache only responses that set no cookie)`,
      );
    }
  }
  const vary = varyWithCookie(headers.get('vary'));
  if (vary !== undefined) headers.set('vary', vary);
}

/** A Web `Headers` (or one like it: `get`, `append`, `delete`) as {@link HeaderAccess}. */
export function webHeaderAccess(headers: HeadersLike): HeaderAccess {
  return {
    get: (name) => headers.get(name) ?? undefined,
    set: (name, value) => {
      headers.delete(name);
      headers.append(name, value);
    },
  };
}
