/**
 * One app server of the Redis load test, run as its own process by
 * redis-harness.ts: node:http with a RedisSessionStore on a shared
 * redis-server (node-redis or ioredis, as told), on 127.0.0.1 and a free
 * port. Receives `{ redisPort, client }` over IPC, answers `{ port }` once
 * listening, and exits when the parent disconnects.
 *
 *   GET  /     → 200 `{ count }`: read only (one Redis round trip, no write)
 *   POST /inc  → 200 `{ count }`: count + 1, the documented way to lose no
 *                update: load, change, commit, and on ERR_STORE_CONFLICT
 *                (another request changed the count first) load again and
 *                redo the change. 409 only if that kept failing.
 *   503 on ERR_STORE_UNAVAILABLE, 500 on anything else.
 */
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { z } from 'zod';
import { isSessionError } from '../../src/index';
import { RedisSessionStore, type RedisClientLike } from '../../src/redis/index';

interface Config {
  readonly redisPort: number;
  readonly client: 'node-redis' | 'ioredis';
}

const config = await new Promise<Config>((resolve) => process.once('message', (m: Config) => resolve(m)));
let client: RedisClientLike;
let close: () => Promise<unknown>;
if (config.client === 'node-redis') {
  const c = createClient({ url: `redis://127.0.0.1:${config.redisPort}` });
  c.on('error', () => {});
  await c.connect();
  client = c;
  close = async () => void c.destroy();
} else {
  const c = new Redis(config.redisPort, '127.0.0.1');
  c.on('error', () => {});
  client = c;
  close = async () => c.disconnect();
}

const store = new RedisSessionStore({
  client,
  keys: 'redis-load-test-secret-0123456789abcdefghijkl',
  schema: z.object({ count: z.number().int().default(0) }),
  cookie: { name: 'sid', secure: false },
  commandTimeout: 2000,
});

const server = http.createServer(async (req, res) => {
  const send = (status: number, body: unknown, cookies: string[] = []) => {
    if (cookies.length) res.setHeader('set-cookie', cookies);
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };
  try {
    if (req.method === 'POST' && req.url === '/inc') {
      for (let attempt = 0; attempt < 50; attempt++) {
        const session = await store.load(req.headers.cookie);
        session.set('count', session.get('count') + 1);
        try {
          const cookies = await session.commit();
          return send(200, { count: session.get('count'), retries: attempt }, cookies);
        } catch (err) {
          if (!isSessionError(err, 'ERR_STORE_CONFLICT')) throw err;
        }
      }
      return send(409, { error: 'ERR_STORE_CONFLICT' });
    }
    const session = await store.load(req.headers.cookie);
    send(200, { count: session.get('count') }, await session.commit());
  } catch (err) {
    send(isSessionError(err, 'ERR_STORE_UNAVAILABLE') ? 503 : 500, { error: isSessionError(err) ? err.code : String(err) });
  }
});
server.keepAliveTimeout = 30_000;
server.listen(0, '127.0.0.1');
await once(server, 'listening');
process.send!({ port: (server.address() as AddressInfo).port });
process.once('disconnect', () => {
  server.closeAllConnections();
  server.close(() => void close().finally(() => process.exit(0)));
});
