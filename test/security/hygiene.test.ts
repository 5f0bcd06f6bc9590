/**
 * Crypto hygiene: constant-time MAC comparison on both engines, a fresh IV
 * for every seal, randomness only from the platform CSPRNG, and no secret or
 * state in any error message, error property or log line.
 */
import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import {
  CookieSessionStore,
  createKeyRing,
  sealData,
  unsealData,
  type CookieSessionStoreOptions,
  type InvalidSessionEvent,
  type KeyRingOptions,
} from '../../src/index';
import { ironSeal } from '../../src/seal/iron';
import { cookieHeaderFrom, issue, SECRET_1, SECRET_2 } from './helpers';

const nodeCrypto = process.getBuiltinModule('node:crypto');
const ENGINES: Array<[string, KeyRingOptions]> = [
  ['node', { crypto: 'node' }],
  ['webcrypto', { crypto: 'webcrypto' }],
];

afterEach(() => {
  vi.restoreAllMocks();
});

/** The same token with one character of its MAC changed, still inside the alphabet and length. */
function tamperMac(cookieHeader: string): string {
  const i = cookieHeader.length - 5;
  return cookieHeader.slice(0, i) + (cookieHeader[i] === 'A' ? 'B' : 'A') + cookieHeader.slice(i + 1);
}

describe('the MAC is compared in constant time', () => {
  it('node engine: crypto.timingSafeEqual on the two 32-byte digests, for good and bad MACs', async () => {
    // tokenCache: 0 so that the load verifies the MAC rather than recognising the token it just sealed.
    const store = new CookieSessionStore({ keys: SECRET_1, crypto: 'node', tokenCache: 0 });
    const { header } = await issue(store, { user: 'alice' });
    const safeEqual = vi.spyOn(nodeCrypto, 'timingSafeEqual');

    expect((await store.load(header)).data).toEqual({ user: 'alice' });
    expect(safeEqual).toHaveBeenCalledTimes(1);
    const [a, b] = safeEqual.mock.calls[0]! as [Uint8Array, Uint8Array];
    expect([a.length, b.length]).toEqual([32, 32]);

    expect((await store.load(tamperMac(header))).invalidReason).toBe('tampered');
    expect(safeEqual).toHaveBeenCalledTimes(2);
    expect(safeEqual.mock.results[1]).toEqual({ type: 'return', value: false });
  });

  it('webcrypto engine: crypto.subtle.verify, never sign-then-compare', async () => {
    const store = new CookieSessionStore({ keys: SECRET_1, crypto: 'webcrypto', tokenCache: 0 });
    const { header } = await issue(store, { user: 'alice' });
    const verify = vi.spyOn(globalThis.crypto.subtle, 'verify');
    const sign = vi.spyOn(globalThis.crypto.subtle, 'sign');
    const safeEqual = vi.spyOn(nodeCrypto, 'timingSafeEqual');

    expect((await store.load(header)).data).toEqual({ user: 'alice' });
    expect((await store.load(tamperMac(header))).invalidReason).toBe('tampered');
    expect(verify).toHaveBeenCalledTimes(2);
    expect(verify.mock.calls[0]![0]).toBe('HMAC');
    expect(sign).not.toHaveBeenCalled();
    expect(safeEqual).not.toHaveBeenCalled();
  });
});

describe('a fresh IV for every seal', () => {
  it.each(ENGINES)('%s engine: 1,000 seals of the same state have 1,000 distinct IVs and ciphertexts', async (_, options) => {
    const store = new CookieSessionStore({ keys: SECRET_1, ...options });
    const ivs = new Set<string>();
    const ciphertexts = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const session = await store.load(undefined);
      session.set('user', 'alice');
      const [cookie] = await session.commit();
      const parts = cookie!.slice(cookie!.indexOf('=') + 1, cookie!.indexOf(';')).split('*');
      expect(parts[3]).toMatch(/^[A-Za-z0-9_-]{22}$/); // 16 bytes
      ivs.add(parts[3]!);
      ciphertexts.add(parts[4]!);
    }
    expect(ivs.size).toBe(1000);
    expect(ciphertexts.size).toBe(1000);
  });

  it('sealData too, with a raw 32-byte key', async () => {
    const keys = createKeyRing(new Uint8Array(32).fill(7));
    const ivs = new Set<string>();
    for (let i = 0; i < 1000; i++) ivs.add((await sealData({ a: 1 }, { keys })).split('*')[3]!);
    expect(ivs.size).toBe(1000);
  });
});

