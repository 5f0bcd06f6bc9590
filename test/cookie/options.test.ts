import { describe, expect, it } from 'vitest';
import { resolveCookieOptions } from '../../src/cookie/options';
import type { CookieOptions } from '../../src/cookie/options';
import { catchSessionError, expectCookieConfigError } from './helpers';

/** Call with options that deliberately break the static types (JS callers, bad config files). */
const resolveUntyped = (input: unknown, maxChunks?: number) =>
  resolveCookieOptions(input as CookieOptions, maxChunks);

describe('resolveCookieOptions: defaults', () => {
  it('fills every default and omits domain', () => {
    const resolved = resolveCookieOptions();
    expect(resolved).toEqual({
      name: 'session',
      secure: true,
      httpOnly: true,
      sameSite: 'lax',
      path: '/',
      partitioned: false,
    });
    expect('domain' in resolved).toBe(false);
  });

  it('treats an empty object and explicit undefined fields as defaults', () => {
    expect(resolveCookieOptions({})).toEqual(resolveCookieOptions());
    expect(resolveUntyped({ name: undefined, secure: undefined, sameSite: undefined })).toEqual(resolveCookieOptions());
  });

  it('returns a frozen object', () => {
    const resolved = resolveCookieOptions({ domain: 'example.com' });
    expect(Object.isFrozen(resolved)).toBe(true);
    expect(() => {
      (resolved as { path: string }).path = '/x';
    }).toThrow(TypeError);
  });

  it('keeps every valid explicit setting', () => {
    expect(
      resolveCookieOptions({
        name: 'app_sid',
        secure: true,
        httpOnly: false,
        sameSite: 'none',
        path: '/app/v1',
        domain: '.example.co.uk',
        partitioned: true,
      }),
    ).toEqual({
      name: 'app_sid',
      secure: true,
      httpOnly: false,
      sameSite: 'none',
      path: '/app/v1',
      domain: '.example.co.uk',
      partitioned: true,
    });
  });

  it('allows secure: false for plain-HTTP development with lax/strict', () => {
    expect(resolveCookieOptions({ secure: false }).secure).toBe(false);
    expect(resolveCookieOptions({ secure: false, sameSite: 'strict' }).sameSite).toBe('strict');
  });
});

describe('resolveCookieOptions: input shape', () => {
  it.each([null, 'session', 42, ['name']])('rejects a non-object %j', (input) => {
    expectCookieConfigError(() => resolveUntyped(input), 'cookie', /must be an object/);
  });

  it.each([0, 101, 1.5, Number.NaN])('rejects maxChunks %s with ERR_CONFIG_OPTION', (maxChunks) => {
    const err = catchSessionError(() => resolveCookieOptions({}, maxChunks));
    expect(err.code).toBe('ERR_CONFIG_OPTION');
    expect(err.option).toBe('maxChunks');
    expect(err.message).toMatch(/from 1 to 100/);
  });
});

describe('resolveCookieOptions: name', () => {
  it.each(['sid', 'a', 'my.session', "x!#$%&'*+-.^_`|~9", '__Secure-sid', '__Host-sid', 'v2.session'])(
    'accepts the token %j',
    (name) => {
      expect(resolveCookieOptions({ name }).name).toBe(name);
    },
  );

  it('rejects a non-string name', () => {
    expectCookieConfigError(() => resolveUntyped({ name: 7 }), 'cookie.name', /must be a string such as 'session'/);
  });

  it('rejects an empty name', () => {
    expectCookieConfigError(() => resolveCookieOptions({ name: '' }), 'cookie.name', /must not be empty/);
  });

  it.each([
    ['a b', 1],
    ['a=b', 1],
    ['a;b', 1],
    ['a,b', 1],
    ['"a"', 0],
    ['a\r\nSet-Cookie: x=y', 1],
    ['a\tb', 1],
    ['a(b)', 1],
    ['a/b', 1],
    ['a@b', 1],
    ['é', 0],
    ['a\u0000', 1],
    ['a\u007f', 1],
  ])('rejects the non-token %j and points at index %i', (name, index) => {
    const err = expectCookieConfigError(
      () => resolveCookieOptions({ name }),
      'cookie.name',
      /use only letters, digits and !#\$%&'\*\+-\.\^_`\|~/,
    );
    expect(err.message).toContain(`at index ${index}`);
  });

  it('describes a bad character by code, never by echoing it', () => {
    const err = expectCookieConfigError(() => resolveCookieOptions({ name: 'a\nb' }), 'cookie.name');
    expect(err.message).toContain('0x0A at index 1');
  });

  it.each(['session.1', 'session.01', 'a.0', 'x.2024', 'v.99'])('rejects %j, which looks like a chunk cookie', (name) => {
    expectCookieConfigError(() => resolveCookieOptions({ name }), 'cookie.name', /must not end in '\.' followed by digits.*rename it/);
  });

  it.each(['session.', 'session.1a', '1', '.1x', 'a1', 'v1.2x'])('accepts %j (not a chunk-like suffix)', (name) => {
    expect(resolveCookieOptions({ name }).name).toBe(name);
  });

  it('rejects a name that leaves under 256 octets for the longest chunk value', () => {
    // maxChunks 1: only `name` itself, so up to 4096 - 256 = 3840 octets.
    expect(resolveCookieOptions({ name: 'n'.repeat(3840) }, 1).name).toHaveLength(3840);
    expectCookieConfigError(() => resolveCookieOptions({ name: 'n'.repeat(3841) }, 1), 'cookie.name', /at most 3840 octets/);
    // maxChunks 10: longest is `name.9`, 2 more octets.
    expect(resolveCookieOptions({ name: 'n'.repeat(3838) }, 10).name).toHaveLength(3838);
    expectCookieConfigError(() => resolveCookieOptions({ name: 'n'.repeat(3839) }, 10), 'cookie.name', /shorten the name to at most 3838 octets/);
    // maxChunks 100: longest is `name.99`, 3 more octets.
    expect(resolveCookieOptions({ name: 'n'.repeat(3837) }, 100).name).toHaveLength(3837);
    expectCookieConfigError(() => resolveCookieOptions({ name: 'n'.repeat(3838) }, 100), 'cookie.name', /at most 3837 octets/);
  });
});

