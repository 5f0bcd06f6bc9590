/**
 * Shared fixtures for the session tests: secrets, a Set-Cookie parser, a
 * simulated browser cookie jar, and a "request" helper that runs a handler
 * between `store.load(jar)` and `session.commit()` the way an adapter would.
 *
 * Everything here goes through the public API only; the jar plays the
 * browser, so a test asserts what a user would see.
 */
import { expect } from 'vitest';
import { SessionError, type SessionErrorCode } from '../../src/errors';
import type { Session } from '../../src/index';

import { DAY, HOUR, MINUTE, OTHER_SECRET, SESSION_SECRETS } from '../fixtures';

/** Distinctive secrets (test/fixtures.ts). */
export const [SECRET, SECRET_2] = SESSION_SECRETS;
export { OTHER_SECRET, MINUTE, HOUR, DAY };
/** User agents cap Max-Age at 400 days. */
export const MAX_AGE_CAP = 34_560_000;

/** One Set-Cookie header value, parsed. Attribute names are lower-cased. */
export interface SetCookie {
  readonly name: string;
  readonly value: string;
  /** Lower-cased attribute name → value (`true` for a flag such as `HttpOnly`). */
  readonly attributes: ReadonlyMap<string, string | true>;
  /** Max-Age as a number, when present. */
  readonly maxAge: number | undefined;
  readonly raw: string;
}

/** Parse a Set-Cookie header value (RFC 6265bis §5.6, leniently: what our serializer emits). */
export function parseSetCookie(raw: string): SetCookie {
  const [pair = '', ...rest] = raw.split(';');
  const eq = pair.indexOf('=');
  expect(eq, `Set-Cookie without '=': ${raw.slice(0, 80)}`).toBeGreaterThan(0);
  const name = pair.slice(0, eq).trim();
  const value = pair.slice(eq + 1).trim();
  const attributes = new Map<string, string | true>();
  for (const part of rest) {
    const at = part.indexOf('=');
    const key = (at === -1 ? part : part.slice(0, at)).trim().toLowerCase();
    if (key === '') continue;
    attributes.set(key, at === -1 ? true : part.slice(at + 1).trim());
  }
  const ma = attributes.get('max-age');
  return { name, value, attributes, maxAge: typeof ma === 'string' ? Number(ma) : undefined, raw };
}

/** Whether a parsed Set-Cookie deletes its cookie (Max-Age ≤ 0, or an Expires in the past without Max-Age). */
export function isRemoval(c: SetCookie): boolean {
  if (c.maxAge !== undefined) return c.maxAge <= 0;
  const expires = c.attributes.get('expires');
  return typeof expires === 'string' && Date.parse(expires) <= Date.now();
}

/**
 * Assert what every response from this library must satisfy (RFC 6265bis):
 * no two Set-Cookie fields for one name, and name + value ≤ 4096 octets.
 */
export function checkResponse(setCookies: readonly string[]): SetCookie[] {
  const parsed = setCookies.map(parseSetCookie);
  const names = parsed.map((c) => c.name);
  expect(new Set(names).size, `two Set-Cookie for one name in ${JSON.stringify(names)}`).toBe(names.length);
  for (const c of parsed) {
    expect(c.name.length + c.value.length, `${c.name}: name + value over 4096 octets`).toBeLessThanOrEqual(4096);
  }
  return parsed;
}

interface JarEntry {
  readonly value: string;
  /** ms since the epoch (Date.now(), so fake timers apply); undefined for a browser-session cookie. */
  readonly expiresAt: number | undefined;
}

/**
 * A simulated browser cookie jar for one origin: applies Set-Cookie values in
 * order (set, or delete on Max-Age ≤ 0), keeps name → value (paths and domains
 * are not modelled), forgets cookies whose Max-Age has run out, and produces a
 * request `Cookie` header.
 */
export class Browser {
  readonly #jar = new Map<string, JarEntry>();

