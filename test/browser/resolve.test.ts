/**
 * test/helpers/browser.ts: which Chromium the tests get, in which order, and
 * what happens when there is none. Broken candidates are real files: a
 * script that exits 127 (what a missing or stubbed-out binary looks like).
 * The packaged Chromium (@sparticuz/chromium, a devDependency) is unpacked
 * and driven here even on a machine with a system Chromium, so the fallback
 * a fresh machine relies on is exercised on every run.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { listen } from '../helpers/jar';
import {
  BROWSER_ARGS,
  NO_BROWSER_HELP,
  browserPath,
  describeBrowser,
  findBrowser,
  isCI,
  launchFound,
  packagedChromium,
  requireBrowser,
  runs,
} from '../helpers/browser';

const ROOT = resolve(import.meta.dirname, '../..');
const linuxX64 = process.platform === 'linux' && process.arch === 'x64';

let dir: string;
/** A directory holding `chromium` and `google-chrome` that exit 127. */
let brokenDir: string;
/** A directory holding `google-chrome`, a link to a Chromium that runs. */
let workingDir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'browser-resolve-'));
  brokenDir = join(dir, 'broken');
  workingDir = join(dir, 'working');
  mkdirSync(brokenDir);
  mkdirSync(workingDir);
  for (const name of ['chromium', 'google-chrome']) {
    writeFileSync(join(brokenDir, name), '#!/bin/sh\necho "chromium: not here" >&2\nexit 127\n');
    chmodSync(join(brokenDir, name), 0o755);
  }
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('no browser at all', () => {
  test('nothing runs: findBrowser gives undefined', () => {
    expect(findBrowser({ env: { PATH: brokenDir }, systemPaths: [join(brokenDir, 'chromium')], packaged: false })).toBeUndefined();
  });

  test('without CI the test is skipped with one loud line saying how to get a Chromium', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      expect(requireBrowser('some browser test', undefined, {})).toBe(false);
      expect(requireBrowser('some browser test', undefined, { CI: 'false' })).toBe(false);
      expect(warn).toHaveBeenCalledTimes(2);
      const line = String(warn.mock.calls[0]![0]);
      expect(line).toContain('SKIPPING some browser test');
      expect(line).toContain('npm ci');
      expect(line).toContain('CHROMIUM_PATH');
      expect(line).toContain('apt-get install -y chromium');
    } finally {
      warn.mockRestore();
    }
  });

  test('under CI=true it is a failure, naming the ways to get one', () => {
    expect(() => requireBrowser('some browser test', undefined, { CI: 'true' })).toThrow(NO_BROWSER_HELP);
    expect(() => requireBrowser('some browser test', undefined, { CI: '1' })).toThrow('needs Chromium under CI');
    expect([isCI({ CI: 'true' }), isCI({ CI: '1' }), isCI({ CI: 'false' }), isCI({ CI: '0' }), isCI({ CI: '' }), isCI({})]).toEqual([true, true, false, false, false, false]);
  });

  test('with a browser, requireBrowser neither skips nor throws, even under CI', () => {
    expect(requireBrowser('x', { path: '/bin/true', source: 'system' }, { CI: 'true' })).toBe(true);
  });
});

describeBrowser('the order: CHROMIUM_PATH, the system, the packaged one', () => {
  beforeAll(() => {
    symlinkSync(browserPath()!, join(workingDir, 'google-chrome'));
  });

  test('a stub that exits 127 does not count as a browser; a real one does', () => {
    expect(runs(join(brokenDir, 'chromium'))).toBe(false);
    expect(runs(join(dir, 'absent'))).toBe(false);
    expect(runs(join(workingDir, 'google-chrome'))).toBe(true);
  });

  test('CHROMIUM_PATH comes first, ahead of a system browser on PATH', () => {
    const explicit = join(workingDir, 'google-chrome');
    expect(findBrowser({ env: { CHROMIUM_PATH: explicit, PATH: workingDir }, systemPaths: [] })).toEqual({ path: explicit, source: 'CHROMIUM_PATH' });
  });

  test('a CHROMIUM_PATH that does not run is an error, not a fallback', () => {
    const broken = join(brokenDir, 'chromium');
    expect(() => findBrowser({ env: { CHROMIUM_PATH: broken, PATH: workingDir } })).toThrow(`CHROMIUM_PATH=${broken} does not run`);
  });

  test('system browsers that do not run are passed over for the next that does, PATH before the usual paths', () => {
    const found = findBrowser({ env: { PATH: `${brokenDir}:${workingDir}` }, systemPaths: [join(brokenDir, 'chromium')] });
    expect(found).toEqual({ path: join(workingDir, 'google-chrome'), source: 'system' });
  });
});

describe.runIf(linuxX64)('the packaged Chromium (@sparticuz/chromium), on Linux x64', () => {
  test('with no system browser it is the choice, unpacked into node_modules/.cache', () => {
    const found = findBrowser({ env: { PATH: brokenDir }, systemPaths: [join(brokenDir, 'chromium')] });
    expect(found?.source).toBe('@sparticuz/chromium');
    expect(found?.path).toMatch(new RegExp(`^${ROOT}/node_modules/\\.cache/sealed-session/chromium-[\\d.]+/chromium$`));
    expect(runs(found!.path)).toBe(true);
    // A second resolution reuses the unpacked copy.
    expect(packagedChromium()).toEqual(found);
  }, 180_000);

  test('it runs headless under playwright-core with --no-sandbox, and keeps a cookie a 127.0.0.1 server sets', async () => {
    expect(BROWSER_ARGS).toContain('--no-sandbox');
    const found = packagedChromium()!;
    const server = await listen(
      createServer((req, res) => {
        res.setHeader('set-cookie', 'probe=1; Path=/; HttpOnly');
        res.setHeader('content-type', 'text/html');
        res.end(`<p id="sent">${req.headers.cookie ?? 'none'}</p>`);
      }),
    );
    const browser = await launchFound(found);
    try {
      expect(browser.version()).toMatch(/^\d+\./);
      const page = await browser.newPage();
      await page.goto(`http://127.0.0.1:${server.port}/`);
      expect(await page.textContent('#sent')).toBe('none');
      await page.reload();
      expect(await page.textContent('#sent')).toBe('probe=1');
      expect(await page.evaluate(() => navigator.userAgent)).toContain('HeadlessChrome');
    } finally {
      await browser.close();
      await server.close();
    }
  }, 180_000);
});
