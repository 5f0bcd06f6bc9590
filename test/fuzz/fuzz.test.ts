/**
 * Session-level fuzzing, quick profile (a few thousand cases). The long run
 * is `npm run fuzz` (run.ts); both use the generators and the property of
 * `cookies.ts`. Token-level mutations of bare seals are in test/seal/fuzz.test.ts.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  buildHeader,
  checkAllPaths,
  checkObserved,
  COOKIE,
  createWorld,
  junkArb,
  mutationArb,
  referenceRead,
  Tally,
  viaLoad,
  type FuzzWorld,
  type MutationCase,
  type Observed,
  type Verdict,
} from './cookies';

const MUTATION_RUNS = 4000;
const JUNK_RUNS = 600;
const SERVER_RUNS = 300;

let world: FuzzWorld;
beforeAll(async () => {
  world = await createWorld();
});

/** The joined header of fixture `i` with its pairs edited by `edit`. */
function headerOf(i: number, edit: (pairs: Array<[string, string]>) => Array<[string, string]> = (p) => p, sep = '; '): string {
  const pairs = world.fixtures[i]!.pairs.map(([n, v]) => [n, v] as [string, string]);
  return edit(pairs)
    .map(([n, v]) => `${n}=${v}`)
    .join(sep);
}

const CHUNKED = 2; // fixtures 2 and 3 span three cookies; 0 and 1 fit one.

