/**
 * One contender of the Redis benchmark (`bench/redis.ts`) in its own
 * process: `node --import tsx bench/redis/server.ts <key> <redisPort>`.
 * Express 5 on 127.0.0.1 with its session layer on the shared redis-server,
 * through the same node-redis client package (bench/node_modules/redis):
 *
 * - `ours`: `RedisSessionStore` (sealed-session/redis, built), loaded by a
 *   two-line middleware, committed before the response;
 * - `ours-http`: the same store on plain node:http (no Express);
 * - `express-session`: express-session + connect-redis (`resave: false`,
 *   `saveUninitialized: false`: nothing written for a session that did not
 *   change, as ours);
 * - `express-session-http`: the same middleware on plain node:http;
 * - `express-floor`: Express with no session at all.
 *
 * Routes, the same for each: `GET /read` (the count), `POST /inc` (count + 1),
 * `POST /renew` (a new session id, count + 1). Prints `PORT <n>` once listening.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { RedisSessionStore } from 'sealed-session/redis';

const SECRET = 'bench-redis-secret-0123456789abcdefghijklmnopq';
const [key = '', redisPort = '6379'] = process.argv.slice(2);
/** The bench's own packages (bench/node_modules), named so that the root type-check never needs them. */
const load = (name: string): Promise<any> => import(name);

const { createClient } = await load('redis');
const client = createClient({ url: `redis://127.0.0.1:${redisPort}` });
client.on('error', (err: unknown) => console.error('redis', err));
await client.connect();

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;
let handle: Handler;

if (key === 'ours' || key === 'ours-http') {
  const store = new RedisSessionStore({ client, keys: SECRET, schema: z.object({ count: z.number().default(0) }), cookie: { name: 'sid', secure: false }, prefix: 'ours:' });
  const route: Handler = async (req, res) => {
    const session = await store.handleSession(req, res);
    if (req.method === 'POST') {
      if (req.url === '/renew') session.renew();
      session.set('count', session.get('count') + 1);
    }
    await session.commit();
    res.end(String(session.get('count')));
  };
  if (key === 'ours-http') handle = route;
  else {
    const express = (await load('express')).default;
    const app = express();
    app.all(/.*/, (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => route(req, res).catch(next));
    handle = async (req, res) => app(req, res);
  }
} else if (key === 'express-session' || key === 'express-session-http') {
  const session = (await load('express-session')).default;
  const { RedisStore } = await load('connect-redis');
  const middleware = session({ store: new RedisStore({ client, prefix: 'es:' }), secret: SECRET, name: 'sid', resave: false, saveUninitialized: false, cookie: { secure: false, maxAge: 86_400_000 } });
  type Req = IncomingMessage & { session: { count?: number; regenerate(cb: (err?: unknown) => void): void } };
  const route = (req: Req, res: ServerResponse, next: (err?: unknown) => void) => {
    if (req.method === 'GET') return void res.end(String(req.session.count ?? 0));
    const count = req.session.count ?? 0;
    const bump = () => {
      req.session.count = count + 1;
      res.end(String(req.session.count));
    };
    if (req.url === '/renew') req.session.regenerate((err) => (err ? next(err) : bump()));
    else bump();
  };
  if (key === 'express-session-http') {
    // express-session is Connect middleware: it runs on node:http as it is (it parses the Cookie header itself).
    handle = (req, res) =>
      new Promise<void>((resolve, reject) => {
        const next = (err?: unknown) => (err ? reject(err) : undefined);
        middleware(req, res, (err?: unknown) => {
          if (err) return reject(err);
          route(req as Req, res, next);
          res.once('finish', () => resolve());
        });
      });
  } else {
    const express = (await load('express')).default;
    const app = express();
    app.use(middleware);
    app.all(/.*/, route);
    handle = async (req, res) => app(req, res);
  }
} else if (key === 'express-floor') {
  // Express with no session at all: what the framework alone costs here.
  const express = (await load('express')).default;
  const app = express();
  app.all(/.*/, (_req: IncomingMessage, res: ServerResponse) => res.end('0'));
  handle = async (req, res) => app(req, res);
} else {
  throw new Error(`unknown contender ${key}`);
}

const server = createServer((req, res) => {
  handle(req, res).catch((err: unknown) => {
    console.error(err);
    res.statusCode = 500;
    res.end();
  });
});
server.keepAliveTimeout = 30_000;
server.listen(0, '127.0.0.1', () => console.log(`PORT ${(server.address() as AddressInfo).port}`));
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => {
    client.destroy();
    process.exit(0);
  });
});