describe('resolveCookieOptions: booleans', () => {
  it.each(['secure', 'httpOnly', 'partitioned'] as const)('rejects a non-boolean %s', (key) => {
    for (const bad of ['true', 1, 0, null, {}]) {
      expectCookieConfigError(() => resolveUntyped({ [key]: bad }), `cookie.${key}`, /must be true or false.*pass a boolean/);
    }
  });
});

describe('resolveCookieOptions: sameSite', () => {
  it.each([
    ['lax', 'lax'],
    ['Lax', 'lax'],
    ['LAX', 'lax'],
    ['strict', 'strict'],
    ['Strict', 'strict'],
    ['none', 'none'],
    ['None', 'none'],
  ])('normalises %j to %j', (input, expected) => {
    expect(resolveUntyped({ sameSite: input }).sameSite).toBe(expected);
  });

  it.each(['', 'lax ', 'default', 'no_restriction', true, false, null, 1])('rejects %j', (sameSite) => {
    expectCookieConfigError(() => resolveUntyped({ sameSite }), 'cookie.sameSite', /must be 'lax', 'strict' or 'none'/);
  });

  it('rejects SameSite=None without secure, saying what to change', () => {
    expectCookieConfigError(
      () => resolveCookieOptions({ sameSite: 'none', secure: false }),
      'cookie.sameSite',
      /SameSite=None needs secure: true\b.*; set secure: true or use sameSite: 'lax'$/,
    );
  });
});

describe('resolveCookieOptions: partitioned (CHIPS)', () => {
  it('accepts partitioned with secure', () => {
    expect(resolveCookieOptions({ partitioned: true }).partitioned).toBe(true);
  });

  it('rejects partitioned without secure', () => {
    expectCookieConfigError(
      () => resolveCookieOptions({ partitioned: true, secure: false }),
      'cookie.partitioned',
      /needs secure: true.*set secure: true or partitioned: false/,
    );
  });
});

describe('resolveCookieOptions: path', () => {
  it.each(['/', '/app', '/app/', '/a-b_c.d~e/%20x', "/!$&'()*+=:@"])('accepts %j', (path) => {
    expect(resolveCookieOptions({ path }).path).toBe(path);
  });

  it('rejects a non-string path', () => {
    expectCookieConfigError(() => resolveUntyped({ path: 1 }), 'cookie.path', /must be a string starting with '\/'/);
  });

  it.each(['', 'app', ' /app', 'https://example.com/'])('rejects %j, which does not start with /', (path) => {
    expectCookieConfigError(() => resolveCookieOptions({ path }), 'cookie.path', /must start with '\/'/);
  });

  it.each([
    '/a;b',
    '/a; Domain=evil.com',
    '/a,b',
    '/a b',
    '/a\r\nSet-Cookie: evil=1',
    '/a\nb',
    '/a\u0000',
    '/a\u007f',
    '/a\tb',
    '/caf\u00e9',
    '/\u2028',
  ])('refuses the injection or non-ASCII in %j', (path) => {
    expectCookieConfigError(() => resolveCookieOptions({ path }), 'cookie.path', /remove control characters, spaces, ';' and ','/);
  });

  it('rejects a path over 1024 octets', () => {
    expect(resolveCookieOptions({ path: '/' + 'a'.repeat(1023) }).path).toHaveLength(1024);
    expectCookieConfigError(() => resolveCookieOptions({ path: '/' + 'a'.repeat(1024) }), 'cookie.path', /longer than 1024 octets, so use a shorter path/);
  });
});

