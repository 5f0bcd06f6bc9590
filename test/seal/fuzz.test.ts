/**
 * Property tests: whatever is done to a valid token, and whatever string
 * arrives, unsealing either returns the original data (only for the
 * untouched token) or rejects with a SessionError. Never anything else.
 *
 * ~300 runs per property by default; set FUZZ_RUNS to scale (e.g. FUZZ_RUNS=20000).
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { SessionError } from '../../src/errors';
import { sealData, unsealData, type UnsealOptions } from '../../src/seal/index';
import { createKeyRing, type KeyRing } from '../../src/seal/keys';
import { ENGINES, RAW_32, SECRET } from './helpers';

const RUNS = Math.max(1, Number.parseInt(process.env.FUZZ_RUNS ?? '', 10) || 300);
const TIMEOUT = Math.max(20_000, RUNS * 200);
const DATA = { user: { id: 'u_123456', roles: ['admin'] }, csrf: 'abcdefghijklmnopqrstuv', emoji: '🍪' };
const PURPOSE = 'session';

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const HEX = '0123456789abcdefABCDEF';

/**
 * Outcome of unsealing: `ok` with the data, or the SessionError's code.
 * Any other error fails the property (it is rethrown).
 */
async function outcome(token: string, options: UnsealOptions): Promise<{ ok: true; data: unknown } | { ok: false; code: string }> {
  try {
    return { ok: true, data: await unsealData(token, options) };
  } catch (err) {
    if (err instanceof SessionError) return { ok: false, code: err.code };
    throw err;
  }
}

/** One character edit at a position (taken modulo the length). */
type Edit =
  | { kind: 'replace'; pos: number; ch: string }
  | { kind: 'insert'; pos: number; ch: string }
  | { kind: 'delete'; pos: number };

const charArb = fc.oneof(
  fc.constantFrom(...`${B64URL}*.=+/ `),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
);
const editArb: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constant('replace' as const), pos: fc.nat(), ch: charArb }),
  fc.record({ kind: fc.constant('insert' as const), pos: fc.nat(), ch: charArb }),
  fc.record({ kind: fc.constant('delete' as const), pos: fc.nat() }),
);

function applyEdits(token: string, edits: readonly Edit[]): string {
  let t = token;
  for (const e of edits) {
    if (e.kind === 'insert') {
      const p = e.pos % (t.length + 1);
      t = t.slice(0, p) + e.ch + t.slice(p);
    } else if (t.length > 0) {
      const p = e.pos % t.length;
      t = t.slice(0, p) + (e.kind === 'replace' ? e.ch : '') + t.slice(p + 1);
    }
  }
  return t;
}

describe.each(ENGINES)('mutations of a valid token ($engine engine)', ({ options }) => {
  const cases: Array<{ name: string; keys: () => KeyRing; ttl?: number }> = [
    { name: 'string secret, with ttl', keys: () => createKeyRing(SECRET, options), ttl: 3600 },
    { name: 'raw 32-byte key, no ttl', keys: () => createKeyRing(RAW_32, options) },
  ];

  describe.each(cases)('$name', ({ keys: makeKeys, ttl }) => {
    let keys: KeyRing;
    let token: string;
    let opts: UnsealOptions;
    beforeAll(async () => {
      keys = makeKeys();
      token = await sealData(DATA, ttl === undefined ? { keys, purpose: PURPOSE } : { keys, purpose: PURPOSE, ttl });
      opts = { keys, purpose: PURPOSE };
      expect(await outcome(token, opts)).toEqual({ ok: true, data: DATA });
    });

    /** The oracle: identical → opens with the data; anything else → a SessionError. */
    async function check(candidate: string): Promise<void> {
      const result = await outcome(candidate, opts);
      if (candidate === token) expect(result).toEqual({ ok: true, data: DATA });
      else expect(result.ok, `a changed token opened: ${JSON.stringify(candidate)}`).toBe(false);
    }

    it(
      'random single-character replace / insert / delete (1 to 4 edits)',
      async () => {
        await fc.assert(
          fc.asyncProperty(fc.array(editArb, { minLength: 1, maxLength: 4 }), async (edits) => {
            await check(applyEdits(token, edits));
          }),
          { numRuns: RUNS },
        );
      },
      TIMEOUT,
    );

    it(
      'one character changed inside the token alphabet (the hardest case for a lenient decoder)',
      async () => {
        await fc.assert(
          fc.asyncProperty(fc.nat(), fc.constantFrom(...B64URL, ...HEX), async (pos, ch) => {
            const p = pos % token.length;
            await check(token.slice(0, p) + ch + token.slice(p + 1));
          }),
          { numRuns: RUNS },
        );
      },
      TIMEOUT,
    );

    it(
      'two components swapped',
      async () => {
        await fc.assert(
          fc.asyncProperty(fc.nat(7), fc.nat(7), async (i, j) => {
            const parts = token.split('*');
            [parts[i], parts[j]] = [parts[j]!, parts[i]!];
            await check(parts.join('*'));
          }),
          { numRuns: Math.min(RUNS, 200) },
        );
      },
      TIMEOUT,
    );

    it(
      'a component duplicated (inserted again, or copied over another)',
      async () => {
        await fc.assert(
          fc.asyncProperty(fc.nat(7), fc.nat(8), fc.boolean(), async (from, to, insert) => {
            const parts = token.split('*');
            const copy = parts[from]!;
            if (insert) parts.splice(to, 0, copy);
            else parts[to % 8] = copy;
            await check(parts.join('*'));
          }),
          { numRuns: Math.min(RUNS, 200) },
        );
      },
      TIMEOUT,
    );
  });
});

