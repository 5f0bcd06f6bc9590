/**
 * The demo (`examples/demo`) in real Chromium: what the browser really keeps
 * (context.cookies()) as a person signs in, counts, fills the cart past 4 KB
 * and signs out, on http://localhost, where Chromium stores Secure and
 * `__Host-` cookies over plain http. Plus the 4096-octet name+value limit,
 * measured on Chromium itself with a route of this test.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, BrowserContext, Cookie, Page } from 'playwright-core';
import { createDemoServer } from '../../examples/demo/app';
import { MAX_BYTES } from '../../examples/demo/store';
import { listen, type Listening } from '../helpers/jar';
import { describeBrowser, launchBrowser } from '../helpers/browser';

const SECRET = 'browser-demo-test-secret-0123456789abcdefghij';
const COOKIE = '__Host-demo';

let browser: Browser;
let demo: Listening;
let limits: Listening;
/** The demo as a person opens it: localhost, which Chromium treats as a secure origin. */
let origin: string;

/** A fresh browser profile (no cookies) for one test. */
async function withPage(fn: (page: Page, context: BrowserContext) => Promise<void>): Promise<void> {
  const context = await browser.newContext();
  try {
    await fn(await context.newPage(), context);
  } finally {
    await context.close();
  }
}

/** Click a button whose form posts and redirects, and wait for the page it lands on. */
async function press(page: Page, label: string): Promise<void> {
  await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: label, exact: true }).click()]);
}

async function signIn(page: Page, name: string): Promise<void> {
  await page.goto(`${origin}/`);
  await page.getByLabel('Name').fill(name);
  await press(page, 'Sign in');
}

async function text(page: Page, testId: string): Promise<string> {
  return ((await page.getByTestId(testId).textContent()) ?? '').trim();
}

/** The notice at the top of the page: its kind and text, or undefined. */
async function notice(page: Page): Promise<{ kind: string | null; text: string } | undefined> {
  const banner = page.locator('[role=status]');
  if ((await banner.count()) === 0) return undefined;
  return { kind: await banner.getAttribute('data-kind'), text: ((await banner.textContent()) ?? '').trim() };
}

/** The demo's cookies the browser holds, head first. */
async function sessionCookies(context: BrowserContext): Promise<Cookie[]> {
  const all = await context.cookies(origin);
  return all.filter((c) => c.name === COOKIE || c.name.startsWith(`${COOKIE}.`)).sort((a, b) => a.name.localeCompare(b.name));
}

