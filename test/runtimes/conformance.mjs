/**
 * The runtime conformance suite: one plain ES module, no test framework, only
 * Web APIs (Request, Response, Headers, crypto.getRandomValues, TextEncoder),
 * run against the BUILT library (`dist/index.js`). Node, Bun and Deno import
 * it through `main.mjs`; workerd and Vercel's edge runtime get it bundled by
 * esbuild through `worker.mjs`. `run.mjs` drives them all.
 *
 * `runConformance(fixture)` runs every check and returns a report; the report
 * travels as text (`formatReport` / `parseReport`), one line per check:
 *
 * ```
 * # runtime deno 2.9.6
 * # engine webcrypto
 * ok seal.round-trip
 * not ok store.chunking: expected 2 cookies, got 1
 * # emit token Fe26.2*1*…
 * ```
 *
 * `emit` lines carry what this runtime sealed, so that Node 20 can check it
 * opens them (interop in the other direction uses `fixture`, sealed by Node 20).
 */
import { z } from 'zod';
import { CookieSessionStore, SessionError, createKeyRing, isSessionError, sealData, unsealData } from '../../dist/index.js';

/** The secret every runtime shares for the interop checks (not a real secret). */
export const INTEROP_SECRET = 'conformance-interop-secret-0123456789-abcdefghij';
/** The purpose interop tokens are sealed for. */
export const INTEROP_PURPOSE = 'conformance:interop';
/** What interop tokens hold: nested JSON with non-ASCII text, so UTF-8 handling is covered. */
export const INTEROP_DATA = Object.freeze({
  text: 'héllo wörld ✓ 𝄞 日本',
  n: 42,
  f: -0.125,
  ok: true,
  none: null,
  list: [1, 'two', { three: [3] }],
});
/** A fixed 32-byte raw key (iron's Uint8Array mode: used as is, no PBKDF2, empty salts). */
export const INTEROP_RAW_KEY = Uint8Array.from({ length: 32 }, (_, i) => (i * 7 + 3) & 255);
/** The session state of the interop cookie Node 20 seals. */
export const INTEROP_STATE = Object.freeze({ visits: 7, userId: 'ünïcode-user', theme: 'dark' });
/** The session state of the cookie each runtime emits after `store.round-trip`. */
export const ROUND_TRIP_STATE = Object.freeze({ visits: 1, userId: 'u-1', theme: 'light' });

const SECRET_A = 'conformance-secret-a-0123456789-abcdefghijklmnop';
const SECRET_B = 'conformance-secret-b-0123456789-abcdefghijklmnop';
const ORIGIN = 'https://conformance.test';
const UNSEAL_CODES = ['ERR_SEAL_MALFORMED', 'ERR_SEAL_BAD_MAC', 'ERR_SEAL_EXPIRED', 'ERR_SEAL_UNKNOWN_KEY', 'ERR_SEAL_PURPOSE', 'ERR_SEAL_NOT_JSON'];

/** The session schema (zod 4, bundled into the worker scripts). */
const schema = z.object({
  userId: z.string().optional(),
  visits: z.number().int().nonnegative().default(0),
  theme: z.enum(['light', 'dark']).default('light'),
  blob: z.string().optional(),
});

/** A store with the schema; `keys` defaults to the interop secret so Node 20 can read what it writes. `options`: e.g. `{ compress: true }`. */
export function makeStore(keys = INTEROP_SECRET, options = {}) {
  return new CookieSessionStore({ keys, schema, cookie: { name: 'sess' }, ...options });
}

/** A repetitive state (a cart's worth of text): about 4 KB of text that deflates about tenfold: two cookies plain, one compressed. */
export const COMPRESSIBLE_BLOB = Array.from({ length: 80 }, (_, i) => `SKU-${String(i + 1).padStart(5, '0')} Walnut spoon, hand carved x${1 + (i % 3)}`).join('; ');

/** The state of the compressed cookie each runtime emits (`store+compress.round-trip`). */
export const COMPRESSED_ROUND_TRIP_STATE = Object.freeze({ ...ROUND_TRIP_STATE, blob: COMPRESSIBLE_BLOB });

/**
 * The platform deflate the library uses here, found the way it finds it:
 * node:zlib through process.getBuiltinModule, else Compression Streams, else none
 * (Vercel's edge-runtime: then `compress: true` is refused at construction).
 */
