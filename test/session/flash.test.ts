/**
 * Typed flash at run time: a store's `flashSchema` validates every flash
 * value on write (`flash` throws `ERR_SESSION_INVALID`, nothing changes) and
 * on read (a value it refuses is dropped alone, reported as
 * `invalid-flash`; the session stays), and bad flash schemas are refused at
 * construction.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CookieSessionStore, type InvalidSessionEvent, type StandardSchemaV1 } from '../../src/index';
import { Browser, SECRET, request, thrown } from './helpers';

const schema = z.object({ userId: z.string().optional() });
const flashSchema = z.object({ notice: z.string().trim().max(40), attempts: z.number().int().min(0) }).partial();

describe('flashSchema on write', () => {
  const store = new CookieSessionStore({ keys: SECRET, schema, flashSchema });

  it('keeps a valid value, as the schema outputs it, for the next request only', async () => {
    const browser = new Browser();
    await request(store, browser, (s) => {
      s.flash('notice', '  Saved  ');
      s.flash('attempts', 2);
    });
    const next = await request(store, browser, (s) => [s.takeFlash('notice'), s.takeFlash('attempts')]);
    expect(next.result).toEqual(['Saved', 2]);
    expect((await request(store, browser, (s) => s.takeFlash('notice'))).result).toBeUndefined();
  });

  it('throws ERR_SESSION_INVALID for a value the schema refuses, naming the key, and changes nothing', async () => {
    const session = await store.load(undefined);
    const err = thrown(() => session.flash('notice', 'x'.repeat(41)));
    expect(err.code).toBe('ERR_SESSION_INVALID');
    expect(err.message).toContain('flashSchema');
    expect(err.issues?.[0]?.path).toEqual(['notice']);
    expect(thrown(() => session.flash('attempts', -1 as never)).code).toBe('ERR_SESSION_INVALID');
    expect(thrown(() => session.flash('attempts', 'two' as never)).code).toBe('ERR_SESSION_INVALID');
    expect(session.status).toBe('unchanged');
    expect(await session.commit()).toEqual([]);
  });

  it('throws for a key the schema does not have (it strips it), so a typo is not silently lost', async () => {
    const session = await store.load(undefined);
    const err = thrown(() => session.flash('notcie' as never, 'Saved' as never));
    expect(err.code).toBe('ERR_SESSION_INVALID');
    expect(err.message).toContain('no field "notcie"');
    expect(session.status).toBe('unchanged');
  });

  it('throws when the schema outputs a value JSON cannot carry (a Date)', async () => {
    const dated = new CookieSessionStore({ keys: SECRET, flashSchema: z.object({ at: z.coerce.date() }).partial() });
    const session = await dated.load(undefined);
    expect(thrown(() => session.flash('at', '2026-01-01' as never)).code).toBe('ERR_SESSION_INVALID');
  });

  it('without a flashSchema, any JSON value is taken under any key, as before', async () => {
    const plain = new CookieSessionStore({ keys: SECRET, schema });
    const browser = new Browser();
    await request(plain, browser, (s) => s.flash('anything', { nested: [1, 'two', null] }));
    expect((await request(plain, browser, (s) => s.takeFlash('anything'))).result).toEqual({ nested: [1, 'two', null] });
  });
});

describe('flashSchema on read', () => {
  it('drops a flash value the schema now refuses (a cookie from before a deploy), keeps the rest and the session, and reports it', async () => {
    // Written by the previous deploy: no flash schema.
    const before = new CookieSessionStore({ keys: SECRET, schema });
    const browser = new Browser();
    const written = await request(before, browser, (s) => {
      s.set('userId', 'u1');
      s.flash('notice', 'x'.repeat(200)); // too long for the new schema
      s.flash('attempts', 1);
      s.flash('retired', 'a key the new schema does not have');
    });
    const events: InvalidSessionEvent[] = [];
    const after = new CookieSessionStore({ keys: SECRET, schema, flashSchema, onInvalid: (e) => events.push(e) });
    const { session, result } = await request(after, browser, (s) => [s.takeFlash('notice'), s.takeFlash('attempts'), s.takeFlash('retired' as never)]);
    expect(session.invalidReason).toBeUndefined();
    expect(session.isNew).toBe(false);
    expect(session.get('userId')).toBe('u1');
    expect(result).toEqual([undefined, 1, undefined]);
    expect(events).toEqual([
      { reason: 'invalid-flash', cookie: 'session', keyId: '1', sessionId: written.session.id, flashKey: 'notice' },
      { reason: 'invalid-flash', cookie: 'session', keyId: '1', sessionId: written.session.id, flashKey: 'retired' },
    ]);
    // The dropped values are gone from the cookie written next.
    const plainReader = await before.load(browser.header());
    expect(plainReader.takeFlash('notice')).toBeUndefined();
    expect(plainReader.takeFlash('retired')).toBeUndefined();
  });

  it('reads values the schema accepts as it outputs them', async () => {
    const before = new CookieSessionStore({ keys: SECRET, schema });
    const browser = new Browser();
    await request(before, browser, (s) => s.flash('notice', '  padded  '));
    const after = new CookieSessionStore({ keys: SECRET, schema, flashSchema });
    expect((await request(after, browser, (s) => s.takeFlash('notice'))).result).toBe('padded');
  });
});

describe('flashSchema option', () => {
  it('must be a Standard Schema', () => {
    const err = thrown(() => new CookieSessionStore({ keys: SECRET, flashSchema: { notice: 'string' } as never }));
    expect(err.code).toBe('ERR_CONFIG_OPTION');
    expect(err.option).toBe('flashSchema');
  });

  it('must accept {}: a required field is refused at construction, saying to make the fields optional', () => {
    const err = thrown(() => new CookieSessionStore({ keys: SECRET, flashSchema: z.object({ notice: z.string() }) }));
    expect(err.code).toBe('ERR_CONFIG_OPTION');
    expect(err.option).toBe('flashSchema');
    expect(err.message).toContain('.partial()');
  });

  it('must validate synchronously', () => {
    const asyncSchema: StandardSchemaV1 = { '~standard': { version: 1, vendor: 'test', validate: async (value) => ({ value }) } };
    const err = thrown(() => new CookieSessionStore({ keys: SECRET, flashSchema: asyncSchema }));
    expect(err.code).toBe('ERR_CONFIG_OPTION');
    expect(err.option).toBe('flashSchema');
  });
});
