/**
 * Issue 5: a whole session round trip, ours vs iron-session 9 vs the floor,
 * measured side by side in one run. Only the library's work is timed: every
 * Request/Headers and IncomingMessage/ServerResponse is built before the
 * clock starts, for every contender alike.
 *
 * - floor: synchronous node:crypto AES-256-GCM open, JSON, change one field,
 *   JSON, AES-256-GCM seal, Set-Cookie string — the least any encrypted
 *   cookie session can cost.
 * - ours: `store.handleSession(...)`, `session.set(...)`, `session.commit()`.
 *   Every case sends the same cookie again, as a browser does between two
 *   changes; with the default token cache the store recognises a cookie it
 *   sealed or verified and skips the HMAC and decryption. The "token cache
 *   off" rows are the cost for a cookie this process has never seen.
 * - iron-session 9: `getIronSession(...)`, change, `session.save()`.
 */
import { randomBytes } from 'node:crypto';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { getIronSession, nodeCookies, webCookies } from 'iron-session';
import { CookieSessionStore } from 'sealed-session';
import { recordTarget } from './targets';
import { SECRET, STATE, floorCookie, floorOpen, floorSeal, floorSetCookie, schema, type State } from './fixtures';

export const title = 'session round trip: sealed-session vs iron-session 9 vs the AES-GCM floor';

const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 250);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);

// ---------------------------------------------------------------- fixtures
const cookieOf = (setCookies: readonly string[]) => setCookies.map((c) => c.slice(0, c.indexOf(';'))).join('; ');

function store(options: { crypto?: 'webcrypto'; maxChunks?: number; maxBytes?: number; tokenCache?: number } = {}) {
  return new CookieSessionStore({ keys: SECRET, schema, cookie: { name: 'sid' }, ...options });
}

async function oursCookie(s: ReturnType<typeof store>, state: State): Promise<string> {
  const session = await s.load(undefined);
  session.update(() => state);
  return cookieOf(await session.commit());
}

const ironOptions = { password: SECRET, cookieName: 'iron', ttl: 7 * 86_400 };
async function ironCookie(state: State): Promise<string> {
  const headers = new Headers();
  const session = await getIronSession<State>(webCookies(new Request('http://127.0.0.1/'), headers), ironOptions);
  Object.assign(session, state);
  await session.save();
  return cookieOf(headers.getSetCookie());
}

function nodePair(cookie: string): [IncomingMessage, ServerResponse] {
  const req = new IncomingMessage(new Socket());
  req.headers = { cookie, host: '127.0.0.1' };
  return [req, new ServerResponse(req)];
}

// ---------------------------------------------------------------- harness
interface Case<I> {
  readonly name: string;
  /** Build one input (not timed). */
  readonly input: () => I;
  /** The work (timed). */
  readonly run: (input: I) => unknown;
}

/** Inputs built per batch: small, so that a large live set of prebuilt objects does not slow the collector for everyone. */
const BATCH = 256;

/**
 * Median µs per call over ROUNDS rounds. A round times batches of BATCH
 * prebuilt inputs (building them is not timed) until it has run for about
 * ROUND_MS of measured time.
 */
async function measure<I>(c: Case<I>): Promise<number> {
  const round = async (): Promise<number> => {
    let measured = 0;
    let calls = 0;
    while (measured < ROUND_MS) {
      const inputs = Array.from({ length: BATCH }, c.input);
      const t0 = performance.now();
      for (const input of inputs) await c.run(input);
      measured += performance.now() - t0;
      calls += BATCH;
    }
    return (measured * 1000) / calls;
  };
  await round(); // warm-up
  const perOp: number[] = [];
  for (let r = 0; r < ROUNDS; r++) perOp.push(await round());
  perOp.sort((a, b) => a - b);
  return perOp[perOp.length >> 1]!;
}

export interface Result {
  readonly name: string;
  readonly us: number;
}

const fmt = (us: number) => (us >= 100 ? us.toFixed(0) : us.toFixed(1));

