/**
 * The shapes `handleSession` accepts, described structurally so that the
 * public types need neither `@types/node` nor the DOM library nor Next.js.
 *
 * @module
 */

/**
 * node:http `IncomingMessage` (also Express' `req`, Next.js Pages API `req`).
 * Only the `Cookie` header is read.
 *
 * @example
 * ```ts
 * const req: NodeRequestLike = { headers: { cookie: 'session=Fe26.2*1*…' } };
 * ```
 */
export interface NodeRequestLike {
  /** The request headers, lower-cased as node:http gives them. */
  readonly headers: {
    /** The `Cookie` header (node:http joins repeated ones with `; `). */
    readonly cookie?: string | undefined;
  } & Readonly<Record<string, string | string[] | undefined>>;
}

/**
 * node:http `ServerResponse` (also Express' `res`). `handleSession` wraps
 * `writeHead` on this object (not its prototype) to commit a session that
 * changed but was not committed.
 *
 * @example
 * ```ts
 * createServer(async (req, res) => {
 *   const session = await store.handleSession(req, res); // res is a NodeResponseLike
 *   res.end(String(session.get('visits')));
 * });
 * ```
 */
export interface NodeResponseLike {
  /** True once the status line and headers went out; a commit then throws `ERR_SESSION_HEADERS_SENT`. */
  readonly headersSent: boolean;
  /** Read a response header (the Set-Cookie values already there are kept). */
  getHeader(name: string): number | string | readonly string[] | undefined;
  /** Set a response header (used for `set-cookie`). */
  setHeader(name: string, value: number | string | readonly string[]): unknown;
  /** Send the status line and headers; node:http's `write`/`end` call it too. */
  writeHead(statusCode: number, ...rest: any[]): unknown;
}

/**
 * Web `Headers`: a commit target when you build the `Response` yourself.
 *
 * @example
 * ```ts
 * const headers = new Headers();
 * const session = await store.handleSession(request, headers);
 * session.set('visits', session.get('visits') + 1);
 * await session.commit(); // appended to headers
 * return new Response('ok', { headers });
 * ```
 */
export interface HeadersLike {
  /** Read a header (the `Cookie` of a request). */
  get(name: string): string | null;
  /** Add a header value (one per Set-Cookie). */
  append(name: string, value: string): void;
  /** Remove a header (Set-Cookie values are rewritten so no cookie name appears twice). */
  delete(name: string): void;
  /** Every Set-Cookie value, unjoined; where a runtime lacks it, the joined header is split. */
  getSetCookie?(): string[];
}

/**
 * Web `Request` (also Next.js' `NextRequest`, Hono's `c.req.raw`). Only its
 * `Cookie` header is read.
 *
 * @example
 * ```ts
 * const session = await store.handleSession(new Request('https://example.com/', { headers: { cookie } }));
 * ```
 */
export interface RequestLike {
  /** The request headers; only `get('cookie')` is called. */
  readonly headers: Pick<HeadersLike, 'get'>;
}

/**
 * Attributes of a cookie as Next.js' cookie stores take them: what the
 * adapter passes to `cookies().set(...)` and `NextResponse#cookies.set(...)`.
 *
 * @example
 * ```ts
 * const removal: CookieSetOptions = { name: 'session', value: '', path: '/', maxAge: 0, expires: new Date(0) };
 * ```
 */
export interface CookieSetOptions {
  /** Cookie name (`name`, or a chunk `name.1`, …). */
  name: string;
  /** Cookie value; empty for a removal. */
  value: string;
  /** Path attribute, from `cookie.path`. */
  path?: string;
  /** Domain attribute, from `cookie.domain`; absent for a host-only cookie. */
  domain?: string;
  /** Max-Age in seconds; `0` removes the cookie; absent for a browser-session cookie. */
  maxAge?: number;
  /** Expires: the same instant as `maxAge` (the epoch for a removal). */
  expires?: Date;
  /** HttpOnly attribute, from `cookie.httpOnly`. */
  httpOnly?: boolean;
  /** Secure attribute, from `cookie.secure`. */
  secure?: boolean;
  /** SameSite attribute, from `cookie.sameSite`. */
  sameSite?: 'lax' | 'strict' | 'none';
  /** CHIPS Partitioned attribute, from `cookie.partitioned`; present only when true. */
  partitioned?: boolean;
}

/**
 * Next.js' cookie store: the awaited `cookies()` of Next 15/16 (server actions,
 * route handlers, server components) and `NextResponse#cookies`.
 *
 * @example
 * ```ts
 * 'use server';
 * import { cookies } from 'next/headers';
 *
 * export async function signOut(): Promise<void> {
 *   const session = await store.handleSession(await cookies()); // a CookieStoreLike
 *   session.destroy();
 *   await session.commit();
 * }
 * ```
 */
export interface CookieStoreLike {
  /** Every cookie of the request (only the session's names are read). */
  getAll(): ReadonlyArray<{
    /** Cookie name. */
    readonly name: string;
    /** Cookie value. */
    readonly value: string;
  }>;
  /** Set or remove a cookie; throws while a server component renders, which the adapter reports as `ERR_SESSION_ADAPTER`. */
  set(options: CookieSetOptions): unknown;
}

/**
 * Web `Response` (also `NextResponse`, whose `cookies` store is used when present).
 *
 * @example
 * ```ts
 * const response = NextResponse.next();
 * const session = await store.handleSession(request, response); // a ResponseLike
 * await session.commit(); // written through response.cookies
 * return response;
 * ```
 */
export interface ResponseLike {
  /** The response headers; Set-Cookie values are written here when there is no `cookies` store. */
  readonly headers: HeadersLike;
  /** `NextResponse#cookies`: when present, cookies are written through it, so Next.js keeps them. */
  readonly cookies?: {
    /** Set or remove one cookie. */
    set(options: CookieSetOptions): unknown;
  };
}