export function compressionBackend() {
  try {
    const zlib = globalThis.process?.getBuiltinModule?.('node:zlib');
    // The library's own self-test (src/util/compress.ts): the bound and the consumed input must be honoured.
    if (zlib && typeof zlib.inflateRawSync === 'function' && typeof zlib.deflateRawSync === 'function') {
      const packed = zlib.deflateRawSync(new Uint8Array(64 * 1024));
      const { buffer, engine } = zlib.inflateRawSync(packed, { info: true });
      let bounded = false;
      try {
        zlib.inflateRawSync(packed, { maxOutputLength: 1024 });
      } catch (err) {
        bounded = err?.code === 'ERR_BUFFER_TOO_LARGE';
      }
      if (buffer.length === 64 * 1024 && engine.bytesWritten === packed.length && bounded) return 'node:zlib';
    }
  } catch {
    // not here, or not usable
  }
  return typeof globalThis.CompressionStream === 'function' && typeof globalThis.DecompressionStream === 'function' ? 'compression-streams' : 'none';
}

class CheckFailure extends Error {}

function assert(condition, message) {
  if (!condition) throw new CheckFailure(message);
}

/** JSON text with object keys sorted, so that key order does not matter. */
function canonicalJson(value) {
  return JSON.stringify(value, (_key, v) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v,
  );
}

function assertJsonEqual(actual, expected, what) {
  const a = canonicalJson(actual);
  const e = canonicalJson(expected);
  assert(a === e, `${what}: expected ${e.slice(0, 120)}, got ${String(a).slice(0, 120)}`);
}

/** Await `promise` and require a SessionError with one of `codes`. */
async function assertRejects(promise, codes, what) {
  let value;
  try {
    value = await promise;
  } catch (err) {
    assert(err instanceof SessionError && isSessionError(err), `${what}: threw a non-SessionError: ${err?.name}: ${err?.message}`);
    assert(codes.includes(err.code), `${what}: expected ${codes.join(' or ')}, got ${err.code}`);
    return err;
  }
  throw new CheckFailure(`${what}: expected ${codes.join(' or ')}, but it resolved to ${JSON.stringify(value)?.slice(0, 80)}`);
}

/** Run `fn` with `Date.now` moved by `offsetMs`: expiry without sleeping. */
async function shiftedClock(offsetMs, fn) {
  const realNow = Date.now;
  Date.now = () => realNow.call(Date) + offsetMs;
  try {
    return await fn();
  } finally {
    Date.now = realNow;
  }
}

/** Replace the character at `index` with another one of the same token alphabet. */
function flipAt(token, index) {
  const c = token[index];
  const replacement = c === 'A' ? 'B' : c === '*' ? '_' : 'A';
  return token.slice(0, index) + replacement + token.slice(index + 1);
}

/** The Set-Cookie values of a Headers object (via `getSetCookie`, which every runtime here must have). */
function setCookies(headers) {
  assert(typeof headers.getSetCookie === 'function', 'Headers#getSetCookie is missing');
  return headers.getSetCookie();
}

/** Parse Set-Cookie values into { name, value, maxAge, raw }. */
function parseSetCookies(values) {
  return values.map((raw) => {
    const [pair, ...attrs] = raw.split(';');
    const eq = pair.indexOf('=');
    const maxAge = attrs.map((a) => a.trim()).find((a) => /^max-age=/i.test(a));
    return { name: pair.slice(0, eq).trim(), value: pair.slice(eq + 1).trim(), maxAge: maxAge ? Number(maxAge.slice(8)) : undefined, raw };
  });
}

/** The Cookie header a browser would send back after these Set-Cookie values (removals dropped). */
function cookieHeaderFrom(values) {
  return parseSetCookies(values)
    .filter((c) => c.maxAge === undefined || c.maxAge > 0)
    .map((c) => `${c.name}=${c.value}`)
    .join('; ');
}

function request(cookie) {
  return new Request(`${ORIGIN}/`, cookie ? { headers: { cookie } } : {});
}

/** Random base64url text of `length` characters (6 bits of entropy each). */
function randomBase64Url(length) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  return Array.from(crypto.getRandomValues(new Uint8Array(length)), (b) => alphabet[b & 63]).join('');
}

/** Incompressible text of `length` hex characters. */
function randomHex(length) {
  const bytes = crypto.getRandomValues(new Uint8Array(Math.ceil(length / 2)));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('').slice(0, length);
}

/** Where node:crypto is reachable the way the library reaches it. */
function nodeCryptoAvailable() {
  try {
    const c = globalThis.process?.getBuiltinModule?.('node:crypto');
    return !!c && typeof c.createCipheriv === 'function' && typeof c.timingSafeEqual === 'function';
  } catch {
    return false;
  }
}

/** Which runtime this is, from the inside. */
export function detectRuntime() {
  const g = globalThis;
  if (g.navigator?.userAgent === 'Cloudflare-Workers') return 'workerd';
  if (typeof g.EdgeRuntime === 'string') return `edge-runtime (${g.EdgeRuntime})`;
  if (g.Deno?.version) return `deno ${g.Deno.version.deno}`;
  if (g.Bun?.version) return `bun ${g.Bun.version}`;
  if (g.process?.versions?.node) return `node ${g.process.version}`;
  return g.navigator?.userAgent ?? 'unknown';
}

