/**
 * No error a bad key configuration produces (message, stack, option, cause,
 * inspected form, or anything logged) contains any 8-character piece of a
 * secret from the key options, even when the secret sits where an id belongs:
 * `{ id, secret }` swapped, a map keyed by the secret, or the same mistakes in
 * `fromIronSession.password`; through `createKeyRing`, `sealData`,
 * `unsealData`, `signData`, `verifyData`, the store, keys given as a function
 * (checked at the first load, and never repeating what the function threw),
 * and a secret used as an option name in any options object.
 */
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { CookieSessionStore, createKeyRing, sealData, unsealData } from '../../src/index';
import { fromIronSession } from '../../src/iron-session/index';
import { signData, verifyData } from '../../src/seal/signed';

/** Secrets that match the id pattern /^\w+$/ (the dangerous case: they pass as ids), and one that does not. */
const SECRETS: Record<string, string> = {
  hex: 'a3f9c2e18b7d4f6019e2c3b4a5d6e7f80123456789abcdef0fedcba987654321',
  word: 'Zq7_Wm2xKp9_Vb4nRt6_Ly1hJc8_Fd3gSs5_Te0uQa',
  digits: '9876543210987654321098765432109876543210',
  base64: 'q8Vt+Zp3/Lm0Rw2Xy5Nk7Jh1Gf4Ds6Aa9Bb0Cc3Ee8=',
  /** Exactly the shortest secret allowed, and a valid option-like name. */
  exact32: 'Zq7_Wm2xKp9_Vb4nRt6_Ly1hJc8_Fd3g',
};
/** A second, valid secret. */
const OTHER = 'Yx4_Nn8pLo2_Hk6mGi9_Ej3bDf7_Cu1vBw5_Ar0sPz';

/** Every bad configuration we can think of that puts `s` somewhere other than a secret position. */
function badKeys(s: string): Array<[string, unknown]> {
  return [
    ['swapped { id, secret }', [{ id: s, secret: 'k1' }]],
    ['a secret as id beside a valid secret', [{ id: s, secret: OTHER }]],
    ['a swapped second entry', [{ id: 'k1', secret: OTHER }, { id: s, secret: 'k2' }]],
    ['a duplicate secret-like id', [{ id: s, secret: OTHER }, { id: s, secret: OTHER }]],
    ['a map keyed by the secret', { [s]: OTHER }],
    ['a map keyed by the secret, short value', { [s]: 'k1' }],
    ['a map with a good entry and one keyed by the secret', { '1': OTHER, [s]: 'x' }],
    ['an id of the secret with a short secret', [{ id: s, secret: 'short' }]],
    ['the secret in both places, one short', [{ id: s, secret: s.slice(0, 10) }]],
  ];
}

function textOf(err: unknown, depth = 0): string {
  if (depth > 4 || err === undefined || err === null) return '';
  if (typeof err !== 'object') return String(err);
  const e = err as { message?: unknown; stack?: unknown; option?: unknown; cause?: unknown };
  return [String(e.message), String(e.stack), String(e.option), JSON.stringify(err), inspect(err, { depth: 6 }), textOf(e.cause, depth + 1)].join('\n');
}

/** Every 8-character piece of `secret` that appears in `text`. */
function leaks(text: string, secret: string): string[] {
  const found: string[] = [];
  for (let i = 0; i + 8 <= secret.length; i++) if (text.includes(secret.slice(i, i + 8))) found.push(secret.slice(i, i + 8));
  return found;
}

const logged: string[] = [];
beforeEach(() => {
  logged.length = 0;
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void logged.push(args.map((a) => inspect(a)).join(' ')));
  }
  vi.spyOn(process, 'emitWarning').mockImplementation((...args: unknown[]) => void logged.push(args.map((a) => inspect(a)).join(' ')));
});
afterEach(() => vi.restoreAllMocks());

async function failure(run: () => unknown): Promise<unknown> {
  try {
    await run();
  } catch (err) {
    return err;
  }
  throw new Error('expected the configuration to be refused');
}

