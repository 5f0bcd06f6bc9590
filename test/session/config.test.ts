/**
 * Every configuration error is thrown at construction, as ERR_CONFIG_* with
 * `option` naming the field at fault, and never echoes a secret.
 */
import { describe, expect, it } from 'vitest';
import { CookieSessionStore, type CookieSessionStoreOptions } from '../../src/index';
import { SECRET, expectConfigError } from './helpers';

type Opts = CookieSessionStoreOptions;
const make = (options: Partial<Record<keyof Opts, unknown>>) => () => new CookieSessionStore({ keys: SECRET, ...options } as Opts);

describe('defaults construct', () => {
  it('with keys alone, and with every option at a valid edge', () => {
    expect(new CookieSessionStore({ keys: SECRET }).cookieName).toBe('session');
    expect(
      () =>
        new CookieSessionStore({
          keys: [{ id: 'k_2024', secret: SECRET }],
          cookie: { name: '__Host-sid', sameSite: 'none', partitioned: true },
          ttl: 1,
          idleTimeout: false,
          lifecycle: 'browser',
          extend: 'on-request',
          touchAfter: 0,
          maxChunks: 100,
          maxBytes: 512,
          timestampSkewSec: 600,
          onInvalid: () => {},
          isRevoked: () => false,
        }),
    ).not.toThrow();
    expect(() => new CookieSessionStore({ keys: SECRET, maxChunks: 1 })).not.toThrow();
    expect(() => new CookieSessionStore({ keys: SECRET, timestampSkewSec: 0, idleTimeout: 1 })).not.toThrow();
  });
});

describe('ERR_CONFIG_COOKIE', () => {
  it.each([
    ['empty', ''],
    ['space', 'my session'],
    ['semicolon', 'a;b'],
    ['equals', 'a=b'],
    ['comma', 'a,b'],
    ['quote', 'a"b'],
    ['CR', 'a\rb'],
    ['LF', 'a\nb'],
    ['NUL', 'a\0b'],
    ['non-ASCII', 'séance'],
    ['ends in .digits (clashes with chunk names)', 'session.1'],
    ['not a string', 42],
  ])('cookie.name: %s', (_, name) => {
    const err = expectConfigError(make({ cookie: { name } }), 'ERR_CONFIG_COOKIE', 'cookie.name');
    expect(err.message).not.toMatch(/[\r\n\0]/);
  });

  it('cookie.name too long for its chunk names', () => {
    expectConfigError(make({ cookie: { name: 'n'.repeat(3900) } }), 'ERR_CONFIG_COOKIE', 'cookie.name');
  });

  it.each([
    ['__Host- with a domain', { name: '__Host-s', domain: 'example.com' }, 'cookie.domain'],
    ['__Host- with path /app', { name: '__Host-s', path: '/app' }, 'cookie.path'],
    ['__Host- with secure false', { name: '__Host-s', secure: false }, 'cookie.secure'],
    ['__host- (any case) with secure false', { name: '__host-s', secure: false }, 'cookie.secure'],
    ['__Secure- with secure false', { name: '__Secure-s', secure: false }, 'cookie.secure'],
    ['SameSite=None without secure', { sameSite: 'none', secure: false }, 'cookie.sameSite'],
    ['partitioned without secure', { partitioned: true, secure: false }, 'cookie.partitioned'],
    ['bad sameSite', { sameSite: 'always' }, 'cookie.sameSite'],
    ['path without leading /', { path: 'app' }, 'cookie.path'],
    ['path with CR', { path: '/a\rb' }, 'cookie.path'],
    ['path with LF', { path: '/a\nSet-Cookie: x=1' }, 'cookie.path'],
    ['path with ;', { path: '/a;Domain=evil.com' }, 'cookie.path'],
    ['path over 1024 octets', { path: '/' + 'p'.repeat(1024) }, 'cookie.path'],
    ['domain with CR', { domain: 'example.com\r' }, 'cookie.domain'],
    ['domain with LF', { domain: 'example.com\nx' }, 'cookie.domain'],
    ['domain with ;', { domain: 'example.com;Secure' }, 'cookie.domain'],
    ['domain with a port', { domain: 'example.com:443' }, 'cookie.domain'],
    ['empty domain', { domain: '' }, 'cookie.domain'],
    ['secure not a boolean', { secure: 'yes' }, 'cookie.secure'],
    ['httpOnly not a boolean', { httpOnly: 1 }, 'cookie.httpOnly'],
    ['cookie not an object', 'session', 'cookie'],
  ])('%s', (_, cookie, option) => {
    const err = expectConfigError(make({ cookie }), 'ERR_CONFIG_COOKIE', option);
    expect(err.message).not.toMatch(/[\r\n\0]/);
  });
});