/** Seal the interop token and session cookie that every runtime must open (run by Node 20). */
export async function createFixture() {
  const token = await sealData(INTEROP_DATA, { keys: INTEROP_SECRET, purpose: INTEROP_PURPOSE });
  const cookieOf = async (options, state) => {
    const headers = new Headers();
    const session = await makeStore(INTEROP_SECRET, options).handleSession(request(), headers);
    for (const [key, value] of Object.entries(state)) session.set(key, value);
    await session.commit();
    return cookieHeaderFrom(setCookies(headers));
  };
  return {
    token,
    cookie: await cookieOf({}, INTEROP_STATE),
    // Compressed by node:zlib: every runtime with a deflate must open it.
    compressedCookie: await cookieOf({ compress: true }, { ...INTEROP_STATE, blob: COMPRESSIBLE_BLOB }),
    // Signed only (content: 'signed'): every runtime must open it, and refuse it at an encrypted store.
    signedCookie: await cookieOf({ content: 'signed' }, INTEROP_STATE),
  };
}

/**
 * The checks, in order. Each returns nothing or throws a `CheckFailure`; some
 * add to `emitted` what Node 20 must open afterwards.
 */
function checks(fixture, emitted) {
  const expectedEngine = nodeCryptoAvailable() ? 'node' : 'webcrypto';
  return [
    ['engine.auto', async () => {
      const kind = createKeyRing(SECRET_A).engine.kind;
      assert(kind === expectedEngine, `expected ${expectedEngine}, got ${kind}`);
      assert(createKeyRing(SECRET_A, { crypto: 'webcrypto' }).engine.kind === 'webcrypto', "crypto: 'webcrypto' not honoured");
      if (expectedEngine === 'webcrypto') {
        let code;
        try {
          createKeyRing(SECRET_A, { crypto: 'node' });
        } catch (err) {
          code = err?.code;
        }
        assert(code === 'ERR_CONFIG_OPTION', `crypto: 'node' without node:crypto should throw ERR_CONFIG_OPTION, got ${code}`);
      }
    }],

    ['seal.round-trip', async () => {
      const token = await sealData(INTEROP_DATA, { keys: INTEROP_SECRET, purpose: INTEROP_PURPOSE });
      emitted.token = token;
      assert(/^Fe26\.2\*1\*[0-9a-f]{32}\*[\w-]{22}\*[\w-]+\*\*[0-9a-f]{32}\*[\w-]{43}$/.test(token), `not an iron token: ${token.slice(0, 60)}`);
      assertJsonEqual(await unsealData(token, { keys: INTEROP_SECRET, purpose: INTEROP_PURPOSE }), INTEROP_DATA, 'unsealed data');
      await assertRejects(unsealData(token, { keys: INTEROP_SECRET, purpose: 'another' }), ['ERR_SEAL_PURPOSE'], 'other purpose');
      await assertRejects(unsealData(token, { keys: INTEROP_SECRET }), ['ERR_SEAL_PURPOSE'], 'no purpose');
      await assertRejects(unsealData(token, { keys: SECRET_B, purpose: INTEROP_PURPOSE }), ['ERR_SEAL_BAD_MAC'], 'other secret');
      await assertRejects(sealData({ when: new Date() }, { keys: SECRET_A }), ['ERR_SEAL_NOT_SERIALIZABLE'], 'a Date');
    }],

    ['seal.raw-key', async () => {
      const token = await sealData(INTEROP_DATA, { keys: INTEROP_RAW_KEY, purpose: INTEROP_PURPOSE });
      emitted.rawToken = token;
      assert(/^Fe26\.2\*1\*\*[\w-]{22}\*[\w-]+\*\*\*[\w-]{43}$/.test(token), `not a raw-key iron token: ${token.slice(0, 40)}`);
      assertJsonEqual(await unsealData(token, { keys: INTEROP_RAW_KEY, purpose: INTEROP_PURPOSE }), INTEROP_DATA, 'unsealed data');
      const otherKey = INTEROP_RAW_KEY.map((b) => b ^ 1);
      await assertRejects(unsealData(token, { keys: otherKey, purpose: INTEROP_PURPOSE }), ['ERR_SEAL_BAD_MAC'], 'other raw key');
    }],

    ['seal.cross-engine', async () => {
      const web = createKeyRing(SECRET_A, { crypto: 'webcrypto' });
      const auto = createKeyRing(SECRET_A);
      const fromWeb = await sealData({ via: 'webcrypto' }, { keys: web, purpose: 'engines' });
      const fromAuto = await sealData({ via: auto.engine.kind }, { keys: auto, purpose: 'engines' });
      assertJsonEqual(await unsealData(fromWeb, { keys: auto, purpose: 'engines' }), { via: 'webcrypto' }, 'webcrypto → auto');
      assertJsonEqual(await unsealData(fromAuto, { keys: web, purpose: 'engines' }), { via: auto.engine.kind }, 'auto → webcrypto');
    }],

    ['seal.rotation', async () => {
      const ring1 = [{ id: '1', secret: SECRET_A }];
      const ring21 = [{ id: '2', secret: SECRET_B }, { id: '1', secret: SECRET_A }];
      const ring2 = [{ id: '2', secret: SECRET_B }];
      const old = await sealData({ v: 1 }, { keys: ring1, purpose: 'rotation' });
      assertJsonEqual(await unsealData(old, { keys: ring21, purpose: 'rotation' }), { v: 1 }, 'old token under [2, 1]');
      await assertRejects(unsealData(old, { keys: ring2, purpose: 'rotation' }), ['ERR_SEAL_UNKNOWN_KEY'], 'old token under [2]');
      const fresh = await sealData({ v: 2 }, { keys: ring21, purpose: 'rotation' });
      assert(fresh.startsWith('Fe26.2*2*'), `a [2, 1] ring should seal with key 2: ${fresh.slice(0, 12)}`);
      assertJsonEqual(await unsealData(fresh, { keys: ring2, purpose: 'rotation' }), { v: 2 }, 'new token under [2]');
    }],

    ['seal.tampering', async () => {
      const token = await sealData({ secret: 'data' }, { keys: SECRET_A, purpose: 'tamper', ttl: 3600 });
      const macStart = token.lastIndexOf('*') + 1;
      for (let i = 0; i < token.length; i++) {
        const err = await assertRejects(unsealData(flipAt(token, i), { keys: SECRET_A, purpose: 'tamper' }), UNSEAL_CODES, `char ${i}`);
        // Inside the HMAC digest (but not its last character, whose low bits strict decoding rejects as malformed) it is a bad MAC.
        if (i >= macStart && i < token.length - 1) assert(err.code === 'ERR_SEAL_BAD_MAC', `char ${i} of the digest: ${err.code}`);
      }
    }],

    ['seal.expiry', async () => {
      const before = Date.now();
      const token = await sealData({ t: 1 }, { keys: SECRET_A, purpose: 'ttl', ttl: 60 });
      const expiration = Number(token.split('*')[5]);
      assert(expiration >= before + 60_000 && expiration <= Date.now() + 60_000 + 1, `expiration field ${expiration} is not now + 60 s`);
      const options = { keys: SECRET_A, purpose: 'ttl', timestampSkewSec: 0 };
      assertJsonEqual(await shiftedClock(30_000, () => unsealData(token, options)), { t: 1 }, 'at +30 s');
      await shiftedClock(61_000, () => assertRejects(unsealData(token, options), ['ERR_SEAL_EXPIRED'], 'at +61 s, no skew'));
      // Default skew (60 s): still open at +61 s, refused at +121 s.
      assertJsonEqual(await shiftedClock(61_000, () => unsealData(token, { keys: SECRET_A, purpose: 'ttl' })), { t: 1 }, 'at +61 s, default skew');
      await shiftedClock(121_000, () => assertRejects(unsealData(token, { keys: SECRET_A, purpose: 'ttl' }), ['ERR_SEAL_EXPIRED'], 'at +121 s'));
    }],

    ['interop.node20-fixture', async () => {
      assert(fixture && typeof fixture.token === 'string', 'no fixture was given');
      assertJsonEqual(await unsealData(fixture.token, { keys: INTEROP_SECRET, purpose: INTEROP_PURPOSE }), INTEROP_DATA, 'fixture token');
      const session = await makeStore().handleSession(request(fixture.cookie));
      assert(session.invalidReason === undefined, `fixture cookie refused: ${session.invalidReason}`);
      assertJsonEqual(
        { visits: session.get('visits'), userId: session.get('userId'), theme: session.get('theme') },
        INTEROP_STATE,
        'fixture session',
      );
    }],

    ...storeChecks(fixture, emitted, {}, 'store'),
    ...compressionChecks(fixture, emitted),
    ...signedChecks(fixture, emitted),
  ];
}