describe('unsealData on arbitrary strings never throws anything but SessionError', () => {
  const keys = createKeyRing(SECRET);
  const rawKeys = createKeyRing(RAW_32);
  const opts: UnsealOptions = { keys };

  const mustRefuse = async (input: string) => {
    for (const o of [opts, { keys: rawKeys }]) {
      const result = await outcome(input, o);
      expect(result.ok).toBe(false);
    }
  };

  const b64Arb = (maxLength: number) => fc.string({ unit: fc.constantFrom(...B64URL), maxLength });
  const hexArb = (maxLength: number) => fc.string({ unit: fc.constantFrom(...HEX), maxLength });
  const anyPart = fc.oneof(fc.string({ maxLength: 80 }), b64Arb(80), hexArb(80), fc.constantFrom('', 'Fe26.2', '1', '0', '1700000000000'));

  it(
    'fc.string()',
    async () => {
      await fc.assert(fc.asyncProperty(fc.string({ maxLength: 400 }), mustRefuse), { numRuns: RUNS });
    },
    TIMEOUT,
  );

  it(
    "fc.string({ unit: 'binary' })",
    async () => {
      await fc.assert(fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 400 }), mustRefuse), { numRuns: RUNS });
    },
    TIMEOUT,
  );

  it(
    'base64url-looking strings',
    async () => {
      await fc.assert(fc.asyncProperty(b64Arb(400), mustRefuse), { numRuns: RUNS });
    },
    TIMEOUT,
  );

  it(
    "strings of 8 '*'-separated parts",
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(anyPart, { minLength: 8, maxLength: 8 }), (parts) => mustRefuse(parts.join('*'))),
        { numRuns: RUNS },
      );
    },
    TIMEOUT,
  );

  it(
    'well-shaped tokens (right prefix, id, salt, IV, block and digest sizes) with random content reach the MAC check and fail it',
    async () => {
      const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n }).map((b) => Buffer.from(b).toString('base64url'));
      const shaped = fc.record({
        salts: fc.boolean(),
        encSalt: hexArb(64).filter((s) => s.length > 0),
        macSalt: hexArb(64).filter((s) => s.length > 0),
        iv: bytes(16),
        blocks: fc.integer({ min: 1, max: 8 }).chain((n) => bytes(16 * n)),
        exp: fc.oneof(fc.constant(''), fc.integer({ min: 1, max: 2 ** 52 }).map(String)),
        mac: bytes(32),
      });
      await fc.assert(
        fc.asyncProperty(shaped, async (s) => {
          const token = `Fe26.2*1*${s.encSalt}*${s.iv}*${s.blocks}*${s.exp}*${s.macSalt}*${s.mac}`;
          expect(await outcome(token, opts)).toEqual({ ok: false, code: 'ERR_SEAL_BAD_MAC' });
          const raw = `Fe26.2*1**${s.iv}*${s.blocks}*${s.exp}**${s.mac}`;
          expect(await outcome(raw, { keys: rawKeys })).toEqual({ ok: false, code: 'ERR_SEAL_BAD_MAC' });
        }),
        { numRuns: RUNS },
      );
      // None of those forgeries grew the derived-key cache.
      expect(keys.current.cacheSize).toBe(0);
    },
    TIMEOUT,
  );
});
