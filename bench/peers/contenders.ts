/**
 * The contenders of the peer benchmark (`npm run bench:peers`), each driven
 * the way its own documentation shows, or through its lowest public
 * function (named in `how`), doing the same work on one node:http request:
 * read the session from the `Cookie` header, change one field, write a
 * `Set-Cookie`. The micro benchmark (`bench/peers.ts`) calls `roundTrip` and
 * `read` with prebuilt `IncomingMessage`/`ServerResponse` pairs; the HTTP
 * benchmark (`bench/peers/server.ts`) calls the very same functions inside
 * `http.createServer`.
 *
 * Peer packages are devDependencies of `bench/package.json` only, loaded
 * with `import()` of a name so that the root type-check never needs them.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { Socket } from 'node:net';
import { CookieSessionStore } from 'sealed-session';
import { SECRET, STATE, floorCookie, floorOpen, floorSeal, floorSetCookie, schema } from '../fixtures';

/** What every contender keeps in its cookie: the ~130-byte state of reference.md §5. */
export type PeerState = typeof STATE;

export interface Contender {
  readonly key: string;
  readonly name: string;
  /** Package and version that ran (read from its package.json), or `—`. */
  readonly version: string;
  /** How it is driven. */
  readonly how: string;
  /** The `Cookie` request header a browser would send after `init` stored STATE. */
  readonly cookie: string;
  /** Read the session, `count += 1`, write Set-Cookie on `res`. */
  roundTrip(req: IncomingMessage, res: ServerResponse): unknown;
  /** Read the session; returns the state read (no Set-Cookie expected). */
  read(req: IncomingMessage, res: ServerResponse): unknown;
}

// tsc must not resolve peer modules (they are installed only under bench/), so they are loaded by name.
const load = (name: string): Promise<any> => import(name);
const require = createRequire(import.meta.url);
function versionOf(name: string): string {
  try {
    const file = require.resolve(`${name}/package.json`);
    return `${name} ${(JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version}`;
  } catch {
    // Packages whose exports hide package.json: walk from the entry point.
    let dir = require.resolve(name);
    for (let i = 0; i < 6; i++) {
      dir = dir.slice(0, dir.lastIndexOf('/'));
      try {
        const pkg = JSON.parse(readFileSync(`${dir}/package.json`, 'utf8')) as { name?: string; version: string };
        if (pkg.name === name) return `${name} ${pkg.version}`;
      } catch {
        /* keep walking */
      }
    }
    return name;
  }
}

const DAY = 86_400;
/** The cookie attributes every contender is given where it takes them. */
const ATTRS = { path: '/', httpOnly: true, sameSite: 'lax' as const, maxAge: DAY, secure: false };

/** `name=value` pairs of a response's Set-Cookie headers, as a browser would send them back. */
export function requestCookieOf(setCookie: readonly string[]): string {
  return setCookie.map((c) => c.slice(0, c.indexOf(';') === -1 ? undefined : c.indexOf(';'))).join('; ');
}

export function setCookiesOf(res: ServerResponse): string[] {
  const value = res.getHeader('set-cookie');
  return value === undefined ? [] : Array.isArray(value) ? value : [String(value)];
}

/** A request with a Cookie header and a response for it, not attached to any socket. */
export function nodePair(cookie: string | undefined): [IncomingMessage, ServerResponse] {
  const req = new IncomingMessage(new Socket());
  req.headers = cookie === undefined ? { host: '127.0.0.1' } : { cookie, host: '127.0.0.1' };
  req.url = '/';
  req.method = 'GET';
  return [req, new ServerResponse(req)];
}

/** Build a contender's cookie for STATE by running its own write path once on an empty request. */
async function initCookie(write: (req: IncomingMessage, res: ServerResponse) => unknown): Promise<string> {
  const [req, res] = nodePair(undefined);
  await write(req, res);
  return requestCookieOf(setCookiesOf(res));
}

type Partial_ = Omit<Contender, 'cookie'> & { init(req: IncomingMessage, res: ServerResponse): unknown };
async function finish(c: Partial_): Promise<Contender> {
  const cookie = await initCookie((req, res) => c.init(req, res));
  const { init: _init, ...rest } = c;
  return { ...rest, cookie };
}

