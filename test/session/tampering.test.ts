/**
 * Whatever a client sends, `load` never throws: garbage, truncation,
 * bit-flips, tokens sealed for another purpose or cookie name, tokens made by
 * other iron libraries with the same secret. Plus the hooks: a throwing
 * `onInvalid`, and `isRevoked`.
 */
import fc from 'fast-check';
import * as iron from 'iron-webcrypto';
import * as ironSession from 'iron-session';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CookieSessionStore, sealData, type InvalidSessionEvent, type SessionInfo } from '../../src/index';
import { ironSeal } from '../../src/seal/iron';
import { Browser, OTHER_SECRET, SECRET, checkResponse, cookieNamed, request } from './helpers';
import { sealWithRing } from '../../src/seal/index';
import { createKeyRing } from '../../src/seal/keys';

/** Seal `data` under the store's purpose `cookie:session` with SECRET, as a key holder could (sealData refuses the store's purposes). */
const sealForStore = async (data: unknown): Promise<string> => sealWithRing(createKeyRing(SECRET), data, 'cookie:session', Date.now(), undefined);

const schema = z.object({ userId: z.string().optional(), n: z.number().default(0) });
type State = z.output<typeof schema>;

function watchedStore(options: { name?: string } = {}) {
  const events: InvalidSessionEvent[] = [];
  const store = new CookieSessionStore({
    keys: SECRET,
    schema,
    ...(options.name !== undefined && { cookie: { name: options.name } }),
    onInvalid: (e) => events.push(e),
  });
  return { store, events };
}

async function validCookie(store = new CookieSessionStore({ keys: SECRET, schema })) {
  const browser = new Browser();
  const r = await request(store, browser, (s) => {
    s.set('userId', 'ada');
    s.set('n', 7);
  });
  return { value: browser.get(store.cookieName)!, id: r.session.id };
}

/** A well-formed session payload (what the store seals), for forging with other tools. */
const payload = () => ({ id: 'AAAAAAAAAAAAAAAAAAAAAA', c: Math.floor(Date.now() / 1000), v: { userId: 'mallory', n: 1 } });

describe('garbage and truncation', () => {
  it.each([
    ['a word', 'session=garbage'],
    ['the prefix only', 'session=Fe26.2'],
    ['eight empty components', 'session=Fe26.2*******'],
    ['nine components', 'session=Fe26.2*1*a*b*c*d*e*f*g'],
    ['a wrong MAC version', 'session=Fe26.1*1*aa*AAAAAAAAAAAAAAAAAAAAAA*AAAAAAAAAAAAAAAAAAAAAA**aa*AAAA'],
    ['a quoted value', 'session="Fe26.2*1"'],
    ['percent-encoding', 'session=%46%65%32%36'],
    ['control characters', 'session=\u0001\u0002\u007f'],
    ['non-ASCII', 'session=Fe26.2*1*é*ü*漢*字*😀*x'],
    ['a chunk head with garbage', 'session=2*abc; session.1=def'],
    ['a chunk head of 99', 'session=99*abc'],
  ])('%s → malformed (or refused), empty session, no throw', async (_, header) => {
    const { store, events } = watchedStore();
    const s = await store.load(header);
    expect(s.invalidReason).toBeDefined();
    expect(['malformed', 'tampered']).toContain(s.invalidReason);
    expect(s.data).toEqual({ n: 0 });
    expect(events).toHaveLength(1);
    // Cleared on the response.
    expect(checkResponse(await s.commit()).every((c) => c.maxAge === 0)).toBe(true);
  });

  it('an empty value is no session at all: no reason, no event, nothing sent', async () => {
    const { store, events } = watchedStore();
    const s = await store.load('session=');
    expect(s.invalidReason).toBeUndefined();
    expect(s.isNew).toBe(true);
    expect(events).toHaveLength(0);
    expect(await s.commit()).toEqual([]);
  });

  it('a 100 KB value is refused unopened as oversized', async () => {
    const { store } = watchedStore();
    const s = await store.load(`session=${'A'.repeat(100_000)}`);
    expect(s.invalidReason).toBe('oversized');
  });

  it('a truncated cookie is refused', async () => {
    const { value } = await validCookie();
    const { store } = watchedStore();
    for (const cut of [1, 2, 10, 43, 44, 100, value.length - 10]) {
      const s = await store.load(`session=${value.slice(0, value.length - cut)}`);
      expect(['malformed', 'tampered'], `cut ${cut}`).toContain(s.invalidReason);
      expect(s.get('userId')).toBeUndefined();
    }
  });

  it('a flipped character anywhere is refused, or decodes to the very same token (base64 padding bits)', async () => {
    const { value } = await validCookie();
    const { store } = watchedStore();
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: value.length - 1 }), fc.constantFrom(...'AZaz09-_.*x'), async (at, ch) => {
        fc.pre(value[at] !== ch);
        const mutated = value.slice(0, at) + ch + value.slice(at + 1);
        const s = await store.load(`session=${mutated}`);
        if (s.invalidReason === undefined) {
          // Only a change that does not alter the decoded bytes can pass.
          expect(s.data).toEqual({ userId: 'ada', n: 7 });
        } else {
          expect(['malformed', 'tampered', 'unknown-key']).toContain(s.invalidReason);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('any Cookie header at all: load never throws and never invents state', async () => {
    const { store } = watchedStore();
    const cookieChars = fc.string({ unit: fc.constantFrom(...'Fe26.2*-_AZaz09=; "\t,\\é') });
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string(), cookieChars, cookieChars.map((v) => `session=${v}`), cookieChars.map((v) => `session=Fe26.2*${v}`)), async (header) => {
        const s = await store.load(header);
        expect(s.data).toEqual({ n: 0 });
        await s.commit();
      }),
      { numRuns: 400 },
    );
  });
});

