/**
 * `createSealedSessionStorage` in process: React Router's Session semantics
 * (get/set/has/unset/flash, a flash survives `has` and goes with `get`),
 * what commitSession returns in each case, and what it refuses; one session
 * per Request with `getSession(request)`, one per call with
 * `getSession(cookieHeader)`. The real app (build, serve, Chromium) is
 * react-router.test.ts.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CookieSessionStore, isSessionError } from '../../src/index';
import { createSealedSessionStorage } from '../../src/integrations/react-router';
import { isDeletion, parseSetCookie } from '../helpers/jar';

const schema = z.object({ user: z.string().optional(), count: z.number().int().default(0), note: z.string().optional() });
const keys = 'react-router-storage-test-secret-0123456789';
const storage = (maxChunks = 1) =>
  createSealedSessionStorage<typeof schema, { notice: string }>(new CookieSessionStore({ keys, schema, cookie: { name: 'sid' }, maxChunks }));

/** The Cookie header a browser sends back for these Set-Cookie values. */
const cookieOf = (...values: string[]) =>
  values
    .map(parseSetCookie)
    .filter((c) => !isDeletion(c))
    .map((c) => `${c.name}=${c.value}`)
    .join('; ');

describe('createSealedSessionStorage', () => {
  it('reads what commitSession wrote; the id stays until renew', async () => {
    const { getSession, commitSession, sealed } = storage();
    const a = await getSession(null);
    expect(a.get('count')).toBe(0);
    expect(a.has('user')).toBe(false);
    a.set('user', 'alice');
    a.set('count', 2);
    const cookie = cookieOf(await commitSession(a));
    const b = await getSession(`other=1; ${cookie}`);
    expect(b.data).toEqual({ user: 'alice', count: 2 });
    expect(b.id).toBe(a.id);
    expect((await getSession(cookie)).id).toBe(b.id); // two getSession calls for one request: the same session
    sealed(b).renew();
    const c = await getSession(cookieOf(await commitSession(b)));
    expect(c.id).not.toBe(a.id);
    expect(c.get('user')).toBe('alice');
  });

  it('a flash value survives has() and goes with the first get(); get() twice in one request gives it twice', async () => {
    const { getSession, commitSession } = storage();
    const a = await getSession();
    a.flash('notice', 'Saved');
    const afterFlash = cookieOf(await commitSession(a));

    const peek = await getSession(afterFlash);
    expect(peek.has('notice')).toBe(true);
    const afterPeek = cookieOf(await commitSession(peek));

    const read = await getSession(afterPeek);
    expect(read.get('notice')).toBe('Saved');
    expect(read.get('notice')).toBe('Saved');
    expect(read.has('notice')).toBe(true);
    const afterRead = cookieOf(await commitSession(read));

    const gone = await getSession(afterRead);
    expect(gone.get('notice')).toBeUndefined();
    expect(gone.has('notice')).toBe(false);
  });

  it("with a store's flashSchema, flash values are validated at run time too: a refused one throws ERR_SESSION_INVALID", async () => {
    const typed = new CookieSessionStore({ keys, schema, cookie: { name: 'sid' }, maxChunks: 1, flashSchema: z.object({ notice: z.string().max(20) }).partial() });
    const { getSession, commitSession } = createSealedSessionStorage<typeof schema, { notice: string }>(typed);
    const a = await getSession();
    let err: unknown;
    try {
      a.flash('notice', 'x'.repeat(21));
    } catch (e) {
      err = e;
    }
    expect(isSessionError(err, 'ERR_SESSION_INVALID')).toBe(true);
    a.flash('notice', 'Saved');
    const read = await getSession(cookieOf(await commitSession(a)));
    expect(read.get('notice')).toBe('Saved');
  });

  it('commitSession always returns one fresh cookie: an untouched new session, an unchanged one, a second commit', async () => {
    const { getSession, commitSession } = storage();
    const fresh = await getSession();
    const first = await commitSession(fresh);
    expect(parseSetCookie(first).value).toMatch(/^Fe26\.2\*/);
    const again = await commitSession(fresh);
    expect(parseSetCookie(again).value).toMatch(/^Fe26\.2\*/);
    const loaded = await getSession(cookieOf(first));
    expect(parseSetCookie(await commitSession(loaded)).value).toMatch(/^Fe26\.2\*/);
  });

  it('unset removes an optional field and puts a defaulted one back to its default', async () => {
    const { getSession, commitSession } = storage();
    const s = await getSession();
    s.set('user', 'bob');
    s.set('count', 5);
    s.unset('user');
    s.unset('count');
    expect(s.has('user')).toBe(false);
    expect(s.get('count')).toBe(0);
    expect((await getSession(cookieOf(await commitSession(s)))).data).toEqual({ count: 0 });
  });

  it('maxAge and expires set the session’s own lifetime', async () => {
    const { getSession, commitSession, sealed } = storage();
    const s = await getSession();
    const cookie = parseSetCookie(await commitSession(s, { maxAge: 3600 }));
    // Whole seconds, never longer than asked (the session's creation time is kept in whole seconds).
    expect(['3599', '3600']).toContain(cookie.attributes.get('max-age'));
    expect(sealed(s).expiresAt - Date.now()).toBeGreaterThan(3590_000);
    const t = await getSession();
    await commitSession(t, { expires: new Date(Date.now() + 7200_000) });
    expect(Math.round((sealed(t).expiresAt - Date.now()) / 60_000)).toBe(120);
  });

  it('destroySession deletes the cookie; a tampered cookie reads empty with its reason', async () => {
    const { getSession, commitSession, destroySession, sealed } = storage();
    const s = await getSession();
    s.set('user', 'carol');
    const cookie = cookieOf(await commitSession(s));
    const deleted = parseSetCookie(await destroySession(await getSession(cookie)));
    expect(deleted.name).toBe('sid');
    expect(isDeletion(deleted)).toBe(true);
    const tampered = await getSession(cookie.slice(0, 40) + (cookie[40] === 'A' ? 'B' : 'A') + cookie.slice(41));
    expect(tampered.data).toEqual({ count: 0 });
    expect(sealed(tampered).invalidReason).toBe('tampered');
  });

  it('too large: ERR_SESSION_TOO_LARGE; more than one cookie: ERR_SESSION_ADAPTER naming maxChunks, and commitSessionCookies gives them all', async () => {
    const one = storage(1);
    const big = await one.getSession();
    big.set('note', 'x'.repeat(8000));
    await expect(one.commitSession(big)).rejects.toSatisfy((err) => isSessionError(err, 'ERR_SESSION_TOO_LARGE'));

    const three = storage(3);
    const chunked = await three.getSession();
    chunked.set('note', 'x'.repeat(3200));
    await expect(three.commitSession(chunked)).rejects.toThrow(/needs 2 Set-Cookie values.*maxChunks: 1.*commitSessionCookies/);
    const values = await three.commitSessionCookies(chunked);
    expect(values.map((v) => parseSetCookie(v).name)).toEqual(['sid', 'sid.1']);
    expect((await three.getSession(cookieOf(...values))).get('note')).toHaveLength(3200);
  });

  it('refuses a session it did not make', async () => {
    const { commitSession } = storage();
    const foreign = { id: '', data: {}, has: () => false, get: () => undefined, set() {}, flash() {}, unset() {} };
    await expect(commitSession(foreign)).rejects.toSatisfy((err) => isSessionError(err, 'ERR_SESSION_ADAPTER'));
  });
});

