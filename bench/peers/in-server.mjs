/**
 * Does node:crypto cost more inside an HTTP server than in a loop, and which
 * calls? Each mode's server does one fixed piece of work per request
 * (in-server-worker.mjs): `buf` 4x crypto.hash -> Buffer, `str` the same
 * hashes -> latin1 string, `cbcll` 2 updates of a long-lived AES-CBC context,
 * `gcm` 2 AES-GCM seals with a context each, `sodium` 2 secretbox calls,
 * `b64` 4 base64url encodings. The server's CPU time (from /proc) per request
 * minus that of `none` is the work's in-server cost, printed beside its loop cost.
 *
 *   npm ci --prefix bench && node bench/peers/in-server.mjs [modes]
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
const ac = createRequire(import.meta.url).resolve('autocannon/autocannon.js');
const worker = fileURLToPath(new URL('./in-server-worker.mjs', import.meta.url));
const modes = (process.argv[2] ?? 'none,buf,str,cbcll,gcm,sodium,b64').split(',');
const cpu = (pid) => { const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' '); return (Number(f[11]) + Number(f[12])) * 1e4; };
const servers = [];
for (const m of modes) {
  const child = spawn(process.execPath, [worker, m], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [chunk] = await once(child.stdout, 'data'); const [, port, loop] = /PORT (\d+) LOOP (\S+)/.exec(String(chunk));
  servers.push({ m, child, port, loop: Number(loop), per: [] });
}
const load = async (s, sec) => { const ch = spawn(process.execPath, [ac, '-c', '50', '-d', String(sec), '-j', `http://127.0.0.1:${s.port}/`], { stdio: ['ignore', 'pipe', 'ignore'] }); let j = ''; ch.stdout.on('data', (x) => (j += x)); await once(ch, 'exit'); return JSON.parse(j).requests.total; };
for (const s of servers) await load(s, 2);
for (let r = 0; r < 3; r++) for (const s of servers) { const a = cpu(s.child.pid); const n = await load(s, 3); s.per.push((cpu(s.child.pid) - a) / n); }
const base = servers[0].per.slice().sort((a, b) => a - b)[1];
for (const s of servers) { const med = s.per.slice().sort((a, b) => a - b)[1]; console.log(s.m.padEnd(6), 'server CPU/req', med.toFixed(1), 'us; minus none', (med - base).toFixed(1), 'us; same work in a loop', s.loop.toFixed(2), 'us'); s.child.kill(); }