// ---------------------------------------------------------------- ours
function ours(key: string, name: string, options: { tokenCache?: number; schema?: boolean } = {}): Promise<Contender> {
  const store = new CookieSessionStore({
    keys: SECRET,
    cookie: { name: 'sid', secure: false },
    ...(options.schema ? { schema } : {}),
    ...(options.tokenCache === undefined ? {} : { tokenCache: options.tokenCache }),
  });
  return finish({
    key,
    name,
    version: 'sealed-session (this tree, dist/)',
    how: '`store.handleSession(req, res)`, `session.set`, `await session.commit()`',
    async init(req, res) {
      const session = (await store.handleSession(req, res)) as any;
      session.update(() => ({ ...STATE }));
      await session.commit();
    },
    async roundTrip(req, res) {
      const session = (await store.handleSession(req, res)) as any;
      session.set('count', session.get('count') + 1);
      await session.commit();
    },
    async read(req, res) {
      return ((await store.handleSession(req, res)) as any).get('user');
    },
  });
}

/** Ours without the node adapter: `store.load(cookieHeader)`, `commit()`, `res.setHeader` (to tell the adapter's cost apart). */
function oursManual(): Promise<Contender> {
  const store = new CookieSessionStore({ keys: SECRET, cookie: { name: 'sid', secure: false }, tokenCache: 0 });
  return finish({
    key: 'ours-manual',
    name: 'sealed-session, token cache off, without the node adapter',
    version: 'sealed-session (this tree, dist/)',
    how: '`await store.load(req.headers.cookie)`, `session.set`, `res.setHeader("set-cookie", await session.commit())`',
    async init(req, res) {
      const session = (await store.load(req.headers.cookie)) as any;
      session.update(() => ({ ...STATE }));
      res.setHeader('set-cookie', await session.commit());
    },
    async roundTrip(req, res) {
      const session = (await store.load(req.headers.cookie)) as any;
      session.set('count', session.get('count') + 1);
      res.setHeader('set-cookie', await session.commit());
    },
    async read(req) {
      return ((await store.load(req.headers.cookie)) as any).get('user');
    },
  });
}

// ---------------------------------------------------------------- floor
function floor(): Promise<Contender> {
  return finish({
    key: 'floor',
    name: 'hand-written AES-256-GCM + JSON (no library)',
    version: '—',
    how: '`createDecipheriv`/`createCipheriv` aes-256-gcm, JSON, indexOf for the cookie (bench/fixtures.ts)',
    init(_req, res) {
      res.setHeader('set-cookie', [floorSetCookie(floorSeal(STATE))]);
    },
    roundTrip(req, res) {
      const state = floorOpen(floorCookie(req.headers.cookie));
      state.count++;
      res.setHeader('set-cookie', [floorSetCookie(floorSeal(state))]);
    },
    read(req) {
      return floorOpen(floorCookie(req.headers.cookie)).user;
    },
  });
}

// ---------------------------------------------------------------- @fastify/secure-session
async function fastifySecureSession(): Promise<Contender> {
  const { default: Fastify } = await load('fastify');
  const { default: secureSession } = await load('@fastify/secure-session');
  const sodium = (await load('sodium-native')).default;
  const key = Buffer.alloc(sodium.crypto_secretbox_KEYBYTES);
  sodium.randombytes_buf(key);
  const app = Fastify({ logger: false });
  const cookieOptions = { ...ATTRS };
  app.register(secureSession, { key, cookieName: 'fss', cookie: cookieOptions });
  await app.ready();
  // What the plugin's onRequest and onSend hooks do, through the functions it decorates fastify with.
  const open = (req: IncomingMessage) => {
    const cookies = app.parseCookie(req.headers.cookie ?? '');
    return app.decodeSecureSession(cookies.fss) ?? app.createSecureSession();
  };
  const write = (res: ServerResponse, session: unknown) =>
    res.setHeader('set-cookie', [app.serializeCookie('fss', app.encodeSecureSession(session), cookieOptions)]);
  return finish({
    key: 'fastify',
    name: '@fastify/secure-session (XSalsa20-Poly1305, sodium-native)',
    version: `${versionOf('@fastify/secure-session')}, ${versionOf('sodium-native')}`,
    how: '`fastify.parseCookie`, `fastify.decodeSecureSession`, `session.set`, `fastify.encodeSecureSession`, `fastify.serializeCookie` (what its hooks run)',
    init(_req, res) {
      write(res, app.createSecureSession({ ...STATE }));
    },
    roundTrip(req, res) {
      const session = open(req);
      session.set('count', session.get('count') + 1);
      write(res, session);
    },
    read(req) {
      return open(req).get('user');
    },
  });
}

