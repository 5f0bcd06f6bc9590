import { describe, expect, it } from 'vitest';
import { newSessionId, readPayload, writePayload, type SessionPayload } from '../../src/session/payload';

const id = 'AAAAAAAAAAAAAAAAAAAAAA';
const T = 1_700_000_000;

describe('payload codec', () => {
  it('writes the one-letter fields in order, leaving absent ones out', () => {
    expect(JSON.stringify(writePayload({ id, createdAt: T * 1000, state: { a: 1 } }))).toBe(`{"id":"${id}","c":${T},"v":{"a":1}}`);
    const full: SessionPayload = { id, createdAt: T * 1000, state: {}, lifetime: 60, persistent: true, idleTimeout: 30, flash: { n: 'x' } };
    expect(JSON.stringify(writePayload(full))).toBe(`{"id":"${id}","c":${T},"v":{},"l":60,"p":1,"t":30,"f":{"n":"x"}}`);
  });

  it('an own idle timeout of none is sealed as t: 0 and read back as false', () => {
    const sealed = writePayload({ id, createdAt: T * 1000, state: {}, idleTimeout: false });
    expect(sealed).toEqual({ id, c: T, v: {}, t: 0 });
    expect(readPayload(sealed)?.idleTimeout).toBe(false);
  });

  it('a non-persistent session writes no p, and reads back as not persistent', () => {
    const sealed = writePayload({ id, createdAt: T * 1000, state: {}, persistent: false });
    expect(sealed).toEqual({ id, c: T, v: {} });
    expect(readPayload(sealed)?.persistent).toBe(false);
  });

  it('reads what it writes', () => {
    const full: SessionPayload = { id, createdAt: T * 1000, state: { x: [1] }, lifetime: 60, persistent: true, idleTimeout: 30, flash: { n: 'x' } };
    expect(readPayload(JSON.parse(JSON.stringify(writePayload(full))))).toEqual(full);
    const bare = readPayload({ id, c: T, v: null });
    expect(bare).toEqual({ id, createdAt: T * 1000, state: null, lifetime: undefined, persistent: false, idleTimeout: undefined, flash: undefined });
  });

  it.each([
    ['not an object', 'x'],
    ['an array', [id, T]],
    ['null', null],
    ['a short id', { id: 'abc', c: T, v: {} }],
    ['an id with a bad character', { id: 'AAAAAAAAAAAAAAAAAAAAA=', c: T, v: {} }],
    ['no creation time', { id, v: {} }],
    ['a creation time in ms', { id, c: T * 1000 * 1000, v: {} }],
    ['a fractional creation time', { id, c: T + 0.5, v: {} }],
    ['no state', { id, c: T }],
    ['a lifetime of 0', { id, c: T, v: {}, l: 0 }],
    ['p other than 1', { id, c: T, v: {}, p: true }],
    ['a negative idle timeout', { id, c: T, v: {}, t: -1 }],
    ['flash that is not a JSON object', { id, c: T, v: {}, f: [1] }],
    ['flash with a __proto__ key', JSON.parse(`{"id":"${id}","c":${T},"v":{},"f":{"__proto__":{}}}`)],
  ])('refuses %s', (_, data) => {
    expect(readPayload(data)).toBeUndefined();
  });

  it('session ids are 22 base64url characters (128 bits) and differ', () => {
    const a = newSessionId();
    expect(a).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(newSessionId()).not.toBe(a);
  });
});
