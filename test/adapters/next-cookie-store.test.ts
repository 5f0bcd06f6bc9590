/**
 * `handleSession(await cookies())` over Next.js' real cookie store
 * (`RequestCookies` from next/dist/compiled/@edge-runtime/cookies, what
 * `cookies()` reads from): the store hands out percent-decoded values, and a
 * decoded value must never read as another cookie.
 */
import { RequestCookies } from 'next/dist/compiled/@edge-runtime/cookies';
import { describe, expect, test } from 'vitest';
import { z } from 'zod';
import { CookieSessionStore, type CookieStoreLike } from '../../src/index';
import { fromIronSession } from '../../src/iron-session/index';
import { parseSetCookie } from '../helpers/jar';

const SECRET = 'next-cookie-store-test-secret-0123456789abcdef';
const IRON_PASSWORD = 'the-old-iron-session-password-0123456789';
const schema = z.object({ userId: z.string().optional() });

/** A `__Host-` session that also migrates iron-session's `myapp_session`, as the Next.js guide sets it up. */
const store = new CookieSessionStore({
  keys: SECRET,
  schema,
  cookie: { name: '__Host-session' },
  legacy: fromIronSession({ cookieName: 'myapp_session', password: IRON_PASSWORD }),
});

/** Next's cookie store over a raw request `Cookie` header, exactly as the browser sent it. */
function nextCookies(rawCookieHeader: string): CookieStoreLike {
  return new RequestCookies(new Headers({ cookie: rawCookieHeader })) as unknown as CookieStoreLike;
}

/** A valid `__Host-session` value for `userId`: what an attacker gets by signing in to their own account. */
async function sessionFor(userId: string): Promise<string> {
  const session = await store.load(undefined);
  session.set('userId', userId);
  const [header] = await session.commit();
  return parseSetCookie(header!).value;
}

describe("Next.js cookie store: decoded values", () => {
  test('RequestCookies really decodes %3B to ; (the premise of the tests below)', () => {
    const cookies = nextCookies('myapp_session=a%3B%20b%3Dc');
    expect(cookies.getAll()).toEqual([{ name: 'myapp_session', value: 'a; b=c' }]);
  });

  test('a tossed cookie whose decoded value holds "; __Host-session=<seal>" does not load that session', async () => {
    const attacker = await sessionFor('mallory');
    // Set from a sibling subdomain with Domain=<parent>: allowed for an unprefixed name such as the legacy one.
    const tossed = `x${encodeURIComponent(`; __Host-session=${attacker}`)}`;
    expect(tossed).toContain('%3B');
    const session = await store.handleSession(nextCookies(`myapp_session=${tossed}`));
    expect(session.get('userId')).toBeUndefined();
    expect(session.isNew).toBe(true);
  });

  test("the victim's own __Host-session still loads when a tossed cookie carrying another seal comes first", async () => {
    const attacker = await sessionFor('mallory');
    const victim = await sessionFor('alice');
    const tossed = encodeURIComponent(`x; __Host-session=${attacker}`);
    const session = await store.handleSession(nextCookies(`myapp_session=${tossed}; __Host-session=${victim}`));
    expect(session.get('userId')).toBe('alice');
  });

  test('an injected chunk (decoded "; __Host-session.1=…") does not join the session cookie', async () => {
    const chunked = new CookieSessionStore({ keys: SECRET, schema, cookie: { name: '__Host-session' }, maxChunks: 3, legacy: fromIronSession({ cookieName: 'myapp_session', password: IRON_PASSWORD }) });
    const victim = await sessionFor('alice');
    const tossed = encodeURIComponent(`x; __Host-session.1=AAAA`);
    const session = await chunked.handleSession(nextCookies(`myapp_session=${tossed}; __Host-session=${victim}`));
    expect(session.get('userId')).toBe('alice');
    expect(session.invalidReason).toBeUndefined();
  });

  test('a percent-encoded seal under our own name still reads (the store decodes it back to the seal)', async () => {
    const victim = await sessionFor('alice');
    const encoded = victim.replaceAll('*', '%2A');
    const session = await store.handleSession(nextCookies(`__Host-session=${encoded}`));
    expect(session.get('userId')).toBe('alice');
  });

  test('names are matched exactly as sent: a percent-encoded or lower-case prefix name is not ours', async () => {
    const victim = await sessionFor('alice');
    for (const name of ['__Host%2Dsession', '__host-session', '__HOST-session', '__Host-session ', '__Host-session.x', '__Host-session.001']) {
      const session = await store.handleSession(nextCookies(`${name}=${victim}`));
      expect(session.isNew, name).toBe(true);
    }
  });

  test('a cookie store entry that is not a pair of strings is skipped, not a crash', async () => {
    const victim = await sessionFor('alice');
    const odd: CookieStoreLike = {
      getAll: () => [{ name: '__Host-session', value: 42 as unknown as string }, { name: undefined as unknown as string, value: 'x' }, { name: '__Host-session', value: victim }],
      set: () => undefined,
    };
    expect((await store.handleSession(odd)).get('userId')).toBe('alice');
  });
});