describe('randomness comes from the platform CSPRNG only', () => {
  const SRC = fileURLToPath(new URL('../../src', import.meta.url));
  /** Source text without comments (doc examples may mention anything). */
  const code = (text: string) => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
  const sources = (readdirSync(SRC, { recursive: true, encoding: 'utf8' }) as string[])
    .filter((f) => f.endsWith('.ts'))
    .map((f) => [f, code(readFileSync(`${SRC}/${f}`, 'utf8'))] as const);

  it('src/ code never uses Math.random, and draws random bytes in one place, from crypto.getRandomValues', () => {
    expect(sources.length).toBeGreaterThan(10);
    for (const [file, text] of sources) {
      expect(text, file).not.toMatch(/Math\s*\.\s*random/);
      expect(text, file).not.toMatch(/\brandom(UUID|Int|Fill)\b|\.randomBytes\s*\(/);
    }
    const drawers = sources.filter(([, text]) => /getRandomValues\s*\(/.test(text)).map(([file]) => file);
    expect(drawers).toEqual(['seal/engine.ts']);
  });

  it('session ids and IVs are drawn through crypto.getRandomValues; Math.random is never called', async () => {
    const mathRandom = vi.spyOn(Math, 'random');
    const csprng = vi.spyOn(globalThis.crypto, 'getRandomValues');
    const store = new CookieSessionStore({ keys: SECRET_2 });
    // 200 new sessions, each a 16-byte id and a 16-byte IV: more than one 4 KiB block
    // of the engine's random pool, so it must draw from the CSPRNG at least once.
    for (let i = 0; i < 200; i++) {
      const { header } = await issue(store, { user: 'alice' });
      const loaded = await store.load(header);
      loaded.renew();
      await loaded.commit();
    }
    expect(csprng).toHaveBeenCalled();
    expect(mathRandom).not.toHaveBeenCalled();
  });
});

describe('no secret and no state in errors or logs', () => {
  /** Distinctive markers: every secret below contains SECRET_MARK, every state value STATE_MARK. */
  const SECRET_MARK = 'never-print-me';
  const STATE_MARK = 'STATE-VALUE-do-not-log-8b1f';
  const SHORT_SECRET = `${SECRET_MARK}-short`;
  const seen: string[] = [];
  const record = (value: unknown) => {
    seen.push(typeof value === 'string' ? value : inspect(value, { depth: 10, showHidden: true }));
    if (value instanceof Error) seen.push(String(value), value.stack ?? '', inspect(value.cause, { depth: 10 }));
  };

  /** Run `fn`, record whatever it throws; fails if it does not throw. */
  async function failure(fn: () => unknown): Promise<unknown> {
    try {
      await fn();
    } catch (err) {
      record(err);
      return err;
    }
    throw new Error('expected an error');
  }

  beforeEach(() => {
    seen.length = 0;
    for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
        for (const arg of args) record(arg);
      });
    }
  });

  afterEach(() => {
    expect(seen.length).toBeGreaterThan(0); // every test below produced something to check
    for (const text of seen) {
      expect(text).not.toContain(SECRET_MARK);
      expect(text).not.toContain(STATE_MARK);
    }
  });

  it('configuration errors', async () => {
    expect(SECRET_1).toContain(SECRET_MARK);
    const bad: Array<Partial<CookieSessionStoreOptions> & { keys: unknown }> = [
      { keys: SHORT_SECRET },
      { keys: [{ id: 'a', secret: SECRET_1 }, { id: 'a', secret: SECRET_2 }] },
      { keys: [{ id: 'bad id', secret: SECRET_1 }] },
      { keys: [{ id: 'k', secret: SHORT_SECRET }] },
      { keys: { k: SECRET_1 } },
      { keys: { 1: SHORT_SECRET } },
      { keys: SECRET_1, iterations: -1 },
      { keys: SECRET_1, crypto: 'bogus' as never },
      { keys: SECRET_1, cookie: { name: `${SECRET_1}\r\n` } },
      { keys: SECRET_1, maxBytes: 1 },
      { keys: SECRET_1, schema: {} as never },
      { keys: SECRET_1, schema: z.object({ x: z.string() }) },
    ];
    for (const options of bad) await failure(() => new CookieSessionStore(options as CookieSessionStoreOptions));
    await failure(() => sealData({ a: STATE_MARK }, { keys: SHORT_SECRET }));
    expect(seen.join('\n')).toMatch(/ERR_CONFIG_KEYS/);
  });

  it('sealing and unsealing errors', async () => {
    const keys = createKeyRing(SECRET_1);
    const token = await sealData({ secret: STATE_MARK }, { keys, purpose: 'magic-link', ttl: 60 });
    await failure(() => sealData({ value: STATE_MARK, fn: () => STATE_MARK }, { keys }));
    await failure(() => unsealData(token, { keys, purpose: 'other' }));
    await failure(() => unsealData(token, { keys: createKeyRing(SECRET_2) }));
    await failure(() => unsealData(token, { keys: [{ id: '9', secret: SECRET_2 }] }));
    await failure(() => unsealData(token.slice(0, -4) + 'AAAA', { keys, purpose: 'magic-link' }));
    await failure(() => unsealData(`${token}*${STATE_MARK}`, { keys }));
    const notJson = await ironSeal(keys, `not json ${STATE_MARK}`, undefined);
    await failure(() => unsealData(notJson, { keys }));
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 3600_000);
    await failure(() => unsealData(token, { keys, purpose: 'magic-link' }));
    vi.useRealTimers();
  });

  it('session errors: too large, rejected by the schema, headers sent, adapters', async () => {
    const schema = z.object({
      email: z.email().optional(),
      role: z.enum(['admin', 'user']).optional(),
      short: z.string().max(3).optional(),
      exact: z.literal('x').optional(),
      blob: z.string().optional(),
    });
    const store = new CookieSessionStore({ keys: SECRET_1, schema });
    const session = await store.load(undefined);
    await failure(() => session.set('email', `${STATE_MARK}@`));
    await failure(() => session.set('role', STATE_MARK as never));
    await failure(() => session.set('short', STATE_MARK));
    await failure(() => session.set('exact', STATE_MARK as never));
    const plain = await new CookieSessionStore({ keys: SECRET_1 }).load(undefined);
    await failure(() => plain.set(STATE_MARK.slice(0, 0) + 'n', Number.NaN as never));
    session.set('blob', STATE_MARK.repeat(1000));
    await failure(() => session.commit());

    await failure(() => store.handleSession(STATE_MARK as never));
    const web = await store.handleSession(new Request('http://127.0.0.1/'), Response.redirect('http://127.0.0.1/x'));
    web.set('blob', STATE_MARK);
    await failure(() => web.commit());
    const next = await store.handleSession({
      getAll: () => [],
      set: () => {
        throw new Error('Cookies can only be modified in a Server Action or Route Handler.');
      },
    });
    next.set('blob', STATE_MARK);
    await failure(() => next.commit());

    const req = new http.IncomingMessage(new net.Socket());
    const res = new http.ServerResponse(req);
    const late = await store.handleSession(req, res);
    res.writeHead(200);
    late.set('blob', STATE_MARK);
    await failure(() => late.commit());
    expect(seen.join('\n')).toMatch(/ERR_SESSION_TOO_LARGE[\s\S]*ERR_SESSION_ADAPTER[\s\S]*ERR_SESSION_HEADERS_SENT/);
  });

  it('onInvalid events carry no cookie value, secret or state', async () => {
    const events: InvalidSessionEvent[] = [];
    let revoke = false;
    const options = { schema: z.object({ v: z.string().optional() }), onInvalid: (e: InvalidSessionEvent) => events.push(e), isRevoked: () => revoke };
    const store = new CookieSessionStore({ keys: [{ id: 'k1', secret: SECRET_1 }], ttl: 60, idleTimeout: 30, ...options });
    const { header } = await issue(store, { v: STATE_MARK });
    await store.load(tamperMac(header));
    await store.load(`session=${STATE_MARK}`);
    await new CookieSessionStore({ keys: [{ id: 'k2', secret: SECRET_2 }], ...options }).load(header);
    await new CookieSessionStore({ keys: [{ id: 'k1', secret: SECRET_1 }], ...options, schema: z.object({ v: z.number().optional() }) }).load(header);
    revoke = true;
    await store.load(header);
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 45_000);
    await store.load(header);
    vi.setSystemTime(Date.now() + 3600_000);
    await store.load(header);
    vi.useRealTimers();
    expect(events.map((e) => e.reason)).toEqual(['tampered', 'malformed', 'unknown-key', 'invalid-schema', 'revoked', 'idle', 'expired']);
    for (const event of events) {
      record(event);
      expect(JSON.stringify(event)).not.toContain('Fe26');
    }
  });

  it("the node adapter's report of a missed commit on console.error", async () => {
    const missed = async (options: Partial<CookieSessionStoreOptions>, value: string) => {
      const store = new CookieSessionStore({ keys: SECRET_1, ...options });
      const req = new http.IncomingMessage(new net.Socket());
      const { header } = await issue(store, { v: STATE_MARK });
      req.headers = { cookie: header };
      const res = new http.ServerResponse(req);
      const session = await store.handleSession(req, res);
      session.set('v', value);
      res.writeHead(200); // no commit: the adapter tries at writeHead, and reports
    };
    await missed({ crypto: 'webcrypto' }, STATE_MARK); // needs the asynchronous engine
    await missed({}, STATE_MARK.repeat(500)); // over budget
    const reports = seen.filter((line) => line.includes('was not committed'));
    expect(reports).toHaveLength(2);
    expect(reports[1]).toContain('ERR_SESSION_TOO_LARGE');
  });

  it('a cookie header built from the secret itself is refused without echoing it', async () => {
    const events: InvalidSessionEvent[] = [];
    const store = new CookieSessionStore({ keys: SECRET_1, onInvalid: (e) => events.push(e) });
    const session = await store.load(`session=${SECRET_1}`);
    record(session.invalidReason);
    record(events);
    record(cookieHeaderFrom(await session.commit()));
  });
});
