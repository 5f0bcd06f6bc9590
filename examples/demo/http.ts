/**
 * The few node:http chores the demo needs: reading a small form body,
 * answering with HTML, text or a 303 redirect, and a same-origin check.
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Forms here hold a name and a button: refuse anything bigger. */
const MAX_FORM_BYTES = 4096;

/** Thrown for a request the demo refuses; `status` is what the client gets. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** Extra response headers (`Allow` with a 405). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

/** Read an `application/x-www-form-urlencoded` body (empty for any other type). */
export async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_FORM_BYTES) throw new HttpError(413, 'form too large');
    chunks.push(chunk);
  }
  if (type !== 'application/x-www-form-urlencoded') return new URLSearchParams();
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/**
 * A POST must come from a page of this server. SameSite=Lax already keeps the
 * session cookie off cross-site POSTs; this also refuses a cross-origin
 * request that carries no cookie at all.
 */
export function isSameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true; // not a browser form post (curl, tests)
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false; // "null" and other opaque origins
  }
}

const PAGE_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  // No scripts at all; styles are inline; forms post only here.
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
};

/** Send an HTML page. */
export function sendHtml(res: ServerResponse, status: number, html: string, headers: Readonly<Record<string, string>> = {}): void {
  res.writeHead(status, { ...PAGE_HEADERS, ...headers, 'content-type': 'text/html; charset=utf-8' });
  res.end(html);
}

/** 303 See Other: after a POST, the browser GETs `location` (so a reload does not post again). */
export function seeOther(res: ServerResponse, location: string): void {
  res.writeHead(303, { 'cache-control': 'no-store', location });
  res.end();
}
