/**
 * `store.handleSession(req, res)` on a real node:http server on 127.0.0.1,
 * driven by fetch: what reaches the client's Set-Cookie headers, and what a
 * later request reads back.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import { z } from 'zod';
import { CookieSessionStore, isSessionError, type Session } from '../../src/index';
import { Client, expectOneSetCookiePerName, isDeletion, listen, parseSetCookie, type Listening } from '../helpers/jar';

const SECRET = 'node-adapter-test-secret-0123456789abcdefghij';
const schema = z.object({ count: z.number().int().default(0), note: z.string().optional() });
type State = z.output<typeof schema>;

const options = { keys: SECRET, schema, cookie: { name: 'sid' }, maxChunks: 3, maxBytes: 12_000 } as const;
const store = new CookieSessionStore(options);
/** The same cookies, sealed and opened with WebCrypto, whose commits are asynchronous. */
const webcryptoStore = new CookieSessionStore({ ...options, crypto: 'webcrypto' });

/** What every route answers: the session as the server saw it. */
function view(session: Session<State>): string {
  return JSON.stringify({
    count: session.get('count'),
    noteLength: session.get('note')?.length ?? 0,
    isNew: session.isNew,
    status: session.status,
    invalidReason: session.invalidReason ?? null,
  });
}
interface View {
  count: number;
  noteLength: number;
  isNew: boolean;
  status: string;
  invalidReason: string | null;
}

/** base64url text of `length` characters: incompressible, and every character is a cookie-octet inside a seal. */
function noise(length: number): string {
  return randomBytes(length).toString('base64url').slice(0, length);
}

/** A numeric query parameter of the request (0 when absent). */
function param(req: IncomingMessage, name: string): number {
  return Number(new URL(req.url!, 'http://x').searchParams.get(name) ?? '0');
}

type Route = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

const routes: Record<string, Route> = {
  async '/read'(req, res) {
    const session = await store.handleSession(req, res);
    res.end(view(session));
  },
  async '/count'(req, res) {
    const session = await store.handleSession(req, res);
    session.set('count', session.get('count') + 1);
    await session.commit();
    res.end(view(session));
  },
  /** Change the session and end the response without committing. */
  async '/count-auto'(req, res) {
    const session = await store.handleSession(req, res);
    session.set('count', session.get('count') + 1);
    res.end(view(session));
  },
  /** A note of `size` characters, auto-committed (or committed with `commit=1`). */
  async '/note'(req, res) {
    const session = await store.handleSession(req, res);
    session.set('note', noise(param(req, 'size')));
    if (param(req, 'commit') === 1) await session.commit();
    res.end(view(session));
  },
  /** Two commits in one response: a note of `first` characters, then of `second`. */
  async '/twice'(req, res) {
    const session = await store.handleSession(req, res);
    session.set('note', noise(param(req, 'first')));
    await session.commit();
    session.set('note', noise(param(req, 'second')));
    session.set('count', session.get('count') + 1);
    await session.commit();
    res.end(view(session));
  },
  async '/other-before'(req, res) {
    res.setHeader('set-cookie', 'other=1');
    const session = await store.handleSession(req, res);
    session.set('count', session.get('count') + 1);
    await session.commit();
    res.end(view(session));
  },
  async '/other-between'(req, res) {
    const session = await store.handleSession(req, res);
    session.set('count', session.get('count') + 1);
    res.setHeader('set-cookie', ['other=1', 'more=2']);
    await session.commit();
    res.end(view(session));
  },
  async '/other-after'(req, res) {
    const session = await store.handleSession(req, res);
    session.set('count', session.get('count') + 1);
    await session.commit();
    res.appendHeader('set-cookie', 'other=1');
    res.end(view(session));
  },
  async '/other-auto'(req, res) {
    const session = await store.handleSession(req, res);
    session.set('count', session.get('count') + 1);
    res.setHeader('set-cookie', 'other=1');
    res.end(view(session));
  },
  /** Headers go out first; the commit comes too late and its error code is the body's last line. */
  async '/late'(req, res) {
    const session = await store.handleSession(req, res);
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.write('started\n');
    session.set('count', session.get('count') + 1);
    try {
      await session.commit();
      res.end('committed');
    } catch (err) {
      res.end(isSessionError(err) ? err.code : 'other error');
    }
  },
  /** `writeHead` given its own Set-Cookie; `commit=1` commits first, otherwise writeHead auto-commits. */
  async '/writehead'(req, res) {
    const session = await store.handleSession(req, res);
    session.set('count', session.get('count') + 1);
    if (param(req, 'commit') === 1) await session.commit();
    if (param(req, 'message') === 1) res.writeHead(200, 'Fine', { 'Set-Cookie': 'x=1', 'content-type': 'application/json' });
    else res.writeHead(200, { 'Set-Cookie': 'x=1', 'content-type': 'application/json' });
    res.end(view(session));
  },
  async '/detached'(req, res) {
    const { handleSession } = store;
    const session = await handleSession(req, res);
    session.set('count', session.get('count') + 1);
    await session.commit();
    res.end(view(session));
  },
  async '/webcrypto-auto'(req, res) {
    const session = await webcryptoStore.handleSession(req, res);
    session.set('count', session.get('count') + 1);
    res.end(view(session));
  },
  async '/webcrypto-commit'(req, res) {
    const session = await webcryptoStore.handleSession(req, res);
    session.set('count', session.get('count') + 1);
    await session.commit();
    res.end(view(session));
  },
  async '/webcrypto-read'(req, res) {
    const session = await webcryptoStore.handleSession(req, res);
    res.end(view(session));
  },
};

