/**
 * Schema validation: defaults for a fresh session, writes validated before
 * they land, loads of out-of-schema state refused (and cleared), bad schemas
 * refused at construction, and the schema-less JSON validator's guards
 * against prototype pollution.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { CookieSessionStore, type InvalidSessionEvent, type StandardSchemaV1 } from '../../src/index';
import { ironSeal } from '../../src/seal/iron';
import { Browser, SECRET, cookieNamed, expectConfigError, request, thrown } from './helpers';
import { sealWithRing } from '../../src/seal/index';
import { createKeyRing } from '../../src/seal/keys';

/** Seal `data` under the store's purpose `cookie:session` with SECRET, as a key holder could (sealData refuses the store's purposes). */
const sealForStore = async (data: unknown): Promise<string> => sealWithRing(createKeyRing(SECRET), data, 'cookie:session', Date.now(), undefined);

const v1 = z.object({
  userId: z.string().optional(),
  visits: z.number().int().nonnegative().default(0),
  theme: z.enum(['light', 'dark']).default('light'),
});

afterEach(() => {
  // Whatever a test did, Object.prototype must be untouched.
  expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  expect(Object.prototype).not.toHaveProperty('polluted');
});

describe('with a zod 4 schema', () => {
  it('a fresh session holds the defaults and is typed by the schema', async () => {
    const store = new CookieSessionStore({ keys: SECRET, schema: v1 });
    const s = await store.load(undefined);
    expect(s.data).toEqual({ visits: 0, theme: 'light' });
    const visits: number = s.get('visits');
    expect(visits).toBe(0);
    expect(s.has('userId')).toBe(false);
  });

  it('a valid write is stored as the schema outputs it', async () => {
    const store = new CookieSessionStore({
      keys: SECRET,
      schema: z.object({ email: z.string().trim().toLowerCase().default('') }),
    });
    const browser = new Browser();
    await request(store, browser, (s) => s.set('email', '  Ada@Example.COM '));
    expect((await store.load(browser.header())).get('email')).toBe('ada@example.com');
  });

  describe('an invalid set or update throws ERR_SESSION_INVALID with issues, and nothing changes', () => {
    const cases: ReadonlyArray<readonly [string, (s: Awaited<ReturnType<CookieSessionStore<typeof v1>['load']>>) => void]> = [
      ['set, wrong type', (s) => s.set('visits', 'many' as unknown as number)],
      ['set, refinement', (s) => s.set('visits', -1)],
      ['set, enum', (s) => s.set('theme', 'blue' as 'dark')],
      ['update', (s) => s.update((d) => ({ ...d, visits: 1.5 }))],
      ['update to a non-object', (s) => s.update(() => null as unknown as z.output<typeof v1>)],
    ];
    it.each(cases)('%s', async (_, write) => {
      const store = new CookieSessionStore({ keys: SECRET, schema: v1 });
      const browser = new Browser();
      await request(store, browser, (s) => s.set('visits', 3));
      const s = await store.load(browser.header());
      const before = structuredClone(s.data);
      const err = thrown(() => write(s));
      expect(err.code).toBe('ERR_SESSION_INVALID');
      expect(err.issues?.length).toBeGreaterThan(0);
      expect(typeof err.issues?.[0]?.message).toBe('string');
      expect(s.status).toBe('unchanged');
      expect(s.data).toEqual(before);
      expect(await s.commit()).toEqual([]);
    });

    it('on a fresh session too, which stays uncreated', async () => {
      const s = await new CookieSessionStore({ keys: SECRET, schema: v1 }).load(undefined);
      const err = thrown(() => s.set('visits', -5));
      expect(err.issues?.[0]?.path).toEqual(['visits']);
      expect(s.status).toBe('unchanged');
      expect(await s.commit()).toEqual([]);
    });

    it('after a valid change, a failed one keeps the valid change', async () => {
      const s = await new CookieSessionStore({ keys: SECRET, schema: v1 }).load(undefined);
      s.set('visits', 2);
      thrown(() => s.set('visits', -1));
      expect(s.status).toBe('changed');
      expect(s.get('visits')).toBe(2);
    });
  });

  describe('a stored state that no longer matches the schema (a deploy changed it)', () => {
    // Store B has a v2 schema: visits became a string; same keys and cookie name.
    const v2 = z.object({ userId: z.string().optional(), visits: z.string().default('0') });

    it('loads as an empty session with invalidReason invalid-schema, tells onInvalid, and clears the cookie', async () => {
      const a = new CookieSessionStore({ keys: SECRET, schema: v1 });
      const events: InvalidSessionEvent[] = [];
      const b = new CookieSessionStore({ keys: SECRET, schema: v2, onInvalid: (e) => events.push(e) });
      const browser = new Browser();
      const written = await request(a, browser, (s) => {
        s.set('userId', 'ada');
        s.set('visits', 4);
      });

      const r = await request(b, browser, (s) => s.data);
      expect(r.session.invalidReason).toBe('invalid-schema');
      expect(r.session.isNew).toBe(true);
      expect(r.result).toEqual({ visits: '0' });
      expect(r.session.id).not.toBe(written.session.id);
      expect(events).toEqual([{ reason: 'invalid-schema', cookie: 'session', keyId: '1', sessionId: written.session.id }]);
      // The response clears the bad cookie…
      const removal = cookieNamed(r.cookies, 'session');
      expect(removal.maxAge).toBe(0);
      expect(browser.header()).toBeUndefined();
      // …and the event never carries the cookie value or the state.
      expect(JSON.stringify(events)).not.toContain('ada');
    });

    it('a write in that request replaces the bad cookie with a valid one', async () => {
      const a = new CookieSessionStore({ keys: SECRET, schema: v1 });
      const b = new CookieSessionStore({ keys: SECRET, schema: v2 });
      const browser = new Browser();
      await request(a, browser, (s) => s.set('visits', 4));
      const r = await request(b, browser, (s) => s.set('visits', 'four'));
      expect(r.cookies.map((c) => c.maxAge! > 0)).toEqual([true]);
      expect((await b.load(browser.header())).get('visits')).toBe('four');
    });
  });

  describe('a schema must output JSON: a write whose output is not is refused at once, not at commit', () => {
    const dates = z.object({ d: z.date().optional(), b: z.bigint().optional(), m: z.map(z.string(), z.number()).optional() });
    const cases: ReadonlyArray<readonly [string, (s: Awaited<ReturnType<CookieSessionStore<typeof dates>['load']>>) => void, string]> = [
      ['set a Date', (s) => s.set('d', new Date()), 'd'],
      ['update to a Map', (s) => s.update((d) => ({ ...d, m: new Map([['a', 1]]) })), 'm'],
      ['set a bigint', (s) => s.set('b', 1n), 'b'],
    ];
    it.each(cases)('%s: ERR_SESSION_INVALID at the write, nothing changes, commit writes nothing', async (_, write, field) => {
      const store = new CookieSessionStore({ keys: SECRET, schema: dates });
      const s = await store.load(undefined);
      const err = thrown(() => write(s));
      expect(err.code).toBe('ERR_SESSION_INVALID');
      expect(err.issues?.[0]?.path).toEqual([field]);
      expect(err.message).toContain('JSON');
      expect(s.status).toBe('unchanged');
      expect(s.data).toEqual({});
      expect(await s.commit()).toEqual([]);
    });

    it('a schema that turns JSON input into a Date is refused at the write too', async () => {
      const store = new CookieSessionStore({ keys: SECRET, schema: z.object({ at: z.coerce.date().optional() }) });
      const s = await store.load(undefined);
      expect(thrown(() => s.set('at', '2030-01-01' as never)).code).toBe('ERR_SESSION_INVALID');
    });

    it('JSON output passes, and the default schema is not checked twice', async () => {
      const store = new CookieSessionStore({ keys: SECRET, schema: z.object({ at: z.iso.datetime().optional() }) });
      const browser = new Browser();
      await request(store, browser, (s) => s.set('at', '2030-01-01T00:00:00Z'));
      expect((await store.load(browser.header())).get('at')).toBe('2030-01-01T00:00:00Z');
      const plain = new CookieSessionStore({ keys: SECRET });
      const fresh = await plain.load(undefined);
      const validate = vi.spyOn(plain.options.schema['~standard'], 'validate');
      fresh.set('a', 1);
      expect(validate).toHaveBeenCalledTimes(1);
    });
  });

  it('a schema that does not accept {} is refused at construction', () => {
    expectConfigError(() => new CookieSessionStore({ keys: SECRET, schema: z.object({ userId: z.string() }) }), 'ERR_CONFIG_OPTION', 'schema');
  });

  it('a schema whose output is not an object is refused at construction', () => {
    expectConfigError(() => new CookieSessionStore({ keys: SECRET, schema: z.string() as never }), 'ERR_CONFIG_OPTION', 'schema');
  });

  it('an async schema is refused at construction', () => {
    const asyncSchema = z.object({ a: z.string().default('') }).refine(async () => true);
    expectConfigError(() => new CookieSessionStore({ keys: SECRET, schema: asyncSchema }), 'ERR_CONFIG_OPTION', 'schema');
  });

  it.each([
    ['a plain object', {}],
    ['a function', () => ({})],
    ['a zod-like object of another version', { '~standard': { version: 2, validate: () => ({ value: {} }) } }],
    ['null', null],
  ])('a non-schema (%s) is refused with ERR_CONFIG_OPTION', (_, schema) => {
    expectConfigError(() => new CookieSessionStore({ keys: SECRET, schema: schema as unknown as StandardSchemaV1 }), 'ERR_CONFIG_OPTION', 'schema');
  });
});