describe('errors from bad key options never contain a secret', () => {
  for (const [kind, secret] of Object.entries(SECRETS)) {
    for (const [shape, keys] of badKeys(secret)) {
      test(`${kind} secret, ${shape}`, async () => {
        const errors = [
          await failure(() => createKeyRing(keys as never)),
          await failure(() => sealData({ a: 1 }, { keys: keys as never })),
          await failure(() => unsealData('Fe26.2**x', { keys: keys as never })),
          await failure(() => new CookieSessionStore({ keys: keys as never })),
          await failure(() => signData({ a: 1 }, { keys: keys as never })),
          await failure(() => verifyData('Sig1*1**x*x', { keys: keys as never })),
          // Keys given as a function: checked at the first load, with the same rules.
          await failure(() => new CookieSessionStore({ keys: () => keys as never }).load(undefined)),
          await failure(() => new CookieSessionStore({ keys: () => keys as never }).load('session=Fe26.2**x')),
        ];
        // fromIronSession.password takes a string or an { [id]: password } map, or a function returning one (read at the first old cookie).
        if (!Array.isArray(keys)) {
          errors.push(await failure(() => fromIronSession({ cookieName: 'old', password: keys as never })));
          const lazy = fromIronSession({ cookieName: 'old', password: () => keys as never });
          errors.push(await failure(() => new CookieSessionStore({ keys: OTHER, legacy: lazy }).load('old=Fe26.2**x~2')));
        }
        for (const err of errors) {
          expect((err as { code?: string }).code).toBe('ERR_CONFIG_KEYS');
          const text = textOf(err) + logged.join('\n');
          expect(leaks(text, secret), text).toEqual([]);
        }
      });
    }
  }
});

test('a short id still names itself in the error, so the entry can be found', async () => {
  const err = await failure(() => createKeyRing([{ id: 'k2', secret: 'short' }]));
  expect((err as Error).message).toContain('keys[0] (id "k2")');
});

test('a sparse keys array is a configuration error naming the hole, not a TypeError', async () => {
  // eslint-disable-next-line no-sparse-arrays
  const sparse = [, { id: '1', secret: OTHER }];
  for (const err of [await failure(() => createKeyRing(sparse as never)), await failure(() => sealData({}, { keys: sparse as never }))]) {
    expect(err).toMatchObject({ code: 'ERR_CONFIG_KEYS', option: 'keys[0]' });
  }
});

describe('keys given as a function never repeat what the function threw', () => {
  for (const [kind, secret] of Object.entries(SECRETS)) {
    test(`${kind} secret in the thrown error's message, name and cause`, async () => {
      const leaky = () => {
        const err = new Error(`cannot use ${secret}`, { cause: secret });
        throw err;
      };
      const errors = [
        await failure(() => new CookieSessionStore({ keys: leaky }).load(undefined)),
        await failure(() => new CookieSessionStore({ keys: () => { throw secret; } }).load(undefined)),
        await failure(() => new CookieSessionStore({ keys: OTHER, legacy: fromIronSession({ cookieName: 'old', password: leaky }) }).load('old=Fe26.2**x~2')),
      ];
      const named = new Error('x');
      named.name = secret;
      errors.push(await failure(() => new CookieSessionStore({ keys: () => { throw named; } }).load(undefined)));
      for (const err of errors) {
        expect(err).toMatchObject({ code: 'ERR_CONFIG_KEYS' });
        const text = textOf(err) + logged.join('\n');
        expect(leaks(text, secret), text).toEqual([]);
      }
    });
  }
});

describe('an option named like a secret is described by its length, never echoed', () => {
  for (const [kind, secret] of Object.entries(SECRETS)) {
    test(`${kind} secret as an option name, in every options object`, async () => {
      const errors = [
        await failure(() => new CookieSessionStore({ keys: OTHER, [secret]: 1 } as never)),
        await failure(() => new CookieSessionStore({ keys: OTHER, cookie: { [secret]: 1 } } as never)),
        await failure(() => createKeyRing(OTHER, { [secret]: 1 } as never)),
        await failure(() => sealData({}, { keys: OTHER, [secret]: 1 } as never)),
        await failure(() => unsealData('x', { keys: OTHER, [secret]: 1 } as never)),
        await failure(() => signData({}, { keys: OTHER, [secret]: 1 } as never)),
        await failure(() => verifyData('x', { keys: OTHER, [secret]: 1 } as never)),
        await failure(() => fromIronSession({ cookieName: 'old', password: OTHER, [secret]: 1 } as never)),
      ];
      for (const err of errors) {
        expect(err).toMatchObject({ code: 'ERR_CONFIG_OPTION' });
        expect((err as Error).message).toMatch(/an option name of \d+ characters/);
        const text = textOf(err) + logged.join('\n');
        expect(leaks(text, secret), text).toEqual([]);
      }
    });
  }
});