let server: Listening;

beforeAll(async () => {
  // Large enough for the 1 MB Cookie header test (node's default limit is 16 KB and answers 431).
  const http = createServer({ maxHeaderSize: 2 * 1024 * 1024 }, (req, res) => {
    const route = routes[new URL(req.url!, 'http://x').pathname];
    if (!route) {
      res.statusCode = 404;
      res.end();
      return;
    }
    route(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.statusCode = 500;
      res.end(`route failed: ${String(err)}`);
    });
  });
  server = await listen(http);
});

afterAll(() => server.close());

afterEach(() => {
  vi.restoreAllMocks();
});

function client(): Client {
  return new Client(server.origin);
}

/** Request `path` and return the parsed body (failing on a non-200 answer). */
async function call(c: Client, path: string, init: RequestInit = {}): Promise<View & { setCookies: string[] }> {
  const { status, text, setCookies } = await c.fetch(path, { method: 'POST', ...init });
  expect(status, text).toBe(200);
  return { ...(JSON.parse(text) as View), setCookies };
}

/** Names of a response's Set-Cookie values. */
function names(setCookies: readonly string[]): string[] {
  return setCookies.map((v) => parseSetCookie(v).name);
}

describe('commit() writes Set-Cookie', () => {
  test('the cookie reaches the client and the next request reads the state back', async () => {
    const c = client();
    const first = await call(c, '/count');
    expect(names(first.setCookies)).toEqual(['sid']);
    const sid = parseSetCookie(first.setCookies[0]!);
    expect(sid.value.startsWith('Fe26.2*')).toBe(true);
    expect(sid.attributes.get('httponly')).toBe(true);
    expect(sid.attributes.get('path')).toBe('/');

    const second = await call(c, '/count');
    expect(second).toMatchObject({ count: 2, isNew: false });
    const read = await call(c, '/read', { method: 'GET' });
    expect(read).toMatchObject({ count: 2, isNew: false, status: 'unchanged' });
    expect(read.setCookies).toEqual([]);
  });

  test('a detached handleSession (const { handleSession } = store) works the same', async () => {
    const c = client();
    await call(c, '/detached');
    const again = await call(c, '/detached');
    expect(again).toMatchObject({ count: 2, isNew: false });
  });
});

