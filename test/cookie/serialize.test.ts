import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { resolveCookieOptions } from '../../src/cookie/options';
import { serializeCookie, serializeRemoval } from '../../src/cookie/serialize';
import { MAX_AGE_CAP_SECONDS, MAX_NAME_VALUE_BYTES } from '../../src/cookie/limits';
import { clampMaxAge } from '../../src/cookie/max-age';
import type { ResolvedCookieOptions } from '../../src/cookie/options';
import { chunkCookieName } from '../../src/cookie/chunks';
import { catchSessionError, expectCookieConfigError } from './helpers';

const NOW = Date.UTC(2024, 0, 1, 0, 0, 0, 500); // Mon, 01 Jan 2024 00:00:00.500 GMT
const defaults = resolveCookieOptions();

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(NOW);
});
afterEach(() => {
  vi.useRealTimers();
});

/** Parse a Set-Cookie string into [name=value, attributes…] for order-insensitive checks. */
const parts = (setCookie: string) => setCookie.split('; ');

describe('constants', () => {
  it('match RFC 6265bis limits', () => {
    expect(MAX_NAME_VALUE_BYTES).toBe(4096);
    expect(MAX_AGE_CAP_SECONDS).toBe(400 * 24 * 60 * 60);
  });
});

describe('serializeCookie', () => {
  it('writes a browser-session cookie with default attributes', () => {
    expect(serializeCookie('session', 'abc', defaults)).toBe('session=abc; Path=/; HttpOnly; Secure; SameSite=Lax');
  });

  it('writes Max-Age and a matching Expires', () => {
    expect(serializeCookie('session', 'abc', defaults, 3600)).toBe(
      'session=abc; Max-Age=3600; Expires=Mon, 01 Jan 2024 01:00:00 GMT; Path=/; HttpOnly; Secure; SameSite=Lax',
    );
    expect(serializeCookie('session', 'abc', defaults, 86_400 * 31)).toContain('; Max-Age=2678400; Expires=Thu, 01 Feb 2024 00:00:00 GMT;');
  });

  it('writes every attribute, in the documented order', () => {
    const all = resolveCookieOptions({
      name: '__Secure-sid',
      sameSite: 'None',
      path: '/app',
      domain: 'example.com',
      partitioned: true,
    });
    expect(serializeCookie('__Secure-sid', 'v', all, 60)).toBe(
      '__Secure-sid=v; Max-Age=60; Expires=Mon, 01 Jan 2024 00:01:00 GMT; Path=/app; Domain=example.com; HttpOnly; Secure; SameSite=None; Partitioned',
    );
  });

  it('omits HttpOnly and Secure when off, and spells SameSite=Strict', () => {
    const opts = resolveCookieOptions({ secure: false, httpOnly: false, sameSite: 'strict' });
    expect(serializeCookie('session', 'v', opts)).toBe('session=v; Path=/; SameSite=Strict');
  });

  it('writes chunk cookies by name', () => {
    expect(serializeCookie(chunkCookieName('session', 3), 'x', defaults)).toBe('session.3=x; Path=/; HttpOnly; Secure; SameSite=Lax');
  });

  it('accepts the empty value and every cookie-octet', () => {
    let octets = '';
    for (let c = 0x21; c <= 0x7e; c++) if (c !== 0x22 && c !== 0x2c && c !== 0x3b && c !== 0x5c) octets += String.fromCharCode(c);
    expect(octets).toHaveLength(90);
    expect(serializeCookie('s', octets, defaults)).toBe(`s=${octets}; Path=/; HttpOnly; Secure; SameSite=Lax`);
    expect(serializeCookie('s', '', defaults)).toBe('s=; Path=/; HttpOnly; Secure; SameSite=Lax');
  });

  it.each([
    ['a b', 1],
    ['a"b', 1],
    ['a,b', 1],
    ['a;b', 1],
    ['a\\b', 1],
    ['ab\r\nSet-Cookie: evil=1', 2],
    ['\u0000', 0],
    ['\u007f', 0],
    ['é', 0],
    ['x'.repeat(100) + '\t', 100],
  ])('refuses the non-cookie-octet value %j, by index only', (value, index) => {
    const err = expectCookieConfigError(() => serializeCookie('session', value, defaults), 'cookie.value', /encode the value/);
    expect(err.message).toContain(`at index ${index}`);
    if (value.length > 1) expect(err.message).not.toContain(value);
  });

  it.each(['', 'a b', 'a=b', 'a;b', 'a\r\nb', 'session.1\n'])('refuses the bad name %j', (name) => {
    expectCookieConfigError(() => serializeCookie(name, 'v', defaults), 'cookie.name');
    expectCookieConfigError(() => serializeRemoval(name, defaults), 'cookie.name');
  });

  it('refuses a name plus value over 4096 octets with ERR_SESSION_TOO_LARGE', () => {
    const name = 'session.1';
    const fits = 'v'.repeat(4096 - name.length);
    expect(serializeCookie(name, fits, defaults)).toContain(`${name}=${fits};`);
    const err = catchSessionError(() => serializeCookie(name, fits + 'v', defaults));
    expect(err.code).toBe('ERR_SESSION_TOO_LARGE');
    expect(err.size).toEqual({ measured: 4097, allowed: 4096 });
    expect(err.message).not.toContain(fits);
  });

  describe('Max-Age', () => {
    it('caps at 400 days, with Expires 400 days out', () => {
      for (const maxAge of [MAX_AGE_CAP_SECONDS, MAX_AGE_CAP_SECONDS + 1, 10 * 365 * 86_400, Number.POSITIVE_INFINITY, Number.MAX_VALUE]) {
        expect(parts(serializeCookie('s', 'v', defaults, maxAge)).slice(1, 3)).toEqual([
          'Max-Age=34560000',
          'Expires=Tue, 04 Feb 2025 00:00:00 GMT',
        ]);
      }
    });

    it('never turns a small positive lifetime into 0', () => {
      for (const maxAge of [Number.MIN_VALUE, 1e-9, 0.001, 0.5, 1]) {
        expect(parts(serializeCookie('s', 'v', defaults, maxAge)).slice(1, 3)).toEqual([
          'Max-Age=1',
          'Expires=Mon, 01 Jan 2024 00:00:01 GMT',
        ]);
      }
    });

    it('rounds fractional seconds up', () => {
      expect(parts(serializeCookie('s', 'v', defaults, 59.01))[1]).toBe('Max-Age=60');
    });

    it('writes zero or negative lifetimes as an immediate expiry', () => {
      for (const maxAge of [0, -0, -1, Number.NEGATIVE_INFINITY]) {
        expect(parts(serializeCookie('s', 'v', defaults, maxAge)).slice(1, 3)).toEqual([
          'Max-Age=0',
          'Expires=Thu, 01 Jan 1970 00:00:00 GMT',
        ]);
      }
    });

    it('refuses NaN with ERR_CONFIG_OPTION', () => {
      const err = catchSessionError(() => serializeCookie('s', 'v', defaults, Number.NaN));
      expect(err.code).toBe('ERR_CONFIG_OPTION');
      expect(err.option).toBe('maxAge');
    });
  });
});

