/**
 * The README's "## API" section lists every export of the package entries,
 * and nothing else: read from src/index.ts, src/iron-session/index.ts and
 * src/redis/index.ts.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');

/** Names a module exports: `export { a, b }`, `export type { … }`, `export function/interface/class/type/const x`. */
function exportsOf(source: string): Set<string> {
  const names = new Set<string>();
  for (const m of source.matchAll(/^export (?:type )?\{([^}]*)\}/gm)) {
    for (const part of m[1]!.split(',')) {
      const name = part.trim().split(/\s+as\s+/).pop()!.replace(/^type\s+/, '');
      if (name) names.add(name);
    }
  }
  for (const m of source.matchAll(/^export (?:declare )?(?:async )?(?:function|interface|class|type|const|let) (\w+)/gm)) names.add(m[1]!);
  return names;
}

function section(readme: string): string {
  const start = readme.indexOf('\n## API\n');
  expect(start).toBeGreaterThan(-1);
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end === -1 ? undefined : end);
}

test('the README API section lists exactly the exports of src/index.ts, src/iron-session/index.ts and src/redis/index.ts', () => {
  const api = section(read('README.md'));
  const [main, rest] = api.split('`sealed-session/iron-session`');
  const [iron, redis] = rest!.split('`sealed-session/redis`');
  const listed = (text: string) => new Set([...text!.matchAll(/`([A-Za-z]\w*)`/g)].map((m) => m[1]!));
  const core = exportsOf(read('src/index.ts'));
  const mainListed = listed(main!);
  // Method names and words quoted in the prose are not exports; every export must be listed, and every listed name that is an identifier of the entry must be one.
  for (const name of core) expect(mainListed, `README API section misses ${name}`).toContain(name);
  const allowedProse = new Set(['load', 'handleSession', 'node', 'fetch', 'next', 'withSession', 'engines', 'require', 'spill']);
  for (const name of mainListed) {
    if (!allowedProse.has(name)) expect(core, `README API section lists ${name}, which src/index.ts does not export`).toContain(name);
  }
  const ironExports = exportsOf(read('src/iron-session/index.ts'));
  const ironListed = listed(iron!);
  for (const name of ironExports) {
    if (!core.has(name)) expect(ironListed, `README API section misses ${name} of sealed-session/iron-session`).toContain(name);
  }
  for (const name of ironListed) if (!allowedProse.has(name)) expect(ironExports, `${name} is not exported by sealed-session/iron-session`).toContain(name);
  const redisExports = exportsOf(read('src/redis/index.ts'));
  const redisListed = listed(redis!);
  for (const name of redisExports) {
    if (!core.has(name)) expect(redisListed, `README API section misses ${name} of sealed-session/redis`).toContain(name);
  }
  const redisProse = new Set(['logOutEverywhere', 'backend', 'spill', 'engines', 'require']);
  for (const name of redisListed) if (!redisProse.has(name)) expect(redisExports, `${name} is not exported by sealed-session/redis`).toContain(name);
});

test('the package.json exports map has the subpaths', () => {
  const pkg = JSON.parse(read('package.json')) as { exports: Record<string, unknown> };
  expect(Object.keys(pkg.exports)).toEqual(expect.arrayContaining(['.', './iron-session', './redis']));
});
