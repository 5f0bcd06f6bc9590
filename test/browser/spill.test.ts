/**
 * Hybrid sessions in real Chromium: a node:http shop on http://localhost
 * whose CookieSessionStore spills to a real redis-server
 * (`spill: new RedisBackend({ client })`). A cart grows past the cookie
 * budget and shrinks back; at each step the test checks what the page shows,
 * how many session cookies Chromium holds (context.cookies()) and how many
 * keys Redis holds. The shop's code is the same for every step.
 *
 * Needs Chromium (test/helpers/browser.ts) and Debian's redis-server package:
 * each is skipped with one loud line when missing, and required under CI=true.
 */
import { createServer } from 'node:http';
import type { Browser, BrowserContext } from 'playwright-core';
import { createClient } from 'redis';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { z } from 'zod';
import { CookieSessionStore } from '../../src/index';
import { RedisBackend } from '../../src/redis/index';
import { describeBrowser, launchBrowser } from '../helpers/browser';
import { listen, type Listening } from '../helpers/jar';
import { redisTestsEnabled, startRedisServer, type RedisServer } from '../helpers/redis';

const COOKIE = '__Host-shop';
const PREFIX = 'shop:';
const enabled = redisTestsEnabled('test/browser/spill.test.ts');
const schema = z.object({ cart: z.array(z.string()).default([]) });

let browser: Browser;
let redis: RedisServer;
let client: ReturnType<typeof createClient>;
let shop: Listening;
let origin: string;

/** The shop: the cart page, and forms that add or drop items, then redirect back (303). */
function shopServer(store: CookieSessionStore<typeof schema>) {
  return createServer(async (req, res) => {
    try {
      const session = await store.handleSession(req, res);
      const url = new URL(req.url ?? '/', origin);
      const n = Number(url.searchParams.get('n') ?? 0);
      if (req.method === 'POST' && url.pathname === '/add') {
        session.update((s) => ({ cart: [...s.cart, ...Array.from({ length: n }, (_, i) => `product ${s.cart.length + i} ${'·'.repeat(30)}`)] }));
      } else if (req.method === 'POST' && url.pathname === '/drop') {
        session.update((s) => ({ cart: s.cart.slice(0, Math.max(0, s.cart.length - n)) }));
      }
      await session.commit();
      if (req.method === 'POST') {
        res.writeHead(303, { location: '/' }).end();
        return;
      }
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(`<!doctype html><title>shop</title><p>Items: <output data-testid="count">${session.get('cart').length}</output></p>
        ${[5, 40, 60, 200].map((k) => `<form method="post" action="/add?n=${k}"><button>Add ${k}</button></form>`).join('')}
        ${[40, 265].map((k) => `<form method="post" action="/drop?n=${k}"><button>Drop ${k}</button></form>`).join('')}`);
    } catch (err) {
      res.statusCode = 500;
      res.end(String(err));
    }
  });
}

describeBrowser('hybrid sessions in Chromium', () => {
  beforeAll(async () => {
    if (!enabled) return;
    redis = await startRedisServer();
    client = createClient({ url: redis.url });
    client.on('error', () => {});
    await client.connect();
    const store = new CookieSessionStore({ keys: 'browser-spill-test-secret-0123456789abcdefghij', schema, cookie: { name: COOKIE }, spill: new RedisBackend({ client, prefix: PREFIX }) });
    [browser, shop] = await Promise.all([launchBrowser(), listen(shopServer(store))]);
    origin = `http://localhost:${shop.port}`;
  }, 60_000);

  afterAll(async () => {
    await Promise.all([browser?.close(), shop?.close()]);
    await client?.destroy();
    await redis?.stop();
  });

  test.skipIf(!enabled)('a cart grows past the budget into Redis and shrinks back into the cookie: cookies and Redis keys at each step', async () => {
    const context: BrowserContext = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(`${origin}/`);
      const press = async (label: string) => {
        await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: label, exact: true }).click()]);
      };
      const step = async () => {
        const cookies = (await context.cookies(origin)).filter((c) => c.name === COOKIE || c.name.startsWith(`${COOKIE}.`));
        for (const c of cookies) expect(c).toMatchObject({ secure: true, httpOnly: true, path: '/', domain: 'localhost' });
        return {
          items: Number(await page.getByTestId('count').textContent()),
          cookies: cookies.map((c) => c.name).sort(),
          redisKeys: (await client.keys(`${PREFIX}*`)).length,
        };
      };
      const seen = [await step()];
      for (const label of ['Add 5', 'Add 40', 'Add 60', 'Add 200', 'Drop 265', 'Drop 40']) {
        await press(label);
        seen.push(await step());
      }
      expect(seen).toEqual([
        { items: 0, cookies: [], redisKeys: 0 },
        { items: 5, cookies: [COOKIE], redisKeys: 0 },
        // Two cookies: still in the cookie, under the 6144-byte budget.
        { items: 45, cookies: [COOKIE, `${COOKIE}.1`], redisKeys: 0 },
        // Past the budget: one small cookie (the sealed key), the state in Redis; the chunk cookie removed.
        { items: 105, cookies: [COOKIE], redisKeys: 1 },
        { items: 305, cookies: [COOKIE], redisKeys: 1 },
        // Back under the budget: in the cookie again, the Redis record deleted.
        { items: 40, cookies: [COOKIE, `${COOKIE}.1`], redisKeys: 0 },
        { items: 0, cookies: [COOKIE], redisKeys: 0 },
      ]);
      // The spilled cookie is small; the state in the cookie is not.
      await press('Add 200');
      const spilled = (await context.cookies(origin)).find((c) => c.name === COOKIE)!;
      expect(spilled.value.length).toBeLessThan(1000);
      // A reload (a new request) reads the cart back from Redis.
      await page.reload();
      expect(Number(await page.getByTestId('count').textContent())).toBe(200);
    } finally {
      await context.close();
    }
  });
});