describe('resolveCookieOptions: domain', () => {
  it.each(['example.com', '.example.com', 'a-b.example', 'xn--bcher-kva.example', 'EXAMPLE.COM', 'app.localhost', '1password.com', 'x.0a', 'a.b.c.d.example'])(
    'accepts %j as given',
    (domain) => {
      expect(resolveCookieOptions({ domain }).domain).toBe(domain);
    },
  );

  it('rejects a non-string domain', () => {
    expectCookieConfigError(() => resolveUntyped({ domain: null }), 'cookie.domain', /must be a host name/);
  });

  it.each(['', '.'])('rejects the empty domain %j', (domain) => {
    expectCookieConfigError(() => resolveCookieOptions({ domain }), 'cookie.domain', /must not be empty.*leave domain out/);
  });

  it.each([
    'example.com; Secure',
    'example.com\r\nSet-Cookie: a=b',
    'example.com,evil.com',
    'exa mple.com',
    'example.com\t',
    'example.com:8080',
    'https://example.com',
    'example.com/path',
    'ex_ample.com',
    'bücher.example',
  ])('refuses %j', (domain) => {
    expectCookieConfigError(() => resolveCookieOptions({ domain }), 'cookie.domain', /use only letters, digits, '-' and '\.'/);
  });

  it.each(['example..com', 'example.com.', '..example.com'])('rejects the empty label in %j', (domain) => {
    expectCookieConfigError(() => resolveCookieOptions({ domain }), 'cookie.domain', /empty label/);
  });

  it.each(['-example.com', 'example-.com', 'a.-b'])('rejects the hyphen-edged label in %j', (domain) => {
    expectCookieConfigError(() => resolveCookieOptions({ domain }), 'cookie.domain', /starts or ends with '-'/);
  });

  it('enforces 63-character labels and 253-character names', () => {
    expect(resolveCookieOptions({ domain: 'a'.repeat(63) + '.com' }).domain).toBeDefined();
    expectCookieConfigError(() => resolveCookieOptions({ domain: 'a'.repeat(64) + '.com' }), 'cookie.domain', /at most 63/);
    const label = 'a'.repeat(63);
    const longest = [label, label, label, 'a'.repeat(61)].join('.'); // 4 × 63 - 2 + 3 dots = 253
    expect(longest).toHaveLength(253);
    expect(resolveCookieOptions({ domain: longest }).domain).toBe(longest);
    expect(resolveCookieOptions({ domain: '.' + longest }).domain).toBe('.' + longest);
    expectCookieConfigError(() => resolveCookieOptions({ domain: 'a' + longest }), 'cookie.domain', /at most 253/);
  });
});