describeBrowser('Chromium (found by test/helpers/browser.ts)', () => {
  beforeAll(async () => {
    [browser, demo, limits] = await Promise.all([
      launchBrowser(),
      listen(createDemoServer({ secret: SECRET })),
      listen(createServer(limitRoute)),
    ]);
    origin = `http://localhost:${demo.port}`;
  }, 60_000);

  afterAll(async () => {
    await Promise.all([browser?.close(), demo?.close(), limits?.close()]);
  });

  describe('the demo in Chromium on http://localhost', () => {
    test('signing in stores a __Host- cookie: Secure, Path=/, host-only, HttpOnly', async () => {
      await withPage(async (page, context) => {
        await page.goto(`${origin}/`);
        expect(await sessionCookies(context)).toEqual([]);
        expect(await page.getByTestId('user').count()).toBe(0);

        await signIn(page, 'Ada <b>&');
        expect(await notice(page)).toEqual({ kind: 'info', text: 'Signed in as Ada <b>&' });
        // Shown as text: the markup in the name was escaped.
        expect(await text(page, 'user')).toBe('Ada <b>&');
        expect(await page.locator('[data-testid=user] b').count()).toBe(0);

        const [cookie, ...rest] = await sessionCookies(context);
        expect(rest).toEqual([]);
        expect(cookie).toMatchObject({ name: COOKIE, secure: true, path: '/', httpOnly: true, sameSite: 'Lax' });
        // Host-only: Playwright reports a cookie without a Domain attribute under the bare host name.
        expect(cookie!.domain).toBe('localhost');
        expect(cookie!.value.startsWith('Fe26.2*')).toBe(true);
        expect(await page.evaluate(() => document.cookie)).toBe('');
      });
    });

    test('the counter survives reloads and new tabs', async () => {
      await withPage(async (page, context) => {
        await signIn(page, 'Grace');
        for (let i = 0; i < 3; i++) await press(page, '+1');
        expect(await notice(page)).toEqual({ kind: 'info', text: 'Counter is now 3' });

        await page.reload();
        expect(await text(page, 'count')).toBe('3');
        expect(await notice(page)).toBeUndefined(); // a flash is shown once
        const tab = await context.newPage();
        await tab.goto(`${origin}/`);
        expect(await text(tab, 'count')).toBe('3');
        expect(await text(tab, 'user')).toBe('Grace');
      });
    });

    test('the cart spreads over several cookies past 4 KB, survives a reload, and stops at the budget', async () => {
      await withPage(async (page, context) => {
        await signIn(page, 'Linus');
        let items = 0;
        while ((await sessionCookies(context)).length < 2) {
          await press(page, 'Add 10 items');
          items += 10;
          expect(await text(page, 'cart-count')).toBe(String(items));
          expect(items, 'the session should need a second cookie well before 100 items').toBeLessThan(100);
        }
        await page.reload();
        expect(await text(page, 'cart-count')).toBe(String(items));
        const chunked = await sessionCookies(context);
        expect(chunked.map((c) => c.name)).toEqual([COOKIE, `${COOKIE}.1`]);
        expect(chunked.map((c) => c.name.length + c.value.length).reduce((a, b) => a + b)).toBeGreaterThan(4096);
        for (const c of chunked) {
          expect(c.name.length + c.value.length).toBeLessThanOrEqual(4096);
          expect(c).toMatchObject({ secure: true, path: '/', domain: 'localhost', httpOnly: true });
        }
        // The status panel lists what the browser sent.
        expect(await page.getByTestId('status').locator('xpath=..').textContent()).toContain(`${COOKIE}.1`);

        // Keep adding until the budget refuses; the browser then keeps exactly what it had.
        let before = chunked;
        for (;;) {
          await press(page, 'Add 10 items');
          const banner = await notice(page);
          if (banner?.kind === 'error') {
            expect(banner.text).toContain('too large');
            expect(banner.text).toContain(`${MAX_BYTES} bytes`);
            break;
          }
          items += 10;
          before = await sessionCookies(context);
          expect(before.length).toBeLessThanOrEqual(3);
          expect(items, 'the budget should refuse well before 200 items').toBeLessThan(200);
        }
        expect(before.length).toBe(3);
        expect(await text(page, 'cart-count')).toBe(String(items));
        expect((await sessionCookies(context)).map((c) => [c.name, c.value])).toEqual(before.map((c) => [c.name, c.value]));
        await page.reload();
        expect(await text(page, 'cart-count')).toBe(String(items));
        expect(await text(page, 'user')).toBe('Linus');

        await press(page, 'Empty cart');
        expect(await text(page, 'cart-count')).toBe('0');
        expect((await sessionCookies(context)).map((c) => c.name)).toEqual([COOKIE]);
      });
    });

    test("with compression on, the 140-item cart needs 1 cookie instead of 3 (the toggle re-seals it at once), and the cart survives both ways", async () => {
      await withPage(async (page, context) => {
        await signIn(page, 'Ada');
        expect(await text(page, 'compression')).toBe('off');
        for (let i = 0; i < 14; i++) await press(page, 'Add 10 items');
        expect(await text(page, 'cart-count')).toBe('140');
        const off = await sessionCookies(context);
        expect(off.map((c) => c.name)).toEqual([COOKIE, `${COOKIE}.1`, `${COOKIE}.2`]);

        await press(page, 'Turn compression on');
        expect(await text(page, 'compression')).toBe('on');
        const on = await sessionCookies(context);
        expect(on.map((c) => c.name)).toEqual([COOKIE]);
        const octets = (cookies: Cookie[]) => cookies.reduce((sum, c) => sum + c.name.length + c.value.length, 0);
        expect(octets(on)).toBeLessThan(octets(off) / 8);
        await page.reload();
        expect(await text(page, 'cart-count')).toBe('140');
        expect(await text(page, 'user')).toBe('Ada');
        // Changes keep it compressed.
        await press(page, '+1');
        expect((await sessionCookies(context)).map((c) => c.name)).toEqual([COOKIE]);

        await press(page, 'Turn compression off');
        expect(await text(page, 'compression')).toBe('off');
        expect((await sessionCookies(context)).map((c) => c.name)).toEqual([COOKIE, `${COOKIE}.1`, `${COOKIE}.2`]);
        expect(await text(page, 'cart-count')).toBe('140');
        expect(await text(page, 'count')).toBe('1');
      });
    });

    test('signing out removes the session cookie and every chunk from the browser', async () => {
      await withPage(async (page, context) => {
        await signIn(page, 'Barbara');
        while ((await sessionCookies(context)).length < 3) await press(page, 'Add 10 items');

        await press(page, 'Sign out');
        expect(await sessionCookies(context)).toEqual([]);
        expect(await notice(page)).toMatchObject({ kind: 'info', text: expect.stringContaining('Signed out') });
        expect(await page.getByLabel('Name').count()).toBe(1);
        expect(await text(page, 'cart-count')).toBe('0');
      });
    });
  });

  test('Chromium keeps a cookie of 4096 octets of name + value and drops one of 4097', async () => {
    await withPage(async (page, context) => {
      const url = `http://localhost:${limits.port}/`;
      await page.goto(url);
      const held = await context.cookies(url);
      expect(held.map((c) => [c.name, c.name.length + c.value.length])).toEqual([['fits', 4096]]);
      await page.goto(url);
      expect(await page.textContent('body')).toBe('fits');
    });
  });
});

/** Sets two cookies, one of 4096 octets of name + value and one of 4097; answers with the names it was sent. */
function limitRoute(req: IncomingMessage, res: ServerResponse): void {
  const sent = (req.headers.cookie ?? '').split(';').map((pair) => pair.split('=')[0]!.trim()).filter(Boolean);
  res.setHeader('set-cookie', [`fits=${'a'.repeat(4096 - 'fits'.length)}; Path=/`, `drops=${'b'.repeat(4097 - 'drops'.length)}; Path=/`]);
  res.setHeader('content-type', 'text/plain');
  res.end(sent.join(','));
}
