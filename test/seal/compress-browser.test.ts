/**
 * The Web path in a real browser: Chromium's CompressionStream /
 * DecompressionStream follow the spec, which decompresses each written chunk
 * in full, so this is where slicing the input matters. src/util/compress.ts
 * and src/seal/signed.ts are bundled for the browser with esbuild (no
 * `node:` import may survive) and run in headless Chromium on a page served
 * from 127.0.0.1 (a secure context, so crypto.subtle exists).
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as nodeZlib from 'node:zlib';
import { build } from 'esbuild';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeBrowser, launchBrowser } from '../helpers/browser';
import { SECRET } from './helpers';

const MiB = 1024 * 1024;
const root = new URL('../../', import.meta.url).pathname;

/** What the page exposes as `window.probe`. */
const ENTRY = `
import { compressionBackend, deflate, inflate, packPlaintext, unpackPlaintext } from './src/util/compress';
import { createKeyRing } from './src/seal/keys';
import { openSigned, signWithRing } from './src/seal/signed';
import { sealData, unsealData } from './src/seal/index';
const b64 = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
const hex = (u) => Array.from(u, (b) => b.toString(16).padStart(2, '0')).join('');
window.probe = {
  backend: () => compressionBackend(),
  async deflateHex(text) { return hex(await deflate(new TextEncoder().encode(text))); },
  async inflate(base64, max) { const r = await inflate(b64(base64), max); return r.ok ? { ok: true, text: new TextDecoder().decode(r.bytes) } : r; },
  async bomb(base64, max) {
    const bytes = b64(base64);
    const heap = performance.memory.usedJSHeapSize;
    const t0 = performance.now();
    const r = await inflate(bytes, max);
    return { result: r.ok ? 'ACCEPTED' : r.reason, ms: performance.now() - t0, heapGrowth: performance.memory.usedJSHeapSize - heap };
  },
  async signed(secret) {
    const ring = createKeyRing(secret);
    const state = { cart: Array.from({ length: 140 }, (_, i) => ({ sku: 'SKU-' + i, qty: 1 + (i % 3) })) };
    const token = await signWithRing(ring, state, 'p', Date.now(), Date.now() + 60000, true);
    const opened = await openSigned(ring, token, 'p', Date.now(), 60000);
    const sealed = await sealData({ a: 1 }, { keys: ring });
    let signedAsSealed;
    try { await unsealData(token, { keys: ring }); signedAsSealed = 'ACCEPTED'; } catch (e) { signedAsSealed = e.code; }
    const sealedAsSigned = (await openSigned(ring, sealed, undefined, Date.now(), 60000)).code;
    return { engine: ring.engine.kind, token, same: JSON.stringify(opened.ok && opened.data) === JSON.stringify(state), signedAsSealed, sealedAsSigned };
  },
  async packed(text) { const p = await packPlaintext(text, true); const u = await unpackPlaintext(p, 1 << 20); return { first: p[0], length: p.length, back: u.ok && u.text === text }; },
};
`;

let browser: Browser;
let server: http.Server;
let page: Awaited<ReturnType<Browser['newPage']>>;
let bundle: string;

type Probe = {
  backend(): string;
  deflateHex(text: string): Promise<string>;
  inflate(base64: string, max: number): Promise<{ ok: true; text: string } | { ok: false; reason: string }>;
  bomb(base64: string, max: number): Promise<{ result: string; ms: number; heapGrowth: number }>;
  signed(secret: string): Promise<{ engine: string; token: string; same: boolean; signedAsSealed: string; sealedAsSigned: string }>;
  packed(text: string): Promise<{ first: number; length: number; back: boolean }>;
};
const call = <K extends keyof Probe>(name: K, ...args: Parameters<Probe[K]>) =>
  page.evaluate(([n, a]) => (window as unknown as { probe: Record<string, (...x: unknown[]) => unknown> }).probe[n]!(...a), [name, args] as const) as Promise<Awaited<ReturnType<Probe[K]>>>;

