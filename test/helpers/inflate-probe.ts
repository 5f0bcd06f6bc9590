/**
 * Measures, in a process of its own (run with --expose-gc by
 * test/session/inflate-bomb.test.ts), what one operation on a decompression
 * bomb costs in memory and CPU time:
 *
 * - `refuse`: `store.load(header)` of a session cookie whose authentic
 *   payload is a bomb (the store refuses it at its inflation bound);
 * - `full`: inflating the same DEFLATE stream in full, as a reader without a
 *   bound would, and parsing it (node:zlib `inflateRawSync`, or a
 *   DecompressionStream read to its end).
 *
 * Argument: a JSON file `{ mode, backend, crypto, secret, maxChunks,
 * maxBytes, header, deflated (base64) }`. Prints one JSON object:
 * `{ reason, heapGrowth, rssGrowth, cpuMs }`: heap + ArrayBuffer growth of
 * the first run sampled every millisecond and at the end (no GC in
 * between), growth of the process's peak RSS over that run, and the median
 * CPU time (all threads: zlib's thread pool counts) of later runs.
 */
import { readFileSync } from 'node:fs';
import * as nodeZlib from 'node:zlib';
import { CookieSessionStore } from '../../src/index';
import { forceCompressionBackend, type CompressionBackend } from '../../src/util/compress';

interface Input {
  readonly mode: 'refuse' | 'full';
  readonly backend: CompressionBackend;
  readonly crypto: 'node' | 'webcrypto';
  readonly secret: string;
  readonly maxChunks: number;
  readonly maxBytes: number;
  readonly header: string;
  readonly deflated: string;
}

const input = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as Input;
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');
forceCompressionBackend(input.backend);
const store = new CookieSessionStore({ keys: input.secret, crypto: input.crypto, maxChunks: input.maxChunks, maxBytes: input.maxBytes, tokenCache: 0 });
const deflated = Buffer.from(input.deflated, 'base64');

async function inflateFully(): Promise<string> {
  if (input.backend === 'node:zlib') return nodeZlib.inflateRawSync(deflated).toString('utf8');
  const stream = new Blob([deflated]).stream().pipeThrough(new DecompressionStream('deflate-raw'));
  return new Response(stream).text();
}

const operation = async (): Promise<string> => {
  if (input.mode === 'refuse') return String((await store.load(input.header)).invalidReason);
  JSON.parse(await inflateFully());
  return 'inflated';
};

// Warm up what a server has warmed up anyway: the key, the zlib self-test, the code paths.
const warm = await store.load(undefined);
warm.set('warm', 'x'.repeat(600));
await warm.commit();
await store.load(input.header);

gc();
const before = process.memoryUsage();
const rssBefore = process.resourceUsage().maxRSS * 1024;
let heapGrowth = 0;
const sample = () => {
  const m = process.memoryUsage();
  heapGrowth = Math.max(heapGrowth, m.heapUsed + m.arrayBuffers - before.heapUsed - before.arrayBuffers);
};
const timer = setInterval(sample, 1);
const reason = await operation();
sample();
clearInterval(timer);
const rssGrowth = process.resourceUsage().maxRSS * 1024 - rssBefore;

const times: number[] = [];
for (let i = 0; i < (input.mode === 'refuse' ? 15 : 5); i++) {
  gc();
  const t0 = process.cpuUsage();
  await operation();
  const t = process.cpuUsage(t0);
  times.push((t.user + t.system) / 1000);
}
times.sort((a, b) => a - b);
process.stdout.write(JSON.stringify({ reason, heapGrowth, rssGrowth, cpuMs: times[times.length >> 1] }));
