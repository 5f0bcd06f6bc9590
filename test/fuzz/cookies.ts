/**
 * Session-level fuzzing, shared by the quick CI profile (`fuzz.test.ts`) and
 * the long run (`npm run fuzz`, `run.ts`).
 *
 * - A *world*: one store (maxChunks 3) and four real sessions it issued: two
 *   that fit one cookie and two spread over three chunk cookies.
 * - *Generators* (fast-check) that mutate those sessions' Cookie headers:
 *   bit flips, insertions, deletions, truncations, re-encodings
 *   (percent-encoding, quoting, the standard base64 alphabet), chunk splicing
 *   across two sessions, missing / duplicated / reordered / renamed chunks,
 *   duplicate cookie names, whitespace, unrelated cookies, oversized values,
 *   and plain junk.
 * - The *property*: whatever the header, the session read back is either
 *   exactly the state of the session whose token the header still carries,
 *   byte for byte, or an empty fresh session (with an `invalidReason` when a
 *   session cookie was there). Never another state; nothing thrown.
 *
 * Which token a header "still carries" is decided by {@link referenceRead}, an
 * independent, deliberately naive reading of RFC 6265bis (§5.4 cookie-string,
 * first occurrence wins, SP/HTAB trimmed, one DQUOTE pair unwrapped), of the
 * chunk framing documented in `src/cookie/framing.ts`, and of two documented
 * store rules: an empty session cookie counts as none (what a removal leaves
 * behind in some cookie stores), and a joined value longer than `maxBytes`
 * is refused before any crypto. It never looks at the library's parser.
 *
 * No vitest import here: `run.ts` runs outside the test runner.
 */
import http from 'node:http';
import net from 'node:net';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { CookieSessionStore, type InvalidReason, type JsonObject } from '../../src/index';

/** A distinctive secret (≥ 32 characters). */
export const FUZZ_SECRET = 'fuzz-secret-0123456789-abcdefghijklmnopqrstuvwxyz';
export const COOKIE = 'session';
export const MAX_CHUNKS = 3;
/** Room for three full chunk cookies (the default 6144 holds two). */
export const MAX_BYTES = 12_000;

/** One session the store really issued, as the browser would send it back. */
export interface Fixture {
  readonly label: string;
  readonly id: string;
  readonly state: JsonObject;
  /** The Cookie pairs, head first (`session`, `session.1`, …). */
  readonly pairs: ReadonlyArray<readonly [name: string, value: string]>;
  /** The joined iron token (chunk count prefix removed). */
  readonly token: string;
}

export interface FuzzWorld {
  readonly store: CookieSessionStore;
  readonly fixtures: readonly Fixture[];
}

/** `name=value` of a Set-Cookie header value. */
function cookiePair(setCookie: string): [string, string] {
  const pair = setCookie.slice(0, setCookie.indexOf(';'));
  const eq = pair.indexOf('=');
  return [pair.slice(0, eq), pair.slice(eq + 1)];
}

/** A deterministic filler that still looks like real data (so the ciphertext is long). */
function filler(seed: string, length: number): string {
  let out = '';
  for (let i = 0; out.length < length; i++) out += `${seed}-${i.toString(36)};`;
  return out.slice(0, length);
}

/** Build the store and its four sessions. */
export async function createWorld(): Promise<FuzzWorld> {
  const store = new CookieSessionStore({ keys: FUZZ_SECRET, maxChunks: MAX_CHUNKS, maxBytes: MAX_BYTES });
  const states: Array<[string, JsonObject]> = [
    ['small A', { user: 'alice', roles: ['admin'], n: 1 }],
    ['small B', { user: 'bob', roles: [], n: 2, note: 'ünïcödé 🍪' }],
    ['chunked C', { user: 'carol', blob: filler('c', 6300) }],
    ['chunked D', { user: 'dave', blob: filler('d', 6400), n: 4 }],
  ];
  const fixtures: Fixture[] = [];
  for (const [label, state] of states) {
    const session = await store.load(undefined);
    session.update(() => state);
    const pairs = (await session.commit()).map(cookiePair);
    const read = referenceRead(pairs.map(([n, v]) => `${n}=${v}`).join('; '));
    if (read.kind !== 'token') throw new Error(`fixture ${label} does not read back`);
    fixtures.push({ label, id: session.id, state, pairs, token: read.token });
  }
  const chunked = fixtures.filter((f) => f.pairs.length === MAX_CHUNKS).length;
  if (chunked !== 2) throw new Error(`expected two fixtures over ${MAX_CHUNKS} chunk cookies, got ${chunked}`);
  return { store, fixtures };
}

