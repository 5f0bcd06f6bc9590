/**
 * `npm run check:package`: what a consumer of the published package gets.
 *
 * 1. Builds `dist/` (tsup).
 * 2. The built files import no `node:` module, and the CJS build requires
 *    nothing (a `require()` of an ESM-only package fails on Node 20 < 20.19).
 * 3. esbuild bundles the package for `platform: 'browser'`: no `node:`
 *    specifier survives, and the minified + gzipped size stays under budget
 *    (the whole entry, and `sealData`/`unsealData` alone to check tree-shaking:
 *    without the store's compression or signed-only tokens).
 * 4. `npm pack` ships the entry points and no sources or tests.
 * 5. Both builds load and round-trip a token: ESM by `import`, CJS by
 *    `require` with require(esm) switched off (as on Node 20 < 20.19).
 * 6. `publint --strict` and `attw --pack .` (ESM and CJS consumers get types).
 * 7. The tarball, installed into an empty project: every link in the Markdown
 *    it ships (README, SECURITY, docs/*.md) resolves inside the installed
 *    package or is absolute, and links into the repository name files it has
 *    (scripts/check-links.mjs; test/package/links.test.ts probes it).
 *
 * Prints `ok` / `not ok` per check and ends with `N passed, M failed`; exits 1
 * on any problem.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { checkLinks } from './check-links.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Minified + gzipped (level 9) bytes allowed, 10–15% above what was
 * measured when the budget was set; raise it deliberately, with a reason.
 */
/*
 * Raised in the second session (was 16,000 / 9,450 at 13,878 / 8,206 B): the
 * node engine's long-lived AES/HMAC path, its start-up self-test and the
 * per-operation fallback (~1.1 kB gz), the store's synchronous load core and
 * the node sink class. Seal-only lowered in the third (was 11,200 at 10,142 B):
 * `Session`'s adapter hooks became named methods, since a class with a
 * computed (symbol) member key is never dropped by esbuild, and that one class
 * kept the cookie and schema code in bundles that only seal. Keep class
 * members out of computed keys, and mark module-level calls `@__PURE__`.
 * Later in the third session the review fixes added ~1.1 kB to the whole entry
 * (16,326 → 17,408 B: cross-build brands, the __Http- prefix rules, a stricter
 * lossless-JSON check, the adapters' merging, iron-session migration dating)
 * and ~0.4 kB to seal-only (6,630 → 7,015 B); the second review's fixes
 * (options guards, JSON checks on load and for defaults) brought them to
 * 17,904 / 7,163 B. Budgets kept: the whole entry is at 99.5%, so the next
 * addition should find its bytes elsewhere first.
 * Raised in the fourth session (measured per source file with esbuild's
 * metafile, before → after): the hardening of issue 13 — key snapshots so a
 * removed key stops working, error messages that never echo a secret-like
 * id, refusal of unknown option names with the nearest name (edit distance),
 * public-suffix / IP domain refusal — grew keys.ts 5.9 → 7.5 kB, errors.ts
 * 0.6 → 1.7 kB, cookie/options.ts 5.4 → 6.2 kB (minified); the redesign's
 * one JSON walk and typed details ~0.5 kB. Whole entry 17,904 → 19,574 B,
 * seal-only 7,163 → 8,708 B gzipped; budgets at ~10% above.
 * Raised for issue 17 (whole entry only; measured per source file with
 * esbuild's metafile against the branch point, minified bytes): the store's
 * compression (util/compress.ts 3.1 kB: node:zlib and Compression Streams,
 * the bounded inflate, the self-test), signed-only cookies (seal/signed.ts
 * 2.3 kB; sign/verify and their grammar), session/codec.ts 1.3 kB (the
 * dispatch by content mode, the inflation bound on write), typed flash
 * (session/flash.ts 0.5 kB) and their options and messages (store.ts
 * +0.7 kB, options.ts +0.7 kB). Whole entry 19,711 → 22,455 B gzipped. None
 * of it reaches bundles that only seal: iron.ts takes the compressed-payload
 * reader from its caller, so sealData + unsealData grew only by that seam
 * (8,827 → 9,016 B; budget kept).
 *
 * Also raised for issue 13's write-path fixes, measured the same way against
 * the same branch point (esbuild
 * metafile, minified bytes before → after): the one cache-header rule
 * (adapters/cache.ts, new, 1.2 kB), the forgotten-commit tracker
 * (adapters/uncommitted.ts, new, 0.9 kB), the warnings reporter
 * (adapters/warn.ts, new, 0.6 kB), one Set-Cookie per name with the app's
 * value winning (merge.ts 0.3 → 0.6 kB, web.ts 1.7 → 2.2 kB, next.ts
 * 0.9 → 1.6 kB), the node hook reading writeHead's own headers for the cache
 * rule (node.ts 2.7 → 4.1 kB), one session per Request and the failed-request
 * path (store.ts 1.6 → 2.9 kB). Whole entry 19,711 → 22,021 B gzipped;
 * seal-only unchanged.
 */