  /** Apply one response's Set-Cookie values; returns them parsed. */
  apply(setCookies: readonly string[]): SetCookie[] {
    const parsed = checkResponse(setCookies);
    for (const c of parsed) {
      if (isRemoval(c)) {
        this.#jar.delete(c.name);
        continue;
      }
      const expiresAt = c.maxAge !== undefined ? Date.now() + c.maxAge * 1000 : undefined;
      this.#jar.set(c.name, { value: c.value, expiresAt });
    }
    return parsed;
  }

  #sweep(): void {
    const now = Date.now();
    for (const [name, entry] of this.#jar) if (entry.expiresAt !== undefined && entry.expiresAt <= now) this.#jar.delete(name);
  }

  /** The request `Cookie` header, or undefined when the jar is empty. */
  header(): string | undefined {
    this.#sweep();
    if (this.#jar.size === 0) return undefined;
    return [...this.#jar].map(([name, { value }]) => `${name}=${value}`).join('; ');
  }

  get(name: string): string | undefined {
    this.#sweep();
    return this.#jar.get(name)?.value;
  }

  names(): string[] {
    this.#sweep();
    return [...this.#jar.keys()];
  }

  /** Put a cookie in by hand (what an attacker or a stale tab does). */
  put(name: string, value: string): void {
    this.#jar.set(name, { value, expiresAt: undefined });
  }

  delete(name: string): void {
    this.#jar.delete(name);
  }

  /** A copy of this jar (a second tab, or an attacker who copied the cookies). */
  clone(): Browser {
    const copy = new Browser();
    for (const [name, entry] of this.#jar) copy.#jar.set(name, entry);
    return copy;
  }
}

/** Anything with `load` (a CookieSessionStore). */
export interface Loader<State extends object> {
  load(cookieHeader: string | null | undefined): Promise<Session<State>>;
}

/** What one simulated request produced. */
export interface Exchange<State extends object, R> {
  readonly session: Session<State>;
  /** The raw Set-Cookie values of the response. */
  readonly setCookies: string[];
  /** The same, parsed. */
  readonly cookies: SetCookie[];
  /** What the handler returned. */
  readonly result: R;
}

/**
 * One request: load the session from the browser's cookies, run the handler,
 * commit, and apply the response's Set-Cookie values to the browser.
 */
export async function request<State extends object, R = void>(
  store: Loader<State>,
  browser: Browser,
  handler: (session: Session<State>) => R | Promise<R> = () => undefined as R,
): Promise<Exchange<State, R>> {
  const session = await store.load(browser.header());
  const result = await handler(session);
  const setCookies = await session.commit();
  const cookies = browser.apply(setCookies);
  return { session, setCookies, cookies, result };
}

/** The Set-Cookie of `name` in a response (fails when absent). */
export function cookieNamed(cookies: readonly SetCookie[], name: string): SetCookie {
  const found = cookies.find((c) => c.name === name);
  expect(found, `no Set-Cookie for ${name} in ${JSON.stringify(cookies.map((c) => c.name))}`).toBeDefined();
  return found!;
}

/** The iron token components of a cookie value (`Fe26.2*id*…`). */
export function ironParts(token: string): string[] {
  const parts = token.split('*');
  expect(parts, 'an iron token has 8 components').toHaveLength(8);
  expect(parts[0]).toBe('Fe26.2');
  return parts;
}

/** The SessionError a synchronous call throws (fails otherwise). */
export function thrown(fn: () => unknown): SessionError {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof SessionError)) throw new Error(`expected a SessionError, got ${String(err)}`, { cause: err });
    return err;
  }
  throw new Error('expected a throw, but the call returned');
}

/** The SessionError a promise rejects with (fails otherwise). */
export async function rejection(promise: Promise<unknown>): Promise<SessionError> {
  try {
    await promise;
  } catch (err) {
    if (!(err instanceof SessionError)) throw new Error(`expected a SessionError, got ${String(err)}`, { cause: err });
    return err;
  }
  throw new Error('expected a rejection, but the promise resolved');
}

/** Expect a configuration error with this code and option. */
export function expectConfigError(fn: () => unknown, code: SessionErrorCode, option: string): SessionError {
  const err = thrown(fn);
  expect({ code: err.code, option: err.option }).toEqual({ code, option });
  expect(err.message).toContain(option);
  return err;
}
