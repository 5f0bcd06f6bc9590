/** The four ways a user hands us Redis: node-redis and ioredis, single node and Redis Cluster. */
import { Cluster, Redis } from 'ioredis';
import { createClient, createCluster } from 'redis';
import type { RedisClientLike } from '../../src/redis/index';
import type { RedisCluster, RedisServer } from '../helpers/redis';

export type ClientKind = 'node-redis' | 'ioredis' | 'node-redis cluster' | 'ioredis cluster';

export interface OpenClient {
  readonly kind: ClientKind;
  readonly client: RedisClientLike;
  /** Run a raw command (for assertions), routed by `key` on a cluster. */
  command(args: string[], key?: string): Promise<unknown>;
  close(): Promise<void>;
}

const quiet = () => {}; // connection errors are reported by the failing command instead

export async function openSingle(kind: 'node-redis' | 'ioredis', server: RedisServer): Promise<OpenClient> {
  if (kind === 'node-redis') {
    const client = createClient({ url: server.url });
    client.on('error', quiet);
    await client.connect();
    return { kind, client, command: (args) => client.sendCommand(args), close: async () => void (await client.destroy()) };
  }
  const client = new Redis(server.port, '127.0.0.1', { lazyConnect: true });
  client.on('error', quiet);
  await client.connect();
  return { kind, client, command: (args) => client.call(args[0]!, ...args.slice(1)), close: async () => client.disconnect() };
}

export async function openCluster(kind: 'node-redis cluster' | 'ioredis cluster', cluster: RedisCluster): Promise<OpenClient> {
  if (kind === 'node-redis cluster') {
    const client = createCluster({ rootNodes: [...cluster.rootNodes] });
    client.on('error', quiet);
    await client.connect();
    return { kind, client, command: (args, key) => client.sendCommand(key, false, args), close: async () => void (await client.destroy()) };
  }
  const client = new Cluster([...cluster.startupNodes], { lazyConnect: true });
  client.on('error', quiet);
  await client.connect();
  return { kind, client, command: (args) => client.call(args[0]!, ...args.slice(1)), close: async () => client.disconnect() };
}
