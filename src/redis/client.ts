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
import { nodeBuiltin } from '../util/env';
import type { Script } from './scripts';

/**
 * A node-redis v5 client: `createClient()` or `createCluster()` from `redis`
 * (connected; `.on('error', …)` set, as node-redis wants).
 *
 * @example
 * ```ts
 * const client: NodeRedisLike = await createClient({ url: 'redis://127.0.0.1:6379' }).on('error', console.error).connect();
 * ```
 */
export interface NodeRedisLike {
  /** Run a cached script by its SHA-1. */
  evalSha(sha: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  /** Run (and cache) a script. */
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  /** Read fields of a hash: a read-only load needs no script (used when present). */
  hmGet?(key: string, fields: string[]): Promise<unknown>;
}

/**
 * An ioredis v5/v6 client: `new Redis()` or `new Cluster([...])` from `ioredis`.
 *
 * @example
 * ```ts
 * const client: IoRedisLike = new Cluster([{ host: '127.0.0.1', port: 7000 }]);
 * ```
 */
export interface IoRedisLike {
  /** Run a cached script by its SHA-1. */
  evalsha(sha: string, numkeys: number, ...args: string[]): Promise<unknown>;
  /** Run (and cache) a script. */
  eval(script: string, numkeys: number, ...args: string[]): Promise<unknown>;
  /** Read fields of a hash: a read-only load needs no script (used when present). */
  hmget?(key: string, ...fields: string[]): Promise<unknown>;
}

/**
 * Either client.
 *
 * @example
 * ```ts
 * const client: RedisClientLike = process.env.REDIS_CLUSTER ? new Cluster(nodes) : new Redis(process.env.REDIS_URL!);
 * ```
 */
export type RedisClientLike = NodeRedisLike | IoRedisLike;

/** Runs scripts; what the backend talks to. */
export interface ScriptRunner {
  run(script: Script, keys: string[], args: string[]): Promise<unknown>;
  /** HMGET, when the client has it: fields of one hash, no script. */
  readonly read: ((key: string, fields: string[]) => Promise<unknown>) | undefined;
}

type Crypto = typeof NodeCrypto;

/** node:crypto, reached the way the seal engine reaches it (no `node:` import in any bundle). */
export function nodeCrypto(): Crypto {
  const crypto = nodeBuiltin<Crypto>('node:crypto');
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

/**
 * What a client's error may pass on as the `cause` of ours: a new `Error`
 * with the error's name, code and the first line of its message, with every
 * key and argument of the call cut out. Never the client's error itself:
 * ioredis puts the command with all its arguments on its errors
 * (`err.command.args`: the record names, the state as JSON, the owner id),
 * and a logged or serialised cause would carry them.
 */
function redacted(err: unknown, words: readonly string[]): Error {
  const source = err instanceof Error ? err : undefined;
  let message = (source?.message ?? String(typeof err)).split('\n', 1)[0]!.slice(0, 300);
  for (const word of words) if (word.length >= 6 && message.includes(word)) message = message.split(word).join('…');
  const clean = new Error(message);
  clean.name = source?.name ?? 'Error';
  const code = (source as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && /^[A-Z_]{2,40}$/.test(code)) (clean as { code?: string }).code = code;
  // The stack would be this function's; the client's frames say nothing a user needs.
  clean.stack = `${clean.name}: ${message}`;
  return clean;
}

/** Reject with ERR_STORE_UNAVAILABLE unless `promise` settles within `ms`. */
function withTimeout<T>(promise: Promise<T>, ms: number, name: string, words: readonly string[]): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(unavailable(`did not answer the ${name} within ${ms} ms`)), ms);
    (timer as { unref?: () => void }).unref?.();
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err instanceof SessionError ? err : unavailable(`failed the ${name} (${errorCode(err)})`, redacted(err, words)));
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
  let hmget: ((key: string, fields: string[]) => Promise<unknown>) | undefined;
  if (typeof c?.evalSha === 'function' && typeof c.eval === 'function') {
    const redis = c as NodeRedisLike;
    if (typeof redis.hmGet === 'function') hmget = (key, fields) => redis.hmGet!(key, fields);
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
    if (typeof redis.hmget === 'function') hmget = (key, fields) => redis.hmget!(key, ...fields);
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
  const words = (keys: string[], args: string[]) => [...keys, ...keys.flatMap((k) => k.split(/[{}:]/)), ...args];
  const guarded = (name: string, start: () => Promise<unknown>, keys: string[], args: string[]) => {
    let pending: Promise<unknown>;
    try {
      pending = start();
    } catch (err) {
      pending = Promise.reject(err);
    }
    return withTimeout(pending, timeoutMs, name, words(keys, args));
  };
  return {
    run: (script, keys, args) => guarded(`${script.name} script`, () => call(script, keys, args), keys, args),
    read: hmget && ((key, fields) => guarded('read', () => hmget(key, fields), [key], [])),
  };
}
