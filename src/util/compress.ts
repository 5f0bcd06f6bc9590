/**
 * Bounded raw DEFLATE (RFC 1951) with the platform's own implementation, and
 * the plaintext codec that marks a compressed payload.
 *
 * ## Where the bytes come from
 * - **node:zlib** (Node ≥ 20.16, and Bun, Deno, workerd with `nodejs_compat`
 *   where it behaves the same), reached through `process.getBuiltinModule`
 *   so that no bundle ever holds a `node:` import. Synchronous:
 *   `inflateRawSync(…, { maxOutputLength })` inflates in 16 KiB steps and
 *   stops with `ERR_BUFFER_TOO_LARGE` as soon as the output passes the bound,
 *   so a bomb costs at most the bound plus one step, whatever its ratio.
 *   A self-test at first use checks that this runtime's zlib honours
 *   `maxOutputLength` and reports consumed input (`info: true`); if it does
 *   not, the Web path below is used instead.
 * - **CompressionStream / DecompressionStream('deflate-raw')** everywhere
 *   else (browsers, workerd, edge runtimes). Asynchronous. The Compression
 *   Streams spec decompresses each *written* chunk in full before enqueuing
 *   its output, so the input is written in {@link WEB_SLICE}-byte slices:
 *   DEFLATE cannot expand a byte past ~1032 (258-byte matches from 2-bit
 *   codes), so one slice yields at most ~0.5 MiB, and the output is read
 *   chunk by chunk and the stream cancelled the moment the total passes the
 *   bound. Memory: the bound plus one slice's output, never the whole bomb.
 *   Measured in Chromium 156 (test/seal/compress-browser.test.ts): a 1 GiB
 *   bomb is refused in ~2 ms with no heap growth; written in one piece it
 *   took 3 s and +1 GiB of heap.
 *
 * Probed by hand (2026-12) with a bundle of this module: node:zlib is used
 * on Node 20/22/24, Bun and Deno (the self-test passes); Compression Streams
 * on workerd (with and without `nodejs_compat`) and Chromium; Vercel's
 * edge-runtime 3 has neither, so there {@link deflate} throws
 * `ERR_CONFIG_OPTION` and {@link inflate} answers `corrupt`.
 *
 * Both paths refuse the same inputs: a stream that is truncated or corrupt
 * is `corrupt`; one whose output passes the bound is `too-large` (a stream
 * that is both may be reported either way: node:zlib inflates 16 KiB at a
 * time and may meet the corruption first). Trailing bytes after the final
 * block are `corrupt` on node:zlib and wherever DecompressionStream follows
 * the spec (Chromium, workerd); Node's own DecompressionStream ignores them.
 * The writer never produces them, and the MAC means only a key holder could.
 *
 * ## The format mark (design for the payload codec; see {@link packPlaintext})
 * A sealed (or signed) token carries plaintext bytes. Today they are always
 * the UTF-8 JSON envelope `{"i":…,"d":…}`, whose first byte is `{` (0x7B).
 * A compressed payload is
 *
 * ```
 * 0xFF ‖ rawDeflate(utf8(envelope JSON))
 * ```
 * - `0xFF` ({@link DEFLATE_MARK}) never occurs in valid UTF-8 and begins no
 *   JSON text, so it cannot be mistaken for an old payload, and an older
 *   version of this library (or iron-webcrypto), whose UTF-8 decoder is
 *   fatal, refuses a compressed token as `ERR_SEAL_NOT_JSON` instead of
 *   misreading it: rolling back degrades to "empty session, reason code".
 * - raw DEFLATE, no zlib/gzip header or checksum: the token's MAC already
 *   covers every byte, and the 6 (zlib) or 18 (gzip) bytes would be waste.
 * - Old tokens (first byte `{`) read exactly as before; a writer compresses
 *   only when the marked form is strictly shorter, so a small state (`{ userId }`)
 *   stays plain JSON and stays readable by any iron implementation.
 * - Other first bytes are reserved (e.g. 0xFE for a future codec or a
 *   preset dictionary) and refused as `ERR_SEAL_NOT_JSON` today.
 *
 * The bound the reader passes is the store's: `maxInflatedBytes`, default
 * {@link INFLATE_FACTOR} × the cookie budget (`maxBytes`). The writer must
 * refuse (`ERR_SESSION_TOO_LARGE`) a state whose JSON is over that bound
 * even when its compressed form fits, so the store never writes a cookie it
 * would refuse to read.
 *
 * @module
 * @internal
 */
