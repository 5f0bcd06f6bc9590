/**
 * One node:http server doing a fixed piece of crypto work per request, for
 * `in-server.mjs` (which starts one per mode). Prints the same work's CPU
 * cost in a tight loop, then `PORT <n>`.
 */
import { createServer } from 'node:http';
import * as c from 'node:crypto';
import sodium from 'sodium-native';
const so = Buffer.alloc(240), sn = Buffer.alloc(24), sk = Buffer.alloc(32), sm = Buffer.alloc(224);
const mode = process.argv[2];
const K = 4;
const data = Buffer.alloc(484, 0x61);
const ll = c.createCipheriv('aes-256-cbc', c.randomBytes(32), Buffer.alloc(16)); ll.setAutoPadding(false);
const m224 = Buffer.alloc(224);
const ko = c.createSecretKey(c.randomBytes(32)); const iv = c.randomBytes(12);
const work = {
  none: () => {},
  sodium: () => { sodium.crypto_secretbox_easy(so, sm, sn, sk); sodium.crypto_secretbox_easy(so, sm, sn, sk); },
  b64: () => { for (let i = 0; i < 4; i++) data.toString('base64url'); },
  buf: () => { for (let i = 0; i < K; i++) c.hash('sha256', data, 'buffer'); },
  str: () => { for (let i = 0; i < K; i++) c.hash('sha256', data, 'latin1'); },
  cbcll: () => { ll.update(m224); ll.update(m224); },
  gcm: () => { for (let i = 0; i < 2; i++) { const e = c.createCipheriv('aes-256-gcm', ko, iv); e.update(m224); e.final(); e.getAuthTag(); } },
}[mode];
// the loop cost of the same work, for comparison
const N = 20000; let t0 = process.cpuUsage(); for (let i = 0; i < N; i++) work(); const d = process.cpuUsage(t0);
const loopUs = (d.user + d.system) / N;
const s = createServer((req, res) => { work(); res.end('ok'); });
s.listen(0, '127.0.0.1', () => console.log(`PORT ${s.address().port} LOOP ${loopUs.toFixed(2)}`));
