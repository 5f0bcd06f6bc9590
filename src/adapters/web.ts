/**
 * Web adapter: a Fetch API `Request` in, a `Response` or `Headers` out
 * (Next.js App Router route handlers and middleware, Bun, Deno, workerd,
 * Vercel's edge runtime, Hono). It only moves headers.
 *
 * @module
 * @internal
 */
import { SessionError } from '../errors';
import type { ResolvedStoreOptions } from '../session/options';
import type { CookieWrite } from '../session/writer';
import type { ResolvedCookieOptions } from '../cookie/options';
import { resolveSetCookies, setCookieName } from './merge';
import { applyCacheHeaders, webHeaderAccess } from './cache';
import { conflictMessage, warn } from './warn';
import { hasMethods, headersOf } from './shape';
import type { CookieSetOptions, HeadersLike, RequestLike, ResponseLike } from './types';

export function isHeaders(value: unknown): value is HeadersLike {
  return hasMethods(value, 'get', 'append', 'delete');
}

export function isWebRequest(value: unknown): value is RequestLike {
  return hasMethods(headersOf(value), 'get');
}

export function isWebResponse(value: unknown): value is ResponseLike {
  return isHeaders(headersOf(value));
}

/** The Cookie header of a Web request. */
export function webCookieHeader(request: RequestLike): string | undefined {
  return request.headers.get('cookie') ?? undefined;
}

/** Next.js-style cookie options for one of our cookies. */
export function cookieSetOptions(cookie: CookieWrite, o: ResolvedCookieOptions): CookieSetOptions {
  const options: CookieSetOptions = {
    name: cookie.name,
    value: cookie.value,
    path: o.path,
    httpOnly: o.httpOnly,
    secure: o.secure,
    sameSite: o.sameSite,
  };
  if (o.domain !== undefined) options.domain = o.domain;
  if (o.partitioned) options.partitioned = true;
  if (cookie.maxAge !== undefined) {
    options.maxAge = cookie.maxAge;
    options.expires = new Date(cookie.maxAge === 0 ? 0 : Date.now() + cookie.maxAge * 1000);
  }
  return options;
}

function immutable(cause: unknown): SessionError {
  return new SessionError(
    'ERR_SESSION_ADAPTER',
    "sealed-session: the response's headers are immutable (Response.redirect(), Response.error() or a fetched response); build the response with new Response(...), or use store.withSession(), which copies it",
    { cause },
  );
}

/**
 * What the writes of one session onto one request's responses share: every
 * Set-Cookie value it wrote (so an older one still on a response is known as
 * ours), the names already reported as taken by the application, and the
 * store's options.
 */
export class WriteContext {
  readonly mine = new Set<string>();
  readonly #reported = new Set<string>();
  constructor(readonly options: ResolvedStoreOptions) {}

  /** Say once per name that the application's own value took one of our names. */
  report(conflicts: readonly string[]): void {
    for (const name of conflicts) {
      if (this.#reported.has(name)) continue;
      this.#reported.add(name);
      warn(this.options, 'cookie-conflict', name, conflictMessage(name));
    }
  }
}

/** Put cookies on a `Headers` by the one rule of `merge.ts`. */
export function writeToHeaders(headers: HeadersLike, cookies: readonly CookieWrite[], ctx: WriteContext): void {
  if (!cookies.length) return;
  try {
    const existing = setCookiesOf(headers);
    let sent = true;
    if (existing.length === 0) {
      for (const cookie of cookies) headers.append('set-cookie', cookie.header);
    } else {
      const resolved = resolveSetCookies(existing, cookies, ctx.mine);
      ctx.report(resolved.conflicts);
      sent = resolved.sent;
      if (resolved.changed) {
        headers.delete('set-cookie');
        for (const value of resolved.values) headers.append('set-cookie', value);
      }
    }
    if (sent) applyCacheHeaders(webHeaderAccess(headers), ctx.options);
  } catch (err) {
    throw immutable(err);
  }
  for (const cookie of cookies) ctx.mine.add(cookie.header);
}

/** Runtimes without `getSetCookie` join values with ", ", which also appears in Expires: split only before a "name=". */
function splitLegacy(joined: string | null): string[] {
  if (!joined) return [];
  return joined.split(/,\s*(?=[!#$%&'*+\-.^_`|~0-9A-Za-z]+=)/);
}

/** The Set-Cookie values of a `Headers`, unjoined. */
export function setCookiesOf(headers: HeadersLike): string[] {
  return typeof headers.getSetCookie === 'function' ? headers.getSetCookie() : splitLegacy(headers.get('set-cookie'));
}

/**
 * Write through `NextResponse#cookies`. Next.js keeps its own parsed copy of
 * Set-Cookie and rewrites the header from it on every change, which drops the
 * values a route appended to `response.headers` directly: those are put back.
 * A value the route gave one of our names itself wins (ours is not set, and
 * the conflict is reported), as everywhere.
 */
export function writeThroughCookies(
  target: ResponseLike & { readonly cookies: NonNullable<ResponseLike['cookies']> },
  cookies: readonly CookieWrite[],
  ctx: WriteContext,
): void {
  const headers = isHeaders(target.headers) ? target.headers : undefined;
  try {
    const before = headers ? setCookiesOf(headers) : [];
    const taken = new Set<string>();
    for (const header of before) if (!ctx.mine.has(header)) taken.add(setCookieName(header));
    const conflicts: string[] = [];
    for (const cookie of cookies) {
      if (taken.has(cookie.name)) conflicts.push(cookie.name);
      else target.cookies.set(cookieSetOptions(cookie, ctx.options.cookie));
    }
    ctx.report(conflicts);
    if (!headers) return;
    if (conflicts.length < cookies.length) applyCacheHeaders(webHeaderAccess(headers), ctx.options);
    const after = setCookiesOf(headers);
    // Next serialises our cookies itself: what it wrote for our names is ours from now on.
    const names = new Set(cookies.map((c) => c.name));
    for (const header of after) if (names.has(setCookieName(header)) && !taken.has(setCookieName(header))) ctx.mine.add(header);
    if (before.length === 0) return;
    const present = new Set<string>();
    for (const header of after) present.add(setCookieName(header));
    // Last value per name, as a browser would keep it.
    const lost = new Map<string, string>();
    for (const header of before) {
      const name = setCookieName(header);
      if (!present.has(name)) lost.set(name, header);
    }
    for (const header of lost.values()) headers.append('set-cookie', header);
  } catch (err) {
    throw immutable(err);
  }
}

/**
 * Put cookies on a Web response or Headers: through `NextResponse#cookies`
 * when there is one (so Next.js keeps them, and a proxy's page reads them),
 * else on the headers. Throws `ERR_SESSION_ADAPTER` when they are immutable.
 */
export function writeToResponse(target: ResponseLike | HeadersLike, cookies: readonly CookieWrite[], ctx: WriteContext): void {
  if (!cookies.length) return;
  if ('cookies' in target && target.cookies && typeof target.cookies.set === 'function') {
    writeThroughCookies(target as ResponseLike & { readonly cookies: NonNullable<ResponseLike['cookies']> }, cookies, ctx);
    return;
  }
  writeToHeaders(headersOfTarget(target), cookies, ctx);
}

/** The headers of a Web response, or the Headers given. */
export function headersOfTarget(target: ResponseLike | HeadersLike): HeadersLike {
  return 'headers' in target && isHeaders(target.headers) ? target.headers : (target as HeadersLike);
}
