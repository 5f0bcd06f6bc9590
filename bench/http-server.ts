/**
 * A node:http server for the HTTP-level benchmark, started in its own process
 * by `http.bench.ts`: `node --import tsx bench/http-server.ts <mode>`.
 * Prints `PORT <n>` once listening on 127.0.0.1.
 *
 * - `ours`: reads the session, changes one field, commits, on every request.
 * - `ours-cold`: the same with the token cache off (every request verifies and decrypts).
 * - `ours-manual`: `store.load` + `commit()` + `res.setHeader`, without
 *   `handleSession` (not in the default run; to see what the adapter costs).
 * - `iron`: the same with iron-session 9.
 * - `floor`: the same with the least work possible (one AES-256-GCM open and
 *   seal, JSON, indexOf for the cookie: `floorOpen`/`floorSeal` in fixtures.ts).
 * - `static`: no session work at all; sends a fixed Set-Cookie of the length
 *   given in `SET_COOKIE_LENGTH`, so that only the session work differs.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { getIronSession, nodeCookies } from 'iron-session';
import { CookieSessionStore } from 'sealed-session';
import { SECRET, STATE, floorCookie, floorOpen, floorSeal, floorSetCookie, schema, type State } from './fixtures';

const store = new CookieSessionStore({ keys: SECRET, schema, cookie: { name: 'sid', secure: false } });
// Without the token cache: every request verifies and decrypts, as for a cookie this process never saw.
const coldStore = new CookieSessionStore({ keys: SECRET, schema, cookie: { name: 'sid', secure: false }, tokenCache: 0 });
const ironOptions = { password: SECRET, cookieName: 'iron', ttl: 7 * 86_400, cookieOptions: { secure: false } };

const mode = process.argv[2];
const init = (req: IncomingMessage) => req.url === '/init';

const handlers: Record<string, (req: IncomingMessage, res: ServerResponse) => Promise<void> | void> = {
  async ours(req, res) {
    const session = await store.handleSession(req, res);
    if (init(req)) session.update(() => STATE);
    else session.set('count', session.get('count') + 1);
    await session.commit();
    res.end('ok');
  },
  async 'ours-cold'(req, res) {
    const session = await coldStore.handleSession(req, res);
    if (init(req)) session.update(() => STATE);
    else session.set('count', session.get('count') + 1);
    await session.commit();
    res.end('ok');
  },
  async 'ours-manual'(req, res) {
    const session = await store.load(req.headers.cookie);
    if (init(req)) session.update(() => STATE);
    else session.set('count', session.get('count') + 1);
    res.setHeader('set-cookie', await session.commit());
    res.end('ok');
  },
  async iron(req, res) {
    const session = await getIronSession<State>(nodeCookies(req, res), ironOptions);
    if (init(req)) Object.assign(session, STATE);
    else session.count = (session.count ?? 0) + 1;
    await session.save();
    res.end('ok');
  },
  floor(req, res) {
    const state = init(req) ? { ...STATE } : floorOpen(floorCookie(req.headers.cookie));
    state.count += 1;
    res.setHeader('set-cookie', floorSetCookie(floorSeal(state)));
    res.end('ok');
  },
  static: (() => {
    const length = Number(process.env.SET_COOKIE_LENGTH ?? 500);
    const prefix = 'static=';
    const attributes = '; Max-Age=86400; Path=/; HttpOnly; SameSite=Lax';
    const value = 'x'.repeat(Math.max(1, length - prefix.length - attributes.length));
    const header = prefix + value + attributes;
    return (_req: IncomingMessage, res: ServerResponse) => {
      res.setHeader('set-cookie', header);
      res.end('ok');
    };
  })(),
};

const handler = mode ? handlers[mode] : undefined;
if (!handler) {
  console.error(`usage: http-server.ts ${Object.keys(handlers).join('|')}`);
  process.exit(2);
}
const server = createServer((req, res) => {
  Promise.resolve(handler(req, res)).catch((err: unknown) => {
    console.error(err);
    res.statusCode = 500;
    res.end();
  });
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  console.log(`PORT ${typeof address === 'object' && address ? address.port : 0}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