// ---------------------------------------------------------------- cookies + keygrip
async function cookiesKeygrip(): Promise<Contender> {
  const { default: Cookies } = await load('cookies');
  const { default: Keygrip } = await load('keygrip');
  const keys = new Keygrip([SECRET]);
  const write = (cookies: any, state: unknown) =>
    cookies.set('kg', Buffer.from(JSON.stringify(state)).toString('base64'), { signed: true, ...ATTRS, maxAge: DAY * 1000, sameSite: 'lax' });
  const open = (cookies: any) => {
    const value = cookies.get('kg', { signed: true });
    return value ? JSON.parse(Buffer.from(value, 'base64').toString('utf8')) : {};
  };
  return finish({
    key: 'keygrip',
    name: 'cookies + keygrip (signed, not encrypted)',
    version: `${versionOf('cookies')}, ${versionOf('keygrip')}`,
    how: '`new Cookies(req, res, { keys })`, `cookies.get(name, { signed: true })`, JSON in base64, `cookies.set(..., { signed: true })`',
    init(req, res) {
      write(new Cookies(req, res, { keys }), STATE);
    },
    roundTrip(req, res) {
      const cookies = new Cookies(req, res, { keys });
      const state = open(cookies);
      state.count++;
      write(cookies, state);
    },
    read(req, res) {
      return open(new Cookies(req, res, { keys })).user;
    },
  });
}

// ---------------------------------------------------------------- cookie-session
async function cookieSession(): Promise<Contender> {
  const { default: cookieSessionMiddleware } = await load('cookie-session');
  const mw = cookieSessionMiddleware({ name: 'cs', keys: [SECRET], ...ATTRS, maxAge: DAY * 1000 });
  // The middleware writes the cookie when the headers go out (on-headers): writeHead triggers it, as res.end() would.
  const run = (req: IncomingMessage, res: ServerResponse, change: (session: any) => unknown) =>
    new Promise<unknown>((resolve) =>
      mw(req, res, () => {
        const out = change((req as any).session);
        res.writeHead(200);
        resolve(out);
      }),
    );
  return finish({
    key: 'cookie-session',
    name: 'cookie-session (signed, not encrypted)',
    version: versionOf('cookie-session'),
    how: 'the middleware `cookieSession({ name, keys })(req, res, next)`, `req.session.count++`, `res.writeHead`',
    init: (req, res) => run(req, res, (s) => Object.assign(s, STATE)),
    roundTrip: (req, res) => run(req, res, (s) => s.count++),
    read: (req, res) => run(req, res, (s) => s.user),
  });
}

// ---------------------------------------------------------------- jose
async function jose(): Promise<Contender> {
  const { CompactEncrypt, compactDecrypt } = await load('jose');
  // Imported once, as a CryptoKey (jose 6 runs on WebCrypto).
  const key = await globalThis.crypto.subtle.importKey('raw', randomBytes(32), 'AES-GCM', false, ['encrypt', 'decrypt']);
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  const seal = (state: unknown): Promise<string> =>
    new CompactEncrypt(encoder.encode(JSON.stringify(state))).setProtectedHeader({ alg: 'dir', enc: 'A256GCM' }).encrypt(key);
  const open = async (req: IncomingMessage) => {
    const at = req.headers.cookie!.indexOf('jwe=');
    const end = req.headers.cookie!.indexOf(';', at);
    const { plaintext } = await compactDecrypt(req.headers.cookie!.slice(at + 4, end === -1 ? undefined : end), key);
    return JSON.parse(decoder.decode(plaintext));
  };
  const setCookie = (jwe: string) => `jwe=${jwe}; Max-Age=${DAY}; Path=/; HttpOnly; SameSite=Lax`;
  return finish({
    key: 'jose',
    name: 'jose JWE dir + A256GCM (WebCrypto)',
    version: versionOf('jose'),
    how: '`compactDecrypt(jwe, key)`, JSON, `new CompactEncrypt(...).setProtectedHeader({ alg: "dir", enc: "A256GCM" }).encrypt(key)`, key imported once',
    async init(_req, res) {
      res.setHeader('set-cookie', [setCookie(await seal(STATE))]);
    },
    async roundTrip(req, res) {
      const state = await open(req);
      state.count++;
      res.setHeader('set-cookie', [setCookie(await seal(state))]);
    },
    async read(req) {
      return (await open(req)).user;
    },
  });
}

