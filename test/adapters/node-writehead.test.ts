/**
 * The node:http writeHead hook at its edges: headers given to writeHead
 * itself, and a commit the application already saw fail.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { CookieSessionStore, isSessionError } from '../../src/index';

const keys = 'writehead-test-secret-writehead-test-secret';
let server: Server | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const names = (response: Response) => response.headers.getSetCookie().map((c) => c.slice(0, c.indexOf('=')));

describe('writeHead given Set-Cookie itself', () => {
  test.each([
    ['an object', { 'Set-Cookie': 'theirs=1' }],
    ['a flat array', ['Set-Cookie', 'theirs=1', 'X-Other', 'y']],
  ])('keeps both the session cookie and theirs with %s', async (_, headers) => {
    const store = new CookieSessionStore({ keys, cookie: { secure: false } });
    const url = await serve(async (req, res) => {
      const session = await store.handleSession(req, res);
      session.set('n', 1); // not committed: the hook commits when writeHead runs
      res.writeHead(200, structuredClone(headers) as never);
      res.end();
    });
    const response = await fetch(url);
    expect(names(response).sort()).toEqual(['session', 'theirs']);
  });
});

describe('a commit that failed', () => {
  test('is not retried (nor reported as forgotten) when the headers go out', async () => {
    const store = new CookieSessionStore({ keys, cookie: { secure: false }, maxChunks: 1 });
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    let code: string | undefined;
    const url = await serve(async (req, res) => {
      const session = await store.handleSession(req, res);
      session.set('blob', 'x'.repeat(5000));
      try {
        await session.commit();
      } catch (err) {
        code = isSessionError(err) ? err.code : 'other';
      }
      res.end('handled');
    });
    const response = await fetch(url);
    expect(await response.text()).toBe('handled');
    expect(code).toBe('ERR_SESSION_TOO_LARGE');
    expect(response.headers.getSetCookie()).toEqual([]);
    expect(errors).not.toHaveBeenCalled();
  });

  test('a change after the failure is committed again by the hook', async () => {
    const store = new CookieSessionStore({ keys, cookie: { secure: false }, maxChunks: 1 });
    const url = await serve(async (req, res) => {
      const session = await store.handleSession(req, res);
      session.set('blob', 'x'.repeat(5000));
      await session.commit().catch(() => {});
      session.set('blob', 'small'); // fits now
      res.end();
    });
    const response = await fetch(url);
    expect(names(response)).toEqual(['session']);
  });
});