describe('Set-Cookie values set by the app stay', () => {
  test.each(['/other-before', '/other-between', '/other-after', '/other-auto'])('%s', async (path) => {
    const c = client();
    const { setCookies, count } = await call(c, path);
    expect(count).toBe(1);
    const got = names(setCookies);
    expect(got).toContain('sid');
    expect(got).toContain('other');
    if (path === '/other-between') expect(got).toContain('more');
    expectOneSetCookiePerName(setCookies);
    expect(c.jar.get('other')).toBe('1');
    expect((await call(c, '/read', { method: 'GET' })).count).toBe(1);
  });

  test.each([
    ['committed before writeHead', '/writehead?commit=1'],
    ['auto-committed by writeHead', '/writehead'],
    ['writeHead with a status message', '/writehead?message=1'],
  ])("writeHead(200, { 'Set-Cookie': 'x=1' }) keeps both (%s)", async (_, path) => {
    const c = client();
    const { setCookies } = await call(c, path);
    expect(names(setCookies).sort()).toEqual(['sid', 'x']);
    expect((await call(c, '/read', { method: 'GET' })).count).toBe(1);
  });
});

describe('two commits in one response', () => {
  test('leave one Set-Cookie per name, carrying the last state', async () => {
    const c = client();
    const { setCookies } = await call(c, '/twice?first=50&second=60');
    expect(names(setCookies)).toEqual(['sid']);
    const read = await call(c, '/read', { method: 'GET' });
    expect(read).toMatchObject({ count: 1, noteLength: 60 });
  });

  test('from three chunks down to one: the stale chunks are deleted, once each', async () => {
    const c = client();
    const { setCookies } = await call(c, '/twice?first=7000&second=10');
    const parsed = expectOneSetCookiePerName(setCookies);
    expect(parsed.map((p) => p.name).sort()).toEqual(['sid', 'sid.1', 'sid.2']);
    expect(parsed.filter(isDeletion).map((p) => p.name).sort()).toEqual(['sid.1', 'sid.2']);
    expect(c.jar.names()).toEqual(['sid']);
    expect(await call(c, '/read', { method: 'GET' })).toMatchObject({ count: 1, noteLength: 10 });
  });

  test('from one chunk up to three', async () => {
    const c = client();
    const { setCookies } = await call(c, '/twice?first=10&second=7000');
    expect(names(setCookies).sort()).toEqual(['sid', 'sid.1', 'sid.2']);
    expect(c.jar.names().sort()).toEqual(['sid', 'sid.1', 'sid.2']);
    expect(await call(c, '/read', { method: 'GET' })).toMatchObject({ count: 1, noteLength: 7000 });
  });
});

describe('auto-commit when the headers go out', () => {
  test('res.end() without commit() still sets the cookie', async () => {
    const c = client();
    const first = await call(c, '/count-auto');
    expect(names(first.setCookies)).toEqual(['sid']);
    await call(c, '/count-auto');
    expect(await call(c, '/read', { method: 'GET' })).toMatchObject({ count: 2, isNew: false });
  });

  test('a chunked state is auto-committed whole, and shrinking deletes the extra chunks', async () => {
    const c = client();
    const big = await call(c, '/note?size=5000');
    expect(names(big.setCookies).sort()).toEqual(['sid', 'sid.1']);
    for (const value of big.setCookies) {
      const { name, value: v } = parseSetCookie(value);
      expect(name.length + v.length).toBeLessThanOrEqual(4096);
    }
    expect(await call(c, '/read', { method: 'GET' })).toMatchObject({ noteLength: 5000, isNew: false });

    const small = await call(c, '/note?size=20');
    expect(expectOneSetCookiePerName(small.setCookies).filter(isDeletion).map((p) => p.name)).toEqual(['sid.1']);
    expect(c.jar.names()).toEqual(['sid']);
    expect(await call(c, '/read', { method: 'GET' })).toMatchObject({ noteLength: 20 });
  });

  test('commit() after the headers were sent rejects with ERR_SESSION_HEADERS_SENT and sets nothing', async () => {
    const c = client();
    await call(c, '/count');
    const { status, text, setCookies } = await c.fetch('/late', { method: 'POST' });
    expect(status).toBe(200);
    expect(text).toBe('started\nERR_SESSION_HEADERS_SENT');
    expect(setCookies).toEqual([]);
    expect((await call(c, '/read', { method: 'GET' })).count).toBe(1);
  });
});

