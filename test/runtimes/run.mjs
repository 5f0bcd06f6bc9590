/**
 * `npm run test:runtimes`: the conformance suite (`conformance.mjs`) under
 * every runtime the library supports, against the built `dist/`.
 *
 * - Node 20 (the system node, which also runs this script), Node 22, Node 24, Bun and Deno run `main.mjs`
 *   in a child process;
 * - workerd (through Miniflare, with and without `nodejs_compat`) and Vercel's
 *   edge runtime run `worker.mjs` bundled by esbuild into one script.
 *
 * Node 20 seals a fixture first (a token, a session cookie, a compressed one
 * and a signed-only one) that every runtime must open, and afterwards opens what each runtime sealed, with this
 * library and with iron-webcrypto. Prints every check, a summary table, and
 * a last line `N passed, M failed` counting runtimes. Exits 1 on any failure.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const runtimeModules = path.join(here, 'node_modules');
const CHILD_TIMEOUT_MS = 60_000;
/** A recent date the bundled workerd supports, so the Worker sees today's defaults. */
const WORKERD_COMPATIBILITY_DATE = '2026-04-01';

/** Newest modification time of a file or of any file under a directory. */
function newestMtime(target) {
  const stat = statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(target).map((entry) => newestMtime(path.join(target, entry))));
}

function npm(args) {
  console.error(`$ npm ${args.join(' ')}`);
  const result = spawnSync('npm', args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) throw new Error(`npm ${args.join(' ')} exited with ${result.status ?? result.signal}`);
}

/** Build `dist/` unless it is newer than everything it is built from. */
function ensureBuild() {
  const built = path.join(root, 'dist/index.js');
  const inputs = ['src', 'package.json', 'tsup.config.ts'].map((p) => newestMtime(path.join(root, p)));
  if (!existsSync(built) || statSync(built).mtimeMs < Math.max(...inputs)) npm(['run', 'build']);
}

/** Install the runtimes' own package (Node 22/24, Bun, Deno, Miniflare, edge-runtime) when missing. */
function ensureRuntimes() {
  if (!existsSync(runtimeModules)) npm(['ci', '--prefix', 'test/runtimes']);
}

function packageVersion(name) {
  return JSON.parse(readFileSync(path.join(runtimeModules, name, 'package.json'), 'utf8')).version;
}

function importRuntimePackage(name) {
  const pkg = JSON.parse(readFileSync(path.join(runtimeModules, name, 'package.json'), 'utf8'));
  const entry = pkg.exports?.['.']?.import ?? pkg.exports?.['.']?.default ?? pkg.module ?? pkg.main ?? 'index.js';
  return import(pathToFileURL(path.join(runtimeModules, name, typeof entry === 'string' ? entry : entry.default)).href);
}

/** Run `main.mjs` in a child process; resolves to the report text (stdout) and any trouble. */
function runProcess(command, args, fixture) {
  const result = spawnSync(command, [...args, path.join(here, 'main.mjs'), JSON.stringify(fixture)], {
    cwd: root,
    encoding: 'utf8',
    timeout: CHILD_TIMEOUT_MS,
    maxBuffer: 16 * 1024 * 1024,
  });
  const trouble =
    result.error?.message ??
    (result.status === 0 ? undefined : `exit ${result.status ?? result.signal}${result.stderr ? `: ${result.stderr.trim().split('\n').slice(-3).join(' ')}` : ''}`);
  return { text: result.stdout ?? '', trouble };
}

/** Bundle `worker.mjs` (the suite, the built library and zod) into one script with no imports left. */
async function bundleWorker(format) {
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [path.join(here, 'worker.mjs')],
    bundle: true,
    write: false,
    format,
    ...(format === 'iife' && { globalName: 'conformanceWorker' }),
    platform: 'browser',
    target: 'es2022',
    logLevel: 'silent',
  });
  return result.outputFiles[0].text;
}

async function runWorkerd(fixture, compatibilityFlags) {
  const { Miniflare } = await importRuntimePackage('miniflare');
  const mf = new Miniflare({
    modules: true,
    script: await bundleWorker('esm'),
    compatibilityDate: WORKERD_COMPATIBILITY_DATE,
    compatibilityFlags,
  });
  try {
    const response = await mf.dispatchFetch('http://127.0.0.1/', { method: 'POST', body: JSON.stringify(fixture) });
    const text = await response.text();
    return { text, trouble: response.ok ? undefined : `HTTP ${response.status}` };
  } finally {
    await mf.dispose();
  }
}

