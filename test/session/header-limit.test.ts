/**
 * The 8 KiB request-header limit of common proxies and clients: a store whose
 * `maxBytes` lets its cookies pass it warns once, at construction (not in
 * production), and a Cookie header cut short there is reported as
 * `incomplete` by a real node:http server (the request carries what such a
 * proxy forwards: the chunk without its head). (Its own file: the warning is shown once a process, and each
 * test file runs in a fresh module graph.)
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { CookieSessionStore, type InvalidSessionEvent } from '../../src/index';
import { Browser, SECRET } from './helpers';

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

const schema = z.object({ pad: z.string().default('') });

describe('maxBytes above 8 KiB', () => {
  it('warns once, at construction, naming the limit and what to do; not in production, and not at 8192 or below', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    vi.stubEnv('NODE_ENV', 'production');
    new CookieSessionStore({ keys: SECRET, maxChunks: 4, maxBytes: 16_384 });
    expect(warn).not.toHaveBeenCalled();
    vi.stubEnv('NODE_ENV', 'development');
    new CookieSessionStore({ keys: SECRET, maxChunks: 3, maxBytes: 8192 });
    new CookieSessionStore({ keys: SECRET });
    expect(warn).not.toHaveBeenCalled();
    new CookieSessionStore({ keys: SECRET, maxChunks: 4, maxBytes: 16_384 });
    expect(warn).toHaveBeenCalledTimes(1);
    const message = String(warn.mock.calls[0]?.[0]);
    expect(message).toContain('maxBytes is 16384 octets');
    expect(message).toContain('8192 (8 KiB)');
    expect(message).toContain("'incomplete'");
    expect(message).toMatch(/keep maxBytes at 8192 or less/);
    // Once: a second store (or the same configuration again) says nothing more.
    new CookieSessionStore({ keys: SECRET, maxChunks: 4, maxBytes: 12_000 });
    expect(warn).toHaveBeenCalledTimes(1);
  });
});

describe('a Cookie header cut short on the way', () => {
  it('loses the head of a chunked session: the server reports incomplete, not a silent fresh session', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const events: InvalidSessionEvent[] = [];
    const store = new CookieSessionStore({ keys: SECRET, schema, maxChunks: 3, cookie: { secure: false }, onInvalid: (e) => events.push(e) });
    const browser = new Browser();
    const first = await store.load(undefined);
    first.set('pad', 'x'.repeat(3500));
    browser.apply(await first.commit());
    expect(browser.names()).toEqual(['session', 'session.1']);

    const server = http.createServer(async (req, res) => {
      const session = await store.handleSession(req, res);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ invalidReason: session.invalidReason ?? null, isNew: session.isNew }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      // What a proxy that keeps the first 8 KiB of headers forwards when other cookies came first: the chunk, not the head.
      const cut = `tracking=${'t'.repeat(3000)}; session.1=${browser.get('session.1')}`;
      const res = await fetch(`http://127.0.0.1:${port}/`, { headers: { cookie: cut } });
      expect(await res.json()).toEqual({ invalidReason: 'incomplete', isNew: true });
      expect(res.headers.getSetCookie().map((c) => c.split(';')[0])).toEqual(['session=', 'session.1=']);
      expect(events).toEqual([{ reason: 'incomplete', cookie: 'session' }]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
