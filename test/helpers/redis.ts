/**
 * Throwaway Redis for tests: Debian's `redis-server` package (redis-server and
 * redis-cli), started on 127.0.0.1 on free ports and torn down by the caller.
 *
 * - {@link startRedisServer}: one server, no persistence (or, with
 *   `persistent: true`, an append-only file fsynced on every write in a
 *   temporary directory, so a SIGKILL loses nothing acknowledged).
 * - {@link startRedisCluster}: a real 3-master Redis Cluster (cluster mode,
 *   `redis-cli --cluster create`, waits for `cluster_state:ok`).
 * - Fault controls on each server: `pause()` (SIGSTOP), `resume()` (SIGCONT),
 *   `kill()` (SIGKILL), `restart()` (same port, same directory).
 *
 * The rule for every Redis test ({@link redisTestsEnabled}): without the
 * binaries the tests are skipped with ONE loud line saying how to get them,
 * and under `CI=true` they fail instead.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

const INSTALL_HINT = 'apt-get install redis-server';

function installed(binary: string): boolean {
  const probe = spawnSync(binary, ['--version'], { stdio: 'ignore' });
  return probe.error === undefined && probe.status === 0;
}

/** Is the `redis-server` binary on PATH? */
export function redisServerInstalled(): boolean {
  return installed('redis-server');
}

/** Is CI=true (or any value but empty/0/false)? */
export function underCi(): boolean {
  const ci = process.env.CI;
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
}

/**
 * The rule for every Redis test file: call it once at the top and pass the
 * answer to `describe.skipIf(!enabled)`. With redis-server (and, for the
 * cluster, redis-cli) on PATH it returns true. Without: under CI it throws
 * (the file fails); locally it prints one loud line and returns false.
 */
export function redisTestsEnabled(file: string, { cluster = false }: { cluster?: boolean } = {}): boolean {
  const missing = [installed('redis-server') ? undefined : 'redis-server', cluster && !installed('redis-cli') ? 'redis-cli' : undefined].filter(Boolean);
  if (missing.length === 0) return true;
  const message = `${missing.join(' and ')} not found: ${file} needs a real Redis (Debian/Ubuntu: ${INSTALL_HINT})`;
  if (underCi()) throw new Error(`${message}; CI=true requires it`);
  console.warn(`!!!!!!!!!! SKIPPED ${message} !!!!!!!!!!`);
  return false;
}

/** One redis-server process with fault controls. */
export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** Process id of the running server (changes on restart). */
  readonly pid: number;
  /** SIGSTOP: the server holds its connections but answers nothing. */
  pause(): void;
  /** SIGCONT after {@link pause}. */
  resume(): void;
  /** SIGKILL, and wait until the process is gone. */
  kill(): Promise<void>;
  /** Start it again on the same port and directory (after {@link kill} or {@link stop}). */
  restart(): Promise<void>;
  /** SIGTERM (SIGKILL after 5 s); also resumes a paused server first. Removes the temporary directory. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Append-only file, fsync on every write, in the server's temporary directory. Default false (no persistence). */
  readonly persistent?: boolean;
  /** Cluster mode (`--cluster-enabled yes`), used by {@link startRedisCluster}. */
  readonly cluster?: boolean;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

function waitUntilReady(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => fail(new Error(`redis-server did not start:\n${output}`)), 10_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) done();
    };
    const onExit = (code: number | null) => fail(new Error(`redis-server exited (${String(code)}):\n${output}`));
    const cleanup = () => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
    };
    const done = () => {
      cleanup();
      resolve();
    };
    const fail = (err: Error) => {
      cleanup();
      reject(err);
    };
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
  });
}

