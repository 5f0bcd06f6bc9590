/**
 * Hostile request headers: huge, crowded, non-ASCII, quoted, all separators.
 * The session is found when it is there, not found when it is not, nothing
 * throws, and the cost grows linearly with the header. Parser-level cases
 * (every shape at 1 MB, properties) are in test/cookie/parse.test.ts; here
 * the whole store and the node:http adapter take them.
 */
import type { RequestListener } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CookieSessionStore } from '../../src/index';
import { measureLinearity } from '../helpers/linearity';
import { KB, MB, SHAPES } from './header-shapes';
import { issue, rawRequest, SECRET_1, sendJson, startServer, type TestServer } from './helpers';

const STATE = { user: 'alice', roles: ['admin'], visits: 3 };

const store = new CookieSessionStore({ keys: SECRET_1 });
let session: string; // `session=<token>`
let sessionId: string;

beforeAll(async () => {
  ({ header: session, id: sessionId } = await issue(store, STATE));
});

describe.each(Object.entries(SHAPES))('1 MB of %s', (_, build) => {
  const noise = build(MB);

  it('finds the session after it', async () => {
    const s = await store.load(`${noise}; ${session}`);
    expect(s.invalidReason).toBeUndefined();
    expect(s.id).toBe(sessionId);
    expect(s.data).toEqual(STATE);
  });

  it('finds the session before it', async () => {
    const s = await store.load(`${session}; ${noise}`);
    expect(s.data).toEqual(STATE);
  });

  it('reads a fresh session without one', async () => {
    const s = await store.load(noise);
    expect(s.isNew).toBe(true);
    expect(s.invalidReason).toBeUndefined();
    expect(s.data).toEqual({});
  });
});

describe('crowds and odd encodings', () => {
  const crowd = Array.from({ length: 10_000 }, (_, i) => `k${i}=${i.toString(36)}`);

  it('finds the session anywhere among 10,000 cookies', async () => {
    for (const at of [0, 5_000, 10_000]) {
      const pairs = [...crowd];
      pairs.splice(at, 0, session);
      const s = await store.load(pairs.join('; '));
      expect(s.data, `at ${at}`).toEqual(STATE);
    }
  });

  it('finds the session after 100,000 ";" and reads none in 100,000 ";" alone', async () => {
    expect((await store.load(`${';'.repeat(100_000)}${session}`)).data).toEqual(STATE);
    const none = await store.load(';'.repeat(100_000));
    expect(none.isNew).toBe(true);
    expect(none.invalidReason).toBeUndefined();
  });

  it('finds a quoted session cookie, and refuses one with unbalanced or doubled quotes', async () => {
    const [name, value] = [session.slice(0, session.indexOf('=')), session.slice(session.indexOf('=') + 1)];
    expect((await store.load(`${name}="${value}"`)).data).toEqual(STATE);
    expect((await store.load(`${name}="${value}`)).invalidReason).toBe('malformed');
    expect((await store.load(`${name}=""${value}""`)).invalidReason).toBe('malformed');
  });

  it('refuses a session value carrying non-ASCII or control characters', async () => {
    for (const bad of ['\u00e9', '\u0000', '\u2028', '\u{1F36A}', '\r\n']) {
      const s = await store.load(`${session.slice(0, 40)}${bad}${session.slice(40)}`);
      expect(s.isNew).toBe(true);
      expect(s.invalidReason).toBe('malformed');
    }
  });

  it('refuses a 1 MB session value as oversized', async () => {
    const s = await store.load(`session=${'A'.repeat(MB)}`);
    expect(s.invalidReason).toBe('oversized');
  });

  it('takes the same headers through handleSession(Request)', async () => {
    const header = `${SHAPES['non-ASCII bytes']!(256 * KB)}; ${crowd.join('; ')}; ${session}`;
    const s = await store.handleSession(new Request('http://127.0.0.1/', { headers: { cookie: header } }));
    expect(s.data).toEqual(STATE);
  });
});

