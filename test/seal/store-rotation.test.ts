/**
 * Key rotation: a server with a new current key still reads cookies sealed
 * under the old one and re-seals them on the next response, even an
 * unchanged one; a server without the old key leaves such cookies alone.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CookieSessionStore, type InvalidSessionEvent } from '../../src/index';
import { Browser, SECRET, SECRET_2, cookieNamed, ironParts, request } from '../session/helpers';

const schema = z.object({ userId: z.string().optional(), n: z.number().default(0) });
const K1 = { id: '1', secret: SECRET };
const K2 = { id: '2', secret: SECRET_2 };

async function sealedUnderKey1() {
  const old = new CookieSessionStore({ keys: [K1], schema });
  const browser = new Browser();
  const r = await request(old, browser, (s) => {
    s.set('userId', 'ada');
    s.set('n', 3);
  });
  const value = browser.get('session')!;
  expect(ironParts(value)[1]).toBe('1');
  return { browser, value, id: r.session.id };
}

describe('rotation', () => {
  it('a ring [2, 1] reads an id-1 cookie with its state intact', async () => {
    const { browser, id } = await sealedUnderKey1();
    const rotated = new CookieSessionStore({ keys: [K2, K1], schema });
    const s = await rotated.load(browser.header());
    expect(s.invalidReason).toBeUndefined();
    expect(s.id).toBe(id);
    expect(s.data).toEqual({ userId: 'ada', n: 3 });
  });

  it('an unchanged request re-issues the cookie sealed under key 2, same session', async () => {
    const { browser, value, id } = await sealedUnderKey1();
    const rotated = new CookieSessionStore({ keys: [K2, K1], schema });
    const r = await request(rotated, browser, (s) => s.get('userId'));
    expect(r.result).toBe('ada');
    expect(r.session.status).toBe('unchanged');
    const c = cookieNamed(r.cookies, 'session');
    expect(c.value).not.toBe(value);
    expect(ironParts(c.value)[1]).toBe('2');
    expect(c.maxAge).toBeGreaterThan(0);

    // Now a server that only knows key 2 reads it: the rotation is complete.
    const onlyNew = new CookieSessionStore({ keys: [K2], schema });
    const back = await onlyNew.load(browser.header());
    expect(back.invalidReason).toBeUndefined();
    expect(back.id).toBe(id);
    expect(back.data).toEqual({ userId: 'ada', n: 3 });
    // A cookie already under the current key is not re-issued again.
    expect((await request(rotated, browser)).setCookies).toEqual([]);
  });

  it('a changed request seals under key 2 too', async () => {
    const { browser } = await sealedUnderKey1();
    const rotated = new CookieSessionStore({ keys: [K2, K1], schema });
    const r = await request(rotated, browser, (s) => s.set('n', 4));
    expect(ironParts(cookieNamed(r.cookies, 'session').value)[1]).toBe('2');
  });

  it('the numeric-map form { 1, 2 } seals with the highest id and reads both', async () => {
    const { browser } = await sealedUnderKey1();
    const map = new CookieSessionStore({ keys: { 1: SECRET, 2: SECRET_2 }, schema });
    const r = await request(map, browser, (s) => s.get('userId'));
    expect(r.result).toBe('ada');
    expect(ironParts(cookieNamed(r.cookies, 'session').value)[1]).toBe('2');
  });

  it('a store with only key 2 reports unknown-key for an id-1 cookie and does not clear it', async () => {
    const { browser, value } = await sealedUnderKey1();
    const events: InvalidSessionEvent[] = [];
    const onlyNew = new CookieSessionStore({ keys: [K2], schema, onInvalid: (e) => events.push(e) });
    const r = await request(onlyNew, browser, (s) => s.data);
    expect(r.session.invalidReason).toBe('unknown-key');
    expect(r.result).toEqual({ n: 0 });
    expect(r.setCookies).toEqual([]);
    expect(browser.get('session')).toBe(value);
    expect(events).toEqual([{ reason: 'unknown-key', cookie: 'session' }]);
    // A server that still has key 1 (mid roll-out) reads it fine afterwards.
    const old = new CookieSessionStore({ keys: [K1], schema });
    expect((await old.load(browser.header())).get('userId')).toBe('ada');
  });

  it('…but a write on that server replaces it', async () => {
    const { browser } = await sealedUnderKey1();
    const onlyNew = new CookieSessionStore({ keys: [K2], schema });
    const r = await request(onlyNew, browser, (s) => s.set('n', 1));
    expect(ironParts(cookieNamed(r.cookies, 'session').value)[1]).toBe('2');
    expect((await onlyNew.load(browser.header())).data).toEqual({ n: 1 });
  });

  it('a key with the same id but another secret is tampering, and the cookie is cleared', async () => {
    const { browser } = await sealedUnderKey1();
    const impostor = new CookieSessionStore({ keys: [{ id: '1', secret: SECRET_2 }], schema });
    const r = await request(impostor, browser);
    expect(r.session.invalidReason).toBe('tampered');
    expect(r.cookies.map((c) => c.maxAge)).toEqual([0]);
  });

  it('an old-key chunked session is re-issued whole under the new key', async () => {
    const big = z.object({ blob: z.string().default('') });
    const old = new CookieSessionStore({ keys: [K1], schema: big });
    const browser = new Browser();
    const blob = 'r'.repeat(3500);
    await request(old, browser, (s) => s.set('blob', blob));
    expect(browser.names()).toEqual(['session', 'session.1']);
    const rotated = new CookieSessionStore({ keys: [K2, K1], schema: big });
    const r = await request(rotated, browser);
    expect(r.cookies.map((c) => c.name)).toEqual(['session', 'session.1']);
    const onlyNew = new CookieSessionStore({ keys: [K2], schema: big });
    expect((await onlyNew.load(browser.header())).get('blob')).toBe(blob);
  });
});
