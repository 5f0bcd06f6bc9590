/**
 * Configuration and output injection, at the store level: no option value
 * and no state value can add a header, an attribute or a cookie to what a
 * real store emits; prefix, SameSite=None, Partitioned and Max-Age rules hold
 * on the emitted Set-Cookie strings. (The cookie codec's own unit tests are
 * in test/cookie/.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CookieSessionStore, SessionError, type CookieOptions, type CookieSessionStoreOptions } from '../../src/index';
import { cookieHeaderFrom, rawRequest, SECRET_1, startServer, type TestServer } from './helpers';

const MAX_AGE_CAP = 34_560_000; // 400 days
const TEN_YEARS = 10 * 365 * 86_400;
const INJECTED = 'X-Injected';

/** One emitted Set-Cookie value, split into its name, value and attribute list. */
function dissect(header: string): { name: string; value: string; attributes: Array<[string, string | true]> } {
  expect(header, 'a Set-Cookie value holds no CR, LF or NUL').not.toMatch(/[\r\n\0]/);
  const [pair, ...rest] = header.split('; ');
  const eq = pair!.indexOf('=');
  const attributes = rest.map((part): [string, string | true] => {
    const at = part.indexOf('=');
    return at === -1 ? [part, true] : [part.slice(0, at), part.slice(at + 1)];
  });
  const names = attributes.map(([n]) => n.toLowerCase());
  expect(new Set(names).size, `no attribute twice in ${header.slice(0, 120)}`).toBe(names.length);
  return { name: pair!.slice(0, eq), value: pair!.slice(eq + 1), attributes };
}

/** The attribute names and values of a store's first emitted cookie. */
async function emitted(options: Partial<CookieSessionStoreOptions>, state: Record<string, string> = { user: 'alice' }): Promise<string[]> {
  const store = new CookieSessionStore({ keys: SECRET_1, ...options });
  const session = await store.load(undefined);
  session.update(() => state);
  return session.commit();
}

function configError(options: Partial<CookieSessionStoreOptions>): SessionError {
  try {
    new CookieSessionStore({ keys: SECRET_1, ...options });
  } catch (err) {
    expect(err).toBeInstanceOf(SessionError);
    return err as SessionError;
  }
  throw new Error('the store accepted the options');
}

describe('option values cannot inject', () => {
  const hostile = [
    `\r\n${INJECTED}: 1`,
    `\n${INJECTED}: 1`,
    `\r${INJECTED}: 1`,
    '; Domain=evil.example',
    ', evil=1',
    '\0',
    ' ',
  ];
  const fields: Array<[keyof CookieOptions, string]> = [
    ['name', 'session'],
    ['path', '/app'],
    ['domain', 'example.com'],
  ];

  for (const [field, base] of fields) {
    it.each(hostile.map((h) => [JSON.stringify(h), h]))(`cookie.${field} with %s is refused at construction`, (_, payload) => {
      for (const value of [base + payload, payload + base, base.slice(0, 2) + payload + base.slice(2)]) {
        const err = configError({ cookie: { [field]: value } });
        expect(err.code).toBe('ERR_CONFIG_COOKIE');
        expect(err.option).toBe(`cookie.${field}`);
        // The message names the character by code, never echoes the input.
        expect(err.message).not.toMatch(/[\r\n\0]/);
        expect(err.message).not.toContain(INJECTED);
        expect(err.message).not.toContain('evil');
      }
    });
  }

  it('refuses "=" and DQUOTE in the name, DQUOTE in the domain, and attribute text smuggled into sameSite', () => {
    expect(configError({ cookie: { name: 'a=b' } }).option).toBe('cookie.name');
    expect(configError({ cookie: { name: 'a"b' } }).option).toBe('cookie.name');
    expect(configError({ cookie: { domain: 'a"b.com' } }).option).toBe('cookie.domain');
    expect(configError({ cookie: { sameSite: 'Lax; Domain=evil.example' as never } }).option).toBe('cookie.sameSite');
    expect(configError({ cookie: { secure: 'true' as never } }).option).toBe('cookie.secure');
  });

  it('refuses non-numbers and out-of-range numbers where a Max-Age would be derived', () => {
    for (const ttl of [Number.NaN, Number.POSITIVE_INFINITY, -1, 0, '3600; Domain=x' as never]) {
      expect(configError({ ttl }).option).toBe('ttl');
    }
    expect(configError({ idleTimeout: Number.NaN }).option).toBe('idleTimeout');
  });
});

