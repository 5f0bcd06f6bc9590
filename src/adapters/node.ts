/**
 * node:http adapter: `IncomingMessage` in, `ServerResponse` out (also Express
 * and Next.js Pages API routes). It only moves headers.
 *
 * A session changed but not committed is committed when the response writes
 * its headers (`writeHead`, which `write`/`end` also go through). On the
 * node:crypto engine that commit is synchronous and exact; when it cannot be
 * done there (WebCrypto engine, a state over budget) the miss is reported on
 * stderr, once per response, with the reason. A 5xx response (a failed
 * request) gets no such commit. Committing after the headers went out
 * throws `ERR_SESSION_HEADERS_SENT`.
 *
 * @module
 * @internal
 */
import { SessionError, isSessionError } from '../errors';
import type { CommitSink, Session } from '../session/session';
import { isPromiseLike } from '../util/maybe-promise';
import type { CookieWrite } from '../session/writer';
import type { ResolvedStoreOptions } from '../session/options';
import { mergeWrites, resolveSetCookies } from './merge';
import { applyCacheHeaders } from './cache';
import { conflictMessage, warn } from './warn';
import { hasMethods, headersOf } from './shape';
import type { NodeRequestLike, NodeResponseLike } from './types';

/** Is this pair node:http's (request, response)? Its request headers are a plain object, not a `Headers`. */
export function isNodePair(req: unknown, res: unknown): req is NodeRequestLike {
  const headers = headersOf(req);
  return !!headers && typeof headers === 'object' && !hasMethods(headers, 'get') && hasMethods(res, 'setHeader', 'getHeader', 'writeHead');
}

/** The request's Cookie header (node joins repeated Cookie headers with '; '). */
export function nodeCookieHeader(req: NodeRequestLike): string | undefined {
  const value = req.headers.cookie;
  return typeof value === 'string' ? value : undefined;
}

/** A Set-Cookie header value as node holds it (absent, one value, or a list) as a new list of strings. */
function valuesOf(value: unknown): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value.map(String) : [String(value)];
}

function headersSent(): SessionError {
  return new SessionError(
    'ERR_SESSION_HEADERS_SENT',
    'sealed-session: the response headers were already sent, so the session cookie cannot be set; await session.commit() before writing the body',
  );
}

/**
 * Where a session's commit writes on a node response; it hooks `writeHead`
 * once the session first has something to write. A class rather than an
 * object of closures: one small allocation per request.
 */
export class NodeSink implements CommitSink {
  /** Asynchronous commits still sealing. */
  #running = 0;
  /** The change a commit failed at: its caller saw the error, so writeHead must not retry the same state and report it again. */
  #failedAt = -1;
  /** The latest cookie of each name this session wrote on the response. */
  ours: readonly CookieWrite[] | undefined;
  /** Every Set-Cookie value this session wrote on the response (an older one still there is known as ours). */
  readonly mine = new Set<string>();
  /** Our names already reported as taken by the application's own value. */
  readonly #reported = new Set<string>();
  /** Whether any of our cookies is on the response (none, when the application's own values took every name). */
  sent = false;

  constructor(
    private readonly res: NodeResponseLike,
    readonly session: Session<object>,
    readonly options: ResolvedStoreOptions,
  ) {}

  pending(): void {
    commitOnWriteHead(this.res, this);
  }

  failed(version: number): void {
    this.#failedAt = version;
  }

