/**
 * The dual package hazard: an app that loads both `dist/index.js` (import)
 * and `dist/index.cjs` (require), directly or through two dependencies, has
 * two copies of every class. Errors and key rings made by one copy must
 * still be recognised by the other.
 *
 * The two builds are made here with esbuild, as tsup makes `dist/` (one
 * bundle per format, nothing external), so the test never runs against a
 * stale `dist/`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as src from '../../src/index';
import { SessionError, isSessionError } from '../../src/errors';
import { SECRET } from './helpers';

type Lib = typeof src;

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
let dir: string;
let esm: Lib;
let cjs: Lib;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'sealed-session-dual-'));
  for (const format of ['esm', 'cjs'] as const) {
    await build({
      entryPoints: [path.join(root, 'src/index.ts')],
      outfile: path.join(dir, format === 'esm' ? 'index.mjs' : 'index.cjs'),
      bundle: true,
      format,
      platform: 'neutral',
      mainFields: ['module', 'main'],
      target: 'es2022',
      logLevel: 'silent',
    });
  }
  esm = (await import(/* @vite-ignore */ pathToFileURL(path.join(dir, 'index.mjs')).href)) as Lib;
  cjs = createRequire(import.meta.url)(path.join(dir, 'index.cjs')) as Lib;
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the ESM and CJS builds loaded side by side', () => {
  it('really are two copies (different classes)', () => {
    expect(esm.SessionError).not.toBe(cjs.SessionError);
    // KeyRing is exported as a type only: compare the classes of the rings each copy builds.
    expect(esm.createKeyRing(SECRET).constructor).not.toBe(cjs.createKeyRing(SECRET).constructor);
  });

  it('isSessionError and instanceof SessionError recognise an error from the other copy, code included', async () => {
    let caught: unknown;
    try {
      await cjs.unsealData('garbage', { keys: SECRET });
    } catch (err) {
      caught = err;
    }
    expect(cjs.isSessionError(caught, 'ERR_SEAL_MALFORMED')).toBe(true);
    expect(esm.isSessionError(caught)).toBe(true);
    expect(esm.isSessionError(caught, 'ERR_SEAL_MALFORMED')).toBe(true);
    expect(esm.isSessionError(caught, 'ERR_SEAL_EXPIRED')).toBe(false);
    expect(caught instanceof esm.SessionError).toBe(true);
    // Both guards still narrow (a compile-time check: `npm run typecheck`).
    if (esm.isSessionError(caught, 'ERR_SEAL_MALFORMED')) {
      const code: 'ERR_SEAL_MALFORMED' = caught.code;
      expect(code).toBe('ERR_SEAL_MALFORMED');
    }
    if (caught instanceof esm.SessionError) expect(caught.option).toBeUndefined();
    // ...and the source copy's too.
    expect(isSessionError(caught, 'ERR_SEAL_MALFORMED')).toBe(true);
    expect(caught instanceof SessionError).toBe(true);
  });

  it('a KeyRing from one copy is used as a ring by the other, not read as a { [id]: secret } map', async () => {
    const ring = cjs.createKeyRing([{ id: 'k1', secret: SECRET }]);
    expect(esm.createKeyRing(ring)).toBe(ring);
    const token = await esm.sealData({ a: 1 }, { keys: ring, purpose: 'dual' });
    await expect(cjs.unsealData(token, { keys: ring, purpose: 'dual' })).resolves.toEqual({ a: 1 });
    await expect(esm.unsealData(token, { keys: ring, purpose: 'dual' })).resolves.toEqual({ a: 1 });
    const store = new esm.CookieSessionStore({ keys: ring });
    expect(store).toBeInstanceOf(esm.CookieSessionStore);
  });
});

describe('the SessionError brand', () => {
  it('is what instanceof SessionError tests; a subclass keeps the ordinary prototype test', () => {
    class AppError extends SessionError {}
    const plain = new SessionError('ERR_SESSION_ADAPTER', 'x');
    const sub = new AppError('ERR_SESSION_ADAPTER', 'x');
    expect(plain instanceof SessionError && sub instanceof SessionError).toBe(true);
    expect(sub instanceof AppError).toBe(true);
    expect(plain instanceof AppError).toBe(false);
    for (const other of [new Error('x'), Object.assign(new Error('x'), { name: 'SessionError', code: 'ERR_SEAL_MALFORMED' }), null, undefined, 'SessionError', {}]) {
      expect(other instanceof SessionError).toBe(false);
      expect(isSessionError(other)).toBe(false);
    }
  });

  it('is a non-enumerable registered symbol (not copied by a spread, not logged as a field)', () => {
    const err = new SessionError('ERR_CONFIG_OPTION', 'x', { option: 'ttl' });
    const brand = Symbol.for('sealed-session.SessionError');
    expect(Object.getOwnPropertySymbols(err)).toEqual([brand]);
    expect(Object.prototype.propertyIsEnumerable.call(err, brand)).toBe(false);
    expect(isSessionError({ ...err })).toBe(false);
    expect(JSON.parse(JSON.stringify(err))).toEqual({ name: 'SessionError', code: 'ERR_CONFIG_OPTION', option: 'ttl' });
  });
});
