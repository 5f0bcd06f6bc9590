/**
 * The tiny client shim: run a Lua script on an existing node-redis or ioredis
 * client (single node or cluster) with EVALSHA, falling back to EVAL (which
 * also caches the script on that node) when the node answers NOSCRIPT; every
 * call under a timeout; every failure a `SessionError` of code
 * `ERR_STORE_UNAVAILABLE`.
 *
 * Both clients' cluster classes route EVAL/EVALSHA by the first key, which is
 * why every script's keys share one hash tag.
 *
 * @module
 * @internal
 */
import type * as NodeCrypto from 'node:crypto';
import { configError, SessionError } from '../errors';
import type { Script } from './scripts';

/**
 * A node-redis v5 client: `createClient()` or `createCluster()` from `redis`
 * (connected; `.on('error', …)` set, as node-redis wants). Only these two
 * methods are used: every operation is one Lua script.
 *
 * @example
 * ```ts
 * import { createClient } from 'redis';
 *
 * const client: NodeRedisLike = await createClient({ url: process.env.REDIS_URL }).on('error', console.error).connect();
 * const backend = new RedisBackend({ client });
 * ```
 */
export interface NodeRedisLike {
  /** node-redis `EVALSHA`: run the cached script with this SHA-1 (rejects with `NOSCRIPT` when the node has not cached it). */
  evalSha(sha: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  /** node-redis `EVAL`: run the script's source (the fallback after `NOSCRIPT`; it also caches the script). */
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
}

/**
 * An ioredis v5/v6 client: `new Redis()` or `new Cluster([...])` from
 * `ioredis`. Only these two methods are used: every operation is one Lua script.
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis';
 *
 * const client: IoRedisLike = new Redis(process.env.REDIS_URL!);
 * const backend = new RedisBackend({ client });
 * ```
 */
export interface IoRedisLike {
  /** ioredis `EVALSHA`: the cached script with this SHA-1, `numkeys` keys then the arguments (rejects with `NOSCRIPT` when not cached). */
  evalsha(sha: string, numkeys: number, ...args: string[]): Promise<unknown>;
  /** ioredis `EVAL`: the script's source, `numkeys` keys then the arguments (the fallback after `NOSCRIPT`; it also caches the script). */
  eval(script: string, numkeys: number, ...args: string[]): Promise<unknown>;
}

/**
 * Either client: what {@link RedisBackendOptions.client} takes. A single
 * node or a cluster (both clients route a script by its first key).
 *
 * @example
 * ```ts
 * import { Cluster } from 'ioredis';
 *
 * const client: RedisClientLike = new Cluster([{ host: '10.0.0.1', port: 6379 }]);
 * ```
 */
export type RedisClientLike = NodeRedisLike | IoRedisLike;

/** Runs scripts; what the backend talks to. */
export interface ScriptRunner {
  run(script: Script, keys: string[], args: string[]): Promise<unknown>;
}

type Crypto = typeof NodeCrypto;

/** node:crypto, reached the way the seal engine reaches it (no `node:` import in any bundle). */
export function nodeCrypto(): Crypto {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  let crypto: Crypto | undefined;
  try {
    crypto = proc?.getBuiltinModule?.('node:crypto') as Crypto | undefined;
  } catch {
    crypto = undefined;
  }
  if (typeof crypto?.createHash !== 'function') {
    throw configError('ERR_CONFIG_OPTION', 'client', 'the Redis backend needs node:crypto (Node.js 20.16 or later, Bun or Deno)');
  }
  return crypto;
}

/** The first word of a Redis error (`NOSCRIPT`, `OOM`, `CLUSTERDOWN`…) or a socket error code, for messages that leak nothing. */
function errorCode(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && /^[A-Z_]{2,40}$/.test(code)) return code;
    const word = /^([A-Z][A-Z_]{1,40})\b/.exec(err.message)?.[1];
    if (word) return word;
    return err.name;
  }
  return typeof err;
}

const isNoScript = (err: unknown) => err instanceof Error && /^NOSCRIPT\b/.test(err.message);

export function unavailable(message: string, cause?: unknown): SessionError {
  return new SessionError('ERR_STORE_UNAVAILABLE', `sealed-session: Redis ${message}`, cause === undefined ? {} : { cause });
}

/** Reject with ERR_STORE_UNAVAILABLE unless `promise` settles within `ms`. */
function withTimeout<T>(promise: Promise<T>, ms: number, name: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(unavailable(`did not answer the ${name} script within ${ms} ms`)), ms);
    (timer as { unref?: () => void }).unref?.();
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err instanceof SessionError ? err : unavailable(`failed the ${name} script (${errorCode(err)})`, err));
      },
    );
  });
}

/** Wrap a client. Throws `ERR_CONFIG_OPTION` for anything that is neither node-redis nor ioredis. */
export function scriptRunner(client: unknown, timeoutMs: number): ScriptRunner {
  const crypto = nodeCrypto();
  const shas = new Map<Script, string>();
  const sha = (script: Script) => {
    let value = shas.get(script);
    if (value === undefined) shas.set(script, (value = crypto.createHash('sha1').update(script.text).digest('hex')));
    return value;
  };
  const c = client as Partial<NodeRedisLike & IoRedisLike> | null | undefined;
  let call: (script: Script, keys: string[], args: string[]) => Promise<unknown>;
  if (typeof c?.evalSha === 'function' && typeof c.eval === 'function') {
    const redis = c as NodeRedisLike;
    call = async (script, keys, args) => {
      try {
        return await redis.evalSha(sha(script), { keys, arguments: args });
      } catch (err) {
        if (!isNoScript(err)) throw err;
        return await redis.eval(script.text, { keys, arguments: args });
      }
    };
  } else if (typeof c?.evalsha === 'function' && typeof c.eval === 'function') {
    const redis = c as IoRedisLike;
    call = async (script, keys, args) => {
      try {
        return await redis.evalsha(sha(script), keys.length, ...keys, ...args);
      } catch (err) {
        if (!isNoScript(err)) throw err;
        return await redis.eval(script.text, keys.length, ...keys, ...args);
      }
    };
  } else {
    throw configError('ERR_CONFIG_OPTION', 'client', 'must be a node-redis client or cluster (createClient/createCluster from "redis") or an ioredis Redis or Cluster');
  }
  return {
    run(script, keys, args) {
      let pending: Promise<unknown>;
      try {
        pending = call(script, keys, args);
      } catch (err) {
        pending = Promise.reject(err);
      }
      return withTimeout(pending, timeoutMs, script.name);
    },
  };
}