describe('time grows linearly with the header', () => {
  it('1 MB of every shape costs less than 24x the CPU time of 128 kB (8x the size; quadratic would be 64x)', async () => {
    const figures = await measureLinearity('store');
    expect(Object.keys(figures).sort()).toEqual(Object.keys(SHAPES).sort());
    for (const [shape, { ratio }] of Object.entries(figures)) expect(ratio, shape).toBeLessThan(24);
  }, 60_000);
});

describe('through node:http', () => {
  let normal: TestServer;
  let large: TestServer;
  let handled = 0;

  const handler: RequestListener = async (req, res) => {
    handled++;
    const s = await store.handleSession(req, res);
    sendJson(res, { id: s.id, invalidReason: s.invalidReason ?? null, data: s.data, cookieLength: req.headers.cookie?.length ?? 0 });
  };

  beforeAll(async () => {
    normal = await startServer(handler);
    large = await startServer(handler, { maxHeaderSize: 2 * MB });
  });

  afterAll(async () => {
    await normal.close();
    await large.close();
  });

  const parse = (body: string) => JSON.parse(body) as { id: string; invalidReason: string | null; data: unknown; cookieLength: number };

  it("node's default 16 kB header limit answers a 1 MB Cookie header with 431, before any session code runs", async () => {
    const before = handled;
    const res = await rawRequest(normal.port, [`Cookie: ${SHAPES['ordinary cookies']!(MB)}; ${session}`]);
    expect(res.status).toBe(431);
    expect(handled).toBe(before);
  });

  it('with maxHeaderSize 2 MB, finds the session at the end of a 1 MB Cookie header', async () => {
    for (const shape of ['ordinary cookies', 'non-ASCII bytes', 'quoted values', 'only ";"'] as const) {
      const res = await rawRequest(large.port, [`Cookie: ${SHAPES[shape]!(MB)}; ${session}`]);
      expect(res.status, shape).toBe(200);
      const body = parse(res.body);
      expect(body.cookieLength, shape).toBeGreaterThan(MB);
      expect(body.data, shape).toEqual(STATE);
      expect(body.id).toBe(sessionId);
    }
  });

  it('with maxHeaderSize 2 MB, reads a fresh session from 1 MB without one', async () => {
    const res = await rawRequest(large.port, [`Cookie: ${SHAPES['near-miss names']!(MB)}`]);
    expect(res.status).toBe(200);
    expect(parse(res.body)).toMatchObject({ invalidReason: null, data: {} });
  });

  it('joins repeated Cookie header lines (node joins them with "; ")', async () => {
    const res = await rawRequest(normal.port, ['Cookie: theme=dark', `Cookie: ${session}`, 'Cookie: csrf=x']);
    expect(res.status).toBe(200);
    expect(parse(res.body).data).toEqual(STATE);
  });

  it('finds the session among 10,000 cookies and non-ASCII octets on the wire', async () => {
    const crowd = Array.from({ length: 10_000 }, (_, i) => `k${i}=\u00e9${i}`).join('; ');
    const res = await rawRequest(large.port, [`Cookie: ${crowd}; ${session}`]);
    expect(res.status).toBe(200);
    expect(parse(res.body).data).toEqual(STATE);
  });

  it('answers a refused (tampered) session with 200 and a fresh session, not an error', async () => {
    const tampered = session.slice(0, -4) + (session.at(-4) === 'A' ? 'B' : 'A') + session.slice(-3);
    const res = await rawRequest(normal.port, [`Cookie: ${tampered}`]);
    expect(res.status).toBe(200);
    expect(parse(res.body)).toMatchObject({ invalidReason: 'tampered', data: {} });
    // And the refused cookie is removed on the response.
    expect(res.headers).toMatch(/\r\nSet-Cookie: session=; Max-Age=0;/i);
  });
});
