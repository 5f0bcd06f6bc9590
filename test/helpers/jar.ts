/**
 * A browser's cookie handling for tests that talk HTTP: a jar that applies
 * Set-Cookie values in order (set, or delete on `Max-Age<=0` or a past
 * `Expires`) and renders a request `Cookie` header; an assertion that a
 * response never carries two Set-Cookie fields for one cookie name
 * (RFC 6265bis §4.1.1 MUST NOT); and a cookie-keeping `fetch` client for a
 * server started on 127.0.0.1 with {@link listen}.
 *
 * One origin only: Path, Domain and Secure are not modelled (the test
 * servers use Path=/ and host-only cookies), nor is expiry over time.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { expect } from 'vitest';

/** One Set-Cookie value, parsed. Attribute names are lower-cased. */
export interface ParsedSetCookie {
  readonly name: string;
  readonly value: string;
  /** Lower-cased attribute name → value (`true` for a flag such as `HttpOnly`). */
  readonly attributes: ReadonlyMap<string, string | true>;
  readonly raw: string;
}

/** Parse a Set-Cookie value the way RFC 6265bis §5.6 does (name/value pair, then `;`-separated attributes). */
export function parseSetCookie(raw: string): ParsedSetCookie {
  const [pair = '', ...rest] = raw.split(';');
  const eq = pair.indexOf('=');
  const name = (eq === -1 ? '' : pair.slice(0, eq)).trim();
  const value = (eq === -1 ? pair : pair.slice(eq + 1)).trim();
  const attributes = new Map<string, string | true>();
  for (const part of rest) {
    const at = part.indexOf('=');
    const key = (at === -1 ? part : part.slice(0, at)).trim().toLowerCase();
    if (key) attributes.set(key, at === -1 ? true : part.slice(at + 1).trim());
  }
  return { name, value, attributes, raw };
}

/** Whether a Set-Cookie value deletes its cookie: `Max-Age` ≤ 0, or (without Max-Age, which wins) an `Expires` in the past. */
export function isDeletion(cookie: ParsedSetCookie): boolean {
  const maxAge = cookie.attributes.get('max-age');
  if (typeof maxAge === 'string') return Number(maxAge) <= 0;
  const expires = cookie.attributes.get('expires');
  return typeof expires === 'string' && Date.parse(expires) <= Date.now();
}

/** Assert that no cookie name appears in two Set-Cookie values of one response; returns them parsed. */
export function expectOneSetCookiePerName(setCookies: readonly string[]): ParsedSetCookie[] {
  const parsed = setCookies.map(parseSetCookie);
  const names = parsed.map((c) => c.name);
  const repeated = names.filter((name, i) => names.indexOf(name) !== i);
  expect(repeated, `two Set-Cookie fields for one name in ${JSON.stringify(names)}`).toEqual([]);
  return parsed;
}

/** A one-origin cookie jar that behaves like a browser's for name, value and deletion. */
export class CookieJar {
  readonly #cookies = new Map<string, string>();

  /**
   * Apply one response's Set-Cookie values in order, after asserting there is
   * at most one per name. Returns them parsed.
   */
  apply(setCookies: readonly string[]): ParsedSetCookie[] {
    const parsed = expectOneSetCookiePerName(setCookies);
    for (const cookie of parsed) {
      if (!cookie.name) continue; // a nameless cookie: we never send one, so ignore it
      if (isDeletion(cookie)) this.#cookies.delete(cookie.name);
      else this.#cookies.set(cookie.name, cookie.value);
    }
    return parsed;
  }

  /** The request `Cookie` header, or `undefined` when the jar is empty. */
  header(): string | undefined {
    if (this.#cookies.size === 0) return undefined;
    return [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  get(name: string): string | undefined {
    return this.#cookies.get(name);
  }

  /** Names held, in the order they were first set. */
  names(): string[] {
    return [...this.#cookies.keys()];
  }

  /** Put a cookie in by hand (a tampering client, or a leftover from elsewhere). */
  put(name: string, value: string): void {
    this.#cookies.set(name, value);
  }
}

/** A server listening on 127.0.0.1 at a free port. */
export interface Listening {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  readonly port: number;
  /** Close the server, dropping idle keep-alive connections. */
  close(): Promise<void>;
}

/** Start `server` on 127.0.0.1, port 0. */
export async function listen(server: Server): Promise<Listening> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** What {@link Client.fetch} returns: the response, its Set-Cookie values and its body text. */
export interface Fetched {
  readonly response: Response;
  readonly status: number;
  readonly setCookies: string[];
  readonly text: string;
}

/** `fetch` with a {@link CookieJar}: sends the jar's cookies and applies every response's Set-Cookie values. Redirects are not followed. */
export class Client {
  readonly jar = new CookieJar();
  constructor(readonly origin: string) {}

  async fetch(path: string, init: RequestInit = {}): Promise<Fetched> {
    const headers = new Headers(init.headers);
    const cookie = this.jar.header();
    if (cookie !== undefined && !headers.has('cookie')) headers.set('cookie', cookie);
    const response = await fetch(this.origin + path, { ...init, headers, redirect: 'manual' });
    const setCookies = response.headers.getSetCookie();
    this.jar.apply(setCookies);
    return { response, status: response.status, setCookies, text: await response.text() };
  }

  /** GET `path` and parse the body as JSON (fails on a non-2xx status). */
  async json<T>(path: string, init: RequestInit = {}): Promise<T & { readonly setCookies: string[] }> {
    const { status, text, setCookies } = await this.fetch(path, init);
    expect(status, text).toBeLessThan(300);
    return { ...(JSON.parse(text) as T), setCookies };
  }
}