describe('a schema whose output JSON cannot carry', () => {
  it('refuses on load, as invalid-schema, a cookie the schema turns into a Date (z.coerce.date), and clears it', async () => {
    const plain = new CookieSessionStore({ keys: SECRET });
    const browser = new Browser();
    await request(plain, browser, (s) => s.set('since', '2030-01-01T00:00:00.000Z'));
    const events: InvalidSessionEvent[] = [];
    const coercing = new CookieSessionStore({ keys: SECRET, schema: z.object({ since: z.coerce.date().optional() }), onInvalid: (e) => events.push(e) });
    const r = await request(coercing, browser);
    expect(r.session.invalidReason).toBe('invalid-schema');
    expect(r.session.data).toEqual({});
    expect(events.map((e) => e.reason)).toEqual(['invalid-schema']);
    expect(browser.names()).toEqual([]);
  });

  it('is refused at construction when its defaults are not JSON', () => {
    expectConfigError(() => new CookieSessionStore({ keys: SECRET, schema: z.object({ since: z.date().default(new Date(0)) }) }), 'ERR_CONFIG_OPTION', 'schema');
  });
});

describe('without a schema (plain JSON objects)', () => {
  const store = () => new CookieSessionStore({ keys: SECRET });

  it.each(['__proto__', 'constructor', 'prototype'])('refuses the key %s on set', async (key) => {
    const s = await store().load(undefined);
    const err = thrown(() => s.set(key, { polluted: true }));
    expect(err.code).toBe('ERR_SESSION_INVALID');
    expect(err.issues?.[0]?.path).toEqual([key]);
    expect(s.status).toBe('unchanged');
    expect(s.data).toEqual({});
    expect(Object.keys(s.data)).toEqual([]);
  });

  it.each(['__proto__', 'constructor', 'prototype'])('refuses the key %s nested, and through update', async (key) => {
    const s = await store().load(undefined);
    const evil = JSON.parse(`{"${key}": {"polluted": true}}`) as Record<string, never>;
    expect(thrown(() => s.set('nested', evil)).code).toBe('ERR_SESSION_INVALID');
    expect(thrown(() => s.set('list', [evil])).code).toBe('ERR_SESSION_INVALID');
    expect(thrown(() => s.update(() => evil)).code).toBe('ERR_SESSION_INVALID');
    expect(thrown(() => s.update((d) => ({ ...d, deep: { a: evil } }))).code).toBe('ERR_SESSION_INVALID');
    expect(s.status).toBe('unchanged');
    expect(await s.commit()).toEqual([]);
  });

  it.each([
    ['a Date', new Date(0)],
    ['a Map', new Map()],
    ['a class instance', new (class Point { x = 1 })()],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['a function', () => 1],
    ['a bigint', 1n],
    ['a symbol', Symbol('s')],
    ['an Array subclass', new (class List extends Array<number> {})()],
    ['an object with a symbol key', { a: 1, [Symbol('hidden')]: 2 }],
    ['an object with a non-enumerable property', Object.defineProperty({ a: 1 }, 'b', { value: 2, enumerable: false })],
  ])('refuses %s', async (_, value) => {
    const s = await store().load(undefined);
    expect(thrown(() => s.set('v', value as never)).code).toBe('ERR_SESSION_INVALID');
    expect(thrown(() => s.set('v', { inner: value } as never)).code).toBe('ERR_SESSION_INVALID');
    expect(s.data).toEqual({});
  });

  it('accepts plain JSON, null-prototype objects included, and reads it back', async () => {
    const st = store();
    const browser = new Browser();
    const bare = Object.assign(Object.create(null) as Record<string, number>, { n: 1 });
    await request(st, browser, (s) => {
      s.set('user', { id: 'u1', roles: ['a', 'b'], score: 1.5, active: true, manager: null });
      s.set('bare', bare);
    });
    expect((await st.load(browser.header())).data).toEqual({
      user: { id: 'u1', roles: ['a', 'b'], score: 1.5, active: true, manager: null },
      bare: { n: 1 },
    });
  });

  it('a sealed state holding a __proto__ key (made by a key holder) is refused on load, without pollution', async () => {
    // Someone with the keys hand-crafts a session payload: the schema-less
    // validator still refuses it on the way in.
    const c = Math.floor(Date.now() / 1000);
    const payload = JSON.parse(`{"id":"AAAAAAAAAAAAAAAAAAAAAA","c":${c},"v":{"__proto__":{"polluted":true}}}`) as unknown;
    const token = await sealForStore(payload);
    const s = await store().load(`session=${token}`);
    expect(s.invalidReason).toBe('invalid-schema');
    expect(s.data).toEqual({});
  });

  it.each([
    ['a __proto__ key', () => JSON.parse('{"notice":{"__proto__":{"polluted":true}}}') as unknown],
    ['a constructor key', () => ({ constructor: 'x' })],
    ['70 levels of nesting', () => ({ deep: Array.from({ length: 70 }).reduce<unknown>((inner) => ({ a: inner }), 1) })],
    ['a non-object', () => ['notice']],
  ])('a sealed flash holding %s (made by a key holder) is refused on load, as on write', async (_, flash) => {
    const c = Math.floor(Date.now() / 1000);
    // Sealed as raw envelope text: sealData itself refuses values nested past the one JSON depth limit.
    const envelope = `{"i":${Date.now()},"p":"cookie:session","d":${JSON.stringify({ id: 'AAAAAAAAAAAAAAAAAAAAAA', c, v: { a: 1 }, f: flash() })}}`;
    const token = await ironSeal(createKeyRing(SECRET), envelope, undefined);
    const stores = [new CookieSessionStore({ keys: SECRET }), new CookieSessionStore({ keys: SECRET, schema: z.object({ a: z.number().optional() }) })];
    for (const st of stores) {
      const s = await st.load(`session=${token}`);
      expect(s.invalidReason).toBe('malformed');
      expect(s.data).toEqual({});
      expect(s.takeFlash('notice')).toBeUndefined();
      expect(s.takeFlash('deep')).toBeUndefined();
    }
  });

  it('a sealed flash of plain JSON is read', async () => {
    const c = Math.floor(Date.now() / 1000);
    const token = await sealForStore({ id: 'AAAAAAAAAAAAAAAAAAAAAA', c, v: {}, f: { notice: { text: 'Saved', n: [1, null] } } });
    const s = await store().load(`session=${token}`);
    expect(s.invalidReason).toBeUndefined();
    expect(s.takeFlash('notice')).toEqual({ text: 'Saved', n: [1, null] });
  });

  it('get and has see only the state, never Object.prototype', async () => {
    const st = store();
    const s = await st.load(undefined);
    for (const key of ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf']) {
      expect(s.has(key), key).toBe(false);
      expect(s.get(key), key).toBeUndefined();
    }
    // An own key of that name is still refused on write, so this holds for loaded sessions too.
    const browser = new Browser();
    await request(st, browser, (x) => x.set('a', 1));
    const back = await st.load(browser.header());
    expect(back.has('constructor')).toBe(false);
    expect(back.get('toString')).toBeUndefined();
    expect(back.has('a')).toBe(true);
  });

  it('a remove of a missing key is a change to the same state (no throw)', async () => {
    const s = await store().load(undefined);
    s.remove('nope');
    expect(s.status).toBe('changed');
  });
});