  running(version: number, result: Promise<CookieWrite[]>): Promise<CookieWrite[]> {
    this.#running++;
    return Promise.resolve(result)
      .catch((err: unknown) => {
        this.#failedAt = version;
        throw err;
      })
      .finally(() => this.#running--);
  }

  /** Whether an asynchronous commit (WebCrypto engine) is still sealing. */
  get busy(): boolean {
    return this.#running > 0;
  }

  /** Set when the request failed: what is still pending is not committed by writeHead. */
  settled = false;

  /** Whether writeHead should commit: something to write that no commit has failed at already, in a request that did not fail. */
  get due(): boolean {
    return !this.settled && this.#failedAt !== this.session.version && this.session.hasPendingWrite;
  }

  check(): void {
    if (this.res.headersSent) throw headersSent();
  }

  write(cookies: readonly CookieWrite[]): void {
    if (cookies.length === 0) return;
    // Checked again: with the WebCrypto engine the headers may have gone out while the commit sealed.
    this.check();
    const res = this.res;
    const hook = commitOnWriteHead(res, this);
    this.ours = this.ours === undefined ? cookies : mergeWrites(this.ours, cookies);
    const existing = valuesOf(res.getHeader('set-cookie'));
    let value: string[];
    if (existing.length === 0) {
      value = cookies.map((c) => c.header);
      this.sent = true;
    } else {
      const resolved = resolveSetCookies(existing, this.ours, this.mine);
      this.report(resolved.conflicts);
      value = resolved.values;
      this.sent = resolved.sent;
    }
    for (const cookie of cookies) this.mine.add(cookie.header);
    res.setHeader('set-cookie', value);
    hook.set = value;
    hook.setCopy = [...value];
  }

  /** Say once per name that the application's own value took one of our names. */
  report(conflicts: readonly string[]): void {
    for (const name of conflicts) {
      if (this.#reported.has(name)) continue;
      this.#reported.add(name);
      warn(this.options, 'cookie-conflict', name, conflictMessage(name));
    }
  }
}

const NO_SINKS: readonly NodeSink[] = [];

/** Per patched response: its sessions' sinks, its own writeHead, and the Set-Cookie value we last set. */
interface Hook {
  readonly sinks: NodeSink[];
  readonly original: (this: NodeResponseLike, statusCode: number, ...rest: unknown[]) => unknown;
  /** The Set-Cookie value we last gave setHeader, and a copy of it (node's appendHeader adds to the same array). */
  set: unknown;
  setCopy: readonly string[];
}

/**
 * Kept on the response object itself: a WeakMap keyed by every response
 * costs several microseconds per request in the collector's ephemeron work.
 */
const HOOK: unique symbol = Symbol('sealed-session.writeHead');
type Hooked = NodeResponseLike & { [HOOK]?: Hook };

/**
 * Commit pending sessions when the response writes its headers. Patches
 * `writeHead` on this response object only (not the prototype), with one
 * shared function: nothing is allocated per response but the hook record.
 */
export function commitOnWriteHead(res: NodeResponseLike, sink: NodeSink): Hook {
  const hooked = res as Hooked;
  const hook = hooked[HOOK];
  if (hook) {
    if (!hook.sinks.includes(sink)) hook.sinks.push(sink);
    return hook;
  }
  const created: Hook = { sinks: [sink], original: res.writeHead as Hook['original'], set: undefined, setCopy: [] };
  hooked[HOOK] = created;
  (res as { writeHead: unknown }).writeHead = writeHeadWithCommit;
  return created;
}

/**
 * The hooked `writeHead`: commits what is pending, then makes the response's
 * final Set-Cookie values follow the one rule of `merge.ts` (ours once per
 * name, the application's own value for one of our names winning, reported):
 * - headers given to writeHead replace those set before (node's rule), so
 *   when they carry Set-Cookie, the rule applies to a copy of them (the
 *   caller's object or array is never changed: it may be a constant shared
 *   by every response, or frozen);
 * - a `setHeader('Set-Cookie', …)` after the commit (Express'
 *   `res.cookie`/`res.clearCookie` append that way) is resolved the same way.
 */
function writeHeadWithCommit(this: NodeResponseLike, statusCode: number, ...rest: unknown[]): unknown {
  const hook = (this as Hooked)[HOOK]!;
  // A 5xx response is a failed request: its half-done change is not committed onto it (a commit the
  // application ran itself stays).
  for (const sink of statusCode >= 500 ? NO_SINKS : hook.sinks) {
    if (sink.busy) {
      report('commit() was still sealing (it was not awaited)');
      continue;
    }
    if (!sink.due) continue;
    try {
      const result = sink.session.commitNow();
      if (isPromiseLike(result)) {
        Promise.resolve(result).catch(() => {});
        report('the commit is asynchronous: the WebCrypto engine, a key still being stretched, or a session backend such as Redis');
      }
    } catch (err) {
      report(isSessionError(err) ? `${err.code}: ${err.message}` : 'an unexpected error');
    }
  }
  const last = rest.length === 0 ? undefined : rest[rest.length - 1];
  const given = last !== null && typeof last === 'object' ? new GivenHeaders(last) : undefined;
  // Nothing replaced or added to what we set, and writeHead brings no Set-Cookie of its own: the values are already resolved.
  if (given?.has('set-cookie') || !unchanged(this.getHeader('set-cookie'), hook)) {
    for (const sink of hook.sinks) {
      if (sink.ours === undefined) continue;
      const inGiven = given?.has('set-cookie') === true;
      const current = valuesOf(inGiven ? given!.get('set-cookie') : this.getHeader('set-cookie'));
      const resolved = resolveSetCookies(current, sink.ours, sink.mine);
      sink.report(resolved.conflicts);
      sink.sent = resolved.sent;
      if (!resolved.changed) continue;
      if (inGiven) given!.set('set-cookie', resolved.values);
      else {
        this.setHeader('set-cookie', resolved.values);
        hook.set = resolved.values;
        hook.setCopy = [...resolved.values];
      }
    }
  }
  // The response carries a session cookie: keep shared caches from storing it (cache.ts).
  const sending = hook.sinks.find((sink) => sink.sent && sink.options.cacheHeaders);
  if (sending !== undefined) {
    const res = this;
    applyCacheHeaders(
      {
        get: (name) => headerText(given?.has(name) ? given.get(name) : res.getHeader(name)),
        set: (name, value) => (given?.has(name) ? given.set(name, value) : res.setHeader(name, value)),
      },
      sending.options,
    );
  }
  if (given?.copied) return hook.original.call(this, statusCode, ...rest.slice(0, -1), given.headers);
  // The usual call, from end()/write(): writeHead(statusCode).
  return rest.length === 0 ? hook.original.call(this, statusCode) : hook.original.call(this, statusCode, ...rest);
}

/** A header value as node holds it (a number, a string, a list) as one string. */
function headerText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return Array.isArray(value) ? value.map(String).join(', ') : String(value);
}

/** Whether the response's Set-Cookie is still exactly what we last set. */
function unchanged(current: unknown, hook: Hook): boolean {
  if (current !== hook.set) return false;
  if (!Array.isArray(current)) return true;
  const copy = hook.setCopy;
  if (current.length !== copy.length) return false;
  for (let i = 0; i < copy.length; i++) if (current[i] !== copy[i]) return false;
  return true;
}

/**
 * The headers given to writeHead (an object, or node's flat [name, value, …]
 * array), read by name and changed on a copy: the caller's own is never
 * changed.
 */
class GivenHeaders {
  copied = false;
  constructor(public headers: object) {}

