/**
 * The simulated browser jar must behave like a browser, or every other test
 * in this folder proves nothing.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Browser, checkResponse, isRemoval, parseSetCookie } from './helpers';

afterEach(() => {
  vi.useRealTimers();
});

describe('parseSetCookie', () => {
  it('splits name, value and attributes, lower-casing attribute names', () => {
    const c = parseSetCookie('sid=Fe26.2**abc; Max-Age=60; Expires=Thu, 01 Jan 2099 00:00:00 GMT; Path=/x; Domain=example.com; HttpOnly; Secure; SameSite=Lax');
    expect(c.name).toBe('sid');
    expect(c.value).toBe('Fe26.2**abc');
    expect(c.maxAge).toBe(60);
    expect(c.attributes.get('path')).toBe('/x');
    expect(c.attributes.get('domain')).toBe('example.com');
    expect(c.attributes.get('httponly')).toBe(true);
    expect(c.attributes.get('secure')).toBe(true);
    expect(c.attributes.get('samesite')).toBe('Lax');
    expect(isRemoval(c)).toBe(false);
  });

  it('recognises removals by Max-Age=0 or a past Expires', () => {
    expect(isRemoval(parseSetCookie('a=; Max-Age=0; Path=/'))).toBe(true);
    expect(isRemoval(parseSetCookie('a=; Expires=Thu, 01 Jan 1970 00:00:00 GMT'))).toBe(true);
    expect(isRemoval(parseSetCookie('a=1; Path=/'))).toBe(false);
  });
});

describe('Browser', () => {
  it('sets, overwrites and deletes in order, and builds a Cookie header', () => {
    const b = new Browser();
    expect(b.header()).toBeUndefined();
    b.apply(['a=1; Path=/', 'b=2; Path=/']);
    expect(b.header()).toBe('a=1; b=2');
    b.apply(['a=3; Path=/']);
    expect(b.get('a')).toBe('3');
    b.apply(['b=; Max-Age=0; Path=/']);
    expect(b.header()).toBe('a=3');
  });

  it('refuses a response with two Set-Cookie for one name', () => {
    expect(() => checkResponse(['a=1', 'a=2'])).toThrow(/two Set-Cookie/);
  });

  it('refuses a cookie a browser would ignore for size', () => {
    expect(() => checkResponse([`a=${'x'.repeat(4096)}`])).toThrow(/4096/);
    expect(() => checkResponse([`a=${'x'.repeat(4095)}`])).not.toThrow();
  });

  it('forgets a cookie when its Max-Age runs out', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.UTC(2030, 0, 1));
    const b = new Browser();
    b.apply(['a=1; Max-Age=10', 'c=3']);
    vi.setSystemTime(Date.UTC(2030, 0, 1) + 9_999);
    expect(b.header()).toBe('a=1; c=3');
    vi.setSystemTime(Date.UTC(2030, 0, 1) + 10_000);
    expect(b.header()).toBe('c=3');
  });
});