/**
 * The store checks, for one store configuration (`options`, e.g. `{ compress: true }`); names start with `prefix`.
 * The round-trip cookie is emitted as `cookie` (plain) or `compressedCookie`, for Node 20 to open.
 */
function storeChecks(fixture, emitted, options, prefix) {
  const emitAs = options.compress ? 'compressedCookie' : 'cookie';
  // Compressed, the round trip carries a state worth compressing (a small one is sealed as it is).
  const roundTrip = options.compress ? COMPRESSED_ROUND_TRIP_STATE : ROUND_TRIP_STATE;
  return [
    [`${prefix}.round-trip`, async () => {
      const store = makeStore(INTEROP_SECRET, options);
      const response = new Response('ok');
      const first = await store.handleSession(request(), response);
      assert(first.isNew && first.get('visits') === 0 && first.get('theme') === 'light', 'a fresh session should hold the schema defaults');
      first.set('visits', ROUND_TRIP_STATE.visits);
      first.set('userId', ROUND_TRIP_STATE.userId);
      if (roundTrip.blob !== undefined) first.set('blob', roundTrip.blob);
      const returned = await first.commit();
      const sent = setCookies(response.headers);
      emitted[emitAs] = cookieHeaderFrom(sent);
      assertJsonEqual(sent, returned, 'Set-Cookie on the response vs commit()');
      assert(sent.length === 1, `expected 1 Set-Cookie, got ${sent.length}`);
      const [cookie] = parseSetCookies(sent);
      assert(cookie.name === 'sess' && cookie.value.startsWith('Fe26.2*1*'), `unexpected cookie ${cookie.raw.slice(0, 40)}`);
      for (const attribute of ['Path=/', 'HttpOnly', 'Secure', 'SameSite=Lax']) assert(cookie.raw.includes(`; ${attribute}`), `no ${attribute}: ${cookie.raw.slice(-120)}`);
      assert(cookie.maxAge > 0, 'a persistent session cookie needs a Max-Age');
      if (options.compress) assert(cookie.value.length * 3 < roundTrip.blob.length, `not compressed: ${cookie.value.length} characters for ${roundTrip.blob.length} of text`);

      const second = await store.handleSession(request(cookieHeaderFrom(sent)), new Response('ok'));
      assert(!second.isNew && second.invalidReason === undefined, `read back: isNew ${second.isNew}, invalidReason ${second.invalidReason}`);
      assertJsonEqual(second.data, roundTrip, 'state read back');
      assert(second.status === 'unchanged' && (await second.commit()).length === 0, 'an unchanged session should write nothing');
    }],

    [`${prefix}.schema-refusal`, async () => {
      const session = await makeStore(INTEROP_SECRET, options).handleSession(request());
      session.set('visits', 3);
      let err;
      try {
        session.set('visits', -1);
      } catch (e) {
        err = e;
      }
      assert(isSessionError(err, 'ERR_SESSION_INVALID'), `expected ERR_SESSION_INVALID, got ${err?.code ?? err}`);
      assert(Array.isArray(err.issues) && err.issues.length > 0, 'the error should carry the schema issues');
      assert(session.get('visits') === 3, `state changed to ${session.get('visits')}`);
    }],

    [`${prefix}.tampered-cookie`, async () => {
      const store = makeStore(INTEROP_SECRET, options);
      const headers = new Headers();
      const session = await store.handleSession(request(), headers);
      session.set('userId', 'victim');
      await session.commit();
      const [cookie] = parseSetCookies(setCookies(headers));
      const tampered = flipAt(cookie.value, cookie.value.length - 10);
      const response = new Response(null);
      const reread = await store.handleSession(request(`sess=${tampered}`), response);
      assert(reread.invalidReason === 'tampered' && reread.isNew, `invalidReason ${reread.invalidReason}`);
      assert(reread.get('userId') === undefined, 'tampered state leaked');
      await reread.commit();
      const [removal] = parseSetCookies(setCookies(response.headers));
      assert(removal?.name === 'sess' && removal.maxAge === 0, `expected a removal of sess, got ${removal?.raw}`);
    }],

    [`${prefix}.chunking`, async () => {
      const store = makeStore(INTEROP_SECRET, options);
      // Incompressible enough for two cookies either way (hex deflates to about half; random base64url to about 3/4).
      const blob = options.compress ? randomBase64Url(5200) : randomHex(3500);
      const headers = new Headers();
      const session = await store.handleSession(request(), headers);
      session.set('blob', blob);
      await session.commit();
      const sent = setCookies(headers);
      const cookies = parseSetCookies(sent);
      assertJsonEqual(cookies.map((c) => c.name), ['sess', 'sess.1'], 'cookie names');
      for (const c of cookies) assert(c.name.length + c.value.length <= 4096, `${c.name} is ${c.name.length + c.value.length} octets`);

      const response = new Response(null);
      const reread = await store.handleSession(request(cookieHeaderFrom(sent)), response);
      assert(reread.invalidReason === undefined && reread.get('blob') === blob, `chunked state not read back (${reread.invalidReason})`);
      // Shrinking it writes one cookie and removes the chunk the browser holds.
      reread.set('blob', 'small');
      await reread.commit();
      const after = parseSetCookies(setCookies(response.headers));
      const removed = after.find((c) => c.name === 'sess.1');
      assert(after.length === 2 && removed?.maxAge === 0, `expected sess and a removal of sess.1, got ${after.map((c) => c.raw.slice(0, 30)).join(' | ')}`);
    }],

    [`${prefix}.expiry`, async () => {
      const store = new CookieSessionStore({ keys: SECRET_A, schema, ttl: 300, idleTimeout: 60, ...options });
      const headers = new Headers();
      const session = await store.handleSession(request(), headers);
      session.set('visits', 5);
      await session.commit();
      const cookie = cookieHeaderFrom(setCookies(headers));
      const at = (offsetMs) => shiftedClock(offsetMs, () => store.handleSession(request(cookie)));
      const fresh = await at(30_000);
      assert(fresh.invalidReason === undefined && fresh.get('visits') === 5, `at +30 s: ${fresh.invalidReason}`);
      assert((await at(61_000)).invalidReason === 'idle', 'at +61 s the idle timeout (60 s) should have passed');
      assert((await at(301_000)).invalidReason === 'expired', 'at +301 s the ttl (300 s) should have passed');
    }],

    [`${prefix}.destroy`, async () => {
      const store = makeStore(INTEROP_SECRET, options);
      const headers = new Headers();
      const session = await store.handleSession(request(fixture.cookie), headers);
      session.destroy();
      await session.commit();
      const [removal] = parseSetCookies(setCookies(headers));
      assert(session.status === 'purged' && removal?.name === 'sess' && removal.maxAge === 0, `got ${removal?.raw}`);
    }],

    [`${prefix}.with-session`, async () => {
      const store = makeStore(INTEROP_SECRET, options);
      const handler = store.withSession(async (req, session) => {
        session.set('visits', session.get('visits') + 1);
        return new URL(req.url).pathname === '/redirect'
          ? Response.redirect(`${ORIGIN}/next`, 303)
          : Response.json({ visits: session.get('visits') });
      });
      const first = await handler(request());
      assertJsonEqual(await first.json(), { visits: 1 }, 'body');
      const cookie = cookieHeaderFrom(setCookies(first.headers));
      assert(cookie.startsWith('sess=Fe26.2*'), 'no session cookie on the response');
      const redirect = await handler(new Request(`${ORIGIN}/redirect`, { headers: { cookie } }));
      assert(redirect.status === 303 && redirect.headers.get('location') === `${ORIGIN}/next`, `redirect lost: ${redirect.status}`);
      const reread = await store.handleSession(request(cookieHeaderFrom(setCookies(redirect.headers))));
      assert(reread.get('visits') === 2, `visits after the redirect: ${reread.get('visits')}`);
    }],
  ];
}