describe('authentic, but not a session cookie of this store', () => {
  it('a sealData token with the same keys and another purpose → wrong-purpose', async () => {
    const { store, events } = watchedStore();
    const token = await sealData(payload(), { keys: SECRET, purpose: 'magic-link' });
    const s = await store.load(`session=${token}`);
    expect(s.invalidReason).toBe('wrong-purpose');
    expect(s.get('userId')).toBeUndefined();
    expect(events.map((e) => e.reason)).toEqual(['wrong-purpose']);
  });

  it('a sealData token with the same keys and no purpose → wrong-purpose', async () => {
    const { store } = watchedStore();
    const token = await sealData(payload(), { keys: SECRET });
    expect((await store.load(`session=${token}`)).invalidReason).toBe('wrong-purpose');
  });

  it('a cookie sealed for cookie name "a" presented as cookie "b" → wrong-purpose', async () => {
    const a = new CookieSessionStore({ keys: SECRET, schema, cookie: { name: 'a' } });
    const { value } = await validCookie(a);
    const { store: b } = watchedStore({ name: 'b' });
    const s = await b.load(`b=${value}`);
    expect(s.invalidReason).toBe('wrong-purpose');
    expect(s.get('userId')).toBeUndefined();
    // And a genuine "a" cookie next to it is not read by "b".
    expect((await b.load(`a=${value}`)).invalidReason).toBeUndefined();
    expect((await b.load(`a=${value}`)).isNew).toBe(true);
  });

  it('the store purpose with a payload of the wrong shape (a key holder forging) → malformed', async () => {
    const { store } = watchedStore();
    for (const data of [{ hello: 1 }, [], 'text', null, { id: 'short', c: 1, v: {} }, { id: 'AAAAAAAAAAAAAAAAAAAAAA', c: -5, v: {} }]) {
      const token = await sealForStore(data);
      expect((await store.load(`session=${token}`)).invalidReason).toBe('malformed');
    }
  });

  it('an authentic token whose plaintext is not JSON (sealed with the store\'s key ring) → malformed', async () => {
    const { store, events } = watchedStore();
    const token = await ironSeal(store.options.ring, 'not json', undefined);
    const s = await store.load(`session=${token}`);
    expect(s.invalidReason).toBe('malformed');
    expect(s.data).toEqual({ n: 0 });
    expect(events).toEqual([{ reason: 'malformed', cookie: 'session' }]);
  });

  it('an iron-webcrypto token made with the same secret is refused (wrong-purpose)', async () => {
    const { store } = watchedStore();
    const anonymous = await iron.seal(payload(), SECRET, iron.defaults);
    const withId = await iron.seal(payload(), { id: '1', secret: SECRET }, iron.defaults);
    for (const token of [anonymous, withId]) {
      const s = await store.load(`session=${token}`);
      // Authentic (same secret) but lacking our sealed envelope: refused as another purpose.
      expect(s.invalidReason).toBe('wrong-purpose');
      expect(s.get('userId')).toBeUndefined();
    }
    // Even an iron token wrapping exactly our envelope, minus the purpose, is refused.
    const envelope = { i: Date.now(), d: payload() };
    const mimic = await iron.seal(envelope, { id: '1', secret: SECRET }, iron.defaults);
    expect((await store.load(`session=${mimic}`)).invalidReason).toBe('wrong-purpose');
  });

  it('an iron-session token made with the same password is refused', async () => {
    const { store } = watchedStore();
    const token = await ironSession.sealData(payload(), { password: SECRET });
    // iron-session appends its "~2" version suffix, which no iron MAC accepts: malformed.
    expect(token).toMatch(/~2$/);
    expect((await store.load(`session=${token}`)).invalidReason).toBe('malformed');
    // Without the suffix it is an authentic iron token, but not ours: wrong-purpose.
    expect((await store.load(`session=${token.replace(/~2$/, '')}`)).invalidReason).toBe('wrong-purpose');
  });

  it('a token from another secret → tampered', async () => {
    const other = new CookieSessionStore({ keys: OTHER_SECRET, schema });
    const { value } = await validCookie(other);
    const { store } = watchedStore();
    expect((await store.load(`session=${value}`)).invalidReason).toBe('tampered');
  });
});