describe('ERR_CONFIG_OPTION', () => {
  it.each([
    ['ttl', 0],
    ['ttl', -1],
    ['ttl', Number.NaN],
    ['ttl', Number.POSITIVE_INFINITY],
    ['ttl', '3600'],
    ['ttl', 20 * 365 * 86_400],
    ['idleTimeout', 0],
    ['idleTimeout', -60],
    ['idleTimeout', Number.NaN],
    ['idleTimeout', true],
    ['idleTimeout', null],
    ['idleTimeout', '600'],
    ['lifecycle', 'forever'],
    ['lifecycle', 'Persistent'],
    ['lifecycle', 1],
    ['extend', 'always'],
    ['extend', ''],
    ['touchAfter', -1],
    ['touchAfter', Number.NaN],
    ['maxChunks', 0],
    ['maxChunks', 101],
    ['maxChunks', 1.5],
    ['maxChunks', '3'],
    ['maxBytes', 100],
    ['maxBytes', 511],
    ['maxBytes', 6144.5],
    ['maxBytes', '6144'],
    ['timestampSkewSec', 10_000],
    ['timestampSkewSec', -1],
    ['timestampSkewSec', Number.NaN],
    ['onInvalid', 'log'],
    ['isRevoked', true],
  ])('%s: %s', (option, value) => {
    expectConfigError(make({ [option]: value }), 'ERR_CONFIG_OPTION', option);
  });

  it('maxBytes larger than maxChunks cookies can hold', () => {
    expectConfigError(make({ maxChunks: 3, maxBytes: 20_000 }), 'ERR_CONFIG_OPTION', 'maxBytes');
    expectConfigError(make({ maxChunks: 1, maxBytes: 6144 }), 'ERR_CONFIG_OPTION', 'maxBytes');
    expect(make({ maxChunks: 4, maxBytes: 16_384 })).not.toThrow();
  });

  it('options that are not an object', () => {
    expectConfigError(() => new CookieSessionStore(undefined as unknown as Opts), 'ERR_CONFIG_OPTION', 'options');
    expectConfigError(() => new CookieSessionStore('secret' as unknown as Opts), 'ERR_CONFIG_OPTION', 'options');
  });
});

describe('ERR_CONFIG_KEYS', () => {
  it.each([
    ['missing', undefined],
    ['a short string', 'too-short'],
    ['31 characters', 'x'.repeat(31)],
    ['a short Uint8Array', new Uint8Array(16)],
    ['an empty array', []],
    ['an entry with a short secret', [{ id: '1', secret: 'short' }]],
    ['an entry with a bad id', [{ id: 'a-b', secret: SECRET }]],
    ['an entry with an empty id', [{ id: '', secret: SECRET }]],
    ['duplicate ids', [{ id: '1', secret: SECRET }, { id: '1', secret: SECRET + 'x' }]],
    ['a number', 12345],
    ['null', null],
  ])('keys: %s', (_, keys) => {
    const err = expectConfigError(make({ keys }), 'ERR_CONFIG_KEYS', (thrownOption(make({ keys })) ?? 'keys'));
    expect(err.option?.startsWith('keys')).toBe(true);
    // A secret never appears in a message.
    expect(err.message).not.toContain(SECRET);
  });
});

/** The option a constructor call names (for keys, it may be `keys` or `keys[0]`). */
function thrownOption(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return (err as { option?: string }).option;
  }
  return undefined;
}