/*
 * Raised in the fifth session (issue 15, sessions in a backend): the cookie
 * store's `spill` option (hybrid sessions, and the core of RedisSessionStore)
 * lives in the core, since it is an option of the core's store:
 * session/backed.ts is 5.1 kB minified (the versioned write with its merge,
 * the key cookie, the load of a key cookie, the option's checks and their
 * messages), the seams in store.ts/session.ts/options.ts ~0.1 kB. Whole
 * entry 19,711 (as measured before the change) → 21,759 B gzipped; seal-only
 * unchanged by it (8,837 B). The Redis backend and RedisSessionStore are in
 * `sealed-session/redis`, not here.
 */
const BUDGETS = [
  { name: 'whole entry', source: "export * from './dist/index.js';", measured: 28_112, budget: 30_500 },
  {
    name: 'sealData + unsealData only',
    source: "export { sealData, unsealData } from './dist/index.js';",
    measured: 9_016,
    budget: 9_600,
    // Neither the store's compression (util/compress.ts) nor signed-only tokens (seal/signed.ts) may reach it.
    absent: ['DecompressionStream', 'deflate-raw', 'Sig1'],
  },
];

/** A `node:` module specifier in import/export/require/import() position (a `'node:crypto'` string given to getBuiltinModule is fine). */
const NODE_SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)["']node:[\w/]+["']/;
const REQUIRE_CALL = /\brequire\s*\(\s*["'][^"']+["']\s*\)/;

const results = [];

async function check(name, fn) {
  try {
    const detail = await fn();
    results.push({ name, ok: true });
    console.log(`ok ${name}${detail ? ` (${detail})` : ''}`);
  } catch (err) {
    results.push({ name, ok: false });
    console.log(`not ok ${name}: ${err?.message ?? err}`);
  }
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' }, ...options });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim();
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${result.status ?? result.signal}\n${output}`);
  return output;
}

const bin = (name) => path.join(root, 'node_modules/.bin', name);
const read = (file) => readFileSync(path.join(root, file), 'utf8');

await check('build', () => {
  run('npm', ['run', 'build']);
});

await check('dist imports no node: module', () => {
  for (const file of ['dist/index.js', 'dist/index.cjs', 'dist/iron-session.js', 'dist/iron-session.cjs']) {
    const match = NODE_SPECIFIER.exec(read(file));
    if (match) throw new Error(`${file}: ${match[0]}`);
  }
});

await check('the CJS build requires nothing', () => {
  const match = REQUIRE_CALL.exec(read('dist/index.cjs'));
  if (match) throw new Error(`dist/index.cjs: ${match[0]} (an ESM-only dependency breaks require() on Node 20 < 20.19; bundle it with noExternal in tsup.config.ts)`);
});

// Subpath exports other than '.': framework integrations (src/integrations/<name>.ts), the redis backend, the iron-session reader.
const SUBPATHS = Object.keys(JSON.parse(read('package.json')).exports).filter((k) => k !== '.' && k !== './package.json').map((k) => k.slice(2));
const INTEGRATIONS = SUBPATHS.filter((name) => existsSync(path.join(root, 'src', 'integrations', `${name}.ts`)));

/** The module specifiers a built file imports or requires (statements at the start of a line, as esbuild writes them; strings in messages do not count). */
function specifiers(text) {
  const found = [];
  for (const m of text.matchAll(/^\s*(?:import|export)\b[^;'"]*?\bfrom\s*["']([^"']+)["']/gm)) found.push(m[1]);
  for (const m of text.matchAll(/^\s*import\s*["']([^"']+)["']/gm)) found.push(m[1]);
  for (const m of text.matchAll(/\brequire\s*\(\s*["']([^"']+)["']\s*\)/g)) found.push(m[1]);
  return found;
}

await check('integration entries import only the core, as sealed-session (no framework, no second copy of the core)', () => {
  for (const name of INTEGRATIONS) {
    for (const file of [`dist/${name}.js`, `dist/${name}.cjs`]) {
      const other = specifiers(read(file)).filter((s) => s !== 'sealed-session');
      if (other.length > 0) throw new Error(`${file}: ${other.join(', ')}`);
    }
  }
  return INTEGRATIONS.join(', ');
});

await check('the other subpath entries import no framework or client: ESM shares the core entry\'s own chunks, CJS requires nothing', () => {
  const coreChunks = new Set(specifiers(read('dist/index.js')).filter((s) => s.startsWith('./chunk-')));
  const others = SUBPATHS.filter((name) => !INTEGRATIONS.includes(name));
  for (const name of others) {
    const esm = specifiers(read(`dist/${name}.js`)).filter((s) => !coreChunks.has(s));
    if (esm.length > 0) throw new Error(`dist/${name}.js: ${esm.join(', ')}`);
    const cjs = specifiers(read(`dist/${name}.cjs`));
    if (cjs.length > 0) throw new Error(`dist/${name}.cjs: ${cjs.join(', ')}`);
  }
  return others.join(', ');
});

for (const entry of BUDGETS) {
  await check(`browser bundle, ${entry.name}: no node: specifier, gzip size under budget`, async () => {
    const result = await build({
      stdin: { contents: entry.source, resolveDir: root, loader: 'js' },
      bundle: true,
      minify: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const output = result.outputFiles[0];
    const imports = Object.values(result.metafile.outputs).flatMap((o) => o.imports.map((i) => i.path));
    if (imports.length) throw new Error(`the bundle still imports ${imports.join(', ')}`);
    const specifier = NODE_SPECIFIER.exec(output.text);
    if (specifier) throw new Error(`the bundle contains ${specifier[0]}`);
    const present = (entry.absent ?? []).filter((text) => output.text.includes(text));
    if (present.length) throw new Error(`the bundle contains ${present.join(', ')}, which tree-shaking should have left out`);
    const gzipped = gzipSync(output.contents, { level: 9 }).length;
    const summary = `${output.contents.length} B minified, ${gzipped} B gzipped; budget ${entry.budget} B, measured ${entry.measured} B when set`;
    if (gzipped > entry.budget) throw new Error(summary);
    return summary;
  });
}

await check('npm pack ships the entry points and no sources or tests', () => {
  const [pack] = JSON.parse(run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts']).replace(/^[^[]*/, ''));
  const files = pack.files.map((f) => f.path);
  const missing = ['package.json', 'dist/index.js', 'dist/index.cjs', 'dist/index.d.ts', 'dist/index.d.cts', 'dist/iron-session.js', 'dist/iron-session.cjs', 'dist/iron-session.d.ts', 'dist/iron-session.d.cts'].filter((f) => !files.includes(f));
  if (missing.length) throw new Error(`missing from the tarball: ${missing.join(', ')}`);
  const stray = files.filter((f) => /^(src|test|bench|examples|scripts)\//.test(f));
  if (stray.length) throw new Error(`should not be published: ${stray.slice(0, 5).join(', ')}`);
  return `${files.length} files, ${pack.size} B packed`;
});

const SMOKE = `
  const { sealData, unsealData } = LIB;
  const keys = 'check-package-smoke-secret-0123456789abcdef';
  const token = await sealData({ ok: 1 }, { keys, purpose: 'smoke' });
  const data = await unsealData(token, { keys, purpose: 'smoke' });
  if (data.ok !== 1) throw new Error('round trip failed');
`;

await check('the ESM build imports and round-trips', () => {
  run(process.execPath, ['--input-type=module', '-e', SMOKE.replace('LIB', "await import('./dist/index.js')")]);
});

await check('the CJS build requires and round-trips without require(esm)', () => {
  run(process.execPath, ['--no-experimental-require-module', '-e', `(async () => { ${SMOKE.replace('LIB', "require('./dist/index.cjs')")} })().catch((e) => { console.error(e); process.exit(1); })`]);
});

await check('publint --strict', () => run(bin('publint'), ['--strict']).split('\n').at(-1));

await check('attw --pack . (node10, node16 CJS and ESM, bundler)', () => {
  const output = run(bin('attw'), ['--pack', '.', '--format', 'ascii', '--exclude-entrypoints', './iron-session']);
  console.log(output.replace(/^/gm, '  '));
});

// node10 resolution has no subpath exports: the subpath is checked for node16 (CJS and ESM) and bundlers.
await check('attw --pack . sealed-session/iron-session (node16 CJS and ESM, bundler)', () => {
  const output = run(bin('attw'), ['--pack', '.', '--format', 'ascii', '--profile', 'node16', '--entrypoints', './iron-session']);
  console.log(output.replace(/^/gm, '  '));
});

await check('the installed tarball: every Markdown link resolves inside the package or is absolute', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'check-package-'));
  try {
    const [pack] = JSON.parse(run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir]).replace(/^[^[]*/, ''));
    const project = path.join(dir, 'project');
    run('mkdir', [project]);
    writeFileSync(path.join(project, 'package.json'), '{ "name": "check-package-consumer", "private": true }\n');
    run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', path.join(dir, pack.filename)], { cwd: project });
    const installed = path.join(project, 'node_modules', JSON.parse(read('package.json')).name);
    const problems = checkLinks(installed, { repoRoot: root });
    if (problems.length) throw new Error(`${problems.length} broken:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    const markdown = pack.files.map((f) => f.path).filter((f) => f.endsWith('.md'));
    return `${markdown.length} Markdown files installed from ${pack.filename}: ${markdown.join(', ')}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const failed = results.filter((r) => !r.ok).length;
console.log(`${results.length - failed} passed, ${failed} failed`);
if (failed) process.exitCode = 1;
