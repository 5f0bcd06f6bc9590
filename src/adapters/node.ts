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
import { isPromiseLike } from '../seal/engine';
import type { CookieWrite } from '../session/writer';
import { mergeSetCookies } from './merge';
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

function currentSetCookies(res: NodeResponseLike): string[] {
  const value = res.getHeader('set-cookie');
  if (value === undefined) return [];
  return Array.isArray(value) ? [...(value as string[])] : [String(value)];
}

/**
 * Where a session's commit writes on a node response; it hooks `writeHead`
 * once the session first has something to write. A class rather than an
 * object of closures: one small allocation per request.
 */
export class NodeSink implements CommitSink {
  constructor(
    private readonly res: NodeResponseLike,
    private readonly session: Session<object>,
  ) {}

  pending(): void {
    commitOnWriteHead(this.res, this.session);
  }

  check(): void {
    if (this.res.headersSent) {
      throw new SessionError(
        'ERR_SESSION_HEADERS_SENT',
        'sealed-session: the response headers were already sent, so the session cookie cannot be set; await session.commit() before writing the body',
      );
    }
  }

  write(cookies: readonly CookieWrite[]): void {
    if (cookies.length === 0) return;
    const res = this.res;
    const existing = res.getHeader('set-cookie');
    res.setHeader('set-cookie', existing === undefined ? cookies.map((c) => c.header) : mergeSetCookies(currentSetCookies(res), cookies));
  }
}

/** Per patched response: its sessions and its own writeHead. */
interface Hook {
  readonly sessions: Session<object>[];
  readonly original: (this: NodeResponseLike, statusCode: number, ...rest: unknown[]) => unknown;
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
export function commitOnWriteHead(res: NodeResponseLike, session: Session<object>): void {
  const hooked = res as Hooked;
  const hook = hooked[HOOK];
  if (hook) {
    if (!hook.sessions.includes(session)) hook.sessions.push(session);
    return;
  }
  hooked[HOOK] = { sessions: [session], original: res.writeHead as Hook['original'] };
  (res as { writeHead: unknown }).writeHead = writeHeadWithCommit;
}

function writeHeadWithCommit(this: NodeResponseLike, statusCode: number, ...rest: unknown[]): unknown {
  const hook = (this as Hooked)[HOOK]!;
  for (const pending of hook.sessions) {
    if (!pending.hasPendingWrite) continue;
    try {
      const result = pending.commitNow();
      if (isPromiseLike(result)) {
        Promise.resolve(result).catch(() => {});
        report('the commit needs the asynchronous WebCrypto engine (or a key still being stretched)');
      }
    } catch (err) {
      report(isSessionError(err) ? `${err.code}: ${err.message}` : 'an unexpected error');
    }
  }
  // The usual call, from end()/write(): writeHead(statusCode).
  if (rest.length === 0) return hook.original.call(this, statusCode);
  // writeHead(status, [message], headers) given set-cookie itself would drop ours: fold them in.
  const last = rest[rest.length - 1];
  if (Array.isArray(last)) {
    // Node's flat form [name, value, name, value, …] replaces headers named there (and keeps only the
    // last of repeated names): gather every Set-Cookie into one pair, theirs first, then ours.
    const theirs: unknown[] = [];
    for (let i = last.length - 2; i >= 0; i -= 2) {
      if (String(last[i]).toLowerCase() !== 'set-cookie') continue;
      theirs.unshift(...[last[i + 1]].flat());
      last.splice(i, 2);
    }
    if (theirs.length) last.push('Set-Cookie', [...theirs, ...currentSetCookies(this)]);
  } else if (last && typeof last === 'object') {
    const headers = last as Record<string, unknown>;
    const key = Object.keys(headers).find((k) => k.toLowerCase() === 'set-cookie');
    if (key !== undefined) {
      const ours = currentSetCookies(this);
      const theirs = headers[key];
      headers[key] = [...(Array.isArray(theirs) ? theirs : theirs === undefined ? [] : [String(theirs)]), ...ours];
    }
  }
  return hook.original.call(this, statusCode, ...rest);
}

function report(reason: string): void {
  console.error(
    `sealed-session: a session changed but was not committed before the response headers were sent, and committing it then failed (${reason}); the client did not get the new cookie. Await session.commit() before sending the response.`,
  );
}
