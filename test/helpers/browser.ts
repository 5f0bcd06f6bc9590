/**
 * The one place the tests find and start Chromium. Every browser test imports
 * `launchBrowser` (and `describeBrowser`) from here.
 *
 * Order, first that really runs (`<binary> --version` exits 0) wins:
 *  1. `CHROMIUM_PATH`: a Chromium or Chrome binary you name. If it is set but
 *     does not run, that is an error, never a fallback.
 *  2. The system's: `chromium`, `chromium-browser`, `google-chrome`,
 *     `google-chrome-stable` on PATH, then their usual places in /usr/bin,
 *     /opt/google/chrome and /snap/bin.
 *  3. The devDependency `@sparticuz/chromium` (Linux x64): a headless
 *     Chromium shipped inside the npm package (brotli-compressed), unpacked
 *     once by its `executablePath()` into
 *     `node_modules/.cache/sealed-session/chromium-<version>/`. So `npm ci`
 *     alone gives a working browser, with nothing downloaded from outside
 *     the registry.
 *
 * A browser test is skipped only when none of these is found, with one loud
 * line saying how to get one; under `CI=true` that is a failure instead.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join, resolve } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { describe } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

/**
 * Flags for every launch: no sandbox (tests run as root in CI), and nothing
 * that would reach the network on its own (updates, sync, background fetches):
 * the tests talk only to 127.0.0.1.
 */
export const BROWSER_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-gpu',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** What to do when no Chromium is found: the loud line, and under CI the error. */
export const NO_BROWSER_HELP =
  'no Chromium found: run `npm ci` (the devDependency @sparticuz/chromium ships one for Linux x64), ' +
  'or install one (`apt-get install -y chromium`), or set CHROMIUM_PATH to a Chromium/Chrome binary';

/** An environment to resolve in (`process.env` by default). */
export type Env = Readonly<Record<string, string | undefined>>;

export type BrowserSource = 'CHROMIUM_PATH' | 'system' | '@sparticuz/chromium';

export interface FoundBrowser {
  readonly path: string;
  readonly source: BrowserSource;
  /** Extra environment for the browser process (the packaged one brings its own fonts config). */
  readonly env?: Readonly<Record<string, string>>;
}

/** The system's browser names, looked up on PATH, then these absolute paths. */
export const SYSTEM_NAMES: readonly string[] = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];
export const SYSTEM_PATHS: readonly string[] = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/opt/google/chrome/chrome',
  '/snap/bin/chromium',
];

export interface FindOptions {
  /** Defaults to `process.env`. */
  readonly env?: Env;
  /** Names looked up on `env.PATH`; defaults to {@link SYSTEM_NAMES}. */
  readonly systemNames?: readonly string[];
  /** Absolute paths tried after PATH; defaults to {@link SYSTEM_PATHS}. */
  readonly systemPaths?: readonly string[];
  /** Try the packaged Chromium (default true). */
  readonly packaged?: boolean;
}

/** Does `<file> --version` run and answer like a Chromium/Chrome? */
export function runs(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    if (!statSync(file).isFile()) return false;
  } catch {
    return false;
  }
  const probe = spawnSync(file, ['--version'], { encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'ignore'] });
  return probe.error === undefined && probe.status === 0 && /chrom/i.test(probe.stdout);
}

function onPath(name: string, pathVar: string | undefined): string[] {
  return (pathVar ?? '')
    .split(delimiter)
    .filter(Boolean)
    .map((dir) => join(dir, name));
}

/** Resolve the browser, in the order above; `undefined` when there is none. Throws when CHROMIUM_PATH is set but does not run. */
export function findBrowser(options: FindOptions = {}): FoundBrowser | undefined {
  const env = options.env ?? process.env;
  const explicit = env['CHROMIUM_PATH'];
  if (explicit) {
    if (!runs(explicit)) throw new Error(`CHROMIUM_PATH=${explicit} does not run (\`${explicit} --version\` must exit 0 and name Chromium/Chrome); fix it or unset it`);
    return { path: explicit, source: 'CHROMIUM_PATH' };
  }
  const names = options.systemNames ?? SYSTEM_NAMES;
  const candidates = [...names.flatMap((name) => onPath(name, env['PATH'])), ...(options.systemPaths ?? SYSTEM_PATHS)];
  for (const file of new Set(candidates)) if (runs(file)) return { path: file, source: 'system' };
  if (options.packaged === false) return undefined;
  return packagedChromium();
}

/** Sleep without a promise (the resolution is synchronous so that `describeBrowser` can decide at collection time). */
function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * `@sparticuz/chromium`'s binary, unpacked once per version. Its
 * `executablePath()` unpacks into `os.tmpdir()`, and takes an existing
 * `<tmpdir>/chromium` as done even while another process is still writing
 * it; so it runs in a child with a private TMPDIR, under a lock, and the
 * finished directory is renamed into the cache in one step.
 */