// ---------------------------------------------------------------- React Router
async function reactRouter(): Promise<Contender> {
  const { createCookieSessionStorage } = await load('react-router');
  const storage = createCookieSessionStorage({ cookie: { name: 'rr', secrets: [SECRET], ...ATTRS } });
  return finish({
    key: 'react-router',
    name: 'React Router cookie session storage (signed, not encrypted; WebCrypto)',
    version: versionOf('react-router'),
    how: '`createCookieSessionStorage({ cookie })`, `getSession(cookieHeader)`, `session.set`, `commitSession(session)`',
    async init(req, res) {
      const session = await storage.getSession(req.headers.cookie);
      for (const [k, v] of Object.entries(STATE)) session.set(k, v);
      res.setHeader('set-cookie', [await storage.commitSession(session)]);
    },
    async roundTrip(req, res) {
      const session = await storage.getSession(req.headers.cookie);
      session.set('count', session.get('count') + 1);
      res.setHeader('set-cookie', [await storage.commitSession(session)]);
    },
    async read(req) {
      return (await storage.getSession(req.headers.cookie)).get('user');
    },
  });
}

// ---------------------------------------------------------------- iron-session
async function ironSession(): Promise<Contender> {
  const { getIronSession, nodeCookies } = await load('iron-session');
  const options = { password: SECRET, cookieName: 'iron', ttl: DAY, cookieOptions: { secure: false } };
  return finish({
    key: 'iron-session',
    name: 'iron-session (iron via iron-webcrypto, WebCrypto)',
    version: versionOf('iron-session'),
    how: '`getIronSession(nodeCookies(req, res), options)`, change, `session.save()`',
    async init(req, res) {
      const session = await getIronSession(nodeCookies(req, res), options);
      Object.assign(session, STATE);
      await session.save();
    },
    async roundTrip(req, res) {
      const session = await getIronSession(nodeCookies(req, res), options);
      session.count = (session.count ?? 0) + 1;
      await session.save();
    },
    async read(req, res) {
      return (await getIronSession(nodeCookies(req, res), options)).user;
    },
  });
}

// ---------------------------------------------------------------- h3
async function h3(): Promise<Contender> {
  const { H3Event, useSession } = await load('h3');
  const config = { password: SECRET, name: 'h3', maxAge: DAY, cookie: { ...ATTRS } };
  // h3 2 works on Web requests: its node adapter builds one per request too (not timed separately here).
  const event = (req: IncomingMessage) =>
    new H3Event(new Request('http://127.0.0.1/', { headers: req.headers.cookie ? { cookie: req.headers.cookie } : {} }));
  const copy = (ev: any, res: ServerResponse) => res.setHeader('set-cookie', ev.res.headers.getSetCookie());
  return finish({
    key: 'h3',
    name: 'h3 sessions, defaults (iron with PBKDF2 per token)',
    version: versionOf('h3'),
    how: '`useSession(new H3Event(request), { password })`, `session.update(...)`, Set-Cookie from `event.res.headers`',
    async init(req, res) {
      const ev = event(req);
      const session = await useSession(ev, config);
      await session.update({ ...STATE });
      copy(ev, res);
    },
    async roundTrip(req, res) {
      const ev = event(req);
      const session = await useSession(ev, config);
      await session.update((data: PeerState) => ({ count: (data.count ?? 0) + 1 }));
      copy(ev, res);
    },
    async read(req) {
      return (await useSession(event(req), config)).data.user;
    },
  });
}

/** Every contender, in table order; `only` keeps the keys given. */
export const FACTORIES: ReadonlyArray<readonly [key: string, make: () => Promise<Contender>]> = [
  ['ours-cold', () => ours('ours-cold', 'sealed-session, token cache off', { tokenCache: 0 })],
  ['ours', () => ours('ours', 'sealed-session, token cache on (the default; same cookie every request)')],
  ['ours-schema', () => ours('ours-schema', 'sealed-session, token cache off, zod schema', { tokenCache: 0, schema: true })],
  ['ours-manual', oursManual],
  ['fastify', fastifySecureSession],
  ['floor', floor],
  ['keygrip', cookiesKeygrip],
  ['cookie-session', cookieSession],
  ['jose', jose],
  ['react-router', reactRouter],
  ['iron-session', ironSession],
  ['h3', h3],
];

export async function makeContender(key: string): Promise<Contender> {
  const entry = FACTORIES.find(([k]) => k === key);
  if (!entry) throw new Error(`unknown contender ${key}; known: ${FACTORIES.map(([k]) => k).join(', ')}`);
  return entry[1]();
}
