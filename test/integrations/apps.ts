/**
 * Building and serving the example apps of the framework integrations
 * (examples/react-router, examples/sveltekit, examples/astro, examples/next15)
 * for real: each has its own package.json and package-lock.json and depends
 * on this package through `"sealed-session": "file:../.."`, so it imports the
 * built `dist/` through the package's `exports`, as a user's app does.
 *
 * - {@link ensureDist} builds `dist/` when it is older than its sources (once
 *   at a time across test files: a lock directory under `.tmp/`);
 * - {@link ensureInstalled} runs `npm ci --prefix examples/<name>` when the
 *   app's node_modules is missing or older than its lockfile;
 * - {@link nodeBinary} is Node 22 or 24 from test/runtimes (the current
 *   majors of these frameworks need Node ≥ 22.12; the core keeps Node 20);
 * - {@link buildApp} and {@link serveApp} run the framework's own CLI and
 *   server on 127.0.0.1 at a free port.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');
const RUNTIMES = join(ROOT, 'test/runtimes');

/** Newest modification time of a file or of any file under a directory. */
function newestMtime(target: string): number {
  const stat = statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(target).map((entry) => newestMtime(join(target, entry))));
}

/** Run a command to completion; throws with the tail of its output when it fails. Returns the elapsed ms. */
function runSync(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = process.env): number {
  const started = performance.now();
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) {
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.slice(-6000);
    throw new Error(`${command} ${args.join(' ')} (in ${cwd}) exited with ${result.status ?? result.signal}:\n${output}`);
  }
  return performance.now() - started;
}

/** Hold a lock directory while `fn` runs (other vitest workers wait for it). */
async function withLock<T>(name: string, fn: () => T): Promise<T> {
  const dir = join(ROOT, '.tmp', `${name}.lock`);
  mkdirSync(join(ROOT, '.tmp'), { recursive: true });
  const deadline = Date.now() + 300_000;
  for (;;) {
    try {
      mkdirSync(dir);
      break;
    } catch {
      // A lock older than 5 minutes was left by a killed run.
      try {
        if (Date.now() - statSync(dir).mtimeMs > 300_000) rmSync(dir, { recursive: true, force: true });
      } catch {
        // Released meanwhile.
      }
      if (Date.now() > deadline) throw new Error(`waited 5 minutes for ${dir}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    return fn();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Build `dist/` (tsup) unless it is newer than everything it is built from. */
export function ensureDist(): Promise<void> {
  return withLock('dist-build', () => {
    const built = join(ROOT, 'dist/react-router.d.ts');
    const inputs = ['src', 'package.json', 'tsup.config.ts'].map((p) => newestMtime(join(ROOT, p)));
    if (!existsSync(built) || statSync(built).mtimeMs < Math.max(...inputs)) runSync('npm', ['run', 'build'], ROOT);
  });
}

/** `npm ci` for an example app whose node_modules is missing or older than its lockfile. */
export function ensureInstalled(app: string): Promise<void> {
  const dir = join(ROOT, 'examples', app);
  return withLock(`install-${app}`, () => {
    const marker = join(dir, 'node_modules/.package-lock.json');
    if (!existsSync(marker) || statSync(marker).mtimeMs < statSync(join(dir, 'package-lock.json')).mtimeMs) {
      runSync('npm', ['ci', '--no-audit', '--no-fund'], dir);
    }
  });
}

/** The Node binary of one major from test/runtimes (installed with `npm ci --prefix test/runtimes` when missing). */
export async function nodeBinary(major: 22 | 24): Promise<string> {
  const binary = join(RUNTIMES, `node_modules/node${major}/bin/node`);
  if (!existsSync(binary)) {
    await withLock('install-runtimes', () => {
      if (!existsSync(binary)) runSync('npm', ['ci', '--no-audit', '--no-fund'], RUNTIMES);
    });
  }
  return binary;
}

/** The environment for a framework's CLI and server: production, no telemetry, the given Node first on PATH. */
export function appEnv(node: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const bin = resolve(node, '..');
  return {
    ...process.env,
    PATH: `${bin}:${process.env.PATH ?? ''}`,
    NODE_ENV: 'production',
    NEXT_TELEMETRY_DISABLED: '1',
    ASTRO_TELEMETRY_DISABLED: '1',
    DO_NOT_TRACK: '1',
    ...extra,
  };
}

/** Run `node <script> <args>` in an example app (its build, its type check); returns the elapsed ms. */
export function runInApp(app: string, node: string, script: string, args: readonly string[], extra: Record<string, string> = {}): number {
  const dir = join(ROOT, 'examples', app);
  return runSync(node, [join(dir, script), ...args], dir, appEnv(node, extra));
}

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (address && typeof address === 'object' ? done(address.port) : fail(new Error('no port'))));
    });
  });
}

/** A started app server. */
export interface Served {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** ms from spawn to the first answer. */
  readonly startMs: number;
  stop(): Promise<void>;
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

/**
 * Start `node <script> <args>` in an example app with `env(port)` and wait
 * until `GET <probe>` answers; the server runs in its own process group.
 */
export async function serveApp(
  app: string,
  node: string,
  script: string,
  args: readonly string[],
  env: (port: number) => Record<string, string>,
  probe = '/',
): Promise<Served> {
  const dir = join(ROOT, 'examples', app);
  const port = await freePort();
  const started = performance.now();
  const child = spawn(node, [join(dir, script), ...args.map((a) => a.replace('{port}', String(port)))], {
    cwd: dir,
    env: appEnv(node, env(port)),
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-8000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise<void>((r) => child.once('exit', () => r()));
    signalGroup(child, 'SIGTERM');
    const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), 5000);
    await gone;
    clearTimeout(timer);
  };
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${app} server exited with ${child.exitCode}:\n${output}`);
    try {
      const response = await fetch(url + probe, { signal: AbortSignal.timeout(2000), redirect: 'manual' });
      await response.arrayBuffer();
      return { url, startMs: performance.now() - started, stop };
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  await stop();
  throw new Error(`${app} server did not answer within 60 s:\n${output}`);
}

/** Print one timing line (the integration tests report build, serve and browser times). */
export function timing(app: string, parts: Record<string, number>): void {
  const text = Object.entries(parts)
    .map(([k, ms]) => `${k} ${(ms / 1000).toFixed(1)} s`)
    .join(', ');
  console.log(`[${app}] ${text}`);
}
