/**
 * node:http adapter: `IncomingMessage` in, `ServerResponse` out (also Express
 * and Next.js Pages API routes). It only moves headers.
 *
 * A session changed but not committed is committed when the response writes
 * its headers (`writeHead`, which `write`/`end` also go through). On the
 * node:crypto engine that commit is synchronous and exact; when it cannot be
 * done there (WebCrypto engine, a state over budget) the miss is reported on
 * stderr, once per response, with the reason. Committing after the headers
 * went out throws `ERR_SESSION_HEADERS_SENT`.
 *
 * @module
 * @internal
 */
import { SessionError, isSessionError } from '../errors';
import type { CommitSink, Session } from '../session/session';
import { isPromiseLike } from '../util/maybe-promise';
import type { CookieWrite } from '../session/writer';
import { mergeSetCookies, mergeWrites, setCookieName } from './merge';
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

  constructor(
    private readonly res: NodeResponseLike,
    readonly session: Session<object>,
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

  /** Whether writeHead should commit: something to write that no commit has failed at already. */
  get due(): boolean {
    return this.#failedAt !== this.session.version && this.session.hasPendingWrite;
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
    hook.ours = hook.ours === undefined ? cookies : mergeWrites(hook.ours, cookies);
    const existing = valuesOf(res.getHeader('set-cookie'));
    const value = existing.length === 0 ? cookies.map((c) => c.header) : mergeSetCookies(existing, cookies);
    res.setHeader('set-cookie', value);
    hook.set = value;
  }
}

/** Per patched response: its sessions' sinks, its own writeHead, and the cookies our sessions put on it. */
interface Hook {
  readonly sinks: NodeSink[];
  readonly original: (this: NodeResponseLike, statusCode: number, ...rest: unknown[]) => unknown;
  /** Every cookie our commits wrote on this response, one per name, latest last. */
  ours: readonly CookieWrite[] | undefined;
  /** The Set-Cookie value we last gave setHeader: still the response's own when nothing replaced it. */
  set: unknown;
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
  const created: Hook = { sinks: [sink], original: res.writeHead as Hook['original'], ours: undefined, set: undefined };
  hooked[HOOK] = created;
  (res as { writeHead: unknown }).writeHead = writeHeadWithCommit;
  return created;
}

/**
 * The hooked `writeHead`: commits what is pending, then makes sure the
 * cookies our sessions wrote go out, next to the application's own:
 * - headers given to writeHead replace those set before (node's rule), so
 *   when they carry Set-Cookie, ours are added to a copy of them (the
 *   caller's object or array is never changed: it may be a constant shared
 *   by every response, or frozen);
 * - a `setHeader('Set-Cookie', …)` after the commit replaced ours: they are
 *   added back.
 * Either way a value the application gave one of our cookie names itself
 * stays (see withMissing).
 */
function writeHeadWithCommit(this: NodeResponseLike, statusCode: number, ...rest: unknown[]): unknown {
  const hook = (this as Hooked)[HOOK]!;
  for (const sink of hook.sinks) {
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
  const ours = hook.ours;
  if (ours !== undefined) {
    const last = rest.length === 0 ? undefined : rest[rest.length - 1];
    const given = last !== null && typeof last === 'object' ? withOurs(last, ours) : undefined;
    if (given !== undefined) return hook.original.call(this, statusCode, ...rest.slice(0, -1), given);
    if (this.getHeader('set-cookie') !== hook.set) {
      const current = valuesOf(this.getHeader('set-cookie'));
      const added = withMissing(current, ours);
      if (added !== current) this.setHeader('set-cookie', added);
    }
  }
  // The usual call, from end()/write(): writeHead(statusCode).
  return rest.length === 0 ? hook.original.call(this, statusCode) : hook.original.call(this, statusCode, ...rest);
}

/**
 * A copy of writeHead's headers (an object, or node's flat [name, value, …]
 * array) with our cookies merged into their Set-Cookie values; `undefined`
 * when they carry no Set-Cookie (then node keeps the values set before).
 */
function withOurs(headers: object, ours: readonly CookieWrite[]): object | undefined {
  if (Array.isArray(headers)) {
    const theirs: string[] = [];
    const others: unknown[] = [];
    for (let i = 0; i + 1 < headers.length; i += 2) {
      if (String(headers[i]).toLowerCase() === 'set-cookie') theirs.push(...valuesOf(headers[i + 1]));
      else others.push(headers[i], headers[i + 1]);
    }
    if (others.length === headers.length) return undefined;
    others.push('Set-Cookie', withMissing(theirs, ours));
    return others;
  }
  const record = headers as Record<string, unknown>;
  const key = Object.keys(record).find((k) => k.toLowerCase() === 'set-cookie');
  if (key === undefined) return undefined;
  return { ...record, [key]: withMissing(valuesOf(record[key]), ours) };
}

/**
 * `values` plus those of our cookies whose names they lack (the same array
 * when none is missing). A value the application set for one of our names
 * after the commit, such as Express' `res.clearCookie('session')`, is its
 * latest word and stays; `destroy()` is the way to end a session.
 */
function withMissing(values: string[], ours: readonly CookieWrite[]): string[] {
  let out = values;
  for (const cookie of ours) {
    if (values.some((v) => setCookieName(v) === cookie.name)) continue;
    if (out === values) out = [...values];
    out.push(cookie.header);
  }
  return out;
}

function report(reason: string): void {
  console.error(
    `sealed-session: a session changed but was not committed before the response headers were sent, and committing it then failed (${reason}); the client did not get the new cookie. Await session.commit() before sending the response.`,
  );
}
