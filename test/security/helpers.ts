/**
 * Shared fixtures for the security tests: distinctive secrets, issuing a real
 * session cookie from a store, real node:http servers on 127.0.0.1, and a raw
 * HTTP/1.1 client for requests node's own client would refuse to send.
 */
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { CookieSessionStore, JsonObject, StandardSchemaV1 } from '../../src/index';
import { NEVER_PRINTED_SECRETS } from '../fixtures';

/** Distinctive secrets (test/fixtures.ts), so a test can assert they never leak. */
export const [SECRET_1, SECRET_2, SECRET_3] = NEVER_PRINTED_SECRETS;

/** `name=value` pairs of a response's Set-Cookie values, as a request Cookie header. */
export function cookieHeaderFrom(setCookies: readonly string[]): string {
  return setCookies.map((c) => c.slice(0, c.indexOf(';'))).join('; ');
}

/** Issue a session holding `state` and return its Cookie header (all chunks) and id. */
export async function issue<S extends StandardSchemaV1>(
  store: CookieSessionStore<S>,
  state: JsonObject,
): Promise<{ header: string; id: string }> {
  const session = await store.load(undefined);
  session.update(() => state as never);
  const header = cookieHeaderFrom(await session.commit());
  return { header, id: session.id };
}

export interface TestServer {
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

/** A node:http server on 127.0.0.1, on a free port. */
export async function startServer(handler: http.RequestListener, options: http.ServerOptions = {}): Promise<TestServer> {
  const server = http.createServer(options, handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface RawResponse {
  readonly status: number;
  readonly headers: string;
  readonly body: string;
}

/**
 * Send one request as raw bytes (latin1) over a fresh connection and read
 * the whole response (`Connection: close`). Header lines are written exactly
 * as given, so repeated headers and any octet can be sent.
 */
export function rawRequest(port: number, headerLines: readonly string[], path = '/'): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const split = text.indexOf('\r\n\r\n');
      const head = split === -1 ? text : text.slice(0, split);
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
      resolve({ status, headers: head, body: split === -1 ? '' : text.slice(split + 4) });
    });
    const request = [`GET ${path} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close', ...headerLines, '', ''].join('\r\n');
    socket.end(Buffer.from(request, 'latin1'));
  });
}

/** Send a JSON response. */
export function sendJson(res: http.ServerResponse, value: unknown, status = 200): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(value));
}
