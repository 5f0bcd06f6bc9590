/**
 * Key rotation end to end: a fleet of servers (separate stores, redeployed
 * one at a time with a new key ring) and a population of browsers, through
 * the four steps of SECURITY.md:
 *
 *   (1) add key 2 to every server as a non-current key: [1, 2]
 *   (2) finish rolling that out
 *   (3) make key 2 current: [2, 1] — cookies are re-sealed under 2 on their next request
 *   (4) retire key 1: [2]
 *
 * Nobody is logged out at any step, except, by design, browsers that slept
 * through step 3 with a cookie sealed only under key 1 (reason `unknown-key`).
 * Single-store rotation details are in test/seal/store-rotation.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { CookieSessionStore, type KeyDefinition } from '../../src/index';
import { Browser, ironParts } from '../session/helpers';
import { SECRET_1, SECRET_2 } from '../security/helpers';

const K1: KeyDefinition = { id: '1', secret: SECRET_1 };
const K2: KeyDefinition = { id: '2', secret: SECRET_2 };
const SERVERS = 4;

type State = { user?: string; visits?: number };

/** A fleet of servers behind a load balancer; `deploy` replaces one server's store. */
class Fleet {
  readonly #servers: CookieSessionStore[];
  constructor(keys: readonly KeyDefinition[]) {
    this.#servers = Array.from({ length: SERVERS }, () => new CookieSessionStore({ keys }));
  }
  deploy(index: number, keys: readonly KeyDefinition[]): void {
    this.#servers[index] = new CookieSessionStore({ keys });
  }
  server(index: number): CookieSessionStore {
    return this.#servers[index % SERVERS]!;
  }
}

/** One user with one browser, who knows how many visits the server should have counted. */
class User {
  readonly browser = new Browser();
  visits = 0;
  #requests: number;
  /** `start` spreads users over the servers (user k's first request goes to server k). */
  constructor(
    readonly name: string,
    start: number,
  ) {
    this.#requests = start;
  }

  /** The key id the browser's session cookie is sealed with. */
  keyId(): string | undefined {
    const value = this.browser.get('session');
    return value === undefined ? undefined : ironParts(value)[1];
  }