// ---------------------------------------------------------------------------
// The reference reading (the oracle).

export type Read = { kind: 'absent' } | { kind: 'broken' } | { kind: 'incomplete' } | { kind: 'token'; token: string };

const trimSpTab = (s: string): string => s.replace(/^[ \t]+|[ \t]+$/g, '');

/**
 * What a session cookie group in `header` amounts to, read naively: split on
 * `;`, split each piece at its first `=`, trim SP/HTAB, skip empty names,
 * unwrap one pair of DQUOTEs, keep the first occurrence of each name; then
 * the head `session` (absent when empty) is either a whole token or
 * `<n>*<part>` with `session.1` … `session.{n-1}` appended (n ≤ maxChunks;
 * one of them missing makes the group incomplete; other chunk cookies are
 * ignored). Without a head, a non-empty `session.1` … `session.{maxChunks-1}`
 * makes the group incomplete too (a header cut short), otherwise it is absent.
 */
export function referenceRead(header: string, name = COOKIE, maxChunks = MAX_CHUNKS): Read {
  const jar = new Map<string, string>();
  for (const piece of header.split(';')) {
    const eq = piece.indexOf('=');
    if (eq === -1) continue;
    const key = trimSpTab(piece.slice(0, eq));
    if (key === '' || jar.has(key)) continue;
    let value = trimSpTab(piece.slice(eq + 1));
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    jar.set(key, value);
  }
  const head = jar.get(name);
  if (head === undefined || head === '') {
    for (let i = 1; i < maxChunks; i++) if (jar.get(`${name}.${i}`)) return { kind: 'incomplete' };
    return { kind: 'absent' };
  }
  const count = /^([2-9]|[1-9][0-9])\*/.exec(head);
  if (!count) return { kind: 'token', token: head };
  const n = Number(count[1]);
  if (n > maxChunks) return { kind: 'broken' };
  let token = head.slice(count[0].length);
  for (let i = 1; i < n; i++) {
    const part = jar.get(`${name}.${i}`);
    if (part === undefined) return { kind: 'incomplete' };
    token += part;
  }
  return { kind: 'token', token };
}

// ---------------------------------------------------------------------------
// What a session looked like to the application, from any path.

export interface Observed {
  readonly id: string;
  readonly isNew: boolean;
  readonly invalidReason: InvalidReason | undefined;
  readonly data: unknown;
  /** Set-Cookie values of the response (only checked on adapter paths). */
  readonly setCookies?: readonly string[];
}

/** How a case ended, for the statistics. */
export type Verdict = 'original' | 'no-cookie' | InvalidReason;

/**
 * The property. `header` is the Cookie header exactly as the adapter saw it.
 * Throws an Error describing the violation; returns the verdict otherwise.
 */
export function checkObserved(world: FuzzWorld, header: string | undefined, seen: Observed): Verdict {
  const read = referenceRead(header ?? '');
  const fail = (why: string): never => {
    const shown = header === undefined ? 'undefined' : JSON.stringify(header.length > 300 ? `${header.slice(0, 300)}…(${header.length})` : header);
    throw new Error(`${why}\n  header: ${shown}\n  seen: ${JSON.stringify({ ...seen, data: undefined })}`);
  };
  const byId = world.fixtures.find((f) => f.id === seen.id);
  const match = read.kind === 'token' ? world.fixtures.find((f) => f.token === read.token) : undefined;

  if (byId) {
    // A known session came back: only allowed when the header carries its exact token.
    if (match !== byId) fail(`session ${byId.label} was read from a header that does not carry its token`);
    if (seen.isNew || seen.invalidReason !== undefined) fail(`session ${byId.label} read with isNew/invalidReason set`);
    if (!isDeepStrictEqual(seen.data, byId.state)) fail(`session ${byId.label} read with a different state`);
    if (seen.setCookies !== undefined && seen.setCookies.length !== 0) fail('an unchanged session wrote cookies');
    return 'original';
  }

  // Otherwise the session must be a fresh, empty one.
  if (!seen.isNew) fail('a session that is not one of ours is not new');
  if (!isDeepStrictEqual(seen.data, {})) fail('a fresh session holds state');
  if (read.kind === 'absent') {
    if (seen.invalidReason !== undefined) fail(`no session cookie, yet invalidReason ${seen.invalidReason}`);
    if (seen.setCookies !== undefined && seen.setCookies.length !== 0) fail('no session cookie, yet the response sets cookies');
    return 'no-cookie';
  }
  const reason = seen.invalidReason;
  if (reason === undefined) return fail('a session cookie was refused without an invalidReason');
  if (match) fail(`the authentic token of ${match.label} was refused as ${reason}`);
  // The budget: a joined value over maxBytes is refused, before any crypto; one within it never is.
  if (read.kind === 'token' && (read.token.length > MAX_BYTES) !== (reason === 'oversized')) {
    fail(`a ${read.token.length}-octet value (budget ${MAX_BYTES}) refused as ${reason}`);
  }
  if (read.kind === 'broken' && reason !== 'malformed') fail(`broken chunk framing refused as ${reason}`);
  if ((read.kind === 'incomplete') !== (reason === 'incomplete')) fail(`a ${read.kind} chunk group refused as ${reason}`);
  if (seen.setCookies !== undefined) {
    // A refused cookie is removed, except one sealed with a key this server does not know.
    const removes = seen.setCookies.some((c) => c.startsWith(`${COOKIE}=;`) && /; Max-Age=0;/.test(c));
    if (reason === 'unknown-key' ? seen.setCookies.length !== 0 : !removes) fail(`wrong Set-Cookie for a ${reason} cookie: ${JSON.stringify(seen.setCookies)}`);
  }
  return reason;
}

