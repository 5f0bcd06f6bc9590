/**
 * Expiry under a clock that jumps forward and back (vi.setSystemTime; only
 * `Date` is faked, so crypto and I/O run for real). The client here replays
 * its cookies whatever their Max-Age says, as an attacker who copied them
 * would: every limit asserted is enforced by the server.
 *
 * Semantics observed (and documented in SECURITY.md):
 * - the absolute lifetime counts from the creation time sealed in the cookie
 *   in whole seconds, rounded down, so a session dies up to 1 s early, never late;
 * - the idle timeout counts from the last time a cookie was issued (ms);
 * - both are exact on the reading server's clock: the skew allowance does
 *   not extend them;
 * - the cookie also carries the earlier of the two ends as they stood when it
 *   was issued (its sealed expiry), which binds with the skew allowance even
 *   after a redeploy relaxes ttl or idleTimeout;
 * - a creation or issue time more than `timestampSkewSec` (default 60, at
 *   most 600) ahead of the reading server's clock is refused (`clock-skew`).
 */
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { CookieSessionStore, type CookieSessionStoreOptions, type InvalidReason, SessionError, unsealData } from '../../src/index';
import { sealWithRing } from '../../src/seal/index';
import { newSessionId } from '../../src/session/payload';
import { SECRET_1 } from '../security/helpers';
import { fixClock } from '../helpers/clock';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
/** A whole second, so that the seconds-resolution creation time is exact. */
const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);

fixClock(T0);

const at = (ms: number) => vi.setSystemTime(T0 + ms);

/** A client that keeps and replays its cookies, ignoring Max-Age (it only obeys removals). */
class ReplayingClient {
  readonly #jar = new Map<string, string>();
  header(): string | undefined {
    return this.#jar.size ? [...this.#jar].map(([n, v]) => `${n}=${v}`).join('; ') : undefined;
  }
  apply(setCookies: readonly string[]): void {
    for (const c of setCookies) {
      const pair = c.slice(0, c.indexOf(';'));
      const name = pair.slice(0, pair.indexOf('='));
      if (/; Max-Age=0;/.test(c)) this.#jar.delete(name);
      else this.#jar.set(name, pair.slice(name.length + 1));
    }
  }
}

function makeStore(options: Partial<CookieSessionStoreOptions> = {}) {
  return new CookieSessionStore({ keys: SECRET_1, ...options });
}

/** One request: load, optionally write, commit, apply. Returns the reason the cookie was refused, if it was. */
async function visit(store: CookieSessionStore, client: ReplayingClient, write = true): Promise<InvalidReason | undefined> {
  const session = await store.load(client.header());
  if (write) session.set('visits', ((session.get('visits') as number | undefined) ?? 0) + 1);
  client.apply(await session.commit());
  return session.invalidReason;
}

/** Load without writing anything back (the replayed cookie stays as it was). */
async function peek(store: CookieSessionStore, header: string | undefined) {
  return store.load(header);
}

describe('absolute lifetime (ttl)', () => {
  it('no session outlives ttl, however active its client', async () => {
    const store = makeStore({ ttl: HOUR / SECOND, idleTimeout: (10 * MINUTE) / SECOND });
    const client = new ReplayingClient();
    await visit(store, client);
    for (let t = 5 * MINUTE; t < HOUR; t += 5 * MINUTE) {
      at(t);
      expect(await visit(store, client), `at ${t / MINUTE} min`).toBeUndefined();
    }
    at(HOUR - 1);
    expect((await peek(store, client.header())).invalidReason).toBeUndefined();
    at(HOUR);
    expect(await visit(store, client)).toBe('expired');
  });

  it('counts from the creation second, rounded down: a session created at x.999 s dies up to 1 s early, never late', async () => {
    vi.setSystemTime(T0 + 999);
    const store = makeStore({ ttl: 60, idleTimeout: false });
    const client = new ReplayingClient();
    await visit(store, client);
    const header = client.header();
    vi.setSystemTime(T0 + 60 * SECOND - 1);
    expect((await peek(store, header)).invalidReason).toBeUndefined();
    vi.setSystemTime(T0 + 60 * SECOND);
    expect((await peek(store, header)).invalidReason).toBe('expired');
  });

  it('a forward jump of the clock expires the session; the skew allowance does not extend it', async () => {
    const store = makeStore({ ttl: HOUR / SECOND, idleTimeout: false, timestampSkewSec: 600 });
    const client = new ReplayingClient();
    await visit(store, client);
    const header = client.header();
    at(HOUR + 1);
    expect((await peek(store, header)).invalidReason).toBe('expired');
    at(365 * 24 * HOUR);
    expect((await peek(store, header)).invalidReason).toBe('expired');
  });

  it('a session given its own lifetime (setTtl) dies at its end, through later writes', async () => {
    const store = makeStore({ ttl: 24 * 3600, idleTimeout: false });
    const client = new ReplayingClient();
    const first = await store.load(undefined);
    first.setTtl(120);
    client.apply(await first.commit());
    at(119 * SECOND);
    expect(await visit(store, client)).toBeUndefined();
    at(120 * SECOND);
    expect(await visit(store, client)).toBe('expired');
  });
});