describe('prefixes, SameSite=None and Partitioned', () => {
  it.each([
    ['__Host- with a Domain', { name: '__Host-s', domain: 'example.com' }, 'cookie.domain'],
    ['__Host- with another Path', { name: '__Host-s', path: '/app' }, 'cookie.path'],
    ['__Host- without Secure', { name: '__Host-s', secure: false }, 'cookie.secure'],
    ['__host- (any case) without Secure', { name: '__host-s', secure: false }, 'cookie.secure'],
    ['__Secure- without Secure', { name: '__Secure-s', secure: false }, 'cookie.secure'],
    ['__SECURE- (any case) without Secure', { name: '__SECURE-s', secure: false }, 'cookie.secure'],
    ['SameSite=None without Secure', { sameSite: 'none', secure: false }, 'cookie.sameSite'],
    ['Partitioned without Secure', { partitioned: true, secure: false }, 'cookie.partitioned'],
  ] as Array<[string, CookieOptions, string]>)('refuses %s', (_, cookie, option) => {
    const err = configError({ cookie });
    expect({ code: err.code, option: err.option }).toEqual({ code: 'ERR_CONFIG_COOKIE', option });
  });

  it('emits __Host- cookies with Secure, Path=/ and no Domain', async () => {
    const [cookie] = await emitted({ cookie: { name: '__Host-s' } });
    const { name, attributes } = dissect(cookie!);
    expect(name).toBe('__Host-s');
    expect(attributes).toContainEqual(['Secure', true]);
    expect(attributes).toContainEqual(['Path', '/']);
    expect(attributes.map(([n]) => n)).not.toContain('Domain');
  });

  it('emits SameSite=None and Partitioned only together with Secure, on cookies and removals alike', async () => {
    const store = new CookieSessionStore({ keys: SECRET_1, cookie: { sameSite: 'None', partitioned: true, domain: 'example.com', path: '/app' } });
    const session = await store.load(undefined);
    session.set('user', 'alice');
    const written = await session.commit();
    const again = await store.load(cookieHeaderFrom(written));
    again.destroy();
    for (const header of [...written, ...(await again.commit())]) {
      const { attributes } = dissect(header);
      const names = attributes.map(([n]) => n);
      expect(names).toEqual(expect.arrayContaining(['Secure', 'SameSite', 'Partitioned', 'Domain', 'Path']));
      expect(attributes).toContainEqual(['SameSite', 'None']);
      expect(attributes).toContainEqual(['Domain', 'example.com']);
      expect(attributes).toContainEqual(['Path', '/app']);
    }
  });
});

describe('Max-Age', () => {
  const maxAge = (header: string) => Number(dissect(header).attributes.find(([n]) => n === 'Max-Age')?.[1]);

  it('is capped at 400 days whatever the ttl', async () => {
    const [cookie] = await emitted({ ttl: TEN_YEARS, idleTimeout: false });
    expect(maxAge(cookie!)).toBe(MAX_AGE_CAP);
    const expires = Date.parse(String(dissect(cookie!).attributes.find(([n]) => n === 'Expires')?.[1]));
    expect(Math.abs(expires - (Date.now() + MAX_AGE_CAP * 1000))).toBeLessThan(5_000);
  });

  it('is capped at 400 days for a session given its own ten-year lifetime', async () => {
    const store = new CookieSessionStore({ keys: SECRET_1, idleTimeout: false });
    const session = await store.load(undefined);
    session.setTtl(TEN_YEARS);
    const [cookie] = await session.commit();
    expect(maxAge(cookie!)).toBe(MAX_AGE_CAP);
  });

  it('never exceeds the server-side expiry, and is absent for browser-session cookies', async () => {
    const [short] = await emitted({ ttl: 90, idleTimeout: 3600 });
    expect(maxAge(short!)).toBeLessThanOrEqual(90);
    const [idle] = await emitted({ ttl: 86_400, idleTimeout: 600 });
    expect(maxAge(idle!)).toBeLessThanOrEqual(600);
    const [browser] = await emitted({ lifecycle: 'browser' });
    expect(dissect(browser!).attributes.map(([n]) => n)).not.toContain('Max-Age');
    expect(dissect(browser!).attributes.map(([n]) => n)).not.toContain('Expires');
  });
});

