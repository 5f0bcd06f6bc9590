/**
 * Load and soak harness shared by `load.test.ts` (CI, ~10 s) and `soak.ts`
 * (`npm run soak`, 60 s): the demo server in one process, autocannon's
 * virtual browsers in another (see `clients.ts`), the server's RSS and JS
 * heap sampled after a full GC every second while the load runs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { ClientsConfig, ClientsReport } from './clients';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

export interface LoadOptions {
  readonly seconds: number;
  readonly connections: number;
  /** Leading samples (seconds) left out of the trends: JIT, heap growth to its working size. */
  readonly warmupSeconds: number;
}

export interface TrendReport {
  /** One sample per second over the run, in MB. */
  readonly samplesMb: readonly number[];
  readonly warmupSeconds: number;
  readonly firstThirdMb: number;
  readonly lastThirdMb: number;
  /** (last − first) / first. */
  readonly change: number;
}

export interface LoadReport {
  readonly options: LoadOptions;
  readonly clients: ClientsReport;
  /** The server's resident set size, after a full GC each second. */
  readonly rss: TrendReport;
  /** The server's live JS heap (heapUsed), after a full GC each second. */
  readonly heap: TrendReport;
}

/** A TypeScript file of this folder as a child process with an IPC channel. */
function start(file: string): ChildProcess {
  return spawn(process.execPath, ['--expose-gc', '--import', 'tsx', here(file)], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}

/** The next IPC message of a child that satisfies `accept`; rejects if the child exits first. */
function message<T>(child: ChildProcess, accept: (m: unknown) => m is T): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: unknown) => {
      if (!accept(m)) return;
      cleanup();
      resolve(m);
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`child process exited (${String(code)}) before answering`));
    };
    const cleanup = () => {
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Mean of the first and last thirds of the samples after the warm-up. */
export function trend(samplesBytes: readonly number[], warmupSeconds: number): TrendReport {
  const samplesMb = samplesBytes.map((b) => Math.round((b / 2 ** 20) * 10) / 10);
  const steady = samplesMb.slice(warmupSeconds);
  const third = Math.max(1, Math.floor(steady.length / 3));
  const firstThirdMb = mean(steady.slice(0, third));
  const lastThirdMb = mean(steady.slice(-third));
  return { samplesMb, warmupSeconds, firstThirdMb, lastThirdMb, change: (lastThirdMb - firstThirdMb) / firstThirdMb };
}

/** Run the demo under load; both child processes are gone when this settles. */
export async function runLoad(options: LoadOptions): Promise<LoadReport> {
  const server = start('server-process.ts');
  let clients: ChildProcess | undefined;
  try {
    const { port } = await message(server, (m): m is { port: number } => typeof (m as { port?: unknown }).port === 'number');
    const rss: number[] = [];
    const heap: number[] = [];
    server.on('message', (m: { rss?: number; heap?: number }) => {
      if (typeof m.rss === 'number' && typeof m.heap === 'number') {
        rss.push(m.rss);
        heap.push(m.heap);
      }
    });
    clients = start('clients.ts');
    const config: ClientsConfig = { port, seconds: options.seconds, connections: options.connections };
    clients.send(config);
    const report = await message(clients, (m): m is ClientsReport => typeof (m as { requests?: unknown }).requests === 'number');
    // Samples taken while the load ran (the post-run check adds a few requests at the end).
    const during = (samples: number[]) => trend(samples.slice(0, options.seconds), options.warmupSeconds);
    return { options, clients: report, rss: during(rss), heap: during(heap) };
  } finally {
    for (const child of [clients, server]) {
      if (child && child.exitCode === null && child.signalCode === null) {
        if (child.connected) child.disconnect();
        const exited = once(child, 'exit');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
    }
  }
}

/**
 * What must hold; each entry of the result is a failure. Neither RSS nor the
 * live heap may grow by more than `maxGrowth` between the first and last
 * thirds after warm-up (a leak); a drop is memory given back, and only
 * reported.
 */
export function problems(report: LoadReport, maxGrowth = 0.1): string[] {
  const c = report.clients;
  const out: string[] = [];
  if (c.errors) out.push(`${c.errors} connection errors`);
  if (c.timeouts) out.push(`${c.timeouts} timeouts`);
  if (c.unexpectedStatus) out.push(`${c.unexpectedStatus} unexpected statuses`);
  if (c.mismatches) out.push(`${c.mismatches} pages showed a wrong counter`);
  if (c.lostUpdates) out.push(`${c.lostUpdates} clients lost updates`);
  if (c.clients !== report.options.connections) out.push(`${c.clients} clients ran, not ${report.options.connections}`);
  if (c.postsPerClient.min < 1) out.push('a client completed no request');
  for (const [what, t] of [['RSS', report.rss], ['live JS heap', report.heap]] as const) {
    if (t.change > maxGrowth) out.push(`server ${what} grew ${(t.change * 100).toFixed(1)} % after warm-up (limit ${maxGrowth * 100} %)`);
  }
  return out.concat(c.samples.map((s) => `  e.g. ${s}`));
}

/** A human summary. */
export function describeReport(report: LoadReport): string {
  const c = report.clients;
  return [
    `${report.options.connections} virtual browsers for ${report.options.seconds} s against the demo (POST /count → 303, GET / → 200):`,
    `  ${c.requests.toLocaleString('en')} requests, ${Math.round(c.requestsPerSecond).toLocaleString('en')} req/s, p99 latency ${c.latencyP99Ms} ms`,
    `  errors ${c.errors}, timeouts ${c.timeouts}, unexpected statuses ${c.unexpectedStatus}, wrong counters ${c.mismatches}, clients with lost updates ${c.lostUpdates}`,
    `  increments per client: ${c.postsPerClient.min} to ${c.postsPerClient.max}`,
    ...(
      [
        ['RSS', report.rss],
        ['live JS heap', report.heap],
      ] as const
    ).flatMap(([what, t]) => [
      `  server ${what} after a full GC (MB, 1/s): ${t.samplesMb.join(' ')}`,
      `    after ${t.warmupSeconds} s warm-up: first third ${t.firstThirdMb.toFixed(1)} MB, last third ${t.lastThirdMb.toFixed(1)} MB, change ${(t.change * 100).toFixed(1)} %`,
    ]),
  ].join('\n');
}