import type * as NodeZlib from 'node:zlib';
import { configError } from '../errors';

/** A value now (node:zlib) or later (Compression Streams). */
type Maybe<T> = T | Promise<T>;

/** A promise from any realm (edge runtimes hand out foreign ones), never a value that merely looks settled. */
const isThenable = <T>(value: Maybe<T>): value is Promise<T> =>
  value !== null && typeof value === 'object' && typeof (value as { then?: unknown }).then === 'function';

/** First plaintext byte of a compressed payload: never in UTF-8, never the start of JSON. */
export const DEFLATE_MARK = 0xff;

/** First byte of every uncompressed payload the library writes (`{`). */
const JSON_OBJECT_START = 0x7b;

/**
 * Proposed default for the store's `maxInflatedBytes`: this many times
 * `maxBytes`. The demo's 140-item cart deflates about 13 to 1, so 16 leaves
 * a budget that compression fills with room to spare, while a bomb sealed
 * with a leaked key costs at most 16 × 6144 = 96 KiB at the default budget.
 */
export const INFLATE_FACTOR = 16;

/** Input slice written to a DecompressionStream at a time (see the module comment). */
export const WEB_SLICE = 512;

/** Why an inflation was refused. */
export type InflateRefusal = 'too-large' | 'corrupt';

export type InflateResult = { readonly ok: true; readonly bytes: Uint8Array } | { readonly ok: false; readonly reason: InflateRefusal };

/** Which implementation {@link deflate} and {@link inflate} use here. */
export type CompressionBackend = 'node:zlib' | 'compression-streams' | 'none';

type Zlib = Pick<typeof NodeZlib, 'deflateRawSync' | 'inflateRawSync' | 'constants'>;

let zlib: Zlib | null | undefined;
let forced: CompressionBackend | undefined;

function loadZlib(): Zlib | null {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  try {
    const z = proc?.getBuiltinModule?.('node:zlib') as Zlib | undefined;
    if (!z || typeof z.inflateRawSync !== 'function' || typeof z.deflateRawSync !== 'function') return null;
    return selfTest(z) ? z : null;
  } catch {
    return null;
  }
}

