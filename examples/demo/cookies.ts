/**
 * What the status panel shows about cookies: names and sizes only, never
 * values (they are opaque seals anyway).
 *
 * @module
 */

/** One cookie as the browser sent it. */
export interface SentCookie {
  readonly name: string;
  /** Octets of name + value: browsers drop a cookie over 4096. */
  readonly bytes: number;
  /** Part of this demo's session (`name` or `name.N`). */
  readonly ours: boolean;
}

/** One Set-Cookie value of this response. */
export interface SetCookieSummary {
  readonly name: string;
  readonly bytes: number;
  /** `Max-Age=0`: the browser deletes the cookie. */
  readonly deleted: boolean;
  /** The attributes as sent (`Max-Age=…; Path=/; HttpOnly; …`). */
  readonly attributes: string;
}

function octets(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** Whether a cookie name belongs to the session `sessionName` (its head cookie or a chunk). */
export function isSessionCookie(name: string, sessionName: string): boolean {
  return name === sessionName || (name.startsWith(`${sessionName}.`) && /^\d+$/.test(name.slice(sessionName.length + 1)));
}

/** The cookies of a request `Cookie` header, in order. */
export function sentCookies(header: string | undefined, sessionName: string): SentCookie[] {
  if (!header) return [];
  return header
    .split(';')
    .map((pair) => pair.trim())
    .filter((pair) => pair.length > 0)
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq === -1 ? '' : pair.slice(0, eq).trim();
      const value = eq === -1 ? pair : pair.slice(eq + 1).trim();
      return { name, bytes: octets(name) + octets(value), ours: isSessionCookie(name, sessionName) };
    });
}

/** Name, size and attributes of a Set-Cookie value. */
export function summarizeSetCookie(header: string): SetCookieSummary {
  const semi = header.indexOf(';');
  const pair = semi === -1 ? header : header.slice(0, semi);
  const eq = pair.indexOf('=');
  const name = pair.slice(0, Math.max(eq, 0)).trim();
  const value = pair.slice(eq + 1).trim();
  const attributes = semi === -1 ? '' : header.slice(semi + 1).trim();
  return { name, bytes: octets(name) + octets(value), deleted: /(^|;\s*)Max-Age=0(;|$)/i.test(attributes), attributes };
}