/**
 * Compression where the runtime has a deflate (node:zlib or Compression Streams): every store check
 * again with `compress: true`, a repetitive state in fewer cookies, and Node 20's compressed cookie
 * opened. Without one (edge-runtime): `compress: true` is refused at construction, naming the option,
 * and a compressed cookie reads as an empty session (`malformed`), never as a crash.
 */
function compressionChecks(fixture, emitted) {
  if (compressionBackend() === 'none') {
    return [
      ['compress.unavailable-refused', async () => {
        let err;
        try {
          makeStore(INTEROP_SECRET, { compress: true });
        } catch (e) {
          err = e;
        }
        assert(isSessionError(err, 'ERR_CONFIG_OPTION') && err.option === 'compress', `expected ERR_CONFIG_OPTION for compress, got ${err?.code ?? err}`);
        assert(/turn compression off/.test(err.message), `the message should say what to do: ${err.message}`);
      }],
      ['compress.unavailable-reads-empty', async () => {
        const session = await makeStore().handleSession(request(fixture.compressedCookie));
        assert(session.invalidReason === 'malformed' && session.isNew, `a compressed cookie without a deflate: ${session.invalidReason}`);
      }],
    ];
  }
  return [
    ...storeChecks(fixture, emitted, { compress: true }, 'store+compress'),
    ['compress.fewer-cookies', async () => {
      const sizes = {};
      for (const compress of [false, true]) {
        const headers = new Headers();
        const store = makeStore(INTEROP_SECRET, { compress });
        const session = await store.handleSession(request(), headers);
        session.set('blob', COMPRESSIBLE_BLOB);
        await session.commit();
        const sent = setCookies(headers);
        sizes[compress] = { cookies: sent.length, octets: cookieHeaderFrom(sent).length };
        const reread = await store.handleSession(request(cookieHeaderFrom(sent)));
        assert(reread.get('blob') === COMPRESSIBLE_BLOB, `compress ${compress}: not read back (${reread.invalidReason})`);
      }
      assert(sizes.false.cookies === 2 && sizes.true.cookies === 1, `cookies: ${sizes.false.cookies} plain, ${sizes.true.cookies} compressed`);
      assert(sizes.true.octets * 4 < sizes.false.octets, `octets: ${sizes.false.octets} plain, ${sizes.true.octets} compressed`);
    }],
    ['compress.node20-fixture', async () => {
      assert(typeof fixture?.compressedCookie === 'string', 'no compressed fixture was given');
      for (const options of [{}, { compress: true }]) {
        const session = await makeStore(INTEROP_SECRET, options).handleSession(request(fixture.compressedCookie));
        assert(session.invalidReason === undefined, `compressed fixture refused (compress ${!!options.compress}): ${session.invalidReason}`);
        assert(session.get('blob') === COMPRESSIBLE_BLOB && session.get('userId') === INTEROP_STATE.userId, 'compressed fixture state');
      }
    }],
  ];
}