// ---------------------------------------------------------------------------
// The paths a header takes into the library.

const observe = (session: { id: string; isNew: boolean; invalidReason: InvalidReason | undefined; data: unknown }, setCookies?: readonly string[]): Observed => ({
  id: session.id,
  isNew: session.isNew,
  invalidReason: session.invalidReason,
  data: session.data,
  ...(setCookies !== undefined && { setCookies }),
});

/** `store.load(header)`. */
export async function viaLoad(world: FuzzWorld, header: string): Promise<Verdict> {
  return checkObserved(world, header, observe(await world.store.load(header)));
}

/**
 * `store.handleSession(new Request(...))`. Returns `undefined` when the header
 * is not something a Fetch `Headers` can hold (NUL, CR, LF, code points over
 * 0xFF): those never reach a Web handler, so there is nothing to test.
 */
export async function viaRequest(world: FuzzWorld, header: string): Promise<Verdict | undefined> {
  let request: Request;
  try {
    request = new Request('http://127.0.0.1/', { headers: { cookie: header } });
  } catch {
    return undefined;
  }
  const session = await world.store.handleSession(request);
  return checkObserved(world, request.headers.get('cookie') ?? undefined, observe(session));
}

const detachedSocket = new net.Socket();

/**
 * The node:http adapter with real `IncomingMessage` / `ServerResponse`
 * objects (no network: the socket is never connected). `writeHead` runs the
 * adapter's automatic commit, and the Set-Cookie it produced is checked.
 */
export async function viaNodeObjects(world: FuzzWorld, header: string): Promise<Verdict> {
  const req = new http.IncomingMessage(detachedSocket);
  req.headers = { cookie: header };
  const res = new http.ServerResponse(req);
  const session = await world.store.handleSession(req, res);
  const before = observe(session);
  res.writeHead(200);
  const sent = res.getHeader('set-cookie');
  const setCookies = sent === undefined ? [] : Array.isArray(sent) ? sent.map(String) : [String(sent)];
  return checkObserved(world, header, { ...before, setCookies });
}

// ---------------------------------------------------------------------------
// Generators.

const TOKEN_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_*.';
const SPECIALS = ['', ' ', '\t', ';', '=', '"', ',', '\\', '%', '*', '.', '\r\n', '\0', '\u00ff', '\u00e9', '€', '🍪'];
const RENAMES = ['Session', 'SESSION', 'session.0', 'session.01', 'session.3', 'session.9', 'session.10', 'sessio', 'sessionx', 'session.1', 'session.2', 'session', ' session', 'session\u00a0'];
const WS = ['', ' ', '\t', '  ', ' \t '];

type ValueOp =
  | { op: 'flip'; target: number; pos: number; bit: number }
  | { op: 'insert'; target: number; pos: number; text: string }
  | { op: 'delete'; target: number; pos: number; count: number }
  | { op: 'truncate'; target: number; keep: number }
  | { op: 'percent'; target: number; pos: number; count: number }
  | { op: 'base64std'; target: number; pad: boolean }
  | { op: 'oversize'; target: number; size: number; replace: boolean };

type ListOp =
  | { op: 'quote'; target: number }
  | { op: 'space'; target: number; before: string; after: string }
  | { op: 'reorder'; seed: number }
  | { op: 'unrelated'; at: number; name: string; value: string }
  | { op: 'duplicate'; target: number; before: boolean; value: { fixture: number } | { junk: string } }
  | { op: 'drop'; target: number }
  | { op: 'splice'; target: number; from: number }
  | { op: 'swap'; a: number; b: number }
  | { op: 'rename'; target: number; name: string };

