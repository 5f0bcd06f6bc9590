/**
 * `createSealedSessionStorage` in process: React Router's Session semantics
 * (get/set/has/unset/flash, a flash survives `has` and goes with `get`),
 * what commitSession returns in each case, and what it refuses. The real app
 * (build, serve, Chromium) is react-router.test.ts.
 */
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
