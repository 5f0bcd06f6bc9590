/**
 * The session store's purposes (`cookie:<name>`) belong to the store:
 * `sealData` cannot make a session cookie and `unsealData` cannot open one.
 */
import { describe, expect, test } from 'vitest';
import { CookieSessionStore, sealData, unsealData } from '../../src/index';
import { rejection } from '../session/helpers';

const SECRET = 'reserved-purpose-test-secret-0123456789abcdef';

describe("purposes starting with 'cookie:' are reserved for the session store", () => {
  test.each(['cookie:session', 'cookie:sid', 'Cookie:session', 'COOKIE:__Host-session', 'cookie:'])('sealData refuses purpose %j', async (purpose) => {
    const err = await rejection(sealData({ id: 'AAAAAAAAAAAAAAAAAAAAAA', c: Math.floor(Date.now() / 1000), v: {} }, { keys: SECRET, purpose }));
    expect(err.code).toBe('ERR_CONFIG_OPTION');
    expect(err.option).toBe('purpose');
    expect(err.message).toMatch(/reserved/);
  });

  test('no sealData token, whatever its payload and purpose, loads as a session of a store with the same keys', async () => {
    const store = new CookieSessionStore({ keys: SECRET });
    const payload = { id: 'AAAAAAAAAAAAAAAAAAAAAA', c: Math.floor(Date.now() / 1000), v: { userId: 'mallory' } };
    const token = await sealData(payload, { keys: SECRET, purpose: 'cookie:session' }).catch(() => undefined);
    if (token !== undefined) {
      const session = await store.load(`session=${token}`);
      expect(session.get('userId')).toBeUndefined();
    }
    expect(token).toBeUndefined();
  });

  test('unsealData refuses to open a session cookie under the store purpose', async () => {
    const store = new CookieSessionStore({ keys: SECRET });
    const session = await store.load(undefined);
    session.set('userId', 'alice');
    const [header] = await session.commit();
    const value = header!.split(';')[0]!.slice('session='.length);
    expect((await rejection(unsealData(value, { keys: SECRET, purpose: 'cookie:session' }))).code).toBe('ERR_CONFIG_OPTION');
    expect((await rejection(unsealData(value, { keys: SECRET, purpose: 'session' }))).code).toBe('ERR_SEAL_PURPOSE');
  });

  test.each(['cookies:session', 'my-cookie:session', 'cookie', 'session:cookie:x'])('other purposes such as %j still seal and open', async (purpose) => {
    const token = await sealData({ a: 1 }, { keys: SECRET, purpose });
    expect(await unsealData(token, { keys: SECRET, purpose })).toEqual({ a: 1 });
  });
});
