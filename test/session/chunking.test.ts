/**
 * Chunking and the size budget: the 4096-octet name + value boundary found by
 * bisection, chunked round trips, spliced / missing / reordered / duplicated
 * chunks, removal of chunks no longer needed, and ERR_SESSION_TOO_LARGE
 * before anything is written.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CookieSessionStore, type InvalidSessionEvent } from '../../src/index';
import { Browser, SECRET, checkResponse, cookieNamed, isRemoval, rejection, request, thrown } from './helpers';
import { fixClock } from '../helpers/clock';

// Fixed time: every timestamp in the sealed value has a fixed length anyway,
// but this makes each run seal exactly the same lengths.
fixClock(Date.UTC(2031, 2, 3, 4, 5, 6));

const schema = z.object({ pad: z.string().default(''), n: z.number().default(0) });
type Options = Omit<ConstructorParameters<typeof CookieSessionStore<typeof schema>>[0], 'keys' | 'schema'>;
const makeStore = (options: Options = {}) => new CookieSessionStore({ keys: SECRET, schema, ...options });

/** The cookies (not removals) a fresh session with `pad` of length `length` writes. */
async function written(store: CookieSessionStore<typeof schema>, length: number) {
  const s = await store.load(undefined);
  s.set('pad', 'x'.repeat(length));
  const cookies = checkResponse(await s.commit());
  return cookies.filter((c) => !isRemoval(c));
}