/** A mutation case: a fixture, value edits, then list edits, then a separator. */
export interface MutationCase {
  readonly fixture: number;
  readonly valueOps: readonly ValueOp[];
  readonly listOps: readonly ListOp[];
  readonly separator: string;
}

const target = fc.nat();
const insertion = fc.oneof(
  fc.constantFrom(...SPECIALS),
  fc.string({ unit: fc.constantFrom(...TOKEN_CHARS), minLength: 1, maxLength: 4 }),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 3 }),
);

const valueOpArb: fc.Arbitrary<ValueOp> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('flip' as const), target, pos: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('insert' as const), target, pos: fc.nat(), text: insertion }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('delete' as const), target, pos: fc.nat(), count: fc.integer({ min: 1, max: 8 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('truncate' as const), target, keep: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('percent' as const), target, pos: fc.nat(), count: fc.integer({ min: 1, max: 4 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('base64std' as const), target, pad: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('oversize' as const), target, size: fc.integer({ min: 2_000, max: 40_000 }), replace: fc.boolean() }) },
);

const cookieName = fc.oneof(fc.constantFrom('theme', 'csrf', '_ga', 'a', 'sid'), fc.string({ unit: fc.constantFrom(...'abcxyz_-.0123'), minLength: 1, maxLength: 8 }));
const junkValue = fc.oneof(
  fc.string({ unit: fc.constantFrom(...TOKEN_CHARS), maxLength: 60 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom('', 'Fe26.2**', '3*', '2*Fe26.2', 'deleted', '""'),
);

const listOpArb: fc.Arbitrary<ListOp> = fc.oneof(
  fc.record({ op: fc.constant('quote' as const), target }),
  fc.record({ op: fc.constant('space' as const), target, before: fc.constantFrom(...WS), after: fc.constantFrom(...WS) }),
  fc.record({ op: fc.constant('reorder' as const), seed: fc.nat() }),
  fc.record({ op: fc.constant('unrelated' as const), at: fc.nat(), name: cookieName, value: junkValue }),
  fc.record({
    op: fc.constant('duplicate' as const),
    target,
    before: fc.boolean(),
    value: fc.oneof(fc.record({ fixture: fc.nat(3) }), fc.record({ junk: junkValue })),
  }),
  fc.record({ op: fc.constant('drop' as const), target }),
  fc.record({ op: fc.constant('splice' as const), target, from: fc.nat(3) }),
  fc.record({ op: fc.constant('swap' as const), a: target, b: target }),
  fc.record({ op: fc.constant('rename' as const), target, name: fc.constantFrom(...RENAMES) }),
);

/** Mutations of the four sessions' Cookie headers. */
export const mutationArb: fc.Arbitrary<MutationCase> = fc.record({
  fixture: fc.nat(3),
  valueOps: fc.array(valueOpArb, { maxLength: 3 }),
  listOps: fc.array(listOpArb, { maxLength: 4 }),
  separator: fc.constantFrom('; ', ';', ' ; ', ';\t', ';  '),
});

/** Cookie headers with no relation to our sessions, or only a name in common. */
export const junkArb: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ unit: fc.constantFrom('s', 'e', 'i', 'o', 'n', '.', '1', '2', '3', '=', ';', ' ', '"', '*', 'F', '2', '6'), maxLength: 80 }),
  fc.tuple(fc.constantFrom('session', 'session.1', 'session.2'), junkValue).map(([n, v]) => `${n}=${v}`),
  fc.array(fc.tuple(fc.constantFrom('session', 'session.1', 'session.2', 'x'), junkValue), { maxLength: 6 }).map((pairs) =>
    pairs.map(([n, v]) => `${n}=${v}`).join('; '),
  ),
);

const at = (n: number, length: number): number => (length === 0 ? 0 : n % length);

