/**
 * The backend conformance suite (test/session/backend-suite.ts) on a real
 * redis-server and a real 3-master Redis Cluster, through node-redis and
 * ioredis. Needs Debian's redis-server package (apt-get install redis-server):
 * skipped with one loud line without it, failing under CI=true.
 */
import { afterAll, beforeAll, describe } from 'vitest';
import { RedisBackend } from '../../src/redis/index';
import { redisTestsEnabled, startRedisCluster, startRedisServer, type RedisCluster, type RedisServer } from '../helpers/redis';
import { backendSuite } from '../session/backend-suite';
import { openCluster, openSingle, type OpenClient } from './clients';

const enabled = redisTestsEnabled('test/redis/backend.test.ts', { cluster: true });

describe.skipIf(!enabled)('Redis backend', () => {
  let server: RedisServer;
  let cluster: RedisCluster;
  const open: OpenClient[] = [];

  beforeAll(async () => {
    [server, cluster] = await Promise.all([startRedisServer(), startRedisCluster()]);
  }, 60_000);

  afterAll(async () => {
    await Promise.all(open.map((c) => c.close()));
    await Promise.all([server?.stop(), cluster?.stop()]);
  });

  for (const kind of ['node-redis', 'ioredis'] as const) {
    backendSuite(`Redis, ${kind}, single node`, async () => {
      const c = await openSingle(kind, server);
      open.push(c);
      return { backend: new RedisBackend({ client: c.client, prefix: `${kind}:` }) };
    });
  }
  for (const kind of ['node-redis cluster', 'ioredis cluster'] as const) {
    backendSuite(`Redis, ${kind} (3 masters)`, async () => {
      const c = await openCluster(kind, cluster);
      open.push(c);
      return { backend: new RedisBackend({ client: c.client, prefix: `${kind.replace(' ', '-')}:` }) };
    });
  }
});
