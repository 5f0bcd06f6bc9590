/**
 * Hostile state: prototype-pollution keys on write and inside authentic
 * seals, and JSON too deep or too large to be worth opening.
 *
 * Authentic-but-hostile seals are made with the internal sealing functions
 * and the store's own key ring: this is what a key holder (or a bug in the
 * application) could produce, the worst a cookie can be.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { CookieSessionStore, isSessionError, type StandardSchemaV1 } from '../../src/index';
import { sealWithRing } from '../../src/seal/index';
import { getEngine } from '../../src/seal/engine';
import { ironSeal } from '../../src/seal/iron';
import { newSessionId } from '../../src/session/payload';
import { cookieHeaderFrom, SECRET_1 } from './helpers';

const HOUR = 3600_000;
const POLLUTING = '{"__proto__": {"polluted": 1}, "constructor": {"prototype": {"polluted": 2}}, "prototype": {"polluted": 3}, "name": "x"}';

/** Nothing anywhere inherited `polluted`. */
function expectNoPollution(data?: unknown): void {
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(Object.prototype).not.toHaveProperty('polluted');
  if (data !== undefined) {
    expect(Object.getPrototypeOf(data)).toBe(Object.prototype);
    expect((data as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(data as object)).not.toContain('__proto__');
  }
}

/** `JSON.parse` makes `__proto__` an own data property, which is what arrives from a cookie. */
const parse = (json: string): Record<string, never> => JSON.parse(json) as Record<string, never>;

/** A session cookie header the store will authenticate, whose payload is `payload` (sealed as is). */
async function sealedPayload(store: CookieSessionStore<StandardSchemaV1>, payload: unknown): Promise<string> {
  const { ring, purpose, cookie } = store.options;
  const now = Date.now();
  return `${cookie.name}=${await sealWithRing(ring, payload, purpose, now, now + HOUR)}`;
}

/** The same, from the envelope's JSON text (for shapes `sealWithRing` would refuse to produce). */
async function sealedEnvelope(store: CookieSessionStore<StandardSchemaV1>, envelope: string, maxChunks = 1): Promise<string> {
  const token = await ironSeal(store.options.ring, envelope, Date.now() + HOUR);
  if (maxChunks === 1) return `${store.options.cookie.name}=${token}`;
  // Cut into chunk cookies the way the writer does ("<n>*" head, then name.1 …).
  const name = store.options.cookie.name;
  const size = 4000;
  const parts: string[] = [];
  for (let i = 0; i * size < token.length; i++) parts.push(token.slice(i * size, (i + 1) * size));
  if (parts.length > maxChunks) throw new Error(`needs ${parts.length} chunks`);
  return parts.map((part, i) => (i === 0 ? `${name}=${parts.length}*${part}` : `${name}.${i}=${part}`)).join('; ');
}

const payload = (v: unknown, extra: Record<string, unknown> = {}) => ({ id: newSessionId(), c: Math.floor(Date.now() / 1000), v, ...extra });

const schemas: Array<[string, StandardSchemaV1 | undefined]> = [
  ['no schema (plain JSON objects)', undefined],
  ['z.object (strips unknown keys)', z.object({ name: z.string().optional() })],
  ['z.looseObject (keeps unknown keys)', z.looseObject({ name: z.string().optional() })],
  ['z.record', z.record(z.string(), z.unknown())],
];

const storeWith = (schema: StandardSchemaV1 | undefined, extra: object = {}) =>
  new CookieSessionStore({ keys: SECRET_1, ...(schema && { schema }), ...extra }) as unknown as CookieSessionStore<StandardSchemaV1>;

describe('prototype-pollution keys on write', () => {
  const store = new CookieSessionStore({ keys: SECRET_1 });

  it.each(['__proto__', 'constructor', 'prototype'])('refuses the key %s, at the top and nested, without changing the state', async (key) => {
    const session = await store.load(undefined);
    session.set('name', 'before');
    const attempts = [
      () => session.set(key, { polluted: 1 }),
      () => session.update((s) => ({ ...s, ...parse(`{"${key}": {"polluted": 1}}`) })),
      () => session.set('nested', parse(`{"deeper": {"${key}": {"polluted": 1}}}`)),
      () => session.set('list', [parse(`{"${key}": 1}`)]),
    ];
    for (const attempt of attempts) {
      let caught: unknown;
      try {
        attempt();
      } catch (err) {
        caught = err;
      }
      expect(isSessionError(caught, 'ERR_SESSION_INVALID')).toBe(true);
    }
    expect(session.data).toEqual({ name: 'before' });
    expectNoPollution(session.data);
  });

  it('with a zod schema, a __proto__ write is dropped by the schema and never reaches a prototype', async () => {
    const zstore = storeWith(z.object({ name: z.string().optional() }));
    const session = await zstore.load(undefined);
    session.update(() => parse(POLLUTING));
    expect(session.data).toEqual({ name: 'x' });
    expectNoPollution(session.data);
    const again = await zstore.load(cookieHeaderFrom(await session.commit()));
    expect(again.data).toEqual({ name: 'x' });
    expectNoPollution(again.data);
  });
});

describe('prototype-pollution keys inside an authentic seal', () => {
  afterEach(() => expectNoPollution());

  it.each(schemas)('in the state, %s: refused or stripped, never inherited', async (name, schema) => {
    const store = storeWith(schema);
    const header = await sealedPayload(store, payload(parse(POLLUTING)));
    const session = await store.load(header);
    // A schema that strips unknown keys loads the rest; one that keeps them (or none) is refused: its
    // output would carry the key, and the JSON check applies to every loaded state.
    if (schema !== undefined && name.startsWith('z.object')) {
      expect(session.invalidReason).toBeUndefined();
      expect(session.get('name' as never)).toBe('x');
    } else {
      expect(session.invalidReason).toBe('invalid-schema');
      expect(session.data).toEqual({});
    }
    expectNoPollution(session.data);
  });

  it('in the payload and the envelope: ignored, never inherited', async () => {
    const store = storeWith(undefined);
    const envelope = `{"__proto__": {"polluted": 1}, "i": ${Date.now()}, "p": "${store.options.purpose}", "d": {"__proto__": {"polluted": 1}, "id": "${newSessionId()}", "c": ${Math.floor(Date.now() / 1000)}, "v": {"name": "x"}, "f": {"name": "x"}}}`;
    const session = await store.load(await sealedEnvelope(store, envelope));
    expect(session.invalidReason).toBeUndefined();
    expect(session.data).toEqual({ name: 'x' });
    expect(session.takeFlash('polluted')).toBeUndefined();
    expect(session.takeFlash('name')).toBe('x');
    expectNoPollution(session.data);
    // Written back and read again, still nothing inherited.
    session.set('name', 'y');
    const again = await store.load(cookieHeaderFrom(await session.commit()));
    expect(again.data).toEqual({ name: 'y' });
    expectNoPollution(again.data);
  });

  it.each(schemas)('in the flash values, %s: refused (malformed), as the flash check refuses them on write', async (_, schema) => {
    const store = storeWith(schema);
    const envelope = `{"i": ${Date.now()}, "p": "${store.options.purpose}", "d": {"id": "${newSessionId()}", "c": ${Math.floor(Date.now() / 1000)}, "v": {"name": "x"}, "f": ${POLLUTING}}}`;
    const session = await store.load(await sealedEnvelope(store, envelope));
    expect(session.invalidReason).toBe('malformed');
    expect(session.takeFlash('polluted')).toBeUndefined();
    expect(session.takeFlash('name')).toBeUndefined();
  });
});

describe('deep and huge JSON', () => {
  afterEach(() => vi.restoreAllMocks());

  /** 10,000 levels of arrays: 20 kB of JSON, so it fits a store allowed 20 chunk cookies. */
  const DEEP = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
  const roomy = { maxChunks: 20, maxBytes: 80_000 };

  const deepEnvelope = (store: CookieSessionStore<StandardSchemaV1>) =>
    `{"i": ${Date.now()}, "p": "${store.options.purpose}", "d": {"id": "${newSessionId()}", "c": ${Math.floor(Date.now() / 1000)}, "v": {"deep": ${DEEP}}}}`;

  it('10,000 levels inside an authentic seal are refused by the default schema, without a stack overflow', async () => {
    const store = storeWith(undefined, roomy);
    const session = await store.load(await sealedEnvelope(store, deepEnvelope(store), 20));
    expect(session.invalidReason).toBe('invalid-schema');
    expect(session.data).toEqual({});
  });

  it('10,000 levels under a schema that does not look inside are refused on load (the JSON check of its output), never a stack overflow', async () => {
    const store = storeWith(z.object({ deep: z.unknown().optional() }), roomy);
    const session = await store.load(await sealedEnvelope(store, deepEnvelope(store), 20));
    expect(session.invalidReason).toBe('invalid-schema');
    expect(session.data).toEqual({});
  });

  it('writing 10,000 levels is refused at the write (schema, or the JSON check of its output), never a stack overflow', async () => {
    const nested = JSON.parse(DEEP) as unknown[];
    const plain = await storeWith(undefined, roomy).load(undefined);
    expect(() => plain.set('deep', nested as never)).toThrow(expect.objectContaining({ code: 'ERR_SESSION_INVALID' }));
    const loose = await storeWith(z.object({ deep: z.unknown().optional() }), roomy).load(undefined);
    expect(() => loose.set('deep' as never, nested as never)).toThrow(expect.objectContaining({ code: 'ERR_SESSION_INVALID' }));
    expect(await loose.commit()).toEqual([]);
  });

  it('a seal over the size budget is refused as oversized before any MAC or decryption', async () => {
    // Default budget (6144 octets); tokenCache: 0 so the small seal is really verified on load.
    const store = storeWith(undefined, { tokenCache: 0 });
    const huge = await sealedPayload(store, payload({ blob: 'x'.repeat(100_000) }));
    const small = await sealedPayload(store, payload({ name: 'x' }));
    // The node engine all node rings share: its MAC check and its decryption.
    const engine = getEngine('node')!;
    const hmac = vi.spyOn(engine, 'verify');
    const decipher = vi.spyOn(engine, 'decrypt');

    const refused = await store.load(huge);
    expect(refused.invalidReason).toBe('oversized');
    expect(hmac).not.toHaveBeenCalled();
    expect(decipher).not.toHaveBeenCalled();

    // The spies do see the work for a seal within budget.
    expect((await store.load(small)).data).toEqual({ name: 'x' });
    expect(hmac).toHaveBeenCalled();
    expect(decipher).toHaveBeenCalled();
  });

  it('a huge state is refused at commit with ERR_SESSION_TOO_LARGE, and the client keeps its cookie', async () => {
    const store = storeWith(undefined);
    const session = await store.load(undefined);
    session.set('blob', 'x'.repeat(100_000));
    await expect(session.commit()).rejects.toMatchObject({ code: 'ERR_SESSION_TOO_LARGE', size: { allowed: 6144 } });
  });
});