describe('whatever the client sends', () => {
  test('an empty sid= (what a deletion leaves in some stores) is no session: no reason, nothing to clear', async () => {
    const c = client();
    const result = await call(c, '/read', { method: 'GET', headers: { cookie: 'sid=' } });
    expect(result).toMatchObject({ count: 0, isNew: true, invalidReason: null });
    expect(result.setCookies).toEqual([]);
  });

  test('a 1 MB Cookie header gives 200 and an empty session', async () => {
    const c = client();
    const huge = await call(c, '/read', { method: 'GET', headers: { cookie: `sid=${noise(1024 * 1024)}` } });
    expect(huge).toMatchObject({ count: 0, isNew: true });
    expect(huge.invalidReason).toEqual(expect.any(String));

    const many = Array.from({ length: 40_000 }, (_, i) => `c${i}=${i}`).join('; ');
    expect(many.length).toBeGreaterThan(500_000);
    const crowd = await call(c, '/read', { method: 'GET', headers: { cookie: many } });
    expect(crowd).toMatchObject({ count: 0, isNew: true, invalidReason: null });
    expect(crowd.setCookies).toEqual([]);
  });

  test.each([
    'sid=garbage',
    'sid=Fe26.2**',
    `sid=Fe26.2*1*${'a'.repeat(64)}*AAAA*BBBB**${'b'.repeat(64)}*CCCC`,
    'sid=3*abc; sid.1=def',
    'sid=2*abc; sid.1=def; sid.1=ghi',
    'sid="quoted"',
    'sid=%00%ff',
    'sid.1=orphan',
  ])('%s gives 200 and an empty session', async (cookie) => {
    const c = client();
    const result = await call(c, '/read', { method: 'GET', headers: { cookie } });
    expect(result).toMatchObject({ count: 0, isNew: true });
    if (cookie.startsWith('sid=')) {
      // A refused head cookie is named, and deleted so the browser stops sending it.
      expect(result.invalidReason).toEqual(expect.any(String));
      expect(expectOneSetCookiePerName(result.setCookies).filter(isDeletion).map((p) => p.name)).toContain('sid');
    } else {
      // A chunk without its head (a Cookie header cut short): named, and the orphan deleted.
      expect(result.invalidReason).toBe('incomplete');
      expect(expectOneSetCookiePerName(result.setCookies).filter(isDeletion).map((p) => p.name)).toContain('sid.1');
    }
    // And the refused session still works: a write replaces it.
    const next = await call(c, '/count', { headers: { cookie } });
    expect(next).toMatchObject({ count: 1 });
    expectOneSetCookiePerName(next.setCookies);
  });
});

describe('a store on the WebCrypto engine', () => {
  test('auto-commit cannot run at writeHead: the miss is reported on stderr and no cookie is sent', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const c = client();
    const { setCookies } = await call(c, '/webcrypto-auto');
    expect(setCookies).toEqual([]);
    expect(errors).toHaveBeenCalledTimes(1);
    expect(String(errors.mock.calls[0]?.[0])).toMatch(/not committed[\s\S]*WebCrypto[\s\S]*await session\.commit\(\)/i);
  });

  test('an explicit commit works, and the cookie opens on the node:crypto store too', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const c = client();
    const first = await call(c, '/webcrypto-commit');
    expect(names(first.setCookies)).toEqual(['sid']);
    await call(c, '/webcrypto-commit');
    expect(await call(c, '/webcrypto-read', { method: 'GET' })).toMatchObject({ count: 2, isNew: false });
    expect(await call(c, '/read', { method: 'GET' })).toMatchObject({ count: 2, isNew: false });
    expect(errors).not.toHaveBeenCalled();
  });
});