function serverArgs(port: number, dir: string, { persistent = false, cluster = false }: StartOptions): string[] {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--loglevel', 'notice'];
  args.push(...(persistent ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']));
  if (cluster) args.push('--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`, '--cluster-node-timeout', '5000');
  return args;
}

async function spawnServer(port: number, dir: string, options: StartOptions): Promise<ChildProcess> {
  const child = spawn('redis-server', serverArgs(port, dir, options), { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await waitUntilReady(child);
  } catch (err) {
    if (child.exitCode === null) child.kill('SIGKILL');
    throw err;
  }
  child.stdout?.resume();
  return child;
}

const alive = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;

async function ended(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (!alive(child)) return;
  const exited = once(child, 'exit');
  child.kill('SIGCONT');
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** Start redis-server on a free port; retries on another port if the one picked was taken meanwhile. */
export async function startRedisServer(options: StartOptions = {}): Promise<RedisServer> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const dir = mkdtempSync(path.join(tmpdir(), 'sealed-session-redis-'));
    let child: ChildProcess;
    try {
      child = await spawnServer(port, dir, options);
    } catch (err) {
      lastError = err;
      rmSync(dir, { recursive: true, force: true });
      continue;
    }
    const server: RedisServer = {
      port,
      url: `redis://127.0.0.1:${port}`,
      get pid() {
        return child.pid ?? -1;
      },
      pause: () => void child.kill('SIGSTOP'),
      resume: () => void child.kill('SIGCONT'),
      kill: () => ended(child, 'SIGKILL'),
      async restart() {
        await ended(child, 'SIGTERM');
        child = await spawnServer(port, dir, options);
      },
      async stop() {
        await ended(child, 'SIGTERM');
        rmSync(dir, { recursive: true, force: true });
      },
    };
    return server;
  }
  throw lastError;
}

/** A 3-master Redis Cluster on 127.0.0.1. */
export interface RedisCluster {
  /** The three masters (each with the same fault controls as a single server). */
  readonly nodes: readonly RedisServer[];
  /** `{ host, port }` of every master, for ioredis' `new Cluster(...)`. */
  readonly startupNodes: ReadonlyArray<{ host: string; port: number }>;
  /** `{ url }` of every master, for node-redis' `createCluster({ rootNodes })`. */
  readonly rootNodes: ReadonlyArray<{ url: string }>;
  /** The master serving a key's slot, asked from the cluster (`CLUSTER KEYSLOT` + `CLUSTER SLOTS`). */
  nodeOf(key: string): RedisServer;
  stop(): Promise<void>;
}

function cli(port: number, ...args: string[]): string {
  const result = spawnSync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { encoding: 'utf8', timeout: 30_000 });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`redis-cli ${args.join(' ')} failed (${String(result.status)}):\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

/** Start three cluster-mode servers and join them into one cluster (3 masters, no replicas). */
export async function startRedisCluster(): Promise<RedisCluster> {
  const nodes: RedisServer[] = [];
  try {
    for (let i = 0; i < 3; i++) nodes.push(await startRedisServer({ cluster: true }));
    cli(nodes[0]!.port, '--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', '0', '--cluster-yes');
    const deadline = Date.now() + 20_000;
    while (!nodes.every((n) => /cluster_state:ok/.test(cli(n.port, 'cluster', 'info')) && /cluster_slots_ok:16384/.test(cli(n.port, 'cluster', 'info')))) {
      if (Date.now() > deadline) throw new Error('the Redis Cluster did not reach cluster_state:ok within 20 s');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } catch (err) {
    await Promise.all(nodes.map((n) => n.stop()));
    throw err;
  }
  /** `CLUSTER NODES`: one line per node, `<id> ip:port@cport flags master - … connected 0-5460 …`. */
  const slotOwners = (): Array<{ from: number; to: number; port: number }> =>
    cli(nodes[0]!.port, 'cluster', 'nodes')
      .split('\n')
      .filter((line) => line.includes('master'))
      .flatMap((line) => {
        const fields = line.trim().split(' ');
        const port = Number(/:(\d+)@/.exec(fields[1] ?? '')?.[1]);
        return fields.slice(8).map((range) => {
          const [from, to = from] = range.split('-').map(Number);
          return { from: from!, to: to!, port };
        });
      });
  return {
    nodes,
    startupNodes: nodes.map((n) => ({ host: '127.0.0.1', port: n.port })),
    rootNodes: nodes.map((n) => ({ url: n.url })),
    nodeOf(key) {
      const slot = Number(cli(nodes[0]!.port, 'cluster', 'keyslot', key).trim());
      const owner = slotOwners().find((o) => slot >= o.from && slot <= o.to);
      const node = nodes.find((n) => n.port === owner?.port);
      if (!node) throw new Error(`no master found for slot ${slot}`);
      return node;
    },
    stop: async () => {
      await Promise.all(nodes.map((n) => n.stop()));
    },
  };
}