describe('idle timeout', () => {
  const idle = 10 * MINUTE;
  const store = () => makeStore({ ttl: 86_400, idleTimeout: idle / SECOND });

  it('an untouched cookie dies exactly idleTimeout after it was issued', async () => {
    const s = store();
    const client = new ReplayingClient();
    await visit(s, client);
    const header = client.header();
    at(idle - 1);
    expect((await peek(s, header)).invalidReason).toBeUndefined();
    at(idle);
    expect((await peek(s, header)).invalidReason).toBe('idle');
  });

  it('a read after half the window re-issues the cookie and slides the window; a read before does not', async () => {
    const s = store();
    const client = new ReplayingClient();
    await visit(s, client);
    at(4 * MINUTE);
    expect(await visit(s, client, false)).toBeUndefined(); // before half: nothing re-issued
    at(idle);
    expect((await peek(s, client.header())).invalidReason).toBe('idle');

    const other = new ReplayingClient();
    at(20 * MINUTE);
    await visit(s, other);
    at(26 * MINUTE);
    expect(await visit(s, other, false)).toBeUndefined(); // after half: re-issued at 26 min
    at(26 * MINUTE + idle - 1);
    expect((await peek(s, other.header())).invalidReason).toBeUndefined();
    at(26 * MINUTE + idle);
    expect((await peek(s, other.header())).invalidReason).toBe('idle');
  });

  it('an old cookie replayed after a newer one was issued still dies on its own idle clock', async () => {
    const s = store();
    const client = new ReplayingClient();
    await visit(s, client);
    const old = client.header();
    at(8 * MINUTE);
    await visit(s, client);
    at(idle);
    expect((await peek(s, old)).invalidReason).toBe('idle');
    expect((await peek(s, client.header())).invalidReason).toBeUndefined();
  });
});

describe('the skew allowance extends no deadline of an unchanged configuration', () => {
  it('idle timeout and absolute expiry are exact: with the largest allowance (600 s) a cookie dies at its deadline, not 600 s after', async () => {
    const idleStore = makeStore({ ttl: 86_400, idleTimeout: 600, timestampSkewSec: 600 });
    const idleClient = new ReplayingClient();
    await visit(idleStore, idleClient);
    at(10 * MINUTE - 1);
    expect((await peek(idleStore, idleClient.header())).invalidReason).toBeUndefined();
    at(10 * MINUTE);
    expect((await peek(idleStore, idleClient.header())).invalidReason).toBe('idle');
    at(10 * MINUTE + 599 * SECOND);
    expect((await peek(idleStore, idleClient.header())).invalidReason).toBe('idle');

    at(0);
    const ttlStore = makeStore({ ttl: 3600, idleTimeout: false, timestampSkewSec: 600 });
    const ttlClient = new ReplayingClient();
    await visit(ttlStore, ttlClient);
    at(HOUR - 1);
    expect((await peek(ttlStore, ttlClient.header())).invalidReason).toBeUndefined();
    at(HOUR);
    expect((await peek(ttlStore, ttlClient.header())).invalidReason).toBe('expired');
    at(HOUR + 599 * SECOND);
    expect((await peek(ttlStore, ttlClient.header())).invalidReason).toBe('expired');
  });
});

describe('limits sealed into the cookie still bind after a redeploy that relaxes them', () => {
  it('a cookie issued under ttl 1 h dies at 1 h (plus the skew) on a server now configured for a day', async () => {
    const before = makeStore({ ttl: 3600, idleTimeout: false });
    const after = makeStore({ ttl: 86_400, idleTimeout: false });
    const client = new ReplayingClient();
    await visit(before, client);
    at(HOUR + 59 * SECOND);
    expect((await peek(after, client.header())).invalidReason).toBeUndefined();
    at(HOUR + 60 * SECOND);
    expect((await peek(after, client.header())).invalidReason).toBe('expired');
  });

  it('a cookie issued under a 10 min idle timeout dies at 10 min (plus the skew) on a server now allowing an hour', async () => {
    const before = makeStore({ ttl: 86_400, idleTimeout: 600 });
    const after = makeStore({ ttl: 86_400, idleTimeout: 3600 });
    const client = new ReplayingClient();
    await visit(before, client);
    at(10 * MINUTE + 59 * SECOND);
    expect((await peek(after, client.header())).invalidReason).toBeUndefined();
    at(10 * MINUTE + 60 * SECOND);
    expect((await peek(after, client.header())).invalidReason).toBe('idle');
  });
});

