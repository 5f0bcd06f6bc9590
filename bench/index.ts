/**
 * Benchmark runner: `npm run bench` runs every module listed below, in order.
 * `node --import tsx bench/index.ts seal` runs only the modules whose key
 * matches an argument.
 *
 * A bench module exports `title` (a line of text) and `run()`, which measures,
 * prints its own table to stdout and resolves when done. To add one, write
 * `bench/<name>.bench.ts` and add a line to MODULES.
 */
import * as os from 'node:os';
import { summary } from './targets';

interface BenchModule {
  readonly title: string;
  run(): Promise<unknown>;
}

const MODULES: ReadonlyArray<readonly [key: string, load: () => Promise<BenchModule>]> = [
  ['seal', () => import('./seal.bench')],
  ['session', () => import('./session.bench')],
  ['roundtrip', () => import('./roundtrip.bench')],
  ['http', () => import('./http.bench')],
  ['memory', () => import('./memory.bench')],
];

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const selected = MODULES.filter(([key]) => only.length === 0 || only.includes(key));
  if (selected.length === 0) {
    console.error(`no bench module matches ${only.join(', ')}; known: ${MODULES.map(([k]) => k).join(', ')}`);
    process.exitCode = 1;
    return;
  }
  const cpus = os.cpus();
  console.log(`node ${process.version} · ${os.platform()} ${os.arch()} · ${os.availableParallelism()} CPUs · ${cpus[0]?.model.trim() ?? 'unknown CPU'}`);
  const started = performance.now();
  for (const [key, load] of selected) {
    const mod = await load();
    console.log(`\n## ${key}: ${mod.title}\n`);
    const t0 = performance.now();
    await mod.run();
    console.log(`\n(${key}: ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  }
  const table = summary();
  if (table) console.log(`\n## summary: every target checked in this run\n\n${table}`);
  console.log(`\ntotal ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

await main();