  async logIn(fleet: Fleet): Promise<void> {
    const session = await fleet.server(this.#requests++).load(this.browser.header());
    session.renew();
    session.update(() => ({ user: this.name, visits: 0 }));
    this.browser.apply(await session.commit());
    this.visits = 0;
  }

  /** A request to the next server; `write` false is a read-only page view. Returns why the session was lost, if it was. */
  async visit(fleet: Fleet, write = true): Promise<string | undefined> {
    const session = await fleet.server(this.#requests++).load(this.browser.header());
    const data = session.data as State;
    if (session.isNew || data.user !== this.name || data.visits !== this.visits) {
      return session.invalidReason ?? `logged out (user ${String(data.user)}, visits ${String(data.visits)} ≠ ${this.visits})`;
    }
    if (write) {
      session.set('visits', ++this.visits);
    }
    this.browser.apply(await session.commit());
    return undefined;
  }
}

/** Every user visits once; returns the users who were logged out, with the reason. */
async function round(fleet: Fleet, users: readonly User[], write = true): Promise<string[]> {
  const lost: string[] = [];
  for (const [i, user] of users.entries()) {
    const reason = await user.visit(fleet, write && i % 2 === 0);
    if (reason) lost.push(`${user.name}: ${reason}`);
  }
  return lost;
}

/** Redeploy the servers one by one, with a round of traffic after each. */
async function rollingDeploy(fleet: Fleet, keys: readonly KeyDefinition[], users: readonly User[]): Promise<string[]> {
  const lost: string[] = [];
  for (let i = 0; i < SERVERS; i++) {
    fleet.deploy(i, keys);
    lost.push(...(await round(fleet, users)));
  }
  return lost;
}

describe('the four-step rotation across a fleet', () => {
  it('logs nobody out, except sleepers whose cookie is sealed only under the retired key', async () => {
    const fleet = new Fleet([K1]);
    const active = Array.from({ length: 24 }, (_, i) => new User(`active-${i}`, i));
    const sleepers = Array.from({ length: 8 }, (_, i) => new User(`sleeper-${i}`, i));
    const everyone = [...active, ...sleepers];
    for (const user of everyone) await user.logIn(fleet);
    expect(await round(fleet, everyone)).toEqual([]);

    // (1) + (2): key 2 known everywhere, not yet used.
    expect(await rollingDeploy(fleet, [K1, K2], everyone)).toEqual([]);
    expect(new Set(everyone.map((u) => u.keyId()))).toEqual(new Set(['1']));

    // (3): key 2 current. The sleepers are away from here on.
    expect(await rollingDeploy(fleet, [K2, K1], active)).toEqual([]);
    // Every server is now [2, 1]: one more request re-seals every cookie under key 2,
    // also for read-only requests (odd users do not write).
    expect(await round(fleet, active, false)).toEqual([]);
    expect(new Set(active.map((u) => u.keyId()))).toEqual(new Set(['2']));
    expect(new Set(sleepers.map((u) => u.keyId()))).toEqual(new Set(['1']));

    // (4): key 1 retired.
    expect(await rollingDeploy(fleet, [K2], active)).toEqual([]);
    expect(await round(fleet, active)).toEqual([]);

    // The sleepers come back: their key-1 cookies are refused as unknown-key, and they sign in again.
    for (const user of sleepers) {
      const session = await fleet.server(0).load(user.browser.header());
      expect(session.invalidReason).toBe('unknown-key');
      expect(session.isNew).toBe(true);
      // unknown-key does not delete the cookie (another server may still know the key)…
      expect(await session.commit()).toEqual([]);
      // …and a new sign-in replaces it.
      await user.logIn(fleet);
      expect(user.keyId()).toBe('2');
      expect(await user.visit(fleet)).toBeUndefined();
    }
  });

  it('skipping step (1) logs users out while the deploy rolls (why the procedure has it)', async () => {
    const fleet = new Fleet([K1]);
    const users = Array.from({ length: 12 }, (_, i) => new User(`user-${i}`, i));
    for (const user of users) await user.logIn(fleet);
    // Straight to [2, 1] on one server while the others only know key 1.
    fleet.deploy(0, [K2, K1]);
    const lost = [...(await round(fleet, users)), ...(await round(fleet, users))];
    expect(lost.length).toBeGreaterThan(0);
    expect(lost.every((l) => l.endsWith('unknown-key'))).toBe(true);
  });

  it('changing `iterations` changes every key of the ring: cookies sealed before read as tampered', async () => {
    const before = new CookieSessionStore({ keys: [K1] });
    const after = new CookieSessionStore({ keys: [K1], iterations: 100_000 });
    const user = new User('stretched', 0);
    const session = await before.load(undefined);
    session.set('user', user.name);
    user.browser.apply(await session.commit());
    expect((await after.load(user.browser.header())).invalidReason).toBe('tampered');
    // The same ring with the same setting reads its own cookies, of course.
    const fresh = await after.load(undefined);
    fresh.set('user', user.name);
    const again = await new CookieSessionStore({ keys: [K1], iterations: 100_000 }).load((await fresh.commit())[0]!.split(';')[0]);
    expect(again.data).toEqual({ user: user.name });
  });

  it('retiring key 1 before every cookie was re-sealed logs those users out', async () => {
    const fleet = new Fleet([K2, K1]);
    const user = new User('late', 0);
    await user.logIn(new Fleet([K1]));
    expect(user.keyId()).toBe('1');
    for (let i = 0; i < SERVERS; i++) fleet.deploy(i, [K2]);
    expect(await user.visit(fleet)).toBe('unknown-key');
  });
});