/** The largest pad length that still fits in one cookie (bisection). */
async function largestSingle(store: CookieSessionStore<typeof schema>): Promise<number> {
  let lo = 0; // fits
  let hi = 4096; // does not
  expect(await written(store, lo)).toHaveLength(1);
  expect((await written(store, hi)).length).toBeGreaterThan(1);
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if ((await written(store, mid)).length === 1) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** A browser holding a chunked session of `chars` pad characters. */
async function chunked(store: CookieSessionStore<typeof schema>, chars: number, fill = 'x') {
  const browser = new Browser();
  const pad = fill.repeat(chars);
  const r = await request(store, browser, (s) => s.set('pad', pad));
  return { browser, pad, id: r.session.id, cookies: r.cookies };
}

describe('the 4096-octet boundary', () => {
  it('name + value = 4096 stays one cookie; one byte more of state makes two', async () => {
    // The sealed value grows in steps (16-byte cipher blocks); the cookie name
    // moves the boundary one octet at a time, so find a name for which the
    // largest one-cookie state lands exactly on 4096.
    let found: { name: string; length: number } | undefined;
    for (let extra = 0; extra < 40 && !found; extra++) {
      const name = 'session' + 'x'.repeat(extra);
      const store = makeStore({ cookie: { name } });
      const length = await largestSingle(store);
      const [one] = await written(store, length);
      expect(one!.name.length + one!.value.length).toBeLessThanOrEqual(4096);
      if (one!.name.length + one!.value.length === 4096) found = { name, length };
    }
    expect(found, 'some cookie name puts the boundary at exactly 4096').toBeDefined();
    const { name, length } = found!;
    const store = makeStore({ cookie: { name } });

    const at = await written(store, length);
    expect(at).toHaveLength(1);
    expect(at[0]!.name).toBe(name);
    expect(at[0]!.name.length + at[0]!.value.length).toBe(4096);

    const over = await written(store, length + 1);
    expect(over.map((c) => c.name)).toEqual([name, `${name}.1`]);
    for (const c of over) expect(c.name.length + c.value.length).toBeLessThanOrEqual(4096);
    // The head cookie is filled to the limit.
    expect(over[0]!.name.length + over[0]!.value.length).toBe(4096);

    // Both read back.
    for (const len of [length, length + 1]) {
      const browser = new Browser();
      await request(store, browser, (s) => s.set('pad', 'y'.repeat(len)));
      expect((await store.load(browser.header())).get('pad')).toBe('y'.repeat(len));
    }
  });
});

describe('chunked sessions', () => {
  it('read back a two-chunk session, and an unchanged read writes nothing', async () => {
    const store = makeStore();
    const { browser, pad, cookies, id } = await chunked(store, 3500);
    expect(cookies.map((c) => c.name)).toEqual(['session', 'session.1']);
    // Every chunk carries the same attributes and Max-Age.
    expect(new Set(cookies.map((c) => c.raw.slice(c.raw.indexOf(';')))).size).toBe(1);
    const r = await request(store, browser, (s) => s.get('pad'));
    expect(r.result).toBe(pad);
    expect(r.session.id).toBe(id);
    expect(r.setCookies).toEqual([]);
  });

  it('a 10 KB state with maxChunks 4 and maxBytes 16384 round-trips in three cookies', async () => {
    const store = makeStore({ maxChunks: 4, maxBytes: 16384 });
    const { browser, pad, cookies } = await chunked(store, 10_000);
    expect(cookies.map((c) => c.name)).toEqual(['session', 'session.1', 'session.2', 'session.3'].slice(0, cookies.length));
    expect(cookies.length).toBeGreaterThanOrEqual(3);
    expect((await store.load(browser.header())).get('pad')).toBe(pad);
  });

  it('the order of cookies in the request header does not matter', async () => {
    const store = makeStore();
    const { browser, pad } = await chunked(store, 3500);
    const header = `session.1=${browser.get('session.1')}; other=1; session=${browser.get('session')}`;
    expect((await store.load(header)).get('pad')).toBe(pad);
  });

  describe('broken groups are refused, never mixed into another state', () => {
    it('chunk 1 of session A spliced into session B', async () => {
      const store = makeStore();
      const a = await chunked(store, 3500, 'a');
      const b = await chunked(store, 3500, 'b');
      const s = await store.load(`session=${b.browser.get('session')}; session.1=${a.browser.get('session.1')}`);
      expect(['tampered', 'malformed']).toContain(s.invalidReason);
      expect(s.get('pad')).toBe('');
      // The response clears the head and the chunk it saw.
      const cleared = checkResponse(await s.commit());
      expect(cleared.map((c) => [c.name, c.maxAge])).toEqual([
        ['session', 0],
        ['session.1', 0],
      ]);
    });

    it('a chunk missing in the middle or at the end is incomplete, reported to onInvalid, and the response clears what came', async () => {
      const store = makeStore({ maxChunks: 4, maxBytes: 16384 });
      const { browser } = await chunked(store, 7000);
      expect(browser.names()).toEqual(['session', 'session.1', 'session.2']);
      const events: InvalidSessionEvent[] = [];
      const watched = makeStore({ maxChunks: 4, maxBytes: 16384, onInvalid: (e) => events.push(e) });
      const gap = await watched.load(`session=${browser.get('session')}; session.2=${browser.get('session.2')}`);
      expect(gap.invalidReason).toBe('incomplete');
      expect(gap.get('pad')).toBe('');
      expect(checkResponse(await gap.commit()).map((c) => [c.name, c.maxAge])).toEqual([
        ['session', 0],
        ['session.2', 0],
      ]);
      const cut = await watched.load(`session=${browser.get('session')}; session.1=${browser.get('session.1')}`);
      expect(cut.invalidReason).toBe('incomplete');
      expect(events).toEqual([
        { reason: 'incomplete', cookie: 'session' },
        { reason: 'incomplete', cookie: 'session' },
      ]);
    });

    it('chunks without their head (a Cookie header cut short) are incomplete, reported to onInvalid, and cleared', async () => {
      const store = makeStore();
      const { browser } = await chunked(store, 3500);
      const events: InvalidSessionEvent[] = [];
      const watched = makeStore({ onInvalid: (e) => events.push(e) });
      const s = await watched.load(`theme=dark; session.1=${browser.get('session.1')}`);
      expect(s.invalidReason).toBe('incomplete');
      expect(s.isNew).toBe(true);
      expect(events).toEqual([{ reason: 'incomplete', cookie: 'session' }]);
      expect(checkResponse(await s.commit()).map((c) => [c.name, c.maxAge])).toEqual([
        ['session', 0],
        ['session.1', 0],
      ]);
      // What a removal leaves behind (empty values) is no session, as an empty head is.
      const removed = await watched.load('session=; session.1=');
      expect(removed.invalidReason).toBeUndefined();
      expect(events).toHaveLength(1);
    });

    it('reordered chunks are refused', async () => {
      const store = makeStore({ maxChunks: 4, maxBytes: 16384 });
      const { browser } = await chunked(store, 7000);
      expect(browser.names()).toEqual(['session', 'session.1', 'session.2']);
      const s = await store.load(`session=${browser.get('session')}; session.1=${browser.get('session.2')}; session.2=${browser.get('session.1')}`);
      expect(['tampered', 'malformed']).toContain(s.invalidReason);
      expect(s.get('pad')).toBe('');
    });

    it('a head whose count is above maxChunks is malformed', async () => {
      const store = makeStore({ maxChunks: 4, maxBytes: 16384 });
      const { browser } = await chunked(store, 7000);
      const small = makeStore({ maxChunks: 2 });
      const s = await small.load(browser.header());
      expect(s.invalidReason).toBe('malformed');
    });

    it('a duplicated head: the first occurrence wins', async () => {
      const store = makeStore();
      const a = await chunked(store, 3500, 'a');
      const b = await chunked(store, 3500, 'b');
      const a0 = a.browser.get('session')!;
      const a1 = a.browser.get('session.1')!;
      const b0 = b.browser.get('session')!;
      // The same head twice (two paths holding the same cookie): fine.
      expect((await store.load(`session=${a0}; session=${a0}; session.1=${a1}`)).get('pad')).toBe(a.pad);
      // Another session's head first: A's chunk does not belong to it.
      const mixed = await store.load(`session=${b0}; session=${a0}; session.1=${a1}`);
      expect(['tampered', 'malformed']).toContain(mixed.invalidReason);
      // A duplicated chunk: the first one is used.
      const dupChunk = await store.load(`session=${a0}; session.1=${b.browser.get('session.1')}; session.1=${a1}`);
      expect(['tampered', 'malformed']).toContain(dupChunk.invalidReason);
    });

    it('a single-cookie head with a leftover chunk reads fine, and the next write removes the leftover', async () => {
      const store = makeStore();
      const browser = new Browser();
      await request(store, browser, (s) => s.set('n', 1));
      browser.put('session.1', 'leftover');
      const unchanged = await request(store, browser, (s) => s.get('n'));
      expect(unchanged.result).toBe(1);
      expect(unchanged.setCookies).toEqual([]);
      const r = await request(store, browser, (s) => s.set('n', 2));
      expect(r.cookies.map((c) => [c.name, isRemoval(c)])).toEqual([
        ['session', false],
        ['session.1', true],
      ]);
      expect(browser.names()).toEqual(['session']);
    });
  });

  describe('changing size', () => {
    it('shrinking from two chunks to one removes name.1 with the same attributes', async () => {
      const store = makeStore({ cookie: { path: '/app', domain: 'example.com', sameSite: 'strict' } });
      const { browser } = await chunked(store, 3500);
      const r = await request(store, browser, (s) => s.set('pad', 'short'));
      expect(r.cookies.map((c) => c.name)).toEqual(['session', 'session.1']);
      const head = cookieNamed(r.cookies, 'session');
      const removal = cookieNamed(r.cookies, 'session.1');
      expect(isRemoval(head)).toBe(false);
      expect(removal.maxAge).toBe(0);
      expect(removal.value).toBe('');
      for (const a of ['path', 'domain', 'secure', 'httponly', 'samesite']) expect(removal.attributes.get(a)).toEqual(head.attributes.get(a));
      expect(browser.names()).toEqual(['session']);
      expect((await store.load(browser.header())).get('pad')).toBe('short');
    });

    it('three chunks to one removes name.1 and name.2; growing back adds them', async () => {
      const store = makeStore({ maxChunks: 4, maxBytes: 16384 });
      const { browser } = await chunked(store, 7000);
      const shrink = await request(store, browser, (s) => s.set('pad', ''));
      expect(shrink.cookies.map((c) => [c.name, isRemoval(c)])).toEqual([
        ['session', false],
        ['session.1', true],
        ['session.2', true],
      ]);
      const grow = await request(store, browser, (s) => s.set('pad', 'g'.repeat(7000)));
      expect(grow.cookies.map((c) => c.name)).toEqual(['session', 'session.1', 'session.2']);
      expect((await store.load(browser.header())).get('pad')).toBe('g'.repeat(7000));
    });

    it('grow then shrink within one request (two commits) leaves no orphaned chunk', async () => {
      const store = makeStore();
      const browser = new Browser();
      const s = await store.load(undefined);
      s.set('pad', 'x'.repeat(3500));
      browser.apply(await s.commit());
      expect(browser.names()).toEqual(['session', 'session.1']);
      s.set('pad', '');
      browser.apply(await s.commit());
      expect(browser.names()).toEqual(['session']);
    });

    it('destroy removes every chunk', async () => {
      const store = makeStore();
      const { browser } = await chunked(store, 3500);
      const r = await request(store, browser, (s) => s.destroy());
      expect(r.cookies.map((c) => [c.name, c.maxAge])).toEqual([
        ['session', 0],
        ['session.1', 0],
      ]);
      expect(browser.header()).toBeUndefined();
    });

    it('destroy then a small write replaces the head and removes the chunk', async () => {
      const store = makeStore();
      const { browser } = await chunked(store, 3500);
      const r = await request(store, browser, (s) => {
        s.destroy();
        s.set('n', 1);
      });
      expect(r.cookies.map((c) => [c.name, isRemoval(c)])).toEqual([
        ['session', false],
        ['session.1', true],
      ]);
      expect((await store.load(browser.header())).data).toEqual({ pad: '', n: 1 });
    });
  });
});

describe('over budget', () => {
  it('commit throws ERR_SESSION_TOO_LARGE with the sizes, writes nothing, and the previous cookie still loads', async () => {
    const store = makeStore();
    const browser = new Browser();
    await request(store, browser, (s) => s.set('n', 1));
    const before = browser.header();

    const s = await store.load(browser.header());
    s.set('pad', 'z'.repeat(8000));
    const err = await rejection(s.commit());
    expect(err.code).toBe('ERR_SESSION_TOO_LARGE');
    expect(err.size).toBeDefined();
    expect(err.size!.measured).toBeGreaterThan(err.size!.allowed);
    expect(err.size!.allowed).toBe(6144);
    // The message says what to do and never contains the state.
    expect(err.message).toMatch(/maxBytes|maxChunks/);
    expect(err.message).not.toContain('zzzz');

    // Nothing reached the browser: its cookie is the old one and loads fine.
    expect(browser.header()).toBe(before);
    const back = await store.load(browser.header());
    expect(back.invalidReason).toBeUndefined();
    expect(back.data).toEqual({ pad: '', n: 1 });

    // The session can still be fixed and committed.
    s.set('pad', 'small');
    browser.apply(await s.commit());
    expect((await store.load(browser.header())).get('pad')).toBe('small');
  });

  it('with a response attached (handleSession), nothing is written on the Headers', async () => {
    const store = makeStore();
    const headers = new Headers();
    const s = await store.handleSession(new Request('https://example.com/'), headers);
    s.set('pad', 'z'.repeat(8000));
    expect((await rejection(s.commit())).code).toBe('ERR_SESSION_TOO_LARGE');
    expect(headers.getSetCookie()).toEqual([]);
  });

  it('maxBytes is honoured', async () => {
    const store = makeStore({ maxBytes: 2048 });
    const ok = await written(store, 1000);
    expect(ok).toHaveLength(1);
    const s = await store.load(undefined);
    s.set('pad', 'x'.repeat(2000));
    const err = await rejection(s.commit());
    expect(err.code).toBe('ERR_SESSION_TOO_LARGE');
    expect(err.size!.allowed).toBe(2048);
  });

  it('maxChunks: 1 (with the default maxBytes) allows one cookie only', async () => {
    const store = makeStore({ maxChunks: 1 });
    expect(await written(store, 2000)).toHaveLength(1);
    const s = await store.load(undefined);
    s.set('pad', 'x'.repeat(3500));
    const err = await rejection(s.commit());
    expect(err.code).toBe('ERR_SESSION_TOO_LARGE');
    expect(err.size!.allowed).toBeLessThanOrEqual(4097);
  });

  it('maxChunks: 2 refuses what needs three cookies', async () => {
    const store = makeStore({ maxChunks: 2 });
    expect(await written(store, 3500)).toHaveLength(2);
    const s = await store.load(undefined);
    s.set('pad', 'x'.repeat(6000));
    expect((await rejection(s.commit())).code).toBe('ERR_SESSION_TOO_LARGE');
  });

  it('maxChunks: 2 with the largest maxBytes allowed: the budget is exactly what two cookies hold in a request', async () => {
    // The largest maxBytes that constructs for 2 chunks is exactly what two cookies carry (one formula, capacityBytes).
    expect(() => makeStore({ maxChunks: 2, maxBytes: 8197 })).toThrow(expect.objectContaining({ code: 'ERR_CONFIG_OPTION', option: 'maxBytes' }));
    const store = makeStore({ maxChunks: 2, maxBytes: 8196 });
    const s = await store.load(undefined);
    s.set('pad', 'x'.repeat(9000));
    const err = await rejection(s.commit());
    expect(err.code).toBe('ERR_SESSION_TOO_LARGE');
    // allowedBytes: each cookie is name=value (4096 + 1 for '='), and every cookie after the first adds the
    // 2-octet '; ' separator of the Cookie header: (4096 + 1) + (4096 + 1 + 2) = 8196 = the largest maxBytes accepted.
    expect(err.size!.allowed).toBe(8196);
  });

  it('a request carrying more than the budget is refused unopened as oversized', async () => {
    const big = makeStore({ maxChunks: 4, maxBytes: 16384 });
    const { browser } = await chunked(big, 7000);
    const events: InvalidSessionEvent[] = [];
    const small = makeStore({ maxChunks: 4, onInvalid: (e) => events.push(e) });
    const s = await small.load(browser.header());
    expect(s.invalidReason).toBe('oversized');
    expect(events).toEqual([{ reason: 'oversized', cookie: 'session' }]);
  });

  it('a write validates before sizing: an invalid value throws ERR_SESSION_INVALID, not TOO_LARGE', async () => {
    const s = await makeStore().load(undefined);
    expect(thrown(() => s.set('pad', 5 as unknown as string)).code).toBe('ERR_SESSION_INVALID');
  });
});