/**
 * `content: 'signed'`: a readable, tamper-proof cookie with the same Session API, and never read as
 * an encrypted one, nor the reverse (`wrong-content`), with this runtime's engine.
 */
function signedChecks(fixture, emitted) {
  return [
    ['signed.round-trip', async () => {
      const store = makeStore(INTEROP_SECRET, { content: 'signed' });
      const response = new Response('ok');
      const first = await store.handleSession(request(), response);
      first.set('visits', ROUND_TRIP_STATE.visits);
      first.set('userId', ROUND_TRIP_STATE.userId);
      await first.commit();
      const sent = setCookies(response.headers);
      emitted.signedCookie = cookieHeaderFrom(sent);
      const [cookie] = parseSetCookies(sent);
      assert(sent.length === 1 && /^Sig1\*1\*\d+\*[\w-]+\*[\w-]{43}$/.test(cookie.value), `not a signed token: ${cookie.value.slice(0, 40)}`);
      // Readable without any key: base64url of the JSON envelope.
      const payload = cookie.value.split('*')[3];
      const text = new TextDecoder().decode(Uint8Array.from(atob(payload.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0)));
      assert(JSON.parse(text).d.v.userId === ROUND_TRIP_STATE.userId, 'the signed payload should be readable JSON');
      const second = await store.handleSession(request(cookieHeaderFrom(sent)));
      assert(second.invalidReason === undefined, `read back: ${second.invalidReason}`);
      assertJsonEqual(second.data, ROUND_TRIP_STATE, 'state read back');
      const tampered = flipAt(cookie.value, cookie.value.length - 10);
      assert((await store.handleSession(request(`sess=${tampered}`))).invalidReason === 'tampered', 'a changed signed cookie should be tampered');
    }],

    ['signed.wrong-content', async () => {
      assert(typeof fixture?.signedCookie === 'string', 'no signed fixture was given');
      const signedStore = makeStore(INTEROP_SECRET, { content: 'signed' });
      const fromNode = await signedStore.handleSession(request(fixture.signedCookie));
      assert(fromNode.invalidReason === undefined, `Node 20's signed cookie refused: ${fromNode.invalidReason}`);
      assertJsonEqual({ visits: fromNode.get('visits'), userId: fromNode.get('userId'), theme: fromNode.get('theme') }, INTEROP_STATE, 'signed fixture');
      const sealedAtSigned = await signedStore.handleSession(request(fixture.cookie));
      assert(sealedAtSigned.invalidReason === 'wrong-content', `a sealed cookie at a signed store: ${sealedAtSigned.invalidReason}`);
      const signedAtSealed = await makeStore().handleSession(request(fixture.signedCookie));
      assert(signedAtSealed.invalidReason === 'wrong-content', `a signed cookie at an encrypted store: ${signedAtSealed.invalidReason}`);
    }],
  ];
}

