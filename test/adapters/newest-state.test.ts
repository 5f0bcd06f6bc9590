/**
 * The newest state always wins, whatever order seals finish in. On the
 * WebCrypto engine a commit seals asynchronously; here one seal is held back
 * on purpose (test/helpers/slow-seal.ts) so that an older commit finishes
 * after the session changed again, or after a newer commit was written. The
 * response each adapter really produces must carry the newest state (or the
 * removal after `destroy()`), never the older, privileged one.
 */
import { createServer, type ServerResponse } from 'node:http';
import { MutableRequestCookiesAdapter } from 'next/dist/server/web/spec-extension/adapters/request-cookies';
import { RequestCookies } from 'next/dist/compiled/@edge-runtime/cookies';
import { afterEach, describe, expect, test } from 'vitest';
import { z } from 'zod';
import { CookieSessionStore, type CookieStoreLike, type Session } from '../../src/index';
import { expectOneSetCookiePerName, isDeletion, listen, parseSetCookie, type Listening } from '../helpers/jar';
import { slowSeals } from '../helpers/slow-seal';

const SECRET = 'newest-state-test-secret-0123456789abcdefghij';
const schema = z.object({ user: z.string().optional(), role: z.string().optional() });
type S = Session<z.output<typeof schema>>;

function slowStore() {
  const slow = slowSeals(SECRET);
  const store = new CookieSessionStore({ keys: slow.ring, schema, cookie: { secure: false } });
  return { store, hold: () => slow.holdNextSeal() };
}

/** What the browser holds after these Set-Cookie values: `'removed'`, or the state the session cookie opens to. */
async function outcome(store: CookieSessionStore<typeof schema>, setCookies: readonly string[]): Promise<'removed' | object> {
  const ours = expectOneSetCookiePerName(setCookies).filter((c) => c.name === 'session');
  expect(ours, 'one session Set-Cookie').toHaveLength(1);
  const cookie = ours[0]!;
  if (isDeletion(cookie)) return 'removed';
  return { ...(await store.load(`session=${cookie.value}`)).data };
}

/**
 * The two races, as a handler runs them on a session signed in as admin:
 * - `destroy`: an unawaited commit of the admin state, then `destroy()`; the old seal finishes first.
 * - `overtaken`: an unawaited commit of the admin state, then `remove('role')` and an awaited commit; the old seal finishes last.
 * `commitAfter` commits once more at the end (adapters without a commit of their own).
 */
async function race(session: S, kind: 'destroy' | 'overtaken', hold: () => () => void, commitAfter: boolean): Promise<void> {
  session.set('user', 'ada');
  session.set('role', 'admin');
  const release = hold();
  const old = session.commit();
  if (kind === 'destroy') {
    session.destroy();
    release();
    expect(await old).toEqual([]);
  } else {
    session.remove('role');
    expect(await session.commit()).toHaveLength(1);
    release();
    expect(await old).toEqual([]);
  }
  if (commitAfter) await session.commit();
}

const EXPECTED = { destroy: 'removed', overtaken: { user: 'ada' } } as const;
const KINDS = ['destroy', 'overtaken'] as const;

describe.each(KINDS)('an older seal finishing late (%s)', (kind) => {
  test('withSession: the Response carries the newest state', async () => {
    const { store, hold } = slowStore();
    const handler = store.withSession(async (_request: Request, session) => {
      await race(session, kind, hold, false);
      return new Response('ok');
    });
    const response = await handler(new Request('http://127.0.0.1/'));
    expect(await outcome(store, response.headers.getSetCookie())).toEqual(EXPECTED[kind]);
  });

  test('store.fetch(request, headers): the Headers carry the newest state', async () => {
    const { store, hold } = slowStore();
    const headers = new Headers();
    await race(await store.fetch(new Request('http://127.0.0.1/'), headers), kind, hold, true);
    expect(await outcome(store, headers.getSetCookie())).toEqual(EXPECTED[kind]);
  });

  test('store.fetch(request, response): the Response carries the newest state', async () => {
    const { store, hold } = slowStore();
    const response = new Response('ok', { headers: { 'set-cookie': 'theme=dark' } });
    await race(await store.fetch(new Request('http://127.0.0.1/'), response), kind, hold, true);
    expect(await outcome(store, response.headers.getSetCookie())).toEqual(EXPECTED[kind]);
    expect(response.headers.getSetCookie().some((c) => c.startsWith('theme=dark'))).toBe(true);
  });

  test("store.next(cookies) with Next's own mutable cookie store: the cookies Next sends carry the newest state", async () => {
    const { store, hold } = slowStore();
    let sent: string[] = [];
    const cookies = MutableRequestCookiesAdapter.wrap(new RequestCookies(new Headers()), (values) => (sent = values));
    await race(await store.next(cookies as unknown as CookieStoreLike), kind, hold, true);
    expect(await outcome(store, sent)).toEqual(EXPECTED[kind]);
  });

  describe('node:http', () => {
    let server: Listening | undefined;
    afterEach(async () => {
      await server?.close();
      server = undefined;
    });

    test('with the commit at writeHead: the response carries the newest state', async () => {
      const { store, hold } = slowStore();
      server = await listen(
        createServer(async (req, res: ServerResponse) => {
          // No commit of its own at the end: writeHead commits what is pending (the removal is synchronous).
          await race(await store.handleSession(req, res), kind, hold, false);
          res.end('ok');
        }),
      );
      const response = await fetch(server.origin);
      expect(await outcome(store, response.headers.getSetCookie())).toEqual(EXPECTED[kind]);
    });
  });
});

test('a seal overtaken by a change is not recorded: the change stays pending and the next commit writes it', async () => {
  const { store, hold } = slowStore();
  const session = await store.load(undefined);
  session.set('role', 'admin');
  const release = hold();
  const old = session.commit();
  session.set('role', 'viewer');
  release();
  expect(await old).toEqual([]);
  expect(session.status).toBe('changed');
  const values = await session.commit();
  expect(await outcome(store, values)).toEqual({ role: 'viewer' });
  expect(await session.commit()).toEqual([]);
});

test('two commits of the same state finishing in reverse order: the later-started one is what is recorded', async () => {
  const { store, hold } = slowStore();
  const headers = new Headers();
  const session = await store.fetch(new Request('http://127.0.0.1/'), headers);
  session.set('role', 'admin');
  const release = hold();
  const first = session.commit();
  const second = await session.commit();
  release();
  expect(await first).toEqual([]);
  expect(headers.getSetCookie()).toEqual(second);
});