async function runEdgeRuntime(fixture) {
  const { EdgeRuntime } = await importRuntimePackage('edge-runtime');
  // initialCode is a classic script, not a module: the bundle is an IIFE exposing the Worker as a global.
  const initialCode = `${await bundleWorker('iife')}
addEventListener('fetch', (event) => event.respondWith(conformanceWorker.default.fetch(event.request)));`;
  const runtime = new EdgeRuntime({ initialCode });
  const response = await runtime.dispatchFetch('http://127.0.0.1/', { method: 'POST', body: JSON.stringify(fixture) });
  await response.waitUntil();
  const text = await response.text();
  return { text, trouble: response.ok ? undefined : `HTTP ${response.status}` };
}

const bin = (...parts) => path.join(runtimeModules, ...parts);

/** Every runtime: a label, how to run the suite there, and its version when the report cannot tell. */
const RUNTIMES = [
  { label: 'node (system)', run: (f) => runProcess(process.execPath, [], f) },
  { label: 'node 22', run: (f) => runProcess(bin('node22/bin/node'), [], f) },
  { label: 'node 24', run: (f) => runProcess(bin('node24/bin/node'), [], f) },
  { label: 'bun', run: (f) => runProcess(bin('@oven/bun-linux-x64/bin/bun'), [], f) },
  // No permission flags: the suite reads no file, env or network; --no-prompt makes a missing one fail instead of wait.
  { label: 'deno', run: (f) => runProcess(bin('@deno/linux-x64-glibc/deno'), ['run', '--no-prompt', '--no-lock'], f) },
  {
    label: 'workerd (miniflare)',
    version: () => `workerd ${packageVersion('workerd')}, miniflare ${packageVersion('miniflare')}`,
    run: (f) => runWorkerd(f, []),
  },
  {
    label: 'workerd nodejs_compat',
    version: () => `workerd ${packageVersion('workerd')}, miniflare ${packageVersion('miniflare')}`,
    run: (f) => runWorkerd(f, ['nodejs_compat']),
  },
  {
    label: 'edge-runtime',
    version: () => `edge-runtime ${packageVersion('edge-runtime')}, @edge-runtime/vm ${packageVersion('@edge-runtime/vm')}`,
    run: runEdgeRuntime,
  },
];

function table(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => String(row[i]).length)));
  return rows.map((row) => row.map((cell, i) => String(cell).padEnd(widths[i])).join('  ').trimEnd()).join('\n');
}

async function main() {
  const started = Date.now();
  ensureBuild();
  ensureRuntimes();
  const { createFixture, parseReport, checkEmitted } = await import('./conformance.mjs');
  const { unseal, defaults } = await import('iron-webcrypto');
  const ironUnseal = (sealed, password) => unseal(sealed, password, defaults);
  const fixture = await createFixture();

  const rows = [['runtime', 'version', 'engine', 'deflate', 'passed', 'failed', 'result']];
  let passed = 0;
  let failed = 0;
  for (const runtime of RUNTIMES) {
    const t0 = Date.now();
    let outcome;
    try {
      outcome = await runtime.run(fixture);
    } catch (err) {
      outcome = { text: '', trouble: `${err?.name}: ${err?.message}` };
    }
    const report = parseReport(outcome.text);
    report.results.push(...(await checkEmitted(report.emitted, ironUnseal)));
    const bad = report.results.filter((r) => !r.ok);
    const good = report.results.length - bad.length;
    const ok = bad.length === 0 && outcome.trouble === undefined && good > 0;
    console.log(`\n# ${runtime.label} (${report.runtime ?? 'no report'}, ${Date.now() - t0} ms)`);
    for (const r of report.results) console.log(r.ok ? `ok ${r.name}` : `not ok ${r.name}: ${r.reason}`);
    if (outcome.trouble !== undefined) console.log(`not ok run: ${outcome.trouble}`);
    rows.push([runtime.label, runtime.version?.() ?? report.runtime ?? '?', report.engine ?? '?', report.emitted.compression ?? '?', good, bad.length, ok ? 'PASS' : 'FAIL']);
    if (ok) passed++;
    else failed++;
  }
  console.log(`\n${table(rows)}\n\n(${((Date.now() - started) / 1000).toFixed(1)} s)`);
  console.log(`${passed} passed, ${failed} failed`);
  if (failed > 0) process.exitCode = 1;
}

await main();