/** Run named checks in order; never throws: a failure is a result with a reason. */
async function runChecks(list) {
  const results = [];
  for (const [name, check] of list) {
    try {
      await check();
      results.push({ name, ok: true });
    } catch (err) {
      const reason = err instanceof CheckFailure ? err.message : `unexpected ${err?.name ?? 'error'}: ${err?.message ?? err}`;
      results.push({ name, ok: false, reason });
    }
  }
  return results;
}

/**
 * Run every check. Never throws: a failure is a `not ok` line.
 *
 * @param {{ token: string, cookie: string } | undefined} fixture what Node 20 sealed
 */
export async function runConformance(fixture) {
  const emitted = {};
  let engine = 'unknown';
  try {
    engine = createKeyRing(INTEROP_SECRET).engine.kind;
  } catch {
    // engine.auto reports why.
  }
  emitted.compression = compressionBackend();
  const results = await runChecks(checks(fixture, emitted));
  return { runtime: detectRuntime(), engine, results, emitted };
}

/**
 * The other direction of interop, run in Node 20: what a runtime emitted must
 * open here, with this library and with iron-webcrypto's own `unseal`.
 *
 * @param {Record<string, string>} emitted the report's `emit` values
 * @param {(sealed: string, password: Record<string, string> | Uint8Array) => Promise<unknown>} ironUnseal iron-webcrypto's `unseal` with its defaults bound
 */