describe('extreme but valid options are emitted exactly', () => {
  const longPath = `/${'p'.repeat(1023)}`;
  const longDomain = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`;
  const longName = `n${'x'.repeat(999)}`;

  it('a 1024-octet Path, a 253-character Domain and a 1000-character name', async () => {
    expect(longDomain).toHaveLength(253);
    const cookies = await emitted(
      { cookie: { name: longName, path: longPath, domain: longDomain, sameSite: 'strict' }, maxBytes: 12_000 },
      { user: 'alice', note: 'x'.repeat(3000) },
    );
    expect(cookies.length).toBeGreaterThan(1);
    cookies.forEach((header, i) => {
      const { name, value, attributes } = dissect(header);
      expect(name).toBe(i === 0 ? longName : `${longName}.${i}`);
      expect(value).toMatch(/^([2-9]\*)?[A-Za-z0-9_\-*.]+$/);
      expect(name.length + value.length).toBeLessThanOrEqual(4096);
      expect(attributes.map(([n]) => n)).toEqual(['Max-Age', 'Expires', 'Path', 'Domain', 'HttpOnly', 'Secure', 'SameSite']);
      expect(attributes).toContainEqual(['Path', longPath]);
      expect(attributes).toContainEqual(['Domain', longDomain]);
      expect(attributes).toContainEqual(['SameSite', 'Strict']);
    });
  });

  it('refuses one octet more in each', () => {
    expect(configError({ cookie: { path: `${longPath}p` } }).option).toBe('cookie.path');
    expect(configError({ cookie: { domain: `${longDomain}d` } }).option).toBe('cookie.domain');
    expect(configError({ cookie: { domain: `${'a'.repeat(64)}.com` } }).option).toBe('cookie.domain');
  });
});

describe('state values cannot inject', () => {
  const HOSTILE_STATE = { user: `alice\r\n${INJECTED}: 1\r\nSet-Cookie: admin=1; Domain=evil.example`, semi: '; Max-Age=0', quote: '"' };
  let server: TestServer;

  beforeAll(async () => {
    const store = new CookieSessionStore({ keys: SECRET_1 });
    server = await startServer(async (req, res) => {
      const session = await store.handleSession(req, res);
      session.update(() => HOSTILE_STATE);
      res.end('ok');
    });
  });
  afterAll(() => server.close());

  it('the sealed value is only token characters', async () => {
    const cookies = await emitted({}, HOSTILE_STATE);
    expect(cookies).toHaveLength(1);
    const { name, value, attributes } = dissect(cookies[0]!);
    expect(name).toBe('session');
    expect(value).toMatch(/^Fe26\.2\*[A-Za-z0-9_\-*]+$/);
    expect(attributes.map(([n]) => n)).toEqual(['Max-Age', 'Expires', 'Path', 'HttpOnly', 'Secure', 'SameSite']);
  });

  it('a real response carries exactly one Set-Cookie line and no injected header', async () => {
    const res = await rawRequest(server.port, []);
    expect(res.status).toBe(200);
    const lines = res.headers.split('\r\n');
    expect(lines.filter((l) => /^set-cookie:/i.test(l))).toHaveLength(1);
    expect(res.headers).not.toContain(INJECTED);
    expect(res.headers).not.toContain('admin=1');
  });
});