  #key(name: string): string | undefined {
    if (Array.isArray(this.headers)) return undefined;
    return Object.keys(this.headers).find((k) => k.toLowerCase() === name);
  }

  has(name: string): boolean {
    const headers = this.headers;
    if (Array.isArray(headers)) {
      for (let i = 0; i + 1 < headers.length; i += 2) if (String(headers[i]).toLowerCase() === name) return true;
      return false;
    }
    return this.#key(name) !== undefined;
  }

  /** Every value given for `name` (Set-Cookie values as a list; for other names, joined with ", "). */
  get(name: string): unknown {
    const headers = this.headers;
    if (Array.isArray(headers)) {
      const values: string[] = [];
      for (let i = 0; i + 1 < headers.length; i += 2) if (String(headers[i]).toLowerCase() === name) values.push(...valuesOf(headers[i + 1]));
      return name === 'set-cookie' ? values : values.join(', ');
    }
    const key = this.#key(name);
    return key === undefined ? undefined : (headers as Record<string, unknown>)[key];
  }

  set(name: string, value: string | string[]): void {
    const headers = this.headers;
    if (Array.isArray(headers)) {
      const others: unknown[] = [];
      let spelled = name;
      for (let i = 0; i + 1 < headers.length; i += 2) {
        if (String(headers[i]).toLowerCase() === name) spelled = String(headers[i]);
        else others.push(headers[i], headers[i + 1]);
      }
      others.push(spelled, value);
      this.headers = others;
    } else {
      this.headers = { ...(headers as Record<string, unknown>), [this.#key(name) ?? name]: value };
    }
    this.copied = true;
  }
}

function report(reason: string): void {
  console.error(
    `sealed-session: a session changed but was not committed before the response headers were sent, and committing it then failed (${reason}); the client did not get the new cookie. Await session.commit() before sending the response.`,
  );
}
