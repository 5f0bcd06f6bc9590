/**
 * Option names nobody defined (a typo from plain JavaScript, where the types
 * do not help) are refused when the store is built, or when `sealData`,
 * `unsealData` or `createKeyRing` is called, naming the nearest valid one.
 */
import { describe, expect, test } from 'vitest';
import { CookieSessionStore, createKeyRing, isSessionError, sealData, unsealData } from '../../src/index';
import { fromIronSession } from '../../src/iron-session/index';

const SECRET = 'unknown-options-test-secret-0123456789abcdef';

function refusal(run: () => unknown): { code: string; option: string | undefined; message: string } {
  try {
    run();
  } catch (err) {
    if (!isSessionError(err)) throw err;
    return { code: err.code, option: err.option, message: err.message };
  }
  throw new Error('expected the options to be refused');
}

async function rejected(run: () => Promise<unknown>): Promise<{ code: string; option: string | undefined; message: string }> {
  try {
    await run();
  } catch (err) {
    if (!isSessionError(err)) throw err;
    return { code: err.code, option: err.option, message: err.message };
  }
  throw new Error('expected the options to be refused');
}

const store = (options: Record<string, unknown>) => new CookieSessionStore({ keys: SECRET, ...options } as never);

describe('fromIronSession refuses an unknown option and names the nearest', () => {
  test.each<[Record<string, unknown>, string, string]>([
    [{ cookiename: 'old', cookieName: 'old', password: SECRET }, 'fromIronSession.cookiename', 'fromIronSession.cookieName'],
    [{ cookieName: 'old', password: SECRET, tll: 5 }, 'fromIronSession.tll', 'fromIronSession.ttl'],
  ])('%j → %s, did you mean %s?', (options, option, nearest) => {
    const err = refusal(() => fromIronSession(options as never));
    expect(err.code).toBe('ERR_CONFIG_OPTION');
    expect(err.option).toBe(option);
    expect(err.message).toContain(`did you mean ${nearest}?`);
  });

  test('the store option of earlier versions, fromIronSession: {...}, says where it went', () => {
    const err = refusal(() => store({ fromIronSession: { cookieName: 'old', password: SECRET } }));
    expect(err.code).toBe('ERR_CONFIG_OPTION');
    expect(err.option).toBe('fromIronSession');
    expect(err.message).toContain("legacy: fromIronSession(");
    expect(err.message).toContain("'sealed-session/iron-session'");
  });
});

describe('the store refuses an unknown option at construction and names the nearest', () => {
  test.each<[Record<string, unknown>, string, string]>([
    [{ idleTimout: 5 }, 'idleTimout', 'idleTimeout'],
    [{ ttL: 60 }, 'ttL', 'ttl'],
    [{ maxchunks: 2 }, 'maxchunks', 'maxChunks'],
    [{ isRevokd: () => false }, 'isRevokd', 'isRevoked'],
    [{ onInvlaid: () => undefined }, 'onInvlaid', 'onInvalid'],
    [{ iteration: 2 }, 'iteration', 'iterations'],
    [{ legasy: undefined }, 'legasy', 'legacy'],
    [{ cookie: { httponly: false } }, 'cookie.httponly', 'cookie.httpOnly'],
    [{ cookie: { samesite: 'strict' } }, 'cookie.samesite', 'cookie.sameSite'],
    [{ cookie: { domian: 'example.com' } }, 'cookie.domian', 'cookie.domain'],
  ])('%j → %s, did you mean %s?', (options, option, nearest) => {
    const err = refusal(() => store(options));
    expect(err.code).toBe('ERR_CONFIG_OPTION');
    expect(err.option).toBe(option);
    expect(err.message).toContain(`did you mean ${nearest}?`);
  });

  test('a name near nothing lists the valid options instead', () => {
    const err = refusal(() => store({ colour: 'blue' }));
    expect(err.option).toBe('colour');
    expect(err.message).not.toMatch(/did you mean/);
    expect(err.message).toMatch(/Valid options: keys, schema, cookie, ttl, idleTimeout/);
  });

  test('an unknown option with the value undefined is refused too (the typo is the bug)', () => {
    expect(refusal(() => store({ idleTimout: undefined })).option).toBe('idleTimout');
  });

  test('a name that may be a secret is described by its length, never echoed', () => {
    const err = refusal(() => store({ [SECRET]: true }));
    expect(err.message).not.toContain(SECRET.slice(0, 16));
    expect(err.option).toBe(`options (an option name of ${SECRET.length} characters)`);
  });

  test('every documented option is still accepted', () => {
    expect(
      store({
        schema: undefined,
        cookie: { name: 'sid', secure: true, httpOnly: true, sameSite: 'lax', path: '/', domain: 'example.com', partitioned: false },
        ttl: 3600,
        idleTimeout: 600,
        lifecycle: 'persistent',
        extend: 'on-change',
        touchAfter: 60,
        maxChunks: 2,
        maxBytes: 4096,
        timestampSkewSec: 60,
        onInvalid: () => undefined,
        isRevoked: () => false,
        legacy: fromIronSession({ cookieName: 'old', password: SECRET, ttl: 60 }),
        iterations: 1,
        crypto: 'auto',
        tokenCache: 16,
      }).cookieName,
    ).toBe('sid');
  });
});

describe('sealData, unsealData and createKeyRing refuse unknown options', () => {
  test('sealData({ tll })', async () => {
    const err = await rejected(() => sealData({ a: 1 }, { keys: SECRET, tll: 60 } as never));
    expect(err).toMatchObject({ code: 'ERR_CONFIG_OPTION', option: 'tll' });
    expect(err.message).toContain('did you mean ttl?');
  });

  test('sealData({ purpuse })', async () => {
    const err = await rejected(() => sealData({ a: 1 }, { keys: SECRET, purpuse: 'magic-link' } as never));
    expect(err.message).toContain('did you mean purpose?');
  });

  test('unsealData({ timestampSkewSecs }) and unsealData({ ttl }), which only sealData takes', async () => {
    const token = await sealData({ a: 1 }, { keys: SECRET });
    expect((await rejected(() => unsealData(token, { keys: SECRET, timestampSkewSecs: 5 } as never))).message).toContain('did you mean timestampSkewSec?');
    expect((await rejected(() => unsealData(token, { keys: SECRET, ttl: 5 } as never))).option).toBe('ttl');
  });

  test('createKeyRing(keys, { tokencache })', () => {
    const err = refusal(() => createKeyRing(SECRET, { tokencache: 0 } as never));
    expect(err).toMatchObject({ code: 'ERR_CONFIG_OPTION', option: 'tokencache' });
    expect(err.message).toContain('did you mean tokenCache?');
  });
});
