/**
 * Runs linearity-probe.ts in a process of its own and returns, per shape,
 * the CPU time of one call at 128 kB and at 1 MB and their ratio. A linear
 * scan reads about 8x, up to twice that when the small header stays in the
 * CPU's L2 cache and the large one does not (seen in CI: a native scan at
 * 4x the size read 8.3x); a quadratic one reads 64x. Tests draw the line at
 * 24x, near the geometric middle, far from both.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export type Linearity = Record<string, { smallMs: number; largeMs: number; ratio: number }>;

/** `store`: `store.load(header)` over test/security's shapes; `scanner`: the cookie scanners over test/cookie's. */
export async function measureLinearity(suite: 'store' | 'scanner'): Promise<Linearity> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', fileURLToPath(new URL('./linearity-probe.ts', import.meta.url)), suite],
    { cwd: fileURLToPath(new URL('../..', import.meta.url)) },
  );
  const figures = JSON.parse(stdout) as Linearity;
  for (const [shape, { smallMs, largeMs, ratio }] of Object.entries(figures)) {
    console.info(`linearity (${suite}), ${shape}: ${smallMs.toFixed(3)} ms CPU at 128 kB, ${largeMs.toFixed(3)} ms at 1 MB, ratio ${ratio.toFixed(2)}`);
  }
  return figures;
}