/** A request as React Router hands it to a loader or action, carrying these cookies. */
const requestWith = (cookie?: string) => new Request('http://127.0.0.1/', cookie === undefined ? {} : { headers: { cookie } });

describe('getSession(request): one session per request', () => {
  it('every call with the same Request gives the same session, concurrent calls too; another Request gets its own', async () => {
    const { getSession, commitSession } = storage();
    const start = await getSession();
    start.set('count', 1);
    const cookie = cookieOf(await commitSession(start));
    const request = requestWith(cookie);

    const first = await getSession(request);
    const second = await getSession(request);
    expect(second).toBe(first);
    const [a, b] = await Promise.all([getSession(request), getSession(request)]);
    expect(a).toBe(first);
    expect(b).toBe(first);
    first.set('count', 2);
    expect(second.get('count')).toBe(2);

    // The same cookie on another request: the same stored session, but not this request's object or changes.
    const other = await getSession(requestWith(cookie));
    expect(other).not.toBe(first);
    expect(other.id).toBe(first.id);
    expect(other.get('count')).toBe(1);
  });

  it('a request without a cookie: one new session for all its calls, and one cookie stores what each call changed', async () => {
    const { getSession, commitSession } = storage();
    const request = requestWith();
    const first = await getSession(request);
    const second = await getSession(request);
    expect(second).toBe(first);
    first.set('user', 'ada');
    second.set('count', (first.get('count') ?? 0) + 1);
    const read = await getSession(cookieOf(await commitSession(second)));
    expect(read.data).toEqual({ user: 'ada', count: 1 });
    expect(read.id).toBe(first.id);
  });

  it('getSession(cookieHeader) keeps React Router’s one session per call: the same state and id, a change to one is not in another', async () => {
    const { getSession, commitSession } = storage();
    const start = await getSession();
    start.set('count', 1);
    const cookie = cookieOf(await commitSession(start));
    const request = requestWith(cookie);

    const byHeader = await getSession(request.headers.get('Cookie'));
    const again = await getSession(request.headers.get('Cookie'));
    const byRequest = await getSession(request);
    expect(again).not.toBe(byHeader);
    expect(byRequest).not.toBe(byHeader);
    expect([again.id, byRequest.id]).toEqual([byHeader.id, byHeader.id]);
    byHeader.set('count', 5);
    expect(again.get('count')).toBe(1);
    expect(byRequest.get('count')).toBe(1);
  });

  it('a shared session committed twice: each commitSession carries the state as it is then, so the later cookie has every change', async () => {
    const { getSession, commitSession } = storage();
    const request = requestWith();
    const first = await getSession(request);
    first.set('count', 1);
    const early = cookieOf(await commitSession(first));
    const second = await getSession(request);
    second.set('note', 'later');
    const late = cookieOf(await commitSession(second));
    expect((await getSession(early)).data).toEqual({ count: 1 });
    expect((await getSession(late)).data).toEqual({ count: 1, note: 'later' });
  });

  it('a flash value read through one call is read through every call of the request, and gone from the next request', async () => {
    const { getSession, commitSession } = storage();
    const start = await getSession();
    start.flash('notice', 'Saved');
    const request = requestWith(cookieOf(await commitSession(start)));
    expect((await getSession(request)).get('notice')).toBe('Saved');
    const again = await getSession(request);
    expect(again.get('notice')).toBe('Saved');
    const next = await getSession(cookieOf(await commitSession(again)));
    expect(next.get('notice')).toBeUndefined();
  });

  it('commitSession after destroySession deletes the cookie again (a flash value looked at goes too); a write after the destroy starts a new session', async () => {
    const { getSession, commitSession, destroySession, sealed } = storage();
    const start = await getSession();
    start.set('user', 'carol');
    start.flash('notice', 'Saved');
    const cookie = cookieOf(await commitSession(start));

    const request = requestWith(cookie);
    const looked = await getSession(request);
    expect(looked.has('notice')).toBe(true);
    const deleted = parseSetCookie(await destroySession(looked));
    expect(isDeletion(deleted)).toBe(true);
    // Another part of the request commits the same (destroyed) session: the newest state is no session.
    const after = await getSession(request);
    expect(after.has('notice')).toBe(false);
    const again = parseSetCookie(await commitSession(after));
    expect(again.name).toBe('sid');
    expect(isDeletion(again)).toBe(true);

    // Destroyed through the sealed session after a peek: the commit still deletes, no new cookie for the flash.
    const direct = await getSession(requestWith(cookie));
    expect(direct.has('notice')).toBe(true);
    sealed(direct).destroy();
    expect(isDeletion(parseSetCookie(await commitSession(direct)))).toBe(true);

    const restarted = await getSession(requestWith(cookie));
    await destroySession(restarted);
    restarted.set('count', 7);
    const fresh = await getSession(cookieOf(await commitSession(restarted)));
    expect(fresh.data).toEqual({ count: 7 });
    expect(fresh.id).not.toBe(start.id);
    expect(fresh.has('notice')).toBe(false);
  });

  it('refuses what is neither a Request nor a Cookie header, saying what to pass', async () => {
    const { getSession } = storage();
    const request = requestWith('sid=x');
    await expect(getSession(request.headers as never)).rejects.toSatisfy(
      (err) => isSessionError(err, 'ERR_SESSION_ADAPTER') && /getSession\(request\).*request\.headers\.get\('Cookie'\)/.test((err as Error).message),
    );
  });
});

describe('getSession(request) holds no request', () => {
  it('a Request it gave a session to can be garbage-collected once the app lets go of it', async () => {
    // A real collection: V8's gc(), reached without restarting vitest with --expose-gc.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const { getSession } = storage();
    const collected = new Set<string>();
    const registry = new FinalizationRegistry<string>((name) => collected.add(name));
    const kept: Request[] = [];
    await (async () => {
      for (const name of ['dropped', 'kept']) {
        const request = requestWith();
        (await getSession(request)).set('count', 1);
        registry.register(request, name);
        if (name === 'kept') kept.push(request);
      }
    })();
    for (let i = 0; i < 20 && !collected.has('dropped'); i++) {
      gc();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(collected.has('dropped')).toBe(true);
    expect(collected.has('kept')).toBe(false);
    expect(kept).toHaveLength(1);
  });
});
