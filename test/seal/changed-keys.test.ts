/**
 * `sealData` / `unsealData` given the same keys object after it changed: a
 * removed key stops opening tokens, an added key seals at once, a replaced
 * or wiped secret is the new one. (A store reads its keys once, when it is
 * built: the last test pins that documented snapshot.)
 */
import { describe, expect, test } from 'vitest';
import { CookieSessionStore, sealData, unsealData, type KeyDefinition } from '../../src/index';
import { rejection } from '../session/helpers';

const S1 = 'first-secret-for-changed-keys-0123456789abcdef';
const S2 = 'second-secret-for-changed-keys-0123456789abcde';
const S3 = 'third-secret-for-changed-keys-0123456789abcdef';

/** The key id a token names (its second field). */
const keyIdOf = (token: string) => token.split('*')[1];

describe('the same keys object, changed between calls', () => {
  test('a key removed from the same array no longer opens its tokens', async () => {
    const keys: KeyDefinition[] = [{ id: '2', secret: S2 }, { id: '1', secret: S1 }];
    const oldKeys: KeyDefinition[] = [{ id: '1', secret: S1 }];
    const token = await sealData({ a: 1 }, { keys: oldKeys });
    expect(await unsealData(token, { keys })).toEqual({ a: 1 });
    keys.pop();
    expect((await rejection(unsealData(token, { keys }))).code).toBe('ERR_SEAL_UNKNOWN_KEY');
  });

  test('a key added first to the same array seals the next token', async () => {
    const keys: KeyDefinition[] = [{ id: '1', secret: S1 }];
    expect(keyIdOf(await sealData({ a: 1 }, { keys }))).toBe('1');
    keys.unshift({ id: '2', secret: S2 });
    expect(keyIdOf(await sealData({ a: 1 }, { keys }))).toBe('2');
  });

  test('a key added to the same map seals the next token, and a deleted one stops opening', async () => {
    const keys: Record<string, string> = { 1: S1 };
    const first = await sealData({ a: 1 }, { keys });
    expect(keyIdOf(first)).toBe('1');
    keys[2] = S2;
    expect(keyIdOf(await sealData({ a: 1 }, { keys }))).toBe('2');
    expect(await unsealData(first, { keys })).toEqual({ a: 1 });
    delete keys[1];
    expect((await rejection(unsealData(first, { keys }))).code).toBe('ERR_SEAL_UNKNOWN_KEY');
  });

  test('a secret replaced under the same id (new entry object or the same one) is the secret used', async () => {
    const keys: KeyDefinition[] = [{ id: '1', secret: S1 }];
    const token = await sealData({ a: 1 }, { keys });
    keys[0] = { id: '1', secret: S3 };
    expect((await rejection(unsealData(token, { keys }))).code).toBe('ERR_SEAL_BAD_MAC');
    const again = await sealData({ a: 1 }, { keys });
    (keys[0] as { secret: string }).secret = S1;
    expect((await rejection(unsealData(again, { keys }))).code).toBe('ERR_SEAL_BAD_MAC');
    expect(await unsealData(token, { keys })).toEqual({ a: 1 });
  });

  test('a Uint8Array key wiped in place no longer opens its tokens', async () => {
    const key = crypto.getRandomValues(new Uint8Array(32));
    const token = await sealData({ a: 1 }, { keys: key });
    expect(await unsealData(token, { keys: key })).toEqual({ a: 1 });
    key.fill(0);
    expect((await rejection(unsealData(token, { keys: key }))).code).toBe('ERR_SEAL_BAD_MAC');
  });

  test('a change that breaks the keys is a configuration error on the next call', async () => {
    const keys: KeyDefinition[] = [{ id: '1', secret: S1 }];
    await sealData({ a: 1 }, { keys });
    keys.push({ id: '2', secret: 'too short' });
    expect((await rejection(sealData({ a: 1 }, { keys }))).code).toBe('ERR_CONFIG_KEYS');
  });

  test('unchanged keys keep their ring (a token this ring sealed opens from its cache)', async () => {
    const keys: KeyDefinition[] = [{ id: '1', secret: S1 }];
    const token = await sealData({ a: 1 }, { keys });
    // Equal content in a new array is also accepted; the same array is the cached case.
    expect(await unsealData(token, { keys })).toEqual({ a: 1 });
    expect(await unsealData(token, { keys: [{ id: '1', secret: S1 }] })).toEqual({ a: 1 });
  });
});

test('a store reads its keys once, when it is built (build a new store to retire a key)', async () => {
  const keys: KeyDefinition[] = [{ id: '1', secret: S1 }];
  const store = new CookieSessionStore({ keys, cookie: { name: 'sid' } });
  const session = await store.load(undefined);
  session.set('a', 1);
  const [header] = await session.commit();
  const cookie = header!.split(';')[0]!;
  keys.pop();
  keys.push({ id: '2', secret: S2 });
  expect((await store.load(cookie)).get('a')).toBe(1);
  expect((await new CookieSessionStore({ keys, cookie: { name: 'sid' } }).load(cookie)).invalidReason).toBe('unknown-key');
});