describe('resolveCookieOptions: cookie prefixes', () => {
  it.each(['__Secure-sid', '__secure-sid', '__SECURE-sid'])('%j needs secure', (name) => {
    expectCookieConfigError(
      () => resolveCookieOptions({ name, secure: false }),
      'cookie.secure',
      /__Secure- prefix needs secure: true.*set secure: true or rename the cookie/,
    );
    expect(resolveCookieOptions({ name, path: '/app', domain: 'example.com' }).name).toBe(name);
  });

  it.each(['__Host-sid', '__host-sid', '__HOST-sid'])('%j needs secure, path / and no domain', (name) => {
    expectCookieConfigError(() => resolveCookieOptions({ name, secure: false }), 'cookie.secure', /__Host- prefix needs secure: true/);
    expectCookieConfigError(
      () => resolveCookieOptions({ name, domain: 'example.com' }),
      'cookie.domain',
      /__Host- prefix must not have a Domain.*leave domain out/,
    );
    expectCookieConfigError(() => resolveCookieOptions({ name, path: '/app' }), 'cookie.path', /__Host- prefix needs path: '\/'.*set path: '\/'/);
    expect(resolveCookieOptions({ name })).toEqual({
      name,
      secure: true,
      httpOnly: true,
      sameSite: 'lax',
      path: '/',
      partitioned: false,
    });
  });

  it.each(['__Http-sid', '__http-sid', '__HTTP-sid'])('%j needs secure and httpOnly (layered-cookies draft §4.1.3.3)', (name) => {
    expectCookieConfigError(() => resolveCookieOptions({ name, secure: false }), 'cookie.secure', /__Http- prefix needs secure: true.*set secure: true or rename the cookie/);
    expectCookieConfigError(
      () => resolveCookieOptions({ name, httpOnly: false }),
      'cookie.httpOnly',
      /__Http- prefix needs httpOnly: true.*set httpOnly: true \(the default\) or rename the cookie/,
    );
    // Path and Domain are free, as with __Secure-.
    expect(resolveCookieOptions({ name, path: '/app', domain: 'example.com' })).toMatchObject({ name, secure: true, httpOnly: true });
  });

  it.each(['__Host-Http-sid', '__host-http-sid', '__HOST-HTTP-sid', '__Host-http-sid'])(
    '%j needs secure, httpOnly, path / and no domain (layered-cookies draft §4.1.3.4)',
    (name) => {
      expectCookieConfigError(() => resolveCookieOptions({ name, secure: false }), 'cookie.secure', /__Host-Http- prefix needs secure: true/);
      expectCookieConfigError(() => resolveCookieOptions({ name, httpOnly: false }), 'cookie.httpOnly', /__Host-Http- prefix needs httpOnly: true/);
      expectCookieConfigError(
        () => resolveCookieOptions({ name, domain: 'example.com' }),
        'cookie.domain',
        /__Host-Http- prefix must not have a Domain.*leave domain out or use the __Http- prefix/,
      );
      expectCookieConfigError(
        () => resolveCookieOptions({ name, path: '/app' }),
        'cookie.path',
        /__Host-Http- prefix needs path: '\/'.*set path: '\/' or use the __Http- prefix/,
      );
      expect(resolveCookieOptions({ name })).toEqual({ name, secure: true, httpOnly: true, sameSite: 'lax', path: '/', partitioned: false });
    },
  );

  it('a __Host- or __Secure- cookie may still turn httpOnly off', () => {
    expect(resolveCookieOptions({ name: '__Host-sid', httpOnly: false }).httpOnly).toBe(false);
    expect(resolveCookieOptions({ name: '__Secure-sid', httpOnly: false }).httpOnly).toBe(false);
    expect(resolveCookieOptions({ name: '__Host-Httpsid', httpOnly: false }).httpOnly).toBe(false);
  });

  it('does not treat look-alikes as prefixes', () => {
    expect(resolveCookieOptions({ name: '__Httpsid', secure: false, httpOnly: false }).name).toBe('__Httpsid');
    expect(resolveCookieOptions({ name: '_Http-sid', secure: false, httpOnly: false }).name).toBe('_Http-sid');
    expect(resolveCookieOptions({ name: '_Host-sid', secure: false, path: '/x' }).name).toBe('_Host-sid');
    expect(resolveCookieOptions({ name: '__Hostsid', secure: false }).name).toBe('__Hostsid');
    expect(resolveCookieOptions({ name: '__Securesid', secure: false }).name).toBe('__Securesid');
  });
});

describe('resolveCookieOptions: a domain that is a public suffix or an IP address', () => {
  it.each(['com', '.com', 'localhost', '.localhost', 'LOCALHOST', 'intranet', 'xn--p1ai'])('refuses the single label %j, saying to give a registrable domain or leave it out', (domain) => {
    expectCookieConfigError(() => resolveCookieOptions({ domain }), 'cookie.domain', /single label.*such as 'example\.com'.*leave domain out/);
  });

  it.each(['127.0.0.1', '.127.0.0.1', '10.0.0.1', '127.1', '0x7f.0.0.1', '2130706433', '192.168.1.0x1', 'a.b.c.1', 'example.0x', 'example.123'])(
    'refuses %j, which user agents take as an IPv4 address',
    (domain) => {
      expectCookieConfigError(() => resolveCookieOptions({ domain }), 'cookie.domain', /IPv4 address.*leave domain out/);
    },
  );

  it.each(['::1', '[::1]', '2001:db8::1', '[2001:db8::1]', '::ffff:127.0.0.1', 'fe80::1'])('refuses the IPv6 address %j', (domain) => {
    expectCookieConfigError(() => resolveCookieOptions({ domain }), 'cookie.domain', /IPv6 address.*leave domain out/);
  });

  it('a store refuses them at construction too', async () => {
    const { CookieSessionStore } = await import('../../src/index');
    for (const domain of ['com', 'localhost', '127.0.0.1', '::1']) {
      expect(() => new CookieSessionStore({ keys: 'x'.repeat(32), cookie: { domain } })).toThrow(/cookie\.domain/);
    }
  });
});