describeBrowser('Compression Streams in Chromium', () => {
  beforeAll(async () => {
    const result = await build({
      stdin: { contents: ENTRY, resolveDir: root, sourcefile: 'probe.ts', loader: 'ts' },
      bundle: true,
      write: false,
      format: 'iife',
      platform: 'browser',
      target: 'es2022',
      logLevel: 'silent',
    });
    bundle = result.outputFiles[0]!.text;
    server = http.createServer((_, res) => res.setHeader('content-type', 'text/html').end('<!doctype html><title>probe</title>'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    browser = await launchBrowser();
    page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    await page.addScriptTag({ content: bundle });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    server?.close();
  });

  it('the browser bundle has no node: import, and picks Compression Streams', async () => {
    expect(bundle).not.toMatch(/\brequire\(["']node:|from\s*["']node:/);
    expect(await call('backend')).toBe('compression-streams');
  });

  it('what Chromium deflates, node:zlib inflates, and the reverse', async () => {
    const text = JSON.stringify({ roles: Array.from({ length: 50 }, (_, i) => `role:${i % 7}:read`) });
    const fromBrowser = Buffer.from(await call('deflateHex', text), 'hex');
    expect(nodeZlib.inflateRawSync(fromBrowser).toString()).toBe(text);
    const fromNode = nodeZlib.deflateRawSync(text).toString('base64');
    expect(await call('inflate', fromNode, text.length)).toEqual({ ok: true, text });
    expect(await call('inflate', fromNode, text.length - 1)).toEqual({ ok: false, reason: 'too-large' });
  });

  it('refuses trailing bytes and truncation as corrupt (the spec behaviour)', async () => {
    const packed = nodeZlib.deflateRawSync('{"a":"' + 'x'.repeat(200) + '"}');
    expect(await call('inflate', Buffer.concat([packed, Buffer.from([1, 2])]).toString('base64'), 1000)).toEqual({ ok: false, reason: 'corrupt' });
    expect(await call('inflate', packed.subarray(0, packed.length - 2).toString('base64'), 1000)).toEqual({ ok: false, reason: 'corrupt' });
  });

  it('refuses a 1 GiB bomb (1 MiB of DEFLATE) at the cookie bound in well under a second, without growing the heap', async () => {
    const piece = nodeZlib.deflateRawSync(Buffer.alloc(16 * MiB), { level: 9, finishFlush: nodeZlib.constants.Z_SYNC_FLUSH });
    const bomb = Buffer.concat([...Array.from({ length: 64 }, () => piece), Buffer.from([0x03, 0x00])]);
    const r = await call('bomb', bomb.toString('base64'), 16 * 6144);
    console.info(`Chromium ${browser.version()}: 1 GiB bomb refused in ${r.ms.toFixed(1)} ms, JS heap +${(r.heapGrowth / MiB).toFixed(1)} MiB`);
    expect(r.result).toBe('too-large');
    expect(r.ms).toBeLessThan(1000);
    expect(r.heapGrowth).toBeLessThan(64 * MiB);
  }, 30_000);

  it('marks and reads a compressed plaintext, and signed tokens (compressed, WebCrypto) verify and stay apart from sealed ones', async () => {
    const text = JSON.stringify({ i: 1, d: Array.from({ length: 100 }, () => ({ sku: 'SKU', qty: 1 })) });
    expect(await call('packed', text)).toMatchObject({ first: 0xff, back: true });
    const r = await call('signed', SECRET);
    expect(r).toMatchObject({ engine: 'webcrypto', same: true, signedAsSealed: 'ERR_SEAL_MALFORMED', sealedAsSigned: 'ERR_SEAL_MALFORMED' });
    expect(r.token).toMatch(/^Sig1\*1\*\d+\*[\w-]+\*[\w-]{43}$/);
  });
});
