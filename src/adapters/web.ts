/**
 * Web adapter: a Fetch API `Request` in, a `Response` or `Headers` out
 * (Next.js App Router route handlers and middleware, Bun, Deno, workerd,
 * Vercel's edge runtime, Hono). It only moves headers.
 *
 * @module
 * @internal
 */
import { SessionError } from '../errors';
import type { CommitSink } from '../session/session';
import type { CookieWrite } from '../session/writer';
import type { ResolvedCookieOptions } from '../cookie/options';
import { mergeSetCookies, setCookieName } from './merge';
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

/** Put cookies on a `Headers`, replacing earlier Set-Cookie values of the same names. */
export function writeToHeaders(headers: HeadersLike, cookies: readonly CookieWrite[]): void {
  if (!cookies.length) return;
  try {
    const existing = setCookiesOf(headers);
    if (existing.length === 0) {
      for (const cookie of cookies) headers.append('set-cookie', cookie.header);
      return;
    }
    const merged = mergeSetCookies(existing, cookies);
    headers.delete('set-cookie');
    for (const value of merged) headers.append('set-cookie', value);
  } catch (err) {
    throw immutable(err);
  }
}

/** Runtimes without `getSetCookie` join values with ", ", which also appears in Expires: split only before a "name=". */
function splitLegacy(joined: string | null): string[] {
  if (!joined) return [];
  return joined.split(/,\s*(?=[!#$%&'*+\-.^_`|~0-9A-Za-z]+=)/);
}

/** The Set-Cookie values of a `Headers`, unjoined. */
function setCookiesOf(headers: HeadersLike): string[] {
  return typeof headers.getSetCookie === 'function' ? headers.getSetCookie() : splitLegacy(headers.get('set-cookie'));
}

/**
 * Write through `NextResponse#cookies`. Next.js keeps its own parsed copy of
 * Set-Cookie and rewrites the header from it on every change, which drops the
 * values a route appended to `response.headers` directly: those are put back,
 * except where one of ours took their name (one Set-Cookie per name, ours win).
 */
export function writeThroughCookies(
  target: ResponseLike & { readonly cookies: NonNullable<ResponseLike['cookies']> },
  cookies: readonly CookieWrite[],
  o: ResolvedCookieOptions,
): void {
  const headers = isHeaders(target.headers) ? target.headers : undefined;
  try {
    const before = headers ? setCookiesOf(headers) : [];
    for (const cookie of cookies) target.cookies.set(cookieSetOptions(cookie, o));
    if (!headers || before.length === 0) return;
    const present = new Set<string>();
    for (const header of setCookiesOf(headers)) present.add(setCookieName(header));
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

/** Where a commit writes on a Web response or Headers. */
export function webSink(target: ResponseLike | HeadersLike, o: ResolvedCookieOptions): CommitSink {
  return {
    check() {},
    write(cookies) {
      writeToResponse(target, cookies, o);
    },
  };
}

/**
 * Put cookies on a Web response or Headers: through `NextResponse#cookies`
 * when there is one (so Next.js keeps them, and a proxy's page reads them),
 * else on the headers. Throws `ERR_SESSION_ADAPTER` when they are immutable.
 */
export function writeToResponse(target: ResponseLike | HeadersLike, cookies: readonly CookieWrite[], o: ResolvedCookieOptions): void {
  if (!cookies.length) return;
  if ('cookies' in target && target.cookies && typeof target.cookies.set === 'function') {
    writeThroughCookies(target as ResponseLike & { readonly cookies: NonNullable<ResponseLike['cookies']> }, cookies, o);
    return;
  }
  writeToHeaders('headers' in target && isHeaders(target.headers) ? target.headers : (target as HeadersLike), cookies);
}
