/**
 * Compression and signed-only tokens on realistic session states (issue 17):
 * bytes saved, cookies needed, and µs per seal + open round trip.
 *
 * States, each wrapped as the store wraps it (`{ id, c, v: state }` inside
 * the `{ i, p, d }` envelope, purpose `cookie:__Host-demo`, 8 h expiry):
 * - the demo's cart at 140 items (examples/demo/store.ts `newItems`);
 * - a 50-role permission list;
 * - a small `{ userId }`.
 *
 * Rows, each the store's own wiring (`src/session/codec.ts`: `sealPayload` /
 * `openPayload`, what `commit()` and `load()` call), budget 12 000 octets:
 * - `iron`: the default sealed cookie;
 * - `iron+deflate`: `compress: true` (the 0xFF-marked DEFLATE sealed with
 *   iron, inflated on open under the 16 × maxBytes bound);
 * - `signed` / `signed+deflate`: `content: 'signed'`, without and with compression.
 * Each on the node engine with node:zlib, and on WebCrypto with Compression
 * Streams (the edge configuration). Token cache off, so every open verifies
 * (and inflates).
 *
 * Run by itself: `TSX_TSCONFIG_PATH=bench/tsconfig.json node --expose-gc --import tsx bench/compress.bench.ts`
 */
import { newItems } from '../examples/demo/store';
import { createKeyRing, type KeyRing } from '../src/seal/keys';
import { createCodec, openPayload, sealPayload, type SessionCodec } from '../src/session/codec';
import { compressionBackend, forceCompressionBackend } from '../src/util/compress';

export const title = 'compression before sealing, and signed-only tokens: bytes and µs per round trip';

const SECRET = 'bench-secret-bench-secret-bench-secret-0123456789';
const PURPOSE = 'cookie:__Host-demo';
const TTL_MS = 8 * 3600 * 1000;
/** Octets of name + value one cookie may hold (RFC 6265bis §5.6), less the name `__Host-demo` and a chunk suffix `.N=`. */
const PER_COOKIE = 4096 - '__Host-demo'.length - 3;
const MEASURE_MS = Number(process.env.BENCH_MS ?? 400);

const STATES: ReadonlyArray<readonly [string, unknown]> = [
  ['demo cart, 140 items', { user: 'Ada', count: 3, cart: newItems(0, 140) }],
  [
    '50-role permission list',
    {
      user: { id: 'u_8f3k2', org: 'acme' },
      roles: Array.from({ length: 50 }, (_, i) => `${['billing', 'reports', 'users', 'projects', 'settings'][i % 5]}:${['read', 'write'][i % 2]}:team-${Math.floor(i / 10)}`),
    },
  ],
  ['small { userId }', { userId: 'u_8f3k2' }],
];

const payloadOf = (state: unknown) => ({ id: 'Q2hvb3NlIGEgcmFuZG9tIGlk'.slice(0, 22), c: 1_764_768_000, v: state });

interface Mode {
  readonly name: string;
  seal(ring: KeyRing, data: object, now: number): Promise<string>;
  open(ring: KeyRing, token: string, now: number): Promise<unknown>;
}

const BUDGET = 12_000;

/** A mode as a store with these options runs it. */
function storeMode(name: string, content: 'encrypted' | 'signed', compress: boolean): Mode {
  let codec: SessionCodec | undefined;
  // Built on first use, after the backend is forced for the configuration being measured.
  const codecOf = () => (codec ??= createCodec(content, compress, BUDGET));
  return {
    name,
    seal: async (ring, data, now) => sealPayload(codecOf(), ring, data, PURPOSE, now, now + TTL_MS),
    open: async (ring, token, now) => {
      const r = await openPayload(codecOf(), ring, token, PURPOSE, now, 60_000);
      if (!r.ok) throw new Error(r.code);
      return r.data;
    },
  };
}

const modes = (): Mode[] => [
  storeMode('iron', 'encrypted', false),
  storeMode('iron+deflate', 'encrypted', true),
  storeMode('signed', 'signed', false),
  storeMode('signed+deflate', 'signed', true),
];

/**
 * µs of one seal + open over batches of 20 run for MEASURE_MS: the fastest
 * batch and the median (on a shared, loaded machine the fastest batch is the
 * steadier figure).
 */
async function roundTripUs(mode: Mode, ring: KeyRing, data: object): Promise<{ min: number; median: number }> {
  const now = Date.now();
  const expected = JSON.stringify(data);
  for (let i = 0; i < 50; i++) {
    const back = await mode.open(ring, await mode.seal(ring, data, now), now);
    if (JSON.stringify(back) !== expected) throw new Error(`${mode.name} does not round-trip`);
  }
  const samples: number[] = [];
  const until = performance.now() + MEASURE_MS;
  while (performance.now() < until) {
    const n = 20;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await mode.open(ring, await mode.seal(ring, data, now), now);
    samples.push(((performance.now() - t0) * 1000) / n);
  }
  samples.sort((a, b) => a - b);
  return { min: samples[0]!, median: samples[samples.length >> 1]! };
}

export interface Row {
  readonly state: string;
  readonly config: string;
  readonly mode: string;
  readonly jsonBytes: number;
  readonly tokenChars: number;
  readonly cookies: number;
  readonly roundTripUs: { readonly min: number; readonly median: number };
}

export async function run(): Promise<Row[]> {
  const rows: Row[] = [];
  const configs = [
    { config: 'node + node:zlib', crypto: 'node', backend: 'node:zlib' },
    { config: 'webcrypto + CompressionStream', crypto: 'webcrypto', backend: 'compression-streams' },
  ] as const;
  for (const { config, crypto, backend } of configs) {
    forceCompressionBackend(backend);
    const ring = createKeyRing(SECRET, { crypto, tokenCache: 0 });
    const list = modes();
    for (const [state, value] of STATES) {
      const data = payloadOf(value);
      for (const mode of list) {
        const token = await mode.seal(ring, data, Date.now());
        rows.push({
          state,
          config,
          mode: mode.name,
          jsonBytes: Buffer.byteLength(JSON.stringify(data)),
          tokenChars: token.length,
          cookies: Math.ceil(token.length / PER_COOKIE),
          roundTripUs: await roundTripUs(mode, ring, data),
        });
      }
    }
  }
  forceCompressionBackend(undefined);
  print(rows);
  return rows;
}

function print(rows: readonly Row[]): void {
  console.log(`compression backend by default here: ${compressionBackend()}`);
  console.log('| state | engine + deflate | mode | JSON bytes | token chars | vs iron | cookies | µs / round trip (fastest batch) | (median) |');
  console.log('|---|---|---|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    const iron = rows.find((x) => x.state === r.state && x.config === r.config && x.mode === 'iron')!;
    const saved = iron.tokenChars - r.tokenChars;
    const vs = r.mode === 'iron' ? '' : `${saved >= 0 ? '−' : '+'}${Math.abs(saved)} (${((-100 * saved) / iron.tokenChars).toFixed(0)}%)`;
    console.log(`| ${r.state} | ${r.config} | ${r.mode} | ${r.jsonBytes} | ${r.tokenChars} | ${vs} | ${r.cookies} | ${r.roundTripUs.min.toFixed(1)} | ${r.roundTripUs.median.toFixed(1)} |`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await run();
}
