/**
 * `sealed-session/react-router` in a real React Router 8 app
 * (examples/react-router): type-checked against React Router's own
 * `SessionStorage`, built with `react-router build`, served by
 * `react-router-serve` on 127.0.0.1 under Node 22, and driven by Chromium
 * (loader reads, action writes, flash after redirect) and by a fetch client
 * that sees every Set-Cookie: the conformance checklist, against the app's
 * own storage (its resource route /conformance/:step, on getSession(request)),
 * then the example's pages.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../helpers/browser';
import { Client, expectOneSetCookiePerName, isDeletion, parseSetCookie } from '../helpers/jar';
import { ensureDist, ensureInstalled, nodeBinary, runInApp, serveApp, timing, type Served } from './apps';
import { describeConformance } from './conformance';

const APP = 'react-router';
const CLI = 'node_modules/@react-router/dev/bin.cjs';
let served: Served;
let browser: Browser;
const times: Record<string, number> = {};

beforeAll(async () => {
  await ensureDist();
  await ensureInstalled(APP);
  const node = await nodeBinary(22);
  times.typecheck = runInApp(APP, node, CLI, ['typegen']) + runInApp(APP, node, 'node_modules/typescript/bin/tsc', ['--noEmit']);
  times.build = runInApp(APP, node, CLI, ['build']);
  served = await serveApp(APP, node, 'node_modules/@react-router/serve/bin.cjs', ['./build/server/index.js'], (port) => ({
    PORT: String(port),
    HOST: '127.0.0.1',
    INSECURE_COOKIES: '1',
    SESSION_SECRET: 'react-router-test-secret-0123456789abcdef',
  }), '/me');
  times.serve = served.startMs;
  browser = await launchBrowser();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await served?.stop();
  timing(APP, times);
});

async function sid(context: BrowserContext): Promise<string | undefined> {
  return (await context.cookies()).find((c) => c.name === 'sid')?.value;
}

const text = (page: Page, id: string) => page.locator(`#${id}`).textContent();

describeConformance('react-router', () => ({ origin: served.url, base: '/conformance', cookie: 'sid', postHeaders: { origin: served.url } }));

describe('React Router app with createSealedSessionStorage', () => {
  it('in Chromium: the loader reads, the action writes and redirects, a flash shows once after the redirect', async () => {
    const started = performance.now();
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(served.url);
    expect(await text(page, 'user')).toBe('nobody');
    expect(await text(page, 'count')).toBe('0');
    expect(await sid(context)).toBeUndefined(); // a loader that only reads sends no cookie

    await page.click('#count-up');
    await expect.poll(() => text(page, 'count')).toBe('1');
    const anonymous = await sid(context);
    expect(anonymous).toMatch(/^Fe26\.2\*/);

    await page.fill('input[name=user]', 'alice');
    await page.click('#login');
    await expect.poll(() => page.locator('#notice').textContent()).toBe('Welcome, alice');
    expect(await text(page, 'user')).toBe('alice');
    expect(await text(page, 'count')).toBe('1');
    expect(await sid(context)).not.toBe(anonymous);

    // The flash was read once: a full reload no longer shows it, the data stays.
    await page.reload();
    expect(await page.locator('#notice').count()).toBe(0);
    expect(await text(page, 'user')).toBe('alice');

    // Too large for one cookie: the app's own 413, and the browser keeps its cookie.
    const before = await sid(context);
    const [tooLarge] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.click('#big')]);
    expect(tooLarge.status()).toBe(413);
    expect(await sid(context)).toBe(before);
    await page.goto(served.url);
    expect(await text(page, 'user')).toBe('alice');

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

  it('over HTTP: one Set-Cookie per commit, renew gives a new id, destroy deletes; getSession(request) twice is one session, getSession(cookieHeader) a session of its own with the same state and id', async () => {
    const c = new Client(served.url);
    const count = await c.fetch('/?index', { method: 'POST', body: new URLSearchParams({ intent: 'count' }) });
    expect(count.status).toBe(302);
    expect(expectOneSetCookiePerName(count.setCookies)).toHaveLength(1);
    const first = await c.json<{ id: string; count: number; sameSessionTwice: boolean; headerSession: object }>('/me');
    expect(first).toMatchObject({ count: 1, sameSessionTwice: true, headerSession: { same: false, sameId: true, count: 1 } });
    expect(first.setCookies).toEqual([]);

    const login = await c.fetch('/?index', { method: 'POST', body: new URLSearchParams({ intent: 'login', user: 'bob' }) });
    expect(login.setCookies).toHaveLength(1);
    const renewed = await c.json<{ id: string; user: string; count: number }>('/me');
    expect(renewed).toMatchObject({ user: 'bob', count: 1 });
    expect(renewed.id).not.toBe(first.id);

    const logout = await c.fetch('/?index', { method: 'POST', body: new URLSearchParams({ intent: 'logout' }) });
    const [deleted] = logout.setCookies.map(parseSetCookie);
    expect(logout.setCookies).toHaveLength(1);
    expect(deleted?.name).toBe('sid');
    expect(isDeletion(deleted!)).toBe(true);
    expect(await c.json('/me')).toMatchObject({ user: null, count: 0 });
  });
});
