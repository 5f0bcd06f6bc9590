import { describe, expect, it } from 'vitest';
import { CookieSessionStore, isSessionError } from '../../src/index';
import { openSealed } from '../../src/seal/index';
import { capacityBytes } from '../../src/cookie/framing';
import { resolveStoreOptions } from '../../src/session/options';
import { allowedBytes, writeCookies, type WriteRequest, type WriteResult } from '../../src/session/writer';
import { SECRET } from './helpers';

const options = (extra: Record<string, unknown> = {}) => resolveStoreOptions({ keys: SECRET, ...extra });
const NOW = 1_700_000_000_000;
const base: WriteRequest = {
  mode: 'write',
  now: NOW,
  payload: { id: 'AAAAAAAAAAAAAAAAAAAAAA', createdAt: NOW, state: { a: 1 } },
  createdAt: NOW,
  lifetime: 3600,
  persistent: true,
  idleTimeout: 600,
  chunksPresent: [],
  alsoRemove: [],
};
const write = (o: ReturnType<typeof options>, req: Partial<WriteRequest> = {}) => writeCookies(o, { ...base, ...req }) as WriteResult;

describe('writeCookies', () => {
  it('writes one cookie whose Max-Age ends with the earlier of the absolute and idle ends, sealing the payload fields', async () => {
    const o = options();
    const { cookies, chunks } = write(o);
    expect(chunks).toBe(1);
    expect(cookies).toHaveLength(1);
    expect(cookies[0]!.name).toBe('session');
    expect(cookies[0]!.maxAge).toBe(600);
    expect(cookies[0]!.header).toContain('; Max-Age=600;');
    const opened = await openSealed(o.ring, cookies[0]!.value, o.purpose, NOW, Number.POSITIVE_INFINITY);
    if (!opened.ok) throw new Error(opened.code);
    expect(opened.data).toEqual({ id: base.payload!.id, c: NOW / 1000, v: { a: 1 } });
    expect(opened.expiresAt).toBe(NOW + 600_000);
  });

  it('a browser-session cookie has no Max-Age', () => {
    const { cookies } = write(options(), { persistent: false });
    expect(cookies[0]!.maxAge).toBeUndefined();
    expect(cookies[0]!.header).not.toContain('Max-Age');
  });

  it('removes chunks the browser holds beyond those written, and the extra names asked for', () => {
    const { cookies } = write(options(), { chunksPresent: [1, 2], alsoRemove: ['old'] });
    expect(cookies.map((c) => [c.name, c.maxAge])).toEqual([
      ['session', 600],
      ['session.1', 0],
      ['session.2', 0],
      ['old', 0],
    ]);
  });

  it('a removal removes the head, every chunk held and the extra names, once each', () => {
    const { cookies, chunks } = write(options(), { mode: 'remove', payload: undefined, chunksPresent: [2], alsoRemove: ['session', 'old'] });
    expect(chunks).toBe(0);
    expect(cookies.map((c) => c.name)).toEqual(['session', 'session.2', 'old']);
    expect(cookies.every((c) => c.maxAge === 0 && c.value === '')).toBe(true);
  });

  it('splits a large session over chunk cookies', () => {
    const { cookies, chunks } = write(options({ maxChunks: 3, maxBytes: 12_000 }), { payload: { ...base.payload!, state: { pad: 'x'.repeat(4000) } } });
    expect(chunks).toBe(2);
    expect(cookies.map((c) => c.name)).toEqual(['session', 'session.1']);
    expect(cookies[0]!.value.startsWith('2*')).toBe(true);
  });

  it('over budget: ERR_SESSION_TOO_LARGE with measured over allowed, before any cookie', () => {
    const o = options({ maxBytes: 1000 });
    let caught: unknown;
    try {
      write(o, { payload: { ...base.payload!, state: { pad: 'x'.repeat(2000) } } });
    } catch (err) {
      caught = err;
    }
    expect(isSessionError(caught, 'ERR_SESSION_TOO_LARGE')).toBe(true);
    const size = (caught as { size: { measured: number; allowed: number } }).size;
    expect(size.allowed).toBe(1000);
    expect(size.measured).toBeGreaterThan(1000);
  });
});

describe('the byte budget: one formula for the option check and the size error', () => {
  it.each([1, 2, 3, 4, 10, 100])('maxChunks %i: the largest maxBytes accepted is the allowed size the error reports', async (maxChunks) => {
    const capacity = capacityBytes(maxChunks);
    expect(() => new CookieSessionStore({ keys: SECRET, maxChunks, maxBytes: capacity + 1 })).toThrow(
      expect.objectContaining({ code: 'ERR_CONFIG_OPTION', option: 'maxBytes' }),
    );
    const store = new CookieSessionStore({ keys: SECRET, maxChunks, maxBytes: capacity });
    expect(allowedBytes(store.options)).toBe(capacity);
    const session = await store.load(undefined);
    session.set('pad', 'x'.repeat(capacity));
    const err = await session.commit().then(
      () => undefined,
      (e: unknown) => e,
    );
    if (!isSessionError(err, 'ERR_SESSION_TOO_LARGE')) throw new Error('expected ERR_SESSION_TOO_LARGE');
    expect(err.size?.allowed).toBe(capacity);
    // The same numbers in the per-code details, typed without optional chaining.
    expect(err.details.allowed).toBe(capacity);
    expect(err.details.measured).toBeGreaterThan(capacity);
    expect(err.message).toContain(`budget of ${capacity} octets`);
  });

  it('the option error names the exact capacity', () => {
    expect(() => new CookieSessionStore({ keys: SECRET, maxChunks: 3, maxBytes: 12_296 })).toThrow(/can hold \(12295\)/);
  });
});

describe('SessionError details by code', () => {
  it('invalid state carries its issues, config errors their option, other codes nothing', async () => {
    const { SessionError } = await import('../../src/index');
    const store = new CookieSessionStore({ keys: SECRET });
    const session = await store.load(undefined);
    let invalid: unknown;
    try {
      session.set('bad', Number.NaN as never);
    } catch (err) {
      invalid = err;
    }
    if (!isSessionError(invalid, 'ERR_SESSION_INVALID')) throw new Error('expected ERR_SESSION_INVALID');
    expect(invalid.details.issues).toEqual(invalid.issues);
    expect(invalid.details.issues.length).toBeGreaterThan(0);
    let config: unknown;
    try {
      new CookieSessionStore({ keys: SECRET, ttl: -1 });
    } catch (err) {
      config = err;
    }
    if (!isSessionError(config, 'ERR_CONFIG_OPTION')) throw new Error('expected ERR_CONFIG_OPTION');
    expect(config.details).toEqual({ option: 'ttl' });
    expect(new SessionError('ERR_SEAL_BAD_MAC', 'x', { option: 'ignored' }).details).toEqual({});
  });
});