export function checkEmitted(emitted, ironUnseal) {
  return runChecks([
    ['node20.opens-token', async () => {
      assert(typeof emitted.token === 'string', 'the runtime emitted no token');
      assertJsonEqual(await unsealData(emitted.token, { keys: INTEROP_SECRET, purpose: INTEROP_PURPOSE }), INTEROP_DATA, 'token');
    }],
    ['node20.iron-webcrypto-opens-token', async () => {
      assert(typeof emitted.token === 'string', 'the runtime emitted no token');
      const envelope = await ironUnseal(emitted.token, { 1: INTEROP_SECRET });
      assert(envelope?.p === INTEROP_PURPOSE, `purpose ${envelope?.p}`);
      assertJsonEqual(envelope.d, INTEROP_DATA, 'iron-webcrypto unseal');
    }],
    ['node20.iron-webcrypto-opens-raw-key-token', async () => {
      assert(typeof emitted.rawToken === 'string', 'the runtime emitted no raw-key token');
      assertJsonEqual(await unsealData(emitted.rawToken, { keys: INTEROP_RAW_KEY, purpose: INTEROP_PURPOSE }), INTEROP_DATA, 'sealed-session');
      const envelope = await ironUnseal(emitted.rawToken, INTEROP_RAW_KEY);
      assertJsonEqual(envelope?.d, INTEROP_DATA, 'iron-webcrypto unseal');
    }],
    ['node20.opens-session-cookie', async () => {
      assert(typeof emitted.cookie === 'string', 'the runtime emitted no session cookie');
      const session = await makeStore().handleSession(request(emitted.cookie));
      assert(session.invalidReason === undefined, `refused: ${session.invalidReason}`);
      assertJsonEqual(session.data, ROUND_TRIP_STATE, 'session state');
    }],
    ['node20.opens-signed-cookie', async () => {
      assert(typeof emitted.signedCookie === 'string', 'the runtime emitted no signed session cookie');
      const session = await makeStore(INTEROP_SECRET, { content: 'signed' }).handleSession(request(emitted.signedCookie));
      assert(session.invalidReason === undefined, `refused: ${session.invalidReason}`);
      assertJsonEqual(session.data, ROUND_TRIP_STATE, 'session state');
      assert((await makeStore().handleSession(request(emitted.signedCookie))).invalidReason === 'wrong-content', 'an encrypted store must refuse it');
    }],
    ...(emitted.compression === 'none'
      ? []
      : [
          ['node20.opens-compressed-cookie', async () => {
            assert(typeof emitted.compressedCookie === 'string', 'the runtime emitted no compressed session cookie');
            const session = await makeStore().handleSession(request(emitted.compressedCookie));
            assert(session.invalidReason === undefined, `refused: ${session.invalidReason}`);
            assertJsonEqual(session.data, COMPRESSED_ROUND_TRIP_STATE, 'session state');
          }],
        ]),
  ]);
}

/** The report as lines of text (the wire format between runtimes and `run.mjs`). */
export function formatReport(report) {
  const lines = [`# runtime ${report.runtime}`, `# engine ${report.engine}`];
  for (const r of report.results) lines.push(r.ok ? `ok ${r.name}` : `not ok ${r.name}: ${r.reason.replace(/\s+/g, ' ')}`);
  for (const [kind, value] of Object.entries(report.emitted)) lines.push(`# emit ${kind} ${value}`);
  return `${lines.join('\n')}\n`;
}

/** Read a report back from its text; lines that are not part of it (runtime noise) are ignored. */
export function parseReport(text) {
  const report = { runtime: undefined, engine: undefined, results: [], emitted: {} };
  for (const line of text.split('\n')) {
    let m;
    if ((m = /^# runtime (.+)$/.exec(line))) report.runtime = m[1];
    else if ((m = /^# engine (\S+)$/.exec(line))) report.engine = m[1];
    else if ((m = /^# emit (\w+) (.+)$/.exec(line))) report.emitted[m[1]] = m[2];
    else if ((m = /^not ok (\S+): (.*)$/.exec(line))) report.results.push({ name: m[1], ok: false, reason: m[2] });
    else if ((m = /^ok (\S+)$/.exec(line))) report.results.push({ name: m[1], ok: true });
  }
  return report;
}
