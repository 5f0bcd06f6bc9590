/**
 * A decompression bomb inside an authentic session cookie (what a leaked key
 * allows): the store refuses it at its bound (16 × maxBytes) without
 * inflating it in full. Measured in a process of its own
 * (test/helpers/inflate-probe.ts, --expose-gc) against inflating the same
 * stream in full, in the same run: ratios of memory and CPU time, and the
 * memory against the bound, never absolute times.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as nodeZlib from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { CookieSessionStore } from '../../src/index';
import { capacityBytes, planChunks } from '../../src/cookie/framing';
import { ironSeal } from '../../src/seal/iron';
import { SECRET } from './helpers';

const MiB = 1024 * 1024;
const MAX_CHUNKS = 10;
const MAX_BYTES = capacityBytes(MAX_CHUNKS);
const BOUND = 16 * MAX_BYTES;
const dir = mkdtempSync(path.join(tmpdir(), 'inflate-bomb-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Probe {
  readonly reason: string;
  readonly heapGrowth: number;
  readonly rssGrowth: number;
  readonly cpuMs: number;
}

/** The largest bomb the store's budget lets through: spaces padding a valid session envelope, about 1000:1. */
async function bombCookie(crypto: 'node' | 'webcrypto'): Promise<{ header: string; deflated: Buffer; inflated: number }> {
  const store = new CookieSessionStore({ keys: SECRET, crypto, maxChunks: MAX_CHUNKS, maxBytes: MAX_BYTES });
  const head = Buffer.from(`{"i":${Date.now()},"p":"cookie:session","d":{"id":"AAAAAAAAAAAAAAAAAAAAAA","c":${Math.floor(Date.now() / 1000)},"v":{}}`);
  // Sized so the sealed token (base64url, ~4/3 of the DEFLATE stream, plus iron's ~300 characters) fits the budget.
  const size = Math.floor(((MAX_BYTES - 600) * 3) / 4) * 1000;
  const plain = Buffer.alloc(size, 0x20);
  head.copy(plain);
  plain[size - 1] = 0x7d; // }
  const deflated = nodeZlib.deflateRawSync(plain, { level: 9 });
  const token = await ironSeal(store.options.ring, '', undefined, Buffer.concat([Buffer.of(0xff), deflated]), -1);
  const plan = planChunks('session', token);
  expect(plan.requestBytes).toBeLessThanOrEqual(MAX_BYTES);
  const header = plan.values.map((value, i) => `${i === 0 ? 'session' : `session.${i}`}=${value}`).join('; ');
  return { header, deflated, inflated: size };
}

async function probe(mode: 'refuse' | 'full', backend: string, crypto: string, header: string, deflated: Buffer): Promise<Probe> {
  const file = path.join(dir, `${mode}-${backend}.json`);
  writeFileSync(file, JSON.stringify({ mode, backend, crypto, secret: SECRET, maxChunks: MAX_CHUNKS, maxBytes: MAX_BYTES, header, deflated: deflated.toString('base64') }));
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', fileURLToPath(new URL('../helpers/inflate-probe.ts', import.meta.url)), file],
    { cwd: fileURLToPath(new URL('../..', import.meta.url)), maxBuffer: 1024 * 1024 },
  );
  return JSON.parse(stdout) as Probe;
}

describe.each([
  { backend: 'node:zlib', crypto: 'node' },
  { backend: 'compression-streams', crypto: 'webcrypto' },
] as const)('a bomb sealed with the store key ($backend)', ({ backend, crypto }) => {
  it('is refused as inflate-limit using a small fraction of the memory and CPU time of inflating it, and memory within a few bounds', async () => {
    const { header, deflated, inflated } = await bombCookie(crypto);
    expect(inflated).toBeGreaterThan(20 * MiB);
    const refuse = await probe('refuse', backend, crypto, header, deflated);
    const full = await probe('full', backend, crypto, header, deflated);
    const mib = (n: number) => `${(n / MiB).toFixed(1)} MiB`;
    console.info(
      `bomb in a ${header.length}-octet Cookie header, ${mib(inflated)} inflated, bound ${mib(BOUND)} (${backend}): ` +
        `refused with heap+buffers +${mib(refuse.heapGrowth)}, peak RSS +${mib(refuse.rssGrowth)}, ${refuse.cpuMs.toFixed(2)} ms CPU; ` +
        `inflating it in full: +${mib(full.heapGrowth)}, peak RSS +${mib(full.rssGrowth)}, ${full.cpuMs.toFixed(2)} ms CPU`,
    );
    expect(refuse.reason).toBe('inflate-limit');
    expect(full.reason).toBe('inflated');
    // Bounded by the bound, not by the bomb: the inflated text never exists.
    expect(refuse.heapGrowth).toBeLessThan(4 * BOUND + 2 * MiB);
    expect(refuse.heapGrowth).toBeLessThan(full.heapGrowth / 8);
    expect(refuse.rssGrowth).toBeLessThan(Math.max(full.rssGrowth / 4, 4 * BOUND));
    expect(refuse.cpuMs).toBeLessThan(full.cpuMs / 5);
  }, 60_000);
});