/** Does this zlib stop at `maxOutputLength` and report the input it consumed? */
function selfTest(z: Zlib): boolean {
  try {
    const zeros = new Uint8Array(64 * 1024);
    const packed = z.deflateRawSync(zeros);
    const { buffer, engine } = z.inflateRawSync(packed, { info: true }) as unknown as { buffer: Uint8Array; engine: { bytesWritten: number } };
    if (buffer.length !== zeros.length || engine.bytesWritten !== packed.length) return false;
    try {
      z.inflateRawSync(packed, { maxOutputLength: 1024 });
    } catch (err) {
      return (err as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE';
    }
    return false;
  } catch {
    return false;
  }
}

const hasStreams = (): boolean =>
  typeof (globalThis as { DecompressionStream?: unknown }).DecompressionStream === 'function' &&
  typeof (globalThis as { CompressionStream?: unknown }).CompressionStream === 'function';

/** The implementation in use: node:zlib where it exists and passes the self-test, else Compression Streams. */
export function compressionBackend(): CompressionBackend {
  if (forced !== undefined) return forced;
  if (zlib === undefined) zlib = loadZlib();
  if (zlib) return 'node:zlib';
  return hasStreams() ? 'compression-streams' : 'none';
}

/**
 * Force a backend (tests and benchmarks: exercise the Web path, or a runtime
 * with neither, on Node). `undefined` restores automatic choice.
 *
 * @internal
 */
export function forceCompressionBackend(backend: CompressionBackend | undefined): void {
  if (backend === 'node:zlib' && (zlib ??= loadZlib()) === null) throw new Error('node:zlib is not available here');
  if (backend === 'compression-streams' && !hasStreams()) throw new Error('Compression Streams are not available here');
  forced = backend;
}

function noBackend(): never {
  throw configError(
    'ERR_CONFIG_OPTION',
    'compress',
    'this runtime has neither node:zlib (process.getBuiltinModule) nor CompressionStream; turn compression off',
  );
}

/**
 * Raw DEFLATE of `bytes` at zlib's default level 6 (as CompressionStream): level 9
 * spends ~4× the time on a repetitive cart (~350 vs ~80 µs for 8.7 KB) to save
 * ~50 bytes, under 2% of a cookie.
 */
export function deflate(bytes: Uint8Array): Maybe<Uint8Array> {
  const backend = compressionBackend();
  if (backend === 'node:zlib') {
    const out = zlib!.deflateRawSync(bytes, { level: 6 });
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  }
  if (backend === 'none') noBackend();
  return deflateWeb(bytes);
}

async function deflateWeb(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new CompressionStream('deflate-raw');
  const writer = stream.writable.getWriter();
  const written = writer.write(bytes as Uint8Array<ArrayBuffer>).then(() => writer.close());
  const out = await collect(stream.readable.getReader(), Infinity);
  await written;
  return out!;
}

/**
 * Inflate raw DEFLATE, refusing (`too-large`) as soon as the output would
 * pass `maxOutputBytes`, and (`corrupt`) a stream that is invalid,
 * truncated or followed by trailing bytes. Never throws for any input bytes;
 * synchronous on node:zlib.
 */
export function inflate(bytes: Uint8Array, maxOutputBytes: number): Maybe<InflateResult> {
  if (!Number.isSafeInteger(maxOutputBytes) || maxOutputBytes < 1) {
    throw configError('ERR_CONFIG_OPTION', 'maxInflatedBytes', 'must be a whole number of bytes, at least 1');
  }
  const backend = compressionBackend();
  if (backend === 'node:zlib') return inflateNode(zlib!, bytes, maxOutputBytes);
  if (backend === 'none') return CORRUPT;
  return inflateWeb(bytes, maxOutputBytes);
}

const CORRUPT: InflateResult = /* @__PURE__ */ Object.freeze({ ok: false, reason: 'corrupt' });
const TOO_LARGE: InflateResult = /* @__PURE__ */ Object.freeze({ ok: false, reason: 'too-large' });

function inflateNode(z: Zlib, bytes: Uint8Array, max: number): InflateResult {
  try {
    const { buffer, engine } = z.inflateRawSync(bytes, { info: true, maxOutputLength: max }) as unknown as {
      buffer: Uint8Array;
      engine: { bytesWritten: number };
    };
    // Trailing bytes after the final block: refused, as DecompressionStream refuses them.
    if (engine.bytesWritten !== bytes.length) return CORRUPT;
    return { ok: true, bytes: new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength) };
  } catch (err) {
    return (err as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE' ? TOO_LARGE : CORRUPT;
  }
}

async function inflateWeb(bytes: Uint8Array, max: number): Promise<InflateResult> {
  let stream: DecompressionStream;
  try {
    stream = new DecompressionStream('deflate-raw');
  } catch {
    return CORRUPT;
  }
  const writer = stream.writable.getWriter();
  const reader = stream.readable.getReader();
  // Slices are written one at a time: each `write` settles only after the
  // reader has taken the previous slice's output (the readable side has no
  // queue of its own), so at most one slice's output waits in memory.
  const writing = (async () => {
    for (let i = 0; i < bytes.length; i += WEB_SLICE) await writer.write(bytes.slice(i, i + WEB_SLICE));
    await writer.close();
  })();
  writing.catch(() => {}); // a failure also errors the readable side, where it is reported
  try {
    const out = await collect(reader, max);
    if (out === undefined) return TOO_LARGE;
    await writing;
    return { ok: true, bytes: out };
  } catch {
    return CORRUPT;
  }
}

/** Read a stream to its end; `undefined` (and the stream cancelled) once it passes `max` bytes. */
async function collect(reader: ReadableStreamDefaultReader<Uint8Array>, max: number): Promise<Uint8Array | undefined> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel().catch(() => {});
      return undefined;
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}

