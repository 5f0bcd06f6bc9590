/**
 * Helpers for driving the Next.js example (`examples/next`) for real:
 * `next build`, `next start` on 127.0.0.1 and reading server-rendered HTML.
 * The cookie-keeping fetch client is `Client` from `../helpers/jar`; Chromium
 * for server actions comes from `../helpers/browser`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
const NEXT_BIN = join(ROOT, 'node_modules/next/dist/bin/next');
const EXAMPLE = join(ROOT, 'examples/next');

/** A built and started copy of the example. */
export interface NextApp {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Kill the server's process group and delete the build copy. */
  stop(): Promise<void>;
}

/** Environment for `next build`/`next start`: production, no telemetry (nothing leaves 127.0.0.1). */
function nextEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return { ...process.env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1', ...extra };
}

/** Run `next <args>` to completion; rejects with the tail of its output when it fails. */
function runNext(args: readonly string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [NEXT_BIN, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const output = captureOutput(child);
    child.on('error', fail);
    child.on('exit', (code, signal) =>
      code === 0 ? done() : fail(new Error(`next ${args[0]} exited with ${code ?? signal}:\n${output()}`)),
    );
  });
}

/** Drain a child's stdout and stderr, keeping the last 8 kB for error messages. */
function captureOutput(child: ChildProcess): () => string {
  let output = '';
  const collect = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-8000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  return () => output;
}

/** A port that was free a moment ago on 127.0.0.1. */
function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (address && typeof address === 'object' ? done(address.port) : fail(new Error('no port'))));
    });
  });
}

/** Resolves when the process exits; kills it harder if it has not after `ms`. */
function exited(child: ChildProcess, ms: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const timer = setTimeout(() => {
      signalGroup(child, 'SIGKILL');
      done();
    }, ms);
    child.once('exit', () => {
      clearTimeout(timer);
      done();
    });
  });
}

/** Signal the process group we created with `detached: true` (the server and anything it forked). */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

/**
 * Build and start the example. It is built from a copy under `.tmp/` at the
 * same depth as `examples/next`, so that its `../../../src` imports still
 * resolve while concurrent test runs (or a `next dev` in the example) never
 * share a `.next` directory, and so that the build cannot rewrite tracked files.
 */
export async function startNextApp(env: Record<string, string>): Promise<NextApp> {
  await mkdir(join(ROOT, '.tmp'), { recursive: true });
  const dir = await mkdtemp(join(ROOT, '.tmp', 'next-example-'));
  await cp(EXAMPLE, dir, {
    recursive: true,
    filter: (source) => !/[\\/](\.next|node_modules)([\\/]|$)/.test(source.slice(EXAMPLE.length)),
  });
  const fullEnv = nextEnv(env);
  let server: ChildProcess | undefined;
  const stop = async (): Promise<void> => {
    if (server) {
      signalGroup(server, 'SIGTERM');
      await exited(server, 5000);
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await runNext(['build', dir], fullEnv);
    const port = await freePort();
    server = spawn(process.execPath, [NEXT_BIN, 'start', dir, '-p', String(port), '-H', '127.0.0.1'], {
      cwd: ROOT,
      env: fullEnv,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const url = `http://127.0.0.1:${port}`;
    await waitUntilServing(server, url);
    return { url, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Poll until the server answers, failing fast (with its output) if it exits. */
async function waitUntilServing(server: ChildProcess, url: string): Promise<void> {
  const output = captureOutput(server);
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`next start exited with ${server.exitCode}:\n${output()}`);
    try {
      const response = await fetch(`${url}/`, { signal: AbortSignal.timeout(2000) });
      await response.arrayBuffer();
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`next start did not answer within 60 s:\n${output()}`);
}

/** The text of the element with this id in server-rendered HTML (`<dd id="user">alice</dd>` → `alice`). */
export function textById(html: string, id: string): string | undefined {
  return new RegExp(`id="${id}"[^>]*>([^<]*)<`).exec(html)?.[1];
}
