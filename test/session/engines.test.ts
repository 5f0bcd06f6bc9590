/**
 * The session layer on both crypto engines: node:crypto (synchronous, the
 * default in Node) and WebCrypto (asynchronous, edge runtimes). Same
 * behaviour, and cookies from one open with the other.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { CookieSessionStore } from '../../src/index';
import { Browser, SECRET, request } from './helpers';

afterEach(() => {
  vi.useRealTimers();
});

const schema = z.object({ pad: z.string().default(''), n: z.number().default(0) });
const ENGINES = ['node', 'webcrypto'] as const;

describe.each(ENGINES)('engine %s', (engine) => {
  const make = (extra: { idleTimeout?: number } = {}) => new CookieSessionStore({ keys: SECRET, schema, crypto: engine, maxChunks: 4, maxBytes: 16384, ...extra });

  it('round-trips a small and a chunked session', async () => {
    const store = make();
    const browser = new Browser();
    await request(store, browser, (s) => s.set('n', 1));
    expect((await store.load(browser.header())).get('n')).toBe(1);
    const pad = 'p'.repeat(9000);
    const r = await request(store, browser, (s) => s.set('pad', pad));
    expect(r.cookies.length).toBeGreaterThan(1);
    expect((await store.load(browser.header())).get('pad')).toBe(pad);
  });

  it('reports idle and tampered the same way', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.UTC(2030, 0, 1));
    const store = make({ idleTimeout: 600 });
    const browser = new Browser();
    await request(store, browser, (s) => s.set('n', 1));
    const value = browser.get('session')!;
    vi.setSystemTime(Date.UTC(2030, 0, 1) + 3600_000);
    expect((await store.load(`session=${value}`)).invalidReason).toBe('idle');
    const flipped = value.slice(0, -2) + (value.endsWith('AA') ? 'BB' : 'AA');
    expect((await store.load(`session=${flipped}`)).invalidReason).toBe('tampered');
  });

  it.each(ENGINES)('opens cookies written by the %s engine', async (other) => {
    const writer = new CookieSessionStore({ keys: SECRET, schema, crypto: other });
    const reader = make();
    const browser = new Browser();
    await request(writer, browser, (s) => s.set('n', 42));
    expect((await reader.load(browser.header())).get('n')).toBe(42);
  });
});
