/**
 * The shapes `handleSession` accepts, described structurally so that the
 * public types need neither `@types/node` nor the DOM library nor Next.js.
 *
 * @module
 */

/** node:http `IncomingMessage` (also Express' `req`, Next.js Pages API `req`). */
export interface NodeRequestLike {
  readonly headers: { readonly cookie?: string | undefined } & Readonly<Record<string, string | string[] | undefined>>;
}

/** node:http `ServerResponse` (also Express' `res`). */
export interface NodeResponseLike {
  readonly headersSent: boolean;
  getHeader(name: string): number | string | readonly string[] | undefined;
  setHeader(name: string, value: number | string | readonly string[]): unknown;
  writeHead(statusCode: number, ...rest: any[]): unknown;
}

/** Web `Headers`. */
export interface HeadersLike {
  get(name: string): string | null;
  append(name: string, value: string): void;
  delete(name: string): void;
  getSetCookie?(): string[];
}

/** Web `Request` (also Next.js' `NextRequest`, Hono's `c.req.raw`). */
export interface RequestLike {
  readonly headers: Pick<HeadersLike, 'get'>;
}

/** Attributes of a cookie as Next.js' cookie stores take them. */
export interface CookieSetOptions {
  name: string;
  value: string;
  path?: string;
  domain?: string;
  maxAge?: number;
  expires?: Date;
  httpOnly?: boolean;
  secure?: boolean;
  sameSite?: 'lax' | 'strict' | 'none';
  partitioned?: boolean;
}

/**
 * Next.js' cookie store: the awaited `cookies()` of Next 15/16 (server actions,
 * route handlers, server components) and `NextResponse#cookies`.
 */
export interface CookieStoreLike {
  getAll(): ReadonlyArray<{ readonly name: string; readonly value: string }>;
  set(options: CookieSetOptions): unknown;
}

/** Web `Response` (also `NextResponse`, whose `cookies` store is used when present). */
export interface ResponseLike {
  readonly headers: HeadersLike;
  readonly cookies?: { set(options: CookieSetOptions): unknown };
}