describe('the oracle and the property, on hand-made cases', () => {
  const replaceValue = (index: number, f: (v: string) => string) => (pairs: Array<[string, string]>) =>
    pairs.map(([n, v], i): [string, string] => [n, i === index ? f(v) : v]);

  const cases: Array<[string, () => string, Verdict]> = [
    ['the untouched single cookie', () => headerOf(0), 'original'],
    ['the untouched chunked session', () => headerOf(CHUNKED), 'original'],
    ['whitespace around every pair', () => headerOf(CHUNKED, (p) => p, ' \t;  \t'), 'original'],
    ['a quoted value', () => headerOf(0, replaceValue(0, (v) => `"${v}"`)), 'original'],
    ['every chunk quoted', () => headerOf(CHUNKED, (p) => p.map(([n, v]) => [n, `"${v}"`])), 'original'],
    ['an unrelated cookie before and after', () => `theme=dark; ${headerOf(CHUNKED)}; csrf=abc`, 'original'],
    ['chunk cookies in reverse order', () => headerOf(CHUNKED, (p) => [...p].reverse()), 'original'],
    ['a junk duplicate after the real cookie', () => `${headerOf(0)}; ${COOKIE}=junk`, 'original'],
    ['a junk duplicate before the real cookie', () => `${COOKIE}=junk; ${headerOf(0)}`, 'malformed'],
    // An empty value is what a removal leaves behind in some cookie stores: no session cookie.
    ['an empty duplicate before the real cookie', () => `${COOKIE}=; ${headerOf(0)}`, 'no-cookie'],
    ['an empty quoted duplicate before the real cookie', () => `${COOKIE}=""; ${headerOf(0)}`, 'no-cookie'],
    ['a missing middle chunk', () => headerOf(CHUNKED, (p) => p.filter(([n]) => n !== `${COOKIE}.1`)), 'incomplete'],
    ['a missing last chunk', () => headerOf(CHUNKED, (p) => p.filter(([n]) => n !== `${COOKIE}.2`)), 'incomplete'],
    // A Cookie header cut short by a proxy, or a head removed alone: the user had a session and lost it.
    ['only the chunks, no head', () => headerOf(CHUNKED, (p) => p.slice(1)), 'incomplete'],
    ['only the chunks, behind an empty head', () => headerOf(CHUNKED, (p) => [[COOKIE, ''], ...p.slice(1)]), 'incomplete'],
    ['an empty chunk without a head', () => `${COOKIE}.1=`, 'no-cookie'],
    ['a chunk spliced in from another session', () => headerOf(CHUNKED, replaceValue(1, () => world.fixtures[3]!.pairs[1]![1])), 'tampered'],
    // The MAC component then ends with a whole chunk of ciphertext: too long to be a digest.
    ['two chunk values swapped', () => headerOf(CHUNKED, (p) => [p[0]!, [p[1]![0], p[2]![1]], [p[2]![0], p[1]![1]]]), 'malformed'],
    ['one character of the MAC changed (within the alphabet)', () => headerOf(0, replaceValue(0, (v) => v.slice(0, -3) + (v.at(-3) === 'A' ? 'B' : 'A') + v.slice(-2))), 'tampered'],
    ['the ciphertext truncated by one block', () => headerOf(0, replaceValue(0, (v) => { const p = v.split('*'); p[4] = p[4]!.slice(0, -22); return p.join('*'); })), 'malformed'],
    ['the standard base64 alphabet', () => headerOf(0, replaceValue(0, (v) => v.replace(/-/g, '+').replace(/_/g, '/'))), 'malformed'],
    ['percent-encoded separators', () => headerOf(0, replaceValue(0, (v) => v.replace(/\*/g, '%2A'))), 'malformed'],
    ['the key id changed', () => headerOf(0, replaceValue(0, (v) => v.replace(/^Fe26\.2\*1\*/, 'Fe26.2*7*'))), 'unknown-key'],
    ['a 20 kB value', () => headerOf(0, replaceValue(0, (v) => v + 'A'.repeat(20_000))), 'oversized'],
    ['a 20 kB chunk inside a chunked session', () => headerOf(CHUNKED, replaceValue(2, () => 'A'.repeat(20_000))), 'oversized'],
    // Leftover chunk cookies past the head's count are not read, so they cost nothing.
    ['a 20 kB leftover chunk cookie beside a single-cookie session', () => `${headerOf(0)}; ${COOKIE}.1=${'A'.repeat(20_000)}`, 'original'],
    ['a head claiming more chunks than allowed', () => headerOf(CHUNKED, replaceValue(0, (v) => v.replace(/^3\*/, '9*'))), 'malformed'],
  ];

  it.each(cases)('%s', async (_, make, expected) => {
    const header = make();
    const { verdict } = await checkAllPaths(world, header);
    expect(verdict).toBe(expected);
  });

  it('refuses a session that reads back as another one (the property can fail)', () => {
    const a = world.fixtures[0]!;
    const b = world.fixtures[1]!;
    // Pretend the library had returned B's state for A's header.
    const forged: Observed = { id: b.id, isNew: false, invalidReason: undefined, data: b.state };
    expect(() => checkObserved(world, headerOf(0), forged)).toThrow(/does not carry its token/);
    const wrongState: Observed = { id: a.id, isNew: false, invalidReason: undefined, data: b.state };
    expect(() => checkObserved(world, headerOf(0), wrongState)).toThrow(/different state/);
    const silent: Observed = { id: 'x'.repeat(22), isNew: true, invalidReason: undefined, data: {} };
    expect(() => checkObserved(world, `${COOKIE}=junk`, silent)).toThrow(/without an invalidReason/);
  });

  it('reads headers the naive way', () => {
    expect(referenceRead('a=1; session="x"; session=y')).toEqual({ kind: 'token', token: 'x' });
    expect(referenceRead('session=2*ab; session.1=cd; session.2=ef')).toEqual({ kind: 'token', token: 'abcd' });
    expect(referenceRead('session=3*ab; session.1=cd')).toEqual({ kind: 'incomplete' });
    expect(referenceRead('session=9*ab; session.1=cd')).toEqual({ kind: 'broken' });
    expect(referenceRead('session.1=cd')).toEqual({ kind: 'incomplete' });
    expect(referenceRead('session.1=')).toEqual({ kind: 'absent' });
    expect(referenceRead('session=""; session=x')).toEqual({ kind: 'absent' });
  });
});

