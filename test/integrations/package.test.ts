/**
 * The integrations' subpath exports as a consumer gets them: every one
 * resolves (ESM and CJS) and loads, and none of them, nor the core, imports
 * a framework (the frameworks are optional peer dependencies).
 * `npm run check:package` runs publint and attw over the same exports.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, ensureDist } from './apps';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  exports: Record<string, { import: { default: string }; require: { default: string } }>;
  peerDependencies: Record<string, string>;
  peerDependenciesMeta: Record<string, { optional?: boolean }>;
  dependencies?: Record<string, string>;
};
const INTEGRATIONS = { './react-router': 'createSealedSessionStorage', './sveltekit': 'sealedSession', './astro': 'sealedSession' } as const;
const FRAMEWORKS = ['react-router', '@sveltejs/kit', 'astro', 'next', 'react'];

beforeAll(() => ensureDist(), 240_000);

describe('integration subpath exports', () => {
  it.each(Object.entries(INTEGRATIONS))('%s loads as ESM and as CJS and exports %s', async (subpath, name) => {
    const entry = pkg.exports[subpath]!;
    const esm = (await import(/* @vite-ignore */ pathToFileURL(join(ROOT, entry.import.default)).href)) as Record<string, unknown>;
    const cjs = createRequire(import.meta.url)(join(ROOT, entry.require.default)) as Record<string, unknown>;
    expect(typeof esm[name]).toBe('function');
    expect(typeof cjs[name]).toBe('function');
  });

  it('the integrations import only the core, as sealed-session; every other built file only the package’s own chunks', () => {
    const files = ['dist/index.js', 'dist/index.cjs', ...Object.values(pkg.exports).flatMap((e) => (typeof e === 'object' ? [e.import.default, e.require.default] : []))];
    for (const file of new Set(files)) {
      const code = readFileSync(join(ROOT, file), 'utf8');
      // Statements at the start of a line, as esbuild writes them (a message naming a module is not an import).
      const specifiers = [
        ...[...code.matchAll(/^\s*(?:import|export)\b[^;'"]*?\bfrom\s*["']([^"']+)["']/gm)].map((m) => m[1]!),
        ...[...code.matchAll(/^\s*import\s*["']([^"']+)["']/gm)].map((m) => m[1]!),
        ...[...code.matchAll(/\brequire\s*\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]!),
      ];
      const integration = /^dist\/(express|fastify|hono|h3|react-router|sveltekit|astro)\.c?js$/.test(file.replace(/^\.\//, ''));
      const allowed = (s: string) => (integration ? s === 'sealed-session' : s.startsWith('./'));
      expect(specifiers.filter((s) => !allowed(s)), file).toEqual([]);
      for (const framework of FRAMEWORKS) expect(code.includes(`"${framework}"`) || code.includes(`'${framework}'`), `${file} names ${framework}`).toBe(false);
    }
  });

  it('the frameworks are optional peer dependencies, never dependencies', () => {
    expect(Object.keys(pkg.dependencies ?? {})).toEqual([]);
    for (const framework of ['react-router', '@sveltejs/kit', 'astro']) {
      expect(pkg.peerDependencies[framework], framework).toBeDefined();
      expect(pkg.peerDependenciesMeta[framework]?.optional, framework).toBe(true);
    }
  });
});
