/**
 * Run by uncommitted.test.ts in a child process (`node --expose-gc --import
 * tsx`): sessions from store.fetch / store.next that are dropped, then
 * garbage-collected for real. Prints one JSON line: the warnings each store's
 * onWarning hook received (by scenario), and what the default reporter
 * printed on console.warn.
 */
import { MutableRequestCookiesAdapter } from 'next/dist/server/web/spec-extension/adapters/request-cookies';
import { RequestCookies } from 'next/dist/compiled/@edge-runtime/cookies';
import { CookieSessionStore, type CookieStoreLike, type SessionWarning } from '../../src/index';

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc');

const KEYS = 'uncommitted-gc-test-secret-0123456789abcdefghij';
const received: Record<string, string[]> = {};

/** A store whose warnings are recorded under `scenario`. */
function hooked(scenario: string): CookieSessionStore {
  received[scenario] = [];
  return new CookieSessionStore({ keys: KEYS, onWarning: (w: SessionWarning) => received[scenario]!.push(`${w.code}: ${w.message}`) });
}

const request = () => new Request('http://127.0.0.1/');
const nextCookies = () => MutableRequestCookiesAdapter.wrap(new RequestCookies(new Headers())) as unknown as CookieStoreLike;

/** Each scenario runs in its own function, so nothing keeps its session reachable afterwards. */
const scenarios: Record<string, () => Promise<void>> = {
  async 'fetch: changed, never committed'() {
    const session = await hooked('fetch: changed, never committed').fetch(request(), new Headers());
    session.set('user', 'ada');
  },
  async 'fetch without a target: changed, never committed'() {
    const session = await hooked('fetch without a target: changed, never committed').handleSession(request());
    session.destroy();
  },
  async 'fetch: changed and committed'() {
    const session = await hooked('fetch: changed and committed').fetch(request(), new Headers());
    session.set('user', 'ada');
    await session.commit();
  },
  async 'fetch: committed, then changed again'() {
    const session = await hooked('fetch: committed, then changed again').fetch(request(), new Headers());
    session.set('user', 'ada');
    await session.commit();
    session.set('user', 'grace');
  },
  async 'fetch: only read'() {
    const session = await hooked('fetch: only read').fetch(request(), new Headers());
    session.get('user');
  },
  async 'next: changed, never committed'() {
    const session = await hooked('next: changed, never committed').next(nextCookies());
    session.set('user', 'ada');
  },
  async 'next: changed and committed'() {
    const session = await hooked('next: changed and committed').handleSession(nextCookies());
    session.set('user', 'ada');
    await session.commit();
  },
  async 'settled by an integration'() {
    const store = hooked('settled by an integration');
    const session = await store.fetch(request(), new Headers());
    session.set('user', 'ada');
    store.settle(session);
  },
};

const printed: string[] = [];
const warnOriginal = console.warn;
console.warn = (...args: unknown[]) => void printed.push(args.map(String).join(' '));

async function collect(): Promise<void> {
  for (let i = 0; i < 20; i++) {
    gc!();
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

for (const run of Object.values(scenarios)) await run();
// The default reporter: two forgotten sessions of a store without a hook.
const plain = new CookieSessionStore({ keys: KEYS });
for (let i = 0; i < 2; i++) {
  await (async () => {
    const session = await plain.fetch(request());
    session.set('user', `user-${i}`);
  })();
}
await collect();
console.warn = warnOriginal;
process.stdout.write(`${JSON.stringify({ received, printed })}\n`);