function editValue(value: string, op: ValueOp): string {
  switch (op.op) {
    case 'flip': {
      if (value.length === 0) return value;
      const p = at(op.pos, value.length);
      return value.slice(0, p) + String.fromCharCode(value.charCodeAt(p) ^ (1 << op.bit)) + value.slice(p + 1);
    }
    case 'insert': {
      const p = op.pos % (value.length + 1);
      return value.slice(0, p) + op.text + value.slice(p);
    }
    case 'delete': {
      const p = at(op.pos, value.length);
      return value.slice(0, p) + value.slice(p + op.count);
    }
    case 'truncate':
      return value.slice(0, op.keep % (value.length + 1));
    case 'percent': {
      const p = at(op.pos, value.length);
      const encoded = [...value.slice(p, p + op.count)].map((c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`).join('');
      return value.slice(0, p) + encoded + value.slice(p + op.count);
    }
    case 'base64std': {
      // Re-encode each base64url component in the standard alphabet, with padding if asked.
      return value
        .split('*')
        .map((part) => {
          if (!/^[A-Za-z0-9_-]{16,}$/.test(part)) return part;
          const std = part.replace(/-/g, '+').replace(/_/g, '/');
          return op.pad ? std + '='.repeat((4 - (std.length % 4)) % 4) : std;
        })
        .join('*');
    }
    case 'oversize':
      return op.replace ? 'A'.repeat(op.size) : value + 'A'.repeat(op.size);
  }
}

/** Deterministic shuffle (Fisher–Yates with a small LCG). */
function shuffle<T>(items: T[], seed: number): T[] {
  let s = seed >>> 0 || 1;
  for (let i = items.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const j = s % (i + 1);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

interface Pair {
  name: string;
  value: string;
  before: string;
  after: string;
}

/** Apply a case to its fixture and produce the Cookie header. */
export function buildHeader(world: FuzzWorld, c: MutationCase): string {
  const fixtures = world.fixtures;
  const base = fixtures[c.fixture % fixtures.length]!;
  const values = base.pairs.map(([, v]) => v);
  for (const op of c.valueOps) {
    const i = at(op.target, values.length);
    values[i] = editValue(values[i]!, op);
  }
  let pairs: Pair[] = base.pairs.map(([name], i) => ({ name, value: values[i]!, before: '', after: '' }));
  for (const op of c.listOps) {
    const i = at('target' in op ? op.target : 0, pairs.length);
    const p = pairs[i];
    switch (op.op) {
      case 'quote':
        if (p) p.value = `"${p.value}"`;
        break;
      case 'space':
        if (p) Object.assign(p, { before: op.before, after: op.after });
        break;
      case 'reorder':
        pairs = shuffle(pairs, op.seed);
        break;
      case 'unrelated':
        pairs.splice(op.at % (pairs.length + 1), 0, { name: op.name, value: op.value, before: '', after: '' });
        break;
      case 'duplicate': {
        if (!p) break;
        const other = 'fixture' in op.value ? fixtures[op.value.fixture % fixtures.length]!.pairs : undefined;
        const value = other ? (other.find(([n]) => n === p.name) ?? other[0]!)[1] : (op.value as { junk: string }).junk;
        pairs.splice(op.before ? i : i + 1, 0, { name: p.name, value, before: '', after: '' });
        break;
      }
      case 'drop':
        pairs.splice(i, 1);
        break;
      case 'splice': {
        if (!p) break;
        const other = fixtures[op.from % fixtures.length]!.pairs;
        p.value = (other.find(([n]) => n === p.name) ?? other[other.length - 1]!)[1];
        break;
      }
      case 'swap': {
        const a = pairs[at(op.a, pairs.length)];
        const b = pairs[at(op.b, pairs.length)];
        if (a && b) [a.value, b.value] = [b.value, a.value];
        break;
      }
      case 'rename':
        if (p) p.name = op.name;
        break;
    }
  }
  return pairs.map((p) => `${p.before}${p.name}=${p.value}${p.after}`).join(c.separator);
}

/** The three in-process paths, each checked; the verdict of `store.load`. */
export async function checkAllPaths(world: FuzzWorld, header: string): Promise<{ verdict: Verdict; web: boolean }> {
  const verdict = await viaLoad(world, header);
  const web = await viaRequest(world, header);
  const node = await viaNodeObjects(world, header);
  if (node !== verdict) throw new Error(`node adapter verdict ${node} differs from load's ${verdict} for ${JSON.stringify(header.slice(0, 200))}`);
  return { verdict, web: web !== undefined };
}

/** Counters a run reports. */
export class Tally {
  readonly verdicts = new Map<Verdict, number>();
  cases = 0;
  /** Cases whose header a Fetch `Headers` cannot hold (so the Web path was not applicable). */
  notForWeb = 0;

  add(verdict: Verdict, web: boolean): void {
    this.cases++;
    if (!web) this.notForWeb++;
    this.verdicts.set(verdict, (this.verdicts.get(verdict) ?? 0) + 1);
  }

  /** Verdicts, most frequent first. */
  rows(): Array<[Verdict, number]> {
    return [...this.verdicts].sort((a, b) => b[1] - a[1]);
  }
}
