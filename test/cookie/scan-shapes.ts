/**
 * Cookie headers shaped to make a naive scanner quadratic or a regex
 * backtrack, built at any size; shared by parse.test.ts and the CPU-time
 * probe it runs (test/helpers/linearity-probe.ts).
 */

/** `unit` repeated to exactly `size` characters. */
const fill = (unit: string, size: number) => unit.repeat(Math.ceil(size / unit.length)).slice(0, size);

/** Shape name → a header of about `size` characters. */
export const SCAN_SHAPES: Readonly<Record<string, (size: number) => string>> = {
  '10,000+ ordinary cookies': (size) => fill('c12345=abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-_; ', size),
  'pairs without "=" then one "=" at the end': (size) => `${fill('a;', size)}=x`,
  'one pair with a 1 MB value': (size) => `session=${fill('v', size)}`,
  'whitespace runs': (size) => `${fill(' ', size / 2)}session=x${fill('\t', size / 2)}`,
  'names that almost match': (size) => fill('session.1x=;sessio=;session.0=;', size),
  'only separators': (size) => fill(';', size),
  'only "="': (size) => fill('=', size),
  quotes: (size) => fill('"', size),
  '1 MB name': (size) => `${fill('s', size)}=v`,
};
