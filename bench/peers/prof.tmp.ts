import { makeContender, nodePair } from './contenders';
const key = process.argv[2] ?? 'ours-cold';
const op = (process.argv[3] ?? 'roundTrip') as 'roundTrip' | 'read';
const n = Number(process.argv[4] ?? 100000);
const c = await makeContender(key);
const pairs = Array.from({ length: 256 }, () => nodePair(c.cookie));
let t = 0;
for (let i = 0; i < n; i += 256) {
  const ps = Array.from({ length: 256 }, () => nodePair(c.cookie));
  const t0 = performance.now();
  for (const [req, res] of ps) await c[op](req, res);
  t += performance.now() - t0;
}
console.log(key, op, ((t * 1000) / n).toFixed(2), 'us');
