/**
 * Hostile Cookie header shapes, built at any size; shared by headers.test.ts
 * and the CPU-time probe it runs (test/helpers/linearity-probe.ts).
 */

/** `unit` repeated to about `size` characters, cut at a whole unit. */
export function fill(unit: string, size: number): string {
  return unit.repeat(Math.max(1, Math.floor(size / unit.length)));
}

/** Shape name → a header of about `size` characters (no session cookie in it). */
export const SHAPES: Readonly<Record<string, (size: number) => string>> = {
  'ordinary cookies': (size) => {
    let out = '';
    for (let i = 0; out.length < size; i++) out += `c${i}=${'v'.repeat(40)}; `;
    return out;
  },
  'non-ASCII bytes': (size) => fill('x\u00e9\u00ff=\u0080\u00a0\u00fe; ', size),
  'quoted values': (size) => fill('q="Fe26.2**x"; "a"="b"; ', size),
  'only ";"': (size) => fill(';', size),
  'near-miss names': (size) => fill('session.0=x; session.01=x; sessio=x; Session=x; session.9=x; ', size),
  '"=" runs': (size) => fill('=', size),
};

export const KB = 1024;
export const MB = 1024 * KB;
