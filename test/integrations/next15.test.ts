/**
 * Next.js 15 (Next 16 is the root devDependency, tested in test/adapters):
 * examples/next15 has its own package.json and lockfile with Next 15.
 *
 * - Types: `tsc -p examples/next15` checks the app and
 *   test/types/next-usage.test-d.ts against Next 15's own types (the root
 *   `npm run typecheck` checks the same file against Next 16).
 * - A real app: `next build`, `next start` on 127.0.0.1 under the system
 *   Node 20 (Next 15 supports it), driven by Chromium through server
 *   actions (write, renew, destroy, too large), a server component (read),
 *   a route handler (withSession) and middleware; and the conformance
 *   checklist over HTTP, against route handlers on the app's own store
 *   (`store.withSession`, app/conformance/[step]/route.ts).
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../helpers/browser';
import { Client, expectOneSetCookiePerName } from '../helpers/jar';
import { ensureDist, ensureInstalled, runInApp, serveApp, timing, type Served } from './apps';
import { describeConformance } from './conformance';

const APP = 'next15';
const NEXT = 'node_modules/next/dist/bin/next';
let served: Served;
let browser: Browser;
const times: Record<string, number> = {};

beforeAll(async () => {
  await ensureDist();
  await ensureInstalled(APP);
  const node = process.execPath; // Node 20, the core's floor
  times.build = runInApp(APP, node, NEXT, ['build']);
  times.typecheck = runInApp(APP, node, 'node_modules/typescript/bin/tsc', ['--noEmit', '-p', '.']);
  served = await serveApp(APP, node, NEXT, ['start', '-H', '127.0.0.1', '-p', '{port}'], () => ({
    INSECURE_COOKIES: '1',
    SESSION_SECRET: 'next15-test-secret-0123456789abcdef-0123',
  }), '/me');
  times.serve = served.startMs;
  browser = await launchBrowser();
}, 400_000);

afterAll(async () => {
  await browser?.close();
  await served?.stop();
  timing(APP, times);
});

async function sid(context: BrowserContext): Promise<string | undefined> {
  return (await context.cookies()).find((c) => c.name === 'sid')?.value;
}

const text = (page: Page, id: string) => page.locator(`#${id}`).textContent();

describeConformance('next 15', () => ({ origin: served.url, base: '/conformance', cookie: 'sid', postHeaders: { origin: served.url } }));

describe('Next.js 15 app', () => {
  it('in Chromium: a server component reads, server actions write, renew and destroy; too large is the app’s own error', async () => {
    const started = performance.now();
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(served.url);
    expect(await text(page, 'user')).toBe('nobody');
    expect(await sid(context)).toBeUndefined();

    await page.click('#count-up');
    await expect.poll(() => text(page, 'count')).toBe('1');
    const anonymous = await sid(context);
    expect(anonymous).toMatch(/^Fe26\.2\*/);

    await page.fill('input[name=user]', 'alice');
    await page.click('#login');
    await expect.poll(() => text(page, 'user')).toBe('alice');
    expect(await text(page, 'count')).toBe('1');
    expect(await sid(context)).not.toBe(anonymous);

    const before = await sid(context);
    await page.click('#big');
    await expect.poll(() => page.locator('#error').textContent()).toBe('too-large');
    expect(await sid(context)).toBe(before);

    await page.click('#logout');
    await expect.poll(() => text(page, 'user')).toBe('nobody');
    expect(await sid(context)).toBeUndefined();
    await context.close();
    times.browser = performance.now() - started;
  });

  it('in Chromium: a tampered cookie reads as an empty session with its reason', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(served.url);
    await page.fill('input[name=user]', 'mallory');
    await page.click('#login');
    await expect.poll(() => text(page, 'user')).toBe('mallory');
    const value = (await sid(context))!;
    const flipped = value.slice(0, 40) + (value[40] === 'A' ? 'B' : 'A') + value.slice(41);
    await context.addCookies([{ name: 'sid', value: flipped, url: served.url }]);
    await page.goto(served.url);
    expect(await text(page, 'user')).toBe('nobody');
    expect(await text(page, 'invalid')).toBe('tampered');
    await context.close();
  });

  it('over HTTP: middleware commits onto its rewrite once; the route handler behind it reads the cookie the request came with', async () => {
    const c = new Client(served.url);
    const first = await c.fetch('/mw');
    expect(first.status).toBe(200);
    expect(expectOneSetCookiePerName(first.setCookies)).toHaveLength(1);
    const second = await c.fetch('/mw');
    // The rewritten route sees the request's own Cookie header (one visit); the browser now holds two.
    expect(JSON.parse(second.text)).toMatchObject({ viaMiddleware: 1 });
    expect(expectOneSetCookiePerName(second.setCookies)).toHaveLength(1);
    expect(await c.json('/me')).toMatchObject({ viaMiddleware: 2, user: null });
  });
});
