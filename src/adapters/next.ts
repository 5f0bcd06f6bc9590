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
import type { ResolvedStoreOptions } from '../session/options';
import type { CommitSink } from '../session/session';
import type { CookieWrite } from '../session/writer';
import type { Tracker } from './uncommitted';
import { conflictMessage, warn } from './warn';
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

/**
 * Where a commit writes on a Next.js cookie store. The store holds one value
 * per name, so two Set-Cookie values for one name cannot happen there; the
 * one rule still applies: a value the application set for one of our names
 * before the commit (neither what the request carried nor what we set) wins,
 * ours is not set, and the conflict is reported. (A value it sets after the
 * commit replaces ours in Next's store, where no adapter can see it.)
 */
export class CookieStoreSink implements CommitSink {
  /** The value of each of our names as the request carried it. */
  readonly #incoming = new Map<string, string>();
  /** The value we last set for each name. */
  readonly #mine = new Map<string, string>();
  readonly #reported = new Set<string>();
  /** A change no commit has written yet. */
  dirty = false;
  /** Set when a forgotten commit of this session is watched for. */
  tracker: Tracker | undefined;

  constructor(
    private readonly store: CookieStoreLike,
    private readonly options: ResolvedStoreOptions,
  ) {
    for (const { name, value } of store.getAll()) if (typeof name === 'string' && typeof value === 'string') this.#incoming.set(name, value);
  }

  check(): void {}

  pending(): void {
    this.dirty = true;
    if (this.tracker) this.tracker.dirty = true;
  }

  write(cookies: readonly CookieWrite[]): void {
    this.#set(cookies);
    this.dirty = false;
    if (this.tracker) this.tracker.dirty = false;
  }

  #set(cookies: readonly CookieWrite[]): void {
    const store = this.store;
    try {
      let current: Map<string, string> | undefined;
      for (const cookie of cookies) {
        current ??= new Map(store.getAll().map((c) => [c.name, c.value] as const));
        const value = current.get(cookie.name);
        if (value !== undefined && value !== this.#incoming.get(cookie.name) && value !== this.#mine.get(cookie.name)) {
          this.#report(cookie.name);
          continue;
        }
        store.set(cookieSetOptions(cookie, this.options.cookie));
        this.#mine.set(cookie.name, cookie.value);
      }
    } catch (err) {
      throw new SessionError(
        'ERR_SESSION_ADAPTER',
        'sealed-session: Next.js refused to set the session cookie; cookies can be written in server actions, route handlers and middleware, not while a server component renders (read the session there without committing)',
        { cause: err },
      );
    }
  }

  #report(name: string): void {
    if (this.#reported.has(name)) return;
    this.#reported.add(name);
    warn(this.options, 'cookie-conflict', name, conflictMessage(name));
  }
}