describe('hooks', () => {
  it('an onInvalid that throws does not break load', async () => {
    const store = new CookieSessionStore({
      keys: SECRET,
      schema,
      onInvalid: () => {
        throw new Error('logger down');
      },
    });
    const s = await store.load('session=garbage');
    expect(s.invalidReason).toBe('malformed');
    expect(await s.commit()).toHaveLength(1);
  });

  it('onInvalid is not called for a valid cookie or for no cookie', async () => {
    const { store, events } = watchedStore();
    const { value } = await validCookie(store);
    await store.load(`session=${value}`);
    await store.load(undefined);
    await store.load('other=1');
    expect(events).toEqual([]);
  });

  it('isRevoked returning true → revoked, empty session, cookie cleared; it sees id, times and data', async () => {
    const seen: SessionInfo<State>[] = [];
    const events: InvalidSessionEvent[] = [];
    const base = new CookieSessionStore({ keys: SECRET, schema });
    const { value, id } = await validCookie(base);
    const store = new CookieSessionStore({
      keys: SECRET,
      schema,
      onInvalid: (e) => events.push(e),
      isRevoked: async (info) => {
        seen.push(info);
        return info.data.userId === 'ada';
      },
    });
    const browser = new Browser();
    browser.put('session', value);
    const r = await request(store, browser, (s) => s.data);
    expect(r.session.invalidReason).toBe('revoked');
    expect(r.result).toEqual({ n: 0 });
    expect(cookieNamed(r.cookies, 'session').maxAge).toBe(0);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ id, data: { userId: 'ada', n: 7 } });
    expect(typeof seen[0]!.createdAt).toBe('number');
    expect(seen[0]!.issuedAt).toBeGreaterThanOrEqual(seen[0]!.createdAt);
    expect(events).toEqual([{ reason: 'revoked', cookie: 'session', keyId: '1', sessionId: id }]);
  });

  it('isRevoked is not consulted for refused cookies, and false lets the session through', async () => {
    let calls = 0;
    const store = new CookieSessionStore({
      keys: SECRET,
      schema,
      isRevoked: () => {
        calls++;
        return false;
      },
    });
    await store.load('session=garbage');
    expect(calls).toBe(0);
    const { value } = await validCookie(store);
    expect((await store.load(`session=${value}`)).get('userId')).toBe('ada');
    expect(calls).toBe(1);
  });

  it('an isRevoked that throws propagates (documented: your own hook errors are yours)', async () => {
    const store = new CookieSessionStore({
      keys: SECRET,
      schema,
      isRevoked: () => {
        throw new Error('db down');
      },
    });
    const { value } = await validCookie(new CookieSessionStore({ keys: SECRET, schema }));
    await expect(store.load(`session=${value}`)).rejects.toThrow('db down');
  });
});