export function packagedChromium(): FoundBrowser | undefined {
  if (process.platform !== 'linux' || process.arch !== 'x64') return undefined;
  let entry: string;
  try {
    entry = createRequire(join(ROOT, 'package.json')).resolve('@sparticuz/chromium');
  } catch {
    return undefined; // not installed (npm install --omit=dev)
  }
  let pkgDir = dirname(entry);
  while (!existsSync(join(pkgDir, 'package.json')) || !pkgDir.endsWith(join('@sparticuz', 'chromium'))) {
    const up = dirname(pkgDir);
    if (up === pkgDir) return undefined;
    pkgDir = up;
  }
  const { version } = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { version: string };
  const cache = join(ROOT, 'node_modules/.cache/sealed-session');
  const dir = join(cache, `chromium-${version}`);
  const found = (): FoundBrowser => ({ path: join(dir, 'chromium'), source: '@sparticuz/chromium', env: { FONTCONFIG_FILE: join(dir, 'fonts.conf') } });
  if (runs(join(dir, 'chromium'))) return found();

  mkdirSync(cache, { recursive: true });
  const lock = join(cache, `chromium-${version}.lock`);
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (runs(join(dir, 'chromium'))) return found();
      // A lock left by a process that died mid-unpack (an unpack takes ~10 s).
      try {
        if (Date.now() - statSync(lock).mtimeMs > 120_000) rmSync(lock, { recursive: true, force: true });
      } catch {
        // Gone meanwhile: try again.
      }
      if (Date.now() > deadline) throw new Error(`waited 180 s for another process to unpack @sparticuz/chromium (remove ${lock} if none is running)`);
      sleepSync(250);
    }
  }
  try {
    if (runs(join(dir, 'chromium'))) return found();
    rmSync(dir, { recursive: true, force: true });
    const tmp = mkdtempSync(join(cache, `.unpack-${version}-`));
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', "const { default: c } = await import('@sparticuz/chromium'); console.log(await c.executablePath());"], {
      cwd: ROOT,
      env: { ...process.env, TMPDIR: tmp },
      encoding: 'utf8',
      timeout: 150_000,
    });
    const unpacked = child.stdout?.trim();
    if (child.status !== 0 || unpacked !== join(tmp, 'chromium')) {
      rmSync(tmp, { recursive: true, force: true });
      throw new Error(`@sparticuz/chromium's executablePath() failed (${child.error?.message ?? `exit ${child.status}`}): ${child.stderr}`);
    }
    // Its fonts, found without relying on the system's fontconfig setup.
    writeFileSync(
      join(tmp, 'fonts.conf'),
      `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n  <dir>${join(dir, 'fonts')}</dir>\n  <dir>/usr/share/fonts</dir>\n  <cachedir>${join(dir, 'fonts-cache')}</cachedir>\n</fontconfig>\n`,
    );
    renameSync(tmp, dir);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
  return runs(join(dir, 'chromium')) ? found() : undefined;
}

let cached: { found: FoundBrowser | undefined } | undefined;

/** The browser every test uses (resolved once per worker). */
export function foundBrowser(): FoundBrowser | undefined {
  cached ??= { found: findBrowser() };
  return cached.found;
}

/** The path of the Chromium the tests launch, or `undefined` when there is none. */
export function browserPath(): string | undefined {
  return foundBrowser()?.path;
}

/** Headless Chromium, driven by playwright-core, kept off the network. */
export function launchBrowser(): Promise<Browser> {
  const found = foundBrowser();
  if (!found) return Promise.reject(new Error(NO_BROWSER_HELP));
  return launchFound(found);
}

/** Launch this browser the way `launchBrowser` does. */
export function launchFound(found: FoundBrowser): Promise<Browser> {
  return chromium.launch({
    executablePath: found.path,
    headless: true,
    args: [...BROWSER_ARGS],
    ...(found.env ? { env: { ...process.env, ...found.env } } : {}),
  });
}

/** Is `CI` set to something other than "", "0" or "false"? */
export function isCI(env: Env = process.env): boolean {
  const value = env['CI'];
  return value !== undefined && value !== '' && value !== '0' && value.toLowerCase() !== 'false';
}

/**
 * When there is no browser: under CI throw (the test file fails), otherwise
 * print one loud line and return false so the caller skips. True when there is one.
 */
export function requireBrowser(what: string, found: FoundBrowser | undefined, env: Env): boolean {
  if (found) return true;
  if (isCI(env)) throw new Error(`${what} needs Chromium under CI: ${NO_BROWSER_HELP}`);
  console.warn(`\n${'!'.repeat(100)}\n!! SKIPPING ${what}: ${NO_BROWSER_HELP}\n${'!'.repeat(100)}\n`);
  return false;
}

/** `describe` for tests that need Chromium: skipped (loudly) only when none is found, and a failure under CI then. */
export function describeBrowser(name: string, fn: () => void): void {
  describe.skipIf(!requireBrowser(`"${name}"`, foundBrowser(), process.env))(name, fn);
}
