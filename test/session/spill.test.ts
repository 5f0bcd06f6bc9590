/**
 * Hybrid sessions (the cookie store's `spill` option), on MemoryBackend: the
 * state stays in the cookie while it fits the budget, moves to the backend
 * when it grows past it (the cookie then seals only the backend's key), and
 * moves back, deleting the backend's record, when it shrinks; the app code
 * is the same throughout. On Redis, with Redis faults:
 * test/redis/spill.test.ts; in Chromium: test/browser/spill.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CookieSessionStore } from '../../src/index';
import { MemoryBackend, type SessionBackend } from '../../src/session/backend';
import { Browser, expectConfigError, rejection, request, SECRET } from './helpers';

const schema = z.object({ cart: z.array(z.string()).default([]), userId: z.string().optional() });
const item = (i: number) => `item-${i}-${'x'.repeat(60)}`;

/** A MemoryBackend that counts the calls it gets (instrumentation: every call goes to the real backend). */
function counted(): { backend: MemoryBackend; calls: string[] } {
  const backend = new MemoryBackend();
  const calls: string[] = [];
  const proxy = new Proxy(backend, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.push(String(prop));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { backend: proxy, calls };
}

const sessionCookies = (browser: Browser) => browser.names().filter((n) => n === 'session' || n.startsWith('session.')).sort();

describe('spill: hybrid cookie and backend', () => {
  it('a cart growing past the budget moves to the backend, and shrinking back moves into the cookie, deleting the record; the app code does not change', async () => {
    const { backend, calls } = counted();
    const store = new CookieSessionStore({ keys: SECRET, schema, spill: backend });
    const browser = new Browser();
    const add = (n: number) => request(store, browser, (s) => s.update((state) => ({ ...state, cart: [...state.cart, ...Array.from({ length: n }, (_, i) => item(state.cart.length + i))] })));
    const drop = (n: number) => request(store, browser, (s) => s.update((state) => ({ ...state, cart: state.cart.slice(0, -n) })));
    const steps: Array<{ items: number; cookies: number; records: number }> = [];
    const look = async () => {
      const { result } = await request(store, browser, (s) => s.get('cart').length);
      steps.push({ items: result, cookies: sessionCookies(browser).length, records: backend.size });
    };
    await add(5);
    await look();
    await add(40); // ~2.7 kB of state: two cookies
    await look();
    // Nothing of this reached the backend.
    expect(calls).toEqual([]);
    await add(60); // past the 6144-byte budget
    await look();
    await add(200); // far past it: still one small cookie
    await look();
    await drop(260);
    await look();
    await drop(45);
    await look();
    expect(steps).toEqual([
      { items: 5, cookies: 1, records: 0 },
      { items: 45, cookies: 2, records: 0 },
      { items: 105, cookies: 1, records: 1 },
      { items: 305, cookies: 1, records: 1 },
      { items: 45, cookies: 2, records: 0 },
      { items: 0, cookies: 1, records: 0 },
    ]);
    expect(calls).toContain('delete');
  });

  it('a spilled session: one backend load per request, a write only when it changed; renew moves it to a new key (the old cookie is then revoked), destroy deletes it', async () => {
    const { backend, calls } = counted();
    const store = new CookieSessionStore({ keys: SECRET, schema, spill: { backend } });
    const browser = new Browser();
    await request(store, browser, (s) => s.set('cart', Array.from({ length: 150 }, (_, i) => item(i))));
    expect(backend.size).toBe(1);
    expect(calls).toEqual(['save']);
    calls.length = 0;
    const read = await request(store, browser, (s) => s.get('cart').length);
    expect(read.result).toBe(150);
    expect(read.setCookies).toEqual([]);
    expect(calls).toEqual(['load']);
    calls.length = 0;
    await request(store, browser, (s) => s.update((state) => ({ ...state, cart: [...state.cart, 'one more'] })));
    expect(calls).toEqual(['load', 'update']);
    const before = browser.clone();
    calls.length = 0;
    await request(store, browser, (s) => {
      s.renew();
      s.set('userId', 'ada');
    });
    expect(calls).toEqual(['load', 'renew']);
    expect(backend.size).toBe(1);
    expect((await request(store, before, (s) => [s.invalidReason, s.get('cart').length])).result).toEqual(['revoked', 0]);
    expect((await request(store, browser, (s) => s.get('userId'))).result).toBe('ada');
    // Shrinking back into the cookie: the load, and the record's deletion.
    calls.length = 0;
    await request(store, browser, (s) => s.set('cart', ['book']));
    expect(calls).toEqual(['load', 'delete']);
    expect(backend.size).toBe(0);
    await request(store, browser, (s) => s.set('cart', Array.from({ length: 150 }, (_, i) => item(i))));
    calls.length = 0;
    await request(store, browser, (s) => s.destroy());
    expect(calls).toEqual(['load', 'delete']);
    expect(backend.size).toBe(0);
    expect(browser.names()).toEqual([]);
  });

  it('spilled state is validated by the schema when it comes back; a cookie-held state is read without the backend', async () => {
    const { backend, calls } = counted();
    const store = new CookieSessionStore({ keys: SECRET, schema, spill: backend });
    const small = new Browser();
    await request(store, small, (s) => s.set('cart', ['book']));
    const big = new Browser();
    await request(store, big, (s) => s.set('cart', Array.from({ length: 150 }, (_, i) => item(i))));
    const strict = new CookieSessionStore({ keys: SECRET, schema: z.object({ cart: z.array(z.string()).max(10).default([]) }), spill: backend });
    calls.length = 0;
    expect((await request(strict, small, (s) => s.get('cart'))).result).toEqual(['book']);
    expect(calls).toEqual([]);
    expect((await request(strict, big, (s) => [s.invalidReason, s.get('cart')])).result).toEqual(['invalid-schema', []]);
    // The refused session's cookie is removed, and its record with it.
    expect(big.names()).toEqual([]);
    expect(backend.size).toBe(0);
  });

  it('a store without spill refuses a key cookie (wrong-purpose), it never reads it as a state', async () => {
    const backend = new MemoryBackend();
    const hybrid = new CookieSessionStore({ keys: SECRET, schema, spill: backend });
    const browser = new Browser();
    await request(hybrid, browser, (s) => s.set('cart', Array.from({ length: 150 }, (_, i) => item(i))));
    const plain = new CookieSessionStore({ keys: SECRET, schema });
    expect((await request(plain, browser, (s) => [s.invalidReason, s.get('cart')])).result).toEqual(['wrong-purpose', []]);
  });

  it('bad spill options fail at construction', () => {
    const backend = new MemoryBackend();
    expectConfigError(() => new CookieSessionStore({ keys: SECRET, spill: {} as never }), 'ERR_CONFIG_OPTION', 'spill');
    expectConfigError(() => new CookieSessionStore({ keys: SECRET, spill: { backend, bogus: 1 } as never }), 'ERR_CONFIG_OPTION', 'spill.bogus');
    expectConfigError(() => new CookieSessionStore({ keys: SECRET, spill: { backend, always: 'yes' as never } }), 'ERR_CONFIG_OPTION', 'spill.always');
    expectConfigError(() => new CookieSessionStore({ keys: SECRET, spill: { backend, owner: () => 'x' } }), 'ERR_CONFIG_OPTION', 'owner');
    expectConfigError(() => new CookieSessionStore({ keys: SECRET, spill: { backend, onConflict: 'nope' as never } }), 'ERR_CONFIG_OPTION', 'onConflict');
    const noDeleteOwner = { load: backend.load, save: backend.save, update: backend.update, touch: backend.touch, delete: backend.delete } as SessionBackend;
    expectConfigError(() => new CookieSessionStore({ keys: SECRET, spill: { backend: noDeleteOwner, always: true, owner: () => 'x' } }), 'ERR_CONFIG_OPTION', 'owner');
  });

  it('always: every state in the backend, with any backend (here MemoryBackend); one without renew gets save + delete', async () => {
    const backend = new MemoryBackend();
    const { renew: _renew, ...rest } = { load: backend.load.bind(backend), save: backend.save.bind(backend), update: backend.update.bind(backend), touch: backend.touch.bind(backend), delete: backend.delete.bind(backend), renew: undefined };
    const store = new CookieSessionStore({ keys: SECRET, schema, spill: { backend: rest as SessionBackend, always: true } });
    const browser = new Browser();
    await request(store, browser, (s) => s.set('cart', ['book']));
    expect(backend.size).toBe(1);
    const old = browser.clone();
    await request(store, browser, (s) => s.renew());
    expect(backend.size).toBe(1);
    expect((await request(store, old, (s) => s.invalidReason)).result).toBe('revoked');
    expect((await request(store, browser, (s) => s.get('cart'))).result).toEqual(['book']);
    const err = await rejection(
      (async () => {
        const a = await store.load(browser.header());
        const b = await store.load(browser.header());
        a.set('cart', ['a']);
        b.set('cart', ['b']);
        await a.commit();
        await b.commit();
      })(),
    );
    expect(err.code).toBe('ERR_STORE_CONFLICT');
  });
});