const encoder = /* @__PURE__ */ new TextEncoder();
const decoder = /* @__PURE__ */ new TextDecoder('utf-8', { fatal: true });

/**
 * Bytes compression must save before a payload is stored compressed: one
 * AES block. A smaller saving seldom shortens the cookie (AES-CBC pads to
 * 16-byte blocks, base64url rounds to 3-byte groups) and would cost the
 * token its readability by other iron implementations.
 */
export const MIN_SAVING = 16;

/**
 * Texts shorter than this are never deflated: a `{ userId }` session would
 * pay a zlib context (~20 µs on Node, ~400 µs with Compression Streams) for
 * a saving under {@link MIN_SAVING} (bench/compress.bench.ts).
 */
export const MIN_COMPRESS_BYTES = 128;

/**
 * The plaintext to seal for a JSON text: with `compress`, `0xFF ‖ deflate`
 * when the text is at least {@link MIN_COMPRESS_BYTES} long and that is at
 * least {@link MIN_SAVING} bytes shorter than the UTF-8 text, else the text itself (as a string, so the caller's plain path is unchanged).
 */
export function packPlaintext(json: string, compress: boolean): Maybe<Uint8Array | string> {
  if (!compress) return json;
  const text = encoder.encode(json);
  if (text.length < MIN_COMPRESS_BYTES) return json;
  const mark = (packed: Uint8Array): Uint8Array | string => {
    if (packed.length + 1 + MIN_SAVING > text.length) return json;
    const out = new Uint8Array(packed.length + 1);
    out[0] = DEFLATE_MARK;
    out.set(packed, 1);
    return out;
  };
  const packed = deflate(text);
  return isThenable(packed) ? packed.then(mark) : mark(packed);
}

/** What {@link unpackPlaintext} read. `not-json` covers bad UTF-8 and a first byte that is neither `{` nor the mark. */
export type UnpackResult = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly reason: InflateRefusal | 'not-json' };

/**
 * Read authentic plaintext bytes: a plain JSON text (first byte `{`), or a
 * marked DEFLATE stream inflated to at most `maxInflatedBytes`.
 */
export function unpackPlaintext(bytes: Uint8Array, maxInflatedBytes: number): Maybe<UnpackResult> {
  const first = bytes[0];
  if (first === DEFLATE_MARK) {
    const inflated = inflate(bytes.subarray(1), maxInflatedBytes);
    return isThenable(inflated) ? inflated.then(readText) : readText(inflated);
  }
  if (first !== JSON_OBJECT_START) return NOT_JSON;
  return readText({ ok: true, bytes });
}

const NOT_JSON: UnpackResult = /* @__PURE__ */ Object.freeze({ ok: false, reason: 'not-json' });

function readText(result: InflateResult): UnpackResult {
  if (!result.ok) return result;
  // A compressed payload must hold what a plain one would: a JSON object text.
  if (result.bytes[0] !== JSON_OBJECT_START) return NOT_JSON;
  try {
    return { ok: true, text: decoder.decode(result.bytes) };
  } catch {
    return NOT_JSON;
  }
}