describe('timestamps from the future and the skew allowance', () => {
  /** A cookie authentic for `store`, claiming to be created and issued at `issuedAt`. */
  async function cookieIssuedAt(store: CookieSessionStore, issuedAt: number): Promise<string> {
    const { ring, purpose, cookie } = store.options;
    const payload = { id: newSessionId(), c: Math.floor(issuedAt / 1000), v: { user: 'alice' } };
    return `${cookie.name}=${await sealWithRing(ring, payload, purpose, issuedAt, issuedAt + HOUR)}`;
  }

  it.each([
    [undefined, 60],
    [0, 0],
    [600, 600],
  ])('timestampSkewSec %s: accepts a cookie up to %i s ahead of the clock, refuses one further ahead', async (skew, seconds) => {
    const store = makeStore(skew === undefined ? {} : { timestampSkewSec: skew });
    expect((await peek(store, await cookieIssuedAt(store, T0 + seconds * SECOND))).invalidReason).toBeUndefined();
    expect((await peek(store, await cookieIssuedAt(store, T0 + seconds * SECOND + SECOND))).invalidReason).toBe('clock-skew');
  });

  it('refuses, as clock-skew, a cookie created now but issued further ahead than the skew; at the limit it is accepted', async () => {
    const store = makeStore(); // default skew: 60 s
    const { ring, purpose, cookie } = store.options;
    /** Created at T0 (not in the future), but sealed with issue time `issuedAt`. */
    const issued = async (issuedAt: number) => {
      const payload = { id: newSessionId(), c: T0 / SECOND, v: { user: 'alice' } };
      return `${cookie.name}=${await sealWithRing(ring, payload, purpose, issuedAt, issuedAt + HOUR)}`;
    };
    const atLimit = await peek(store, await issued(T0 + MINUTE));
    expect(atLimit.invalidReason).toBeUndefined();
    expect(atLimit.get('user')).toBe('alice');
    expect((await peek(store, await issued(T0 + MINUTE + 1))).invalidReason).toBe('clock-skew');
    expect((await peek(store, await issued(T0 + MINUTE + SECOND))).invalidReason).toBe('clock-skew');
  });

  it('a server whose clock went back within the skew keeps its sessions; beyond it, refuses them', async () => {
    const store = makeStore();
    const client = new ReplayingClient();
    at(HOUR);
    await visit(store, client);
    at(HOUR - 30 * SECOND);
    expect(await visit(store, client)).toBeUndefined();
    at(HOUR - 5 * MINUTE);
    expect(await visit(store, client)).toBe('clock-skew');
  });

  it('refuses a skew allowance above 600 s, below 0 or not a number, for stores and unsealData', async () => {
    for (const bad of [601, 3600, -1, Number.NaN, Number.POSITIVE_INFINITY, '60' as never]) {
      expect(() => makeStore({ timestampSkewSec: bad })).toThrow(expect.objectContaining({ code: 'ERR_CONFIG_OPTION', option: 'timestampSkewSec' }));
      await expect(unsealData('x', { keys: SECRET_1, timestampSkewSec: bad })).rejects.toBeInstanceOf(SessionError);
    }
    expect(() => makeStore({ timestampSkewSec: 600 })).not.toThrow();
  });
});

describe('random clock jumps (property)', () => {
  const TTL = 90 * MINUTE;
  const IDLE = 30 * MINUTE;
  const SKEW = 60 * SECOND;

  type Step = { jump: number; write: boolean };
  const step: fc.Arbitrary<Step> = fc.record({
    jump: fc.oneof(
      { weight: 5, arbitrary: fc.integer({ min: 0, max: 20 * MINUTE }) },
      { weight: 1, arbitrary: fc.integer({ min: -2 * MINUTE, max: 0 }) },
      { weight: 1, arbitrary: fc.integer({ min: 20 * MINUTE, max: 3 * HOUR }) },
      { weight: 2, arbitrary: fc.constantFrom(IDLE, IDLE - 1, SKEW, SKEW + 1, -SKEW, -SKEW - 1, 1000, 999) },
    ),
    write: fc.boolean(),
  });

  it('the server accepts a cookie exactly while it is inside ttl, idle and skew, by a model of its timestamps', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 25 }), async (steps) => {
        vi.setSystemTime(T0);
        const store = makeStore({ ttl: TTL / SECOND, idleTimeout: IDLE / SECOND });
        const client = new ReplayingClient();
        // The model: what the client's cookie claims.
        let cookie: { created: number; issued: number } | undefined;
        let now = T0;
        for (const { jump, write } of steps) {
          now += jump;
          vi.setSystemTime(now);
          const session = await store.load(client.header());
          if (cookie) {
            const valid = now < cookie.created + TTL && now < cookie.issued + IDLE && cookie.created <= now + SKEW && cookie.issued <= now + SKEW;
            expect(session.invalidReason === undefined, `at ${now - T0} ms: ${JSON.stringify({ cookie, reason: session.invalidReason })}`).toBe(valid);
            if (!valid) cookie = undefined;
          } else {
            expect(session.isNew).toBe(true);
          }
          if (write) session.set('visits', 1);
          const setCookies = await session.commit();
          client.apply(setCookies);
          if (setCookies.some((c) => c.startsWith('session=Fe26'))) {
            cookie = { created: cookie?.created ?? Math.floor(now / 1000) * 1000, issued: now };
          } else if (setCookies.some((c) => c.startsWith('session=;'))) {
            cookie = undefined;
          }
        }
      }),
      { numRuns: 200 },
    );
  }, 60_000);
});
