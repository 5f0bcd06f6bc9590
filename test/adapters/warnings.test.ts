/**
 * The default reporter of `SessionWarning`s (a store without `onWarning`):
 * each kind printed once per process with `console.warn`, and nothing when
 * `NODE_ENV` is `production`. (This file's module state is its own: vitest
 * runs each test file in a fresh module graph.)
 */
import { afterEach, expect, test, vi } from 'vitest';
import { CookieSessionStore } from '../../src/index';

const store = new CookieSessionStore({ keys: 'warnings-test-secret-0123456789abcdefghijklmn' });

/** A commit onto Headers that already carry the application's own `session` cookie: a `cookie-conflict`. */
async function conflict(): Promise<void> {
  const session = await store.fetch(new Request('http://127.0.0.1/'), new Headers([['set-cookie', 'session=app']]));
  session.set('n', 1);
  await session.commit();
}

/** A withSession response with Cache-Control: public: a `public-cache`. */
async function publicCache(): Promise<void> {
  const handler = store.withSession((_request: Request, session) => {
    session.set('n', 1);
    return new Response('ok', { headers: { 'cache-control': 'public' } });
  });
  await handler(new Request('http://127.0.0.1/'));
}

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

test('under NODE_ENV=production nothing is printed', async () => {
  vi.stubEnv('NODE_ENV', 'production');
  const printed = vi.spyOn(console, 'warn').mockImplementation(() => {});
  await conflict();
  await publicCache();
  expect(printed).not.toHaveBeenCalled();
});

test('otherwise each kind is printed once per process, naming its code, never a cookie value', async () => {
  vi.stubEnv('NODE_ENV', 'development');
  const printed = vi.spyOn(console, 'warn').mockImplementation(() => {});
  await conflict();
  await conflict();
  await publicCache();
  await publicCache();
  const lines = printed.mock.calls.map((call) => String(call[0]));
  expect(lines.map((line) => /^sealed-session \(([\w-]+)\)/.exec(line)?.[1])).toEqual(['cookie-conflict', 'public-cache']);
  for (const line of lines) expect(line).not.toMatch(/Fe26\.2\*/);
});
