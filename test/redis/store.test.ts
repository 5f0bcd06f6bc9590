/**
 * The RedisSessionStore suite (test/redis/store-suite.ts) on a real
 * redis-server and a real 3-master Redis Cluster, through node-redis and
 * ioredis. Needs Debian's redis-server package (apt-get install
 * redis-server): skipped with one loud line without it, failing under CI=true.
 */
import { afterAll, beforeAll, describe } from 'vitest';
import { redisTestsEnabled, startRedisCluster, startRedisServer, type RedisCluster, type RedisServer } from '../helpers/redis';
import { openCluster, openSingle, type OpenClient } from './clients';
import { storeSuite } from './store-suite';

const enabled = redisTestsEnabled('test/redis/store.test.ts', { cluster: true });

describe.skipIf(!enabled)('RedisSessionStore', () => {
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
    storeSuite(`${kind}, single node`, async () => {
      const c = await openSingle(kind, server);
      open.push(c);
      return { client: c.client, command: c.command, nodes: [server] };
    });
  }
  for (const kind of ['node-redis cluster', 'ioredis cluster'] as const) {
    storeSuite(`${kind} (3 masters)`, async () => {
      const c = await openCluster(kind, cluster);
      open.push(c);
      return { client: c.client, command: c.command, nodes: cluster.nodes };
    });
  }
});