describe('generated cases, through store.load, handleSession(Request) and the node:http adapter', () => {
  const tally = new Tally();

  it(`${MUTATION_RUNS} mutations of real sessions (single and chunked)`, async () => {
    await fc.assert(
      fc.asyncProperty(mutationArb, async (c: MutationCase) => {
        const { verdict, web } = await checkAllPaths(world, buildHeader(world, c));
        tally.add(verdict, web);
      }),
      { numRuns: MUTATION_RUNS },
    );
    // The generators reach every kind of outcome, or this test proves less than it says.
    for (const verdict of ['original', 'no-cookie', 'malformed', 'incomplete', 'tampered', 'oversized'] as const) {
      expect(tally.verdicts.get(verdict) ?? 0, verdict).toBeGreaterThan(0);
    }
  }, 60_000);

  it(`${JUNK_RUNS} junk headers`, async () => {
    await fc.assert(
      fc.asyncProperty(junkArb, async (header) => {
        const { verdict, web } = await checkAllPaths(world, header);
        tally.add(verdict, web);
      }),
      { numRuns: JUNK_RUNS },
    );
  }, 60_000);

  it('never lets an exception escape store.load, even for non-string headers', async () => {
    for (const header of [undefined, null, 42, {}, [], Symbol('x')]) {
      const session = await world.store.load(header as unknown as string);
      expect(session.isNew).toBe(true);
      expect(session.invalidReason).toBeUndefined();
    }
    expect(await viaLoad(world, '')).toBe('no-cookie');
  });
});

describe('generated cases through a real node:http server', () => {
  let server: http.Server;
  let agent: http.Agent;
  let port: number;
  const errors = vi.spyOn(console, 'error');

  beforeAll(async () => {
    server = http.createServer({ maxHeaderSize: 256 * 1024 }, async (req, res) => {
      const session = await world.store.handleSession(req, res);
      res.setHeader('content-type', 'application/json');
      // writeHead (inside end) runs the adapter's automatic commit.
      res.end(
        JSON.stringify({ seen: req.headers.cookie ?? null, id: session.id, isNew: session.isNew, invalidReason: session.invalidReason ?? null, data: session.data }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  });

  afterAll(async () => {
    agent.destroy();
    await new Promise((resolve) => server.close(resolve));
    errors.mockRestore();
  });

  function send(header: string): Promise<{ status: number; body: string; setCookies: string[] }> {
    return new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, path: '/', agent, headers: { cookie: header } }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, setCookies: res.headers['set-cookie'] ?? [] }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  const sendable = (header: string): boolean => {
    try {
      http.validateHeaderValue('cookie', header);
      return header.length > 0;
    } catch {
      return false;
    }
  };

  it(`${SERVER_RUNS} cases: every response is a 200 whose session obeys the property`, async () => {
    let sent = 0;
    const input = fc.oneof({ weight: 4, arbitrary: mutationArb.map((c) => buildHeader(world, c)) }, { weight: 1, arbitrary: junkArb });
    await fc.assert(
      fc.asyncProperty(input, async (header) => {
        if (!sendable(header)) return;
        sent++;
        const { status, body, setCookies } = await send(header);
        expect(status).toBe(200);
        const seen = JSON.parse(body) as { seen: string | null; id: string; isNew: boolean; invalidReason: Observed['invalidReason'] | null; data: unknown };
        checkObserved(world, seen.seen ?? undefined, {
          id: seen.id,
          isNew: seen.isNew,
          invalidReason: seen.invalidReason ?? undefined,
          data: seen.data,
          setCookies,
        });
      }),
      { numRuns: SERVER_RUNS },
    );
    expect(sent).toBeGreaterThan(SERVER_RUNS / 2);
    // The node engine commits synchronously at writeHead: nothing was reported as missed.
    expect(errors).not.toHaveBeenCalled();
  }, 60_000);
});