describe('clampMaxAge', () => {
  it.each([
    [1, 1],
    [0.0001, 1],
    [1.2, 2],
    [3600, 3600],
    [MAX_AGE_CAP_SECONDS - 0.5, MAX_AGE_CAP_SECONDS],
    [MAX_AGE_CAP_SECONDS, MAX_AGE_CAP_SECONDS],
    [MAX_AGE_CAP_SECONDS * 2, MAX_AGE_CAP_SECONDS],
    [Number.POSITIVE_INFINITY, MAX_AGE_CAP_SECONDS],
    [0, 0],
    [-0, 0],
    [-10, 0],
    [Number.NEGATIVE_INFINITY, 0],
  ])('clampMaxAge(%s) = %s', (input, expected) => {
    const out = clampMaxAge(input);
    expect(out).toBe(expected);
    expect(Object.is(out, -0)).toBe(false);
  });

  it.each([Number.NaN, '60', undefined, null])('refuses %j', (input) => {
    const err = catchSessionError(() => clampMaxAge(input as number));
    expect(err.code).toBe('ERR_CONFIG_OPTION');
    expect(err.option).toBe('maxAge');
    expect(err.message).toMatch(/must be a number of seconds/);
  });
});

describe('serializeRemoval', () => {
  it('writes an empty, already expired cookie with default attributes', () => {
    expect(serializeRemoval('session', defaults)).toBe(
      'session=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/; HttpOnly; Secure; SameSite=Lax',
    );
  });

  const configs: Array<[string, ResolvedCookieOptions]> = [
    ['defaults', defaults],
    ['everything', resolveCookieOptions({ sameSite: 'none', path: '/app', domain: '.example.com', partitioned: true })],
    ['insecure strict', resolveCookieOptions({ secure: false, httpOnly: false, sameSite: 'strict', path: '/a/b' })],
    ['__Host-', resolveCookieOptions({ name: '__Host-sid' })],
  ];

  it.each(configs)('carries the same attributes as the cookie it removes (%s)', (_, opts) => {
    const set = parts(serializeCookie(opts.name, 'value', opts, 3600));
    const removal = parts(serializeRemoval(opts.name, opts));
    expect(removal[0]).toBe(`${opts.name}=`);
    expect(removal.slice(1, 3)).toEqual(['Max-Age=0', 'Expires=Thu, 01 Jan 1970 00:00:00 GMT']);
    expect(removal.slice(3)).toEqual(set.slice(3));
  });

  it('removes a chunk cookie with the same Path, Domain and Partitioned', () => {
    const opts = resolveCookieOptions({ path: '/app', domain: 'example.com', partitioned: true });
    expect(serializeRemoval('session.2', opts)).toBe(
      'session.2=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/app; Domain=example.com; HttpOnly; Secure; SameSite=Lax; Partitioned',
    );
  });
});

describe('chunkCookieName', () => {
  it('names index 0 after the cookie and others name.N', () => {
    expect(chunkCookieName('session', 0)).toBe('session');
    expect(chunkCookieName('session', 1)).toBe('session.1');
    expect(chunkCookieName('session', 99)).toBe('session.99');
  });

  it.each([-1, 100, 1.5, Number.NaN])('refuses index %s', (index) => {
    expect(catchSessionError(() => chunkCookieName('session', index)).code).toBe('ERR_CONFIG_OPTION');
  });
});
