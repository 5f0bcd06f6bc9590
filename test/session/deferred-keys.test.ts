/**
 * Keys given as a function (`keys: () => process.env.SESSION_SECRET!`): the
 * store constructs without them (a `next build` that loads the module with
 * no secrets in the environment), calls the function at the first load,
 * checks the keys then and rejects that load with `ERR_CONFIG_KEYS` saying
 * what to change. Keys given as a value are still checked at construction.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CookieSessionStore, isSessionError, type SessionError } from '../../src/index';
import { SECRET, SECRET_2, expectConfigError, rejection } from './helpers';

const schema = z.object({ userId: z.string().optional() });

/** `process.env`, as a build step or a server sees it. */
function environment(): Record<string, string | undefined> {
  return {};
}

describe('keys given as a function', () => {
  it('construct without calling it, even when it would throw; the first load rejects with ERR_CONFIG_KEYS saying what to change', async () => {
    let calls = 0;
    const missing = () => {
      calls++;
      throw new Error('SESSION_SECRET is not set');
    };
    const store = new CookieSessionStore({ keys: missing, schema });
    expect(calls).toBe(0);
    expect(store.cookieName).toBe('session');

    const err = await rejection(store.load(undefined));
    expect(err.code).toBe('ERR_CONFIG_KEYS');
    expect(err.option).toBe('keys');
    expect(err.message).toBe(
      "sealed-session: keys: the function threw (Error; its message is not repeated, in case it holds a secret) instead of returning the secret(s) (given as a function, called at first use)",
    );
    // Every adapter path rejects the same way (never a TypeError, never a fresh session sealed with nothing).
    const viaFetch = await rejection(store.handleSession(new Request('http://127.0.0.1/', { headers: { cookie: 'session=x' } })));
    expect(viaFetch.code).toBe('ERR_CONFIG_KEYS');
    expect(calls).toBe(2);
  });

  it('a function returning nothing (the variable unset where the app runs) is named as such', async () => {
    const env = environment();
    const store = new CookieSessionStore({ keys: () => env.SESSION_SECRET!, schema });
    const err = await rejection(store.load('session=Fe26.2**x'));
    expect(err.code).toBe('ERR_CONFIG_KEYS');
    expect(err.option).toBe('keys');
    expect(err.message).toContain('keys: the function returned undefined');
    expect(err.message).toContain("is the secret's environment variable (such as SESSION_SECRET) set where the app runs?");
  });

  it('a wrong key from the function is the usual key error, at first use, saying it came from the function', async () => {
    const short = await rejection(new CookieSessionStore({ keys: () => 'too short' }).load(undefined));
    expect(short).toMatchObject({ code: 'ERR_CONFIG_KEYS', option: 'keys' });
    expect(short.message).toContain('secret is 9 characters; use at least 32');
    expect(short.message).toContain('(given as a function, called at first use)');
    const entry = await rejection(new CookieSessionStore({ keys: () => [{ id: 'k2', secret: 'x' }] }).load(undefined));
    expect(entry).toMatchObject({ code: 'ERR_CONFIG_KEYS', option: 'keys[0] (id "k2")' });
    const promised = await rejection(new CookieSessionStore({ keys: (() => Promise.resolve(SECRET)) as never }).load(undefined));
    expect(promised.message).toContain('synchronously, not a promise');
  });

  it('once the function returns good keys, sessions work and it is not called again; its cookies open in a store given the same keys as a value', async () => {
    const env = environment();
    let calls = 0;
    const store = new CookieSessionStore({
      keys: () => {
        calls++;
        return [
          { id: '2', secret: env.SESSION_SECRET! },
          { id: '1', secret: SECRET_2 },
        ];
      },
      schema,
    });
    expect((await rejection(store.load(undefined))).code).toBe('ERR_CONFIG_KEYS');
    env.SESSION_SECRET = SECRET; // the environment of the running server
    const session = await store.load(undefined);
    session.set('userId', 'ada');
    const header = (await session.commit()).map((c) => c.split(';')[0]).join('; ');
    expect((await store.load(header)).get('userId')).toBe('ada');
    expect(calls).toBe(2);
    const eager = new CookieSessionStore({ keys: [{ id: '2', secret: SECRET }], schema });
    expect((await eager.load(header)).get('userId')).toBe('ada');
  });

  it('the options beside a keys function are still checked at construction', () => {
    expectConfigError(() => new CookieSessionStore({ keys: () => SECRET, iterations: 0 }), 'ERR_CONFIG_KEYS', 'iterations');
    expectConfigError(() => new CookieSessionStore({ keys: () => SECRET, tokenCache: -1 }), 'ERR_CONFIG_OPTION', 'tokenCache');
    expectConfigError(() => new CookieSessionStore({ keys: () => SECRET, crypto: 'rsa' as never }), 'ERR_CONFIG_OPTION', 'crypto');
  });
});

describe('keys given as a value', () => {
  it('a bad key present at construction still throws at construction', () => {
    for (const keys of ['too short', [{ id: 'k2', secret: 'x' }], {}, undefined]) {
      let err: SessionError | undefined;
      try {
        new CookieSessionStore({ keys: keys as never });
      } catch (caught) {
        if (isSessionError(caught)) err = caught;
      }
      expect(err?.code, JSON.stringify(keys)).toBe('ERR_CONFIG_KEYS');
    }
  });
});
