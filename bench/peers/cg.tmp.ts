import { makeContender, nodePair } from './contenders';
const key = process.argv[2] ?? 'ours-cold';
const op = (process.argv[3] ?? 'roundTrip') as 'roundTrip' | 'read';
const n = Number(process.argv[4] ?? 1000);
const c = await makeContender(key);
for (let i = 0; i < 3000; i++) { const [a, b] = nodePair(c.cookie); await c[op](a, b); }
const pairs = Array.from({ length: n }, () => nodePair(c.cookie));
globalThis.gc?.();
const t0 = performance.now();
for (const [req, res] of pairs) await c[op](req, res);
console.log(key, op, n, ((performance.now() - t0) * 1000 / n).toFixed(2));