export async function run(): Promise<Result[]> {
  const ours = store();
  // The same store without the token cache: every load verifies and decrypts (a cookie this process never saw).
  const cold = store({ tokenCache: 0 });
  const oursWeb = store({ crypto: 'webcrypto' });
  const oursCookieValue = await oursCookie(ours, STATE);
  const webCookieValue = await oursCookie(oursWeb, STATE);
  const coldCookieValue = await oursCookie(cold, STATE);
  const ironCookieValue = await ironCookie(STATE);
  const floorCookieValue = `floor=${floorSeal(STATE)}`;
  const request = (cookie: string) => () => ({ request: new Request('http://127.0.0.1/', { headers: { cookie } }), headers: new Headers() });

  const cases: Case<any>[] = [
    {
      name: 'floor: AES-GCM round trip (Web)',
      input: request(floorCookieValue),
      run: ({ request, headers }: { request: Request; headers: Headers }) => {
        const state = floorOpen(floorCookie(request.headers.get('cookie')));
        state.count++;
        headers.append('set-cookie', floorSetCookie(floorSeal(state)));
      },
    },
    {
      name: 'ours: round trip (Web)',
      input: request(oursCookieValue),
      run: async ({ request, headers }: { request: Request; headers: Headers }) => {
        const session = await ours.handleSession(request, headers);
        session.set('count', session.get('count') + 1);
        await session.commit();
      },
    },
    {
      name: 'ours, token cache off: round trip (Web)',
      input: request(coldCookieValue),
      run: async ({ request, headers }: { request: Request; headers: Headers }) => {
        const session = await cold.handleSession(request, headers);
        session.set('count', session.get('count') + 1);
        await session.commit();
      },
    },
    {
      name: 'iron-session 9: round trip (Web)',
      input: request(ironCookieValue),
      run: async ({ request, headers }: { request: Request; headers: Headers }) => {
        const session = await getIronSession<State>(webCookies(request, headers), ironOptions);
        session.count = (session.count ?? 0) + 1;
        await session.save();
      },
    },
    {
      name: 'floor: AES-GCM round trip (node:http)',
      input: () => nodePair(floorCookieValue),
      run: ([req, res]: [IncomingMessage, ServerResponse]) => {
        const state = floorOpen(floorCookie(req.headers.cookie));
        state.count++;
        res.setHeader('set-cookie', [floorSetCookie(floorSeal(state))]);
      },
    },
    {
      name: 'ours: round trip (node:http)',
      input: () => nodePair(oursCookieValue),
      run: async ([req, res]: [IncomingMessage, ServerResponse]) => {
        const session = await ours.handleSession(req, res);
        session.set('count', session.get('count') + 1);
        await session.commit();
      },
    },
    {
      name: 'iron-session 9: round trip (node:http)',
      input: () => nodePair(ironCookieValue),
      run: async ([req, res]: [IncomingMessage, ServerResponse]) => {
        const session = await getIronSession<State>(nodeCookies(req, res), ironOptions);
        session.count = (session.count ?? 0) + 1;
        await session.save();
      },
    },
    {
      name: 'ours: read only (Web)',
      input: request(oursCookieValue),
      run: async ({ request }: { request: Request }) => (await ours.handleSession(request)).get('user'),
    },
    {
      name: 'ours, token cache off: read only (Web)',
      input: request(coldCookieValue),
      run: async ({ request }: { request: Request }) => (await cold.handleSession(request)).get('user'),
    },
    {
      name: 'iron-session 9: read only (Web)',
      input: request(ironCookieValue),
      run: async ({ request, headers }: { request: Request; headers: Headers }) =>
        (await getIronSession<State>(webCookies(request, headers), ironOptions)).user,
    },
    {
      name: 'ours, WebCrypto engine: round trip (Web)',
      input: request(webCookieValue),
      run: async ({ request, headers }: { request: Request; headers: Headers }) => {
        const session = await oursWeb.handleSession(request, headers);
        session.set('count', session.get('count') + 1);
        await session.commit();
      },
    },
  ];

  // State sizes: 100 B, 1 KB, 3 KB, and a 10 KB state spread over chunks.
  const big = store({ maxChunks: 4, maxBytes: 16_384 });
  for (const [label, bytes] of [['100 B', 100], ['1 KB', 1024], ['3 KB', 3072], ['10 KB, chunked', 10_240]] as const) {
    const state: State = { cart: [], theme: 'dark', count: 0, blob: randomBytes(bytes).toString('base64url').slice(0, bytes) };
    const cookie = await oursCookie(big, state);
    cases.push({
      name: `ours: round trip, ${label} state (Web; ${cookie.split('; ').length} cookie${cookie.includes('; ') ? 's' : ''})`,
      input: request(cookie),
      run: async ({ request, headers }: { request: Request; headers: Headers }) => {
        const session = await big.handleSession(request, headers);
        session.set('count', session.get('count') + 1);
        await session.commit();
      },
    });
  }

  const results: Result[] = [];
  for (const c of cases) results.push({ name: c.name, us: await measure(c) });

  const us = (name: string) => results.find((r) => r.name === name)!.us;
  console.log('| operation | µs/op |\n|---|---:|');
  for (const r of results) console.log(`| ${r.name} | ${fmt(r.us)} |`);
  const ratios: Array<[string, number, string, number]> = [
    ['Web round trip: iron-session ÷ ours', us('iron-session 9: round trip (Web)') / us('ours: round trip (Web)'), '≥ 40x', 40],
    ['Web round trip: ours ÷ floor', us('ours: round trip (Web)') / us('floor: AES-GCM round trip (Web)'), '≤ 2x', -2],
    ['Web round trip, token cache off: iron-session ÷ ours', us('iron-session 9: round trip (Web)') / us('ours, token cache off: round trip (Web)'), '≥ 40x', 40],
    ['Web round trip, token cache off: ours ÷ floor', us('ours, token cache off: round trip (Web)') / us('floor: AES-GCM round trip (Web)'), '≤ 2x', -2],
    ['node:http round trip: iron-session ÷ ours', us('iron-session 9: round trip (node:http)') / us('ours: round trip (node:http)'), '≥ 40x', 40],
    ['node:http round trip: ours ÷ floor', us('ours: round trip (node:http)') / us('floor: AES-GCM round trip (node:http)'), '≤ 2x', -2],
    ['read only: iron-session ÷ ours', us('iron-session 9: read only (Web)') / us('ours: read only (Web)'), '≥ 40x', 40],
    ['read only, token cache off: iron-session ÷ ours', us('iron-session 9: read only (Web)') / us('ours, token cache off: read only (Web)'), '≥ 40x', 40],
    ['WebCrypto engine: iron-session ÷ ours', us('iron-session 9: round trip (Web)') / us('ours, WebCrypto engine: round trip (Web)'), '≥ 4x', 4],
  ];
  console.log('\n| ratio | measured | target | met |\n|---|---:|---|---|');
  for (const [name, value, target, bound] of ratios) {
    const met = bound > 0 ? value >= bound : value <= -bound;
    console.log(`| ${name} | ${value.toFixed(1)}x | ${target} | ${met ? 'yes' : 'NO'} |`);
    recordTarget({ module: 'roundtrip', what: name, measured: `${value.toFixed(1)}x`, target, met });
  }
  return results;
}
