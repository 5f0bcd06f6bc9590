/**
 * Key rings: which secret seals, which secrets unseal, and the cache of keys
 * derived from them.
 *
 * ## Why a derived key is cached and reused
 * Iron derives a fresh AES key and a fresh HMAC key from the password and a
 * random salt on every seal (two PBKDF2 runs), and writes the salts into the
 * token so the reader can derive them again. That is most of its cost. Here a
 * process picks one random salt pair per key, derives once, and seals every
 * token with those keys and a fresh random 128-bit IV. This is sound:
 * - AES-CBC is IND-CPA secure for many messages under one key as long as every
 *   IV is fresh and unpredictable, which a CSPRNG IV is; the bound degrades
 *   only after about 2^48 blocks, and we re-draw the salt (so the keys) after
 *   2^31 seals anyway.
 * - HMAC-SHA-256 is a PRF meant to be used with one key for many messages, and
 *   iron is encrypt-then-MAC over IV and ciphertext, so reuse changes nothing.
 * - The token still carries the salts, so any iron implementation that knows
 *   the password can open it; readers cache derived keys per (key id, salt).
 * The unseal cache is filled only after a token's MAC verifies, so forged
 * tokens with random salts can neither grow it nor evict the good entries.
 *
 * @module
 */
import { SessionError, configError, rejectUnknownOptions } from '../errors';
import { getEngine, randomBytes, type CryptoEngine, type EngineChoice, type EngineKey } from './engine';
import { toHex, utf8 } from '../util/encoding';
import { after, isPromiseLike, then2, type MaybePromise } from '../util/maybe-promise';
import { requireOptions } from '../util/options';

/**
 * A secret: a string of at least 32 characters, or a `Uint8Array` of at
 * least 32 random bytes. A string is a password, as in iron (PBKDF2 per
 * salt); a `Uint8Array` of exactly 32 bytes is used as the AES and HMAC key
 * as is (iron's raw-key mode), any other length as a password.
 *
 * Interop with other iron implementations: tokens sealed with a string or a
 * 32-byte `Uint8Array` open with the same secret in `iron-webcrypto` (and
 * theirs open here). A `Uint8Array` of any other length does not:
 * iron-webcrypto takes every `Uint8Array` as a raw key and refuses one that
 * is not 32 bytes, so use a string (or exactly 32 bytes) where another iron
 * implementation must read the tokens. A string stretched with
 * `iterations` > 1 interoperates only as its stretched form (see
 * {@link KeyRingOptions.iterations}).
 *
 * @example
 * ```ts
 * const fromEnv: Secret = process.env.SESSION_SECRET!; // e.g. `openssl rand -base64 32`
 * const raw: Secret = crypto.getRandomValues(new Uint8Array(32));
 * ```
 */
export type Secret = string | Uint8Array;

/**
 * One entry of an ordered key ring.
 *
 * @example
 * ```ts
 * const key: KeyDefinition = { id: '2026_01', secret: process.env.SESSION_SECRET_2026_01! };
 * ```
 */
export interface KeyDefinition {
  /**
   * Key id written into every token (`/^\w+$/`), so readers know which
   * secret to use. Never give a new secret an id that was used before: a
   * reader holding the old secret under that id would refuse the new
   * tokens as `tampered`.
   */
  readonly id: string;
  /** The secret for this id. */
  readonly secret: Secret;
}

/**
 * The keys a store or `sealData` uses:
 * - a single secret (acts as key id `1`, as in iron-session);
 * - an ordered array: the first key seals, every key unseals;
 * - a map `{ [numericId]: secret }`: the highest id seals (iron-session's `password` map);
 * - a {@link KeyRing} made once with {@link createKeyRing}.
 *
 * A store reads its keys once, when it is built (or, given a function
 * returning them, at its first load): to retire a key, build a new store
 * (deploy). `sealData` and `unsealData` compare an array, map or
 * `Uint8Array` with what it held at their last call with it, so a key removed
 * from (or added to) the same object applies on the next call.
 *
 * @example
 * ```ts
 * // rotate: add the new key first, keep the old one until its cookies have expired
 * const keys = [
 *   { id: '2', secret: process.env.SESSION_SECRET_2! },
 *   { id: '1', secret: process.env.SESSION_SECRET_1! },
 * ];
 * ```
 */
export type Keys = Secret | readonly KeyDefinition[] | Readonly<Record<string, Secret>> | KeyRing;

/**
 * Options for {@link createKeyRing}; also accepted by `CookieSessionStore`,
 * `sealData` and `unsealData` beside `keys`, unless `keys` is already a
 * {@link KeyRing}: a ring keeps the options it was made with, so giving any
 * of these beside one throws `ERR_CONFIG_OPTION` (pass them to
 * `createKeyRing` instead). An out-of-range `iterations` is `ERR_CONFIG_KEYS`.
 *
 * @example
 * ```ts
 * const store = new CookieSessionStore({ keys: process.env.SESSION_SECRET!, iterations: 600_000, crypto: 'webcrypto' });
 * ```
 */
export interface KeyRingOptions {
  /**
   * PBKDF2-SHA-256 iterations applied once per password (string secret) when
   * the ring is first used, before iron's own derivation. `1` (the default)
   * keeps tokens readable by any iron implementation given the same string.
   * A high count (600000 is OWASP's figure) makes offline guessing of a weak
   * password expensive at no per-request cost; tokens then open with iron
   * only given the stretched password: the lower-case hex of
   * PBKDF2-SHA-256(secret, `sealed-session/stretch/<key id>`, iterations, 32 bytes).
   * It applies to every string secret of the ring, so changing it makes
   * every existing cookie read as `tampered`. `Uint8Array` secrets are never
   * stretched.
   */
  readonly iterations?: number;
  /** Force the WebCrypto engine (`'webcrypto'`) or node:crypto (`'node'`). Default `'auto'`. */
  readonly crypto?: EngineChoice;
  /**
   * How many recently sealed or verified tokens the ring remembers (by their
   * exact text), so that a cookie it sealed, or already verified, opens
   * without repeating the HMAC and the decryption. Only the plaintext JSON is
   * kept (each open parses it anew), expiry is still checked on every open,
   * and a forged token never enters. Default 1024; `0` turns it off.
   */
  readonly tokenCache?: number;
}

/**
 * A token whose MAC held (or that this ring sealed), with what it opened to.
 * Verification and decryption are pure functions of the token and the keys,
 * so a ring may answer a token it has seen with the same result, skipping
 * both; expiry is still checked on every open.
 *
 * @internal
 */
export interface VerifiedToken {
  /** The whole token, compared on every hit. */
  readonly token: string;
  readonly plaintext: string;
  readonly key: RingKey;
  readonly expiration: number | undefined;
}

/** The text after a token's last `*`: for an iron token, its MAC digest. */
const digestOf = (token: string): string => token.slice(token.lastIndexOf('*') + 1);

/** Salts and keys a process seals with, for one key id. */
export interface SealKeys {
  readonly encSalt: string;
  readonly macSalt: string;
  readonly encKey: EngineKey;
  readonly macKey: EngineKey;
}

const ID_PATTERN = /^\w+$/;
const MIN_SECRET = 32;
const MAX_ITERATIONS = 10_000_000;
const CACHE_LIMIT = 256;
const SEALS_PER_SALT = 2 ** 31;
/**
 * Random bytes per salt (written as hex: 32 characters). PERF: 16, not iron's
 * default 32 (`saltBits: 256`), takes 64 characters off every cookie (issue 18,
 * `npm run bench:peers`, "Cookie bytes"). A salt here only keeps one process's
 * derived keys apart from another's (it is drawn once per process and key, not
 * per seal), and 128 random bits stay far from any collision between processes;
 * every iron reader takes the salt it finds in the token, whatever its length.
 */
const SALT_BYTES = 16;
const DEFAULT_TOKEN_CACHE = 1024;
/** Salt prefix of the signed-only HMAC key ({@link RingKey.signingKey}); the key id follows. */
export const SIGNING_LABEL = 'sealed-session/signed/v1/';
const MAX_TOKEN_CACHE = 1_000_000;

/**
 * A bounded map that evicts the least recently used entries, approximately:
 * a hit moves an entry to the young end only once it has aged into the older
 * half (more than `limit / 2` insertions ago), so an entry used on every
 * request costs one lookup, not a delete and a re-insert each time. An entry
 * still in use is never the oldest for long, and the map never holds more
 * than `limit` entries.
 */
class LruMap<V> {
  readonly #map = new Map<string, { value: V; at: number }>();
  /** Insertions so far: an entry's `at` says how young it is. */
  #clock = 0;
  constructor(readonly limit: number) {}
  get(key: string): V | undefined {
    const entry = this.#map.get(key);
    if (entry === undefined) return undefined;
    if (this.#clock - entry.at > this.limit >> 1) {
      this.#map.delete(key);
      entry.at = ++this.#clock;
      this.#map.set(key, entry);
    }
    return entry.value;
  }
  set(key: string, value: V): void {
    this.#map.delete(key);
    this.#map.set(key, { value, at: ++this.#clock });
    if (this.#map.size > this.limit) this.#map.delete(this.#map.keys().next().value!);
  }
  get size(): number {
    return this.#map.size;
  }
}

/** One key of a ring, with its derived-key caches. */
export class RingKey {
  /** `raw`: a 32-byte key used as is for AES and HMAC (iron's Uint8Array mode, empty salts). */
  readonly raw: boolean;
  #password: MaybePromise<Uint8Array>;
  #rawKeys: MaybePromise<SealKeys> | undefined;
  #seal: MaybePromise<SealKeys> | undefined;
  #sealUses = 0;
  readonly #encCache = new LruMap<EngineKey>(CACHE_LIMIT);
  readonly #macCache = new LruMap<EngineKey>(CACHE_LIMIT);

  constructor(
    readonly id: string,
    secret: Secret,
    readonly engine: CryptoEngine,
    iterations: number,
  ) {
    this.raw = typeof secret !== 'string' && secret.length === 32;
    // A copy: `Buffer#slice` would return a view the caller could still change (or wipe).
    const bytes = typeof secret === 'string' ? utf8(secret) : new Uint8Array(secret);
    this.#password =
      iterations > 1 && typeof secret === 'string'
        ? Promise.resolve(engine.pbkdf2(bytes, utf8(`sealed-session/stretch/${id}`), iterations, 'SHA-256')).then(
            (stretched) => (this.#password = utf8(toHex(stretched))),
          )
        : bytes;
  }

  /** The keys to seal with (created on first use, re-drawn after 2^31 seals). */
  sealKeys(): MaybePromise<SealKeys> {
    if (this.raw) return this.#rawPair();
    if (this.#seal === undefined || ++this.#sealUses > SEALS_PER_SALT) {
      this.#sealUses = 0;
      const encSalt = toHex(randomBytes(SALT_BYTES));
      const macSalt = toHex(randomBytes(SALT_BYTES));
      this.#seal = then2(this.derive(encSalt, 'encrypt'), this.derive(macSalt, 'mac'), (encKey, macKey) => {
        this.#encCache.set(encSalt, encKey);
        this.#macCache.set(macSalt, macKey);
        return (this.#seal = { encSalt, macSalt, encKey, macKey });
      });
    }
    return this.#seal;
  }

  /** A cached key for this salt, if a verified token used it before. */
  cached(salt: string, usage: 'encrypt' | 'mac'): EngineKey | undefined {
    if (this.raw) return undefined;
    return (usage === 'mac' ? this.#macCache : this.#encCache).get(salt);
  }

  /** Remember a key derived for a token whose MAC verified. */
  remember(salt: string, usage: 'encrypt' | 'mac', key: EngineKey): void {
    if (!this.raw) (usage === 'mac' ? this.#macCache : this.#encCache).set(salt, key);
  }

  /** Derive (or, for a raw key, return) the key for a salt. Does not cache. */
  derive(salt: string, usage: 'encrypt' | 'mac'): MaybePromise<EngineKey> {
    if (this.raw) return after(this.#rawPair(), (pair) => (usage === 'mac' ? pair.macKey : pair.encKey));
    const engine = this.engine;
    return after(this.#password, (password) =>
      after(engine.pbkdf2(password, utf8(salt), 1, 'SHA-1'), (bytes) => engine.importKey(bytes, usage)),
    );
  }

  #rawPair(): MaybePromise<SealKeys> {
    if (this.#rawKeys === undefined) {
      const bytes = this.#password as Uint8Array;
      this.#rawKeys = then2(this.engine.importKey(bytes, 'encrypt'), this.engine.importKey(bytes, 'mac'), (encKey, macKey) =>
        (this.#rawKeys = { encSalt: '', macSalt: '', encKey, macKey }),
      );
    }
    return this.#rawKeys;
  }

  /** Number of cached derived keys (for tests and memory checks). */
  get cacheSize(): number {
    return this.#encCache.size + this.#macCache.size;
  }

  #signing: MaybePromise<EngineKey> | undefined;

  /**
   * The HMAC-SHA-256 key of signed-only tokens (`signed.ts`), derived once per
   * key: PBKDF2-SHA-256(password, `sealed-session/signed/v1/<id>`, 1 iteration,
   * 32 bytes), which is HMAC-SHA-256(password, label ‖ 00000001), a PRF of the
   * secret. "Password" is what iron derives from (the stretched password with
   * `iterations` > 1, the raw bytes of a 32-byte key). Separate from every
   * iron key: those are PBKDF2-SHA-1 over a hex salt (the label is not hex),
   * or the raw key itself, and the stretch uses another label.
   */
  signingKey(): MaybePromise<EngineKey> {
    if (this.#signing === undefined) {
      const engine = this.engine;
      this.#signing = after(this.#password, (password) =>
        after(engine.pbkdf2(password, utf8(`${SIGNING_LABEL}${this.id}`), 1, 'SHA-256'), (bytes) =>
          after(engine.importKey(bytes, 'mac'), (key) => (this.#signing = key)),
        ),
      );
    }
    return this.#signing;
  }
}

/**
 * The brand on every {@link KeyRing} (a registered symbol, the same in every
 * copy of the library), so that a ring made by one copy is recognised by
 * another: `dist/index.js` and `dist/index.cjs` loaded side by side (the dual
 * package hazard) each have their own `KeyRing` class, and `instanceof` alone
 * would take the other copy's ring for a `{ [id]: secret }` map. Its value is
 * {@link KEY_RING_REVISION}.
 */
const KEY_RING_BRAND: unique symbol = /* @__PURE__ */ Symbol.for('sealed-session.KeyRing') as never;

/**
 * What the seal layer relies on in a ring and its keys (`current`, `get`,
 * `recall`, `remember`, `engine`, and `RingKey`'s members). Bump it when any
 * of them changes, so that a ring from another version of the library is
 * refused instead of misused.
 */
const KEY_RING_REVISION = 1;

/**
 * `keys` as a ring, if it is one: of this copy of the library, or of another
 * copy of the same revision. A ring of another revision is a configuration error.
 */
function asKeyRing(keys: unknown): KeyRing | undefined {
  if (keys instanceof KeyRing) return keys;
  if (typeof keys !== 'object' || keys === null) return undefined;
  const brand = (keys as { [KEY_RING_BRAND]?: unknown })[KEY_RING_BRAND];
  if (brand === undefined) return undefined;
  if (brand !== KEY_RING_REVISION) {
    throw configError(
      'ERR_CONFIG_KEYS',
      'keys',
      'is a KeyRing from an incompatible version of sealed-session; make it with the createKeyRing of the copy that uses it',
    );
  }
  return keys as KeyRing;
}

/**
 * A validated, ordered set of keys. The first key seals; every key unseals.
 * Build one with {@link createKeyRing} (or pass any {@link Keys} where a ring
 * is accepted; rings are cached per keys object). A ring is an opaque handle:
 * beyond `ids` and `engine`, its members are internal.
 *
 * @example
 * ```ts
 * const ring = createKeyRing({ 1: process.env.OLD_SECRET!, 2: process.env.NEW_SECRET! });
 * ring.ids; // ['2', '1']: '2' seals
 * const store = new CookieSessionStore({ keys: ring });
 * const token = await sealData({ invite: 'abc' }, { keys: ring, purpose: 'invite' });
 * ```
 */
export class KeyRing {
  /** @internal The key new tokens are sealed with. */
  readonly current: RingKey;
  /**
   * Every key id, the sealing key's first (array order, or map ids from the highest).
   *
   * @example
   * ```ts
   * createKeyRing([{ id: 'b', secret: secretB }, { id: 'a', secret: secretA }]).ids; // ['b', 'a']
   * ```
   */
  readonly ids: readonly string[];
  readonly #byId: Map<string, RingKey>;
  readonly #verified: LruMap<VerifiedToken> | undefined;

  /** @internal use {@link createKeyRing}. */
  constructor(keys: readonly RingKey[], tokenCache = DEFAULT_TOKEN_CACHE) {
    Object.defineProperty(this, KEY_RING_BRAND, { value: KEY_RING_REVISION });
    this.current = keys[0]!;
    this.ids = Object.freeze(keys.map((k) => k.id));
    this.#byId = new Map(keys.map((k) => [k.id, k]));
    this.#verified = tokenCache > 0 ? new LruMap<VerifiedToken>(tokenCache) : undefined;
  }

  /**
   * @internal What a token opened to, if this ring sealed it or verified it
   * recently. Entries are found by the token's last component (the MAC
   * digest: short to hash, and distinct for distinct tokens) and then must
   * equal the whole token, so only those exact bytes hit: a forgery never
   * entered the cache and cannot match an entry.
   */
  recall(token: string): VerifiedToken | undefined {
    const entry = this.#verified?.get(digestOf(token));
    return entry !== undefined && entry.token === token ? entry : undefined;
  }

  /** @internal Remember a token this ring sealed, or whose MAC it verified. */
  remember(token: string, plaintext: string, key: RingKey, expiration: number | undefined): void {
    this.#verified?.set(digestOf(token), { token, plaintext, key, expiration });
  }

  /** @internal The key for a token's id. Iron writes an empty id for an anonymous password: that means `default`, else the current key. */
  get(id: string): RingKey | undefined {
    if (id === '') return this.#byId.get('default') ?? this.current;
    return this.#byId.get(id);
  }

  /**
   * The engine this ring's keys use. Only its `kind` is public: `'node'`
   * (synchronous node:crypto) or `'webcrypto'` (`crypto.subtle`,
   * asynchronous); its other members are internal and may change.
   *
   * @example
   * ```ts
   * createKeyRing(process.env.SESSION_SECRET!).engine.kind; // 'node' where node:crypto exists, else 'webcrypto'
   * ```
   */
  get engine(): CryptoEngine {
    return this.current.engine;
  }
}

function checkSecret(secret: unknown, where: string): Secret {
  if (typeof secret === 'string') {
    if (secret.length < MIN_SECRET) {
      throw configError(
        'ERR_CONFIG_KEYS',
        where,
        `secret is ${secret.length} characters; use at least ${MIN_SECRET} random characters (for example \`openssl rand -base64 32\`)`,
      );
    }
    return secret;
  }
  if (secret instanceof Uint8Array) {
    if (secret.length < MIN_SECRET) {
      throw configError('ERR_CONFIG_KEYS', where, `secret is ${secret.length} bytes; use at least ${MIN_SECRET} random bytes`);
    }
    return secret;
  }
  throw configError('ERR_CONFIG_KEYS', where, 'secret must be a string of at least 32 characters or a Uint8Array of at least 32 bytes');
}

function checkId(id: unknown, where: string): string {
  if (typeof id !== 'string' || !ID_PATTERN.test(id)) {
    throw configError('ERR_CONFIG_KEYS', where, 'key id must be a non-empty string of letters, digits and underscores (/^\\w+$/)');
  }
  // Every token carries its key id in clear: an id as long as a secret is most likely one ({ id, secret } swapped,
  // or a map keyed by the secret), and would be sent in every cookie.
  if (id.length >= MIN_SECRET) {
    throw configError(
      'ERR_CONFIG_KEYS',
      where,
      `key id is ${id.length} characters, as long as a secret; ids are short labels written in clear into every token (such as '1' or '2026_01'): check that id and secret are not swapped`,
    );
  }
  return id;
}

/**
 * The longest key id an error message may name. Ids are short labels
 * (`'1'`, `'2026_01'`); a longer string in an id position is most likely a
 * secret put there by mistake (`{ id, secret }` swapped, or a map keyed by
 * the secret), and no message may carry a secret, so it is described by its
 * length instead.
 */
const MAX_SHOWN_ID = 16;

/** `"<id>"` for an id short enough to be a label, else `an id of <n> characters` (never the text). */
function shownId(id: string): string {
  return id.length <= MAX_SHOWN_ID ? `"${id}"` : `an id of ${id.length} characters, not shown in case it is a secret`;
}

function definitions(keys: unknown): KeyDefinition[] {
  if (typeof keys === 'string' || keys instanceof Uint8Array) return [{ id: '1', secret: checkSecret(keys, 'keys') }];
  if (Array.isArray(keys)) {
    if (keys.length === 0) throw configError('ERR_CONFIG_KEYS', 'keys', 'the key ring is empty; give at least one { id, secret }');
    // Array.from, not map: a hole in a sparse array is an entry too (undefined), not skipped.
    return Array.from(keys as readonly unknown[], (entry: unknown, i) => {
      if (!entry || typeof entry !== 'object') {
        throw configError('ERR_CONFIG_KEYS', `keys[${i}]`, 'each entry must be an object { id, secret }');
      }
      const { id, secret } = entry as { id?: unknown; secret?: unknown };
      const where = typeof id === 'string' && ID_PATTERN.test(id) && id.length <= MAX_SHOWN_ID ? `keys[${i}] (id "${id}")` : `keys[${i}]`;
      return { id: checkId(id, where), secret: checkSecret(secret, where) };
    });
  }
  if (keys && typeof keys === 'object') {
    const entries = Object.entries(keys);
    if (entries.length === 0) throw configError('ERR_CONFIG_KEYS', 'keys', 'the key map is empty; give at least one { [id]: secret }');
    const defs = entries.map(([id, secret], i) => {
      // The map's keys are ids; a long one is named by position, never echoed (it may be a secret used as a key).
      const where = id.length <= MAX_SHOWN_ID ? `keys["${id}"]` : `keys (entry ${i}, ${shownId(id)})`;
      checkId(id, 'keys');
      if (!/^\d+$/.test(id)) {
        throw configError(
          'ERR_CONFIG_KEYS',
          where,
          'ids of the map form must be numbers (the highest seals); use the array form [{ id, secret }] for other ids',
        );
      }
      return { id, secret: checkSecret(secret, where) };
    });
    return defs.sort((a, b) => Number(b.id) - Number(a.id));
  }
  throw configError('ERR_CONFIG_KEYS', 'keys', 'missing; give a secret of at least 32 characters, an array [{ id, secret }] or a map { [id]: secret }');
}

/**
/** @internal The names of {@link KeyRingOptions}, also accepted beside `keys` by the store, `sealData` and `unsealData`. */
export const KEY_RING_OPTIONS: readonly string[] = ['iterations', 'crypto', 'tokenCache'];

/**
 * @internal Just the {@link KeyRingOptions} of a larger options object (a
 * store's, or `sealData`'s), for {@link createKeyRing}, which refuses any
 * other name.
 */
export function ringOptionsOf(options: KeyRingOptions): KeyRingOptions {
  return {
    ...(options.iterations !== undefined && { iterations: options.iterations }),
    ...(options.crypto !== undefined && { crypto: options.crypto }),
    ...(options.tokenCache !== undefined && { tokenCache: options.tokenCache }),
  };
}

/**
 * A ring passed as `keys` is used as made: the key options it was made with
 * (`iterations`, `crypto`, `tokenCache`) cannot change beside it, so passing
 * them there is a configuration error rather than silently ignored.
 */
function ringAlone(ring: KeyRing, options: KeyRingOptions): KeyRing {
  for (const option of ['iterations', 'crypto', 'tokenCache'] as const) {
    if (options[option] !== undefined) {
      throw configError(
        'ERR_CONFIG_OPTION',
        option,
        '`keys` is a KeyRing, which was made with its own iterations, crypto and tokenCache; pass these to createKeyRing instead',
      );
    }
  }
  return ring;
}

/**
 * Validate keys once and build a {@link KeyRing}. Errors name the offending
 * key id and never echo a secret. Given a ring, returns it as is (and throws
 * `ERR_CONFIG_OPTION` if `options` sets anything: a ring cannot be re-made
 * with other options).
 *
 * @example
 * ```ts
 * import { createKeyRing, sealData } from 'sealed-session';
 *
 * const keys = createKeyRing([{ id: 'k2', secret: process.env.SECRET_K2! }], { iterations: 600_000 });
 * const token = await sealData({ userId: 42 }, { keys, ttl: 900, purpose: 'magic-link' });
 * ```
 */
export function createKeyRing(keys: Keys, options: KeyRingOptions = {}): KeyRing {
  requireOptions(options, 'pass an object such as { iterations }, or nothing');
  rejectUnknownOptions(options, KEY_RING_OPTIONS);
  const given = asKeyRing(keys);
  if (given) return ringAlone(given, options);
  const { iterations, tokenCache, engine } = ringSettings(options);
  const defs = definitions(keys);
  const seen = new Set<string>();
  for (const def of defs) {
    if (seen.has(def.id)) throw configError('ERR_CONFIG_KEYS', `keys (id ${shownId(def.id)})`, 'key ids must be unique; give each key its own id');
    seen.add(def.id);
  }
  return new KeyRing(defs.map((def) => new RingKey(def.id, def.secret, engine, iterations)), tokenCache);
}

/**
 * @internal The ring of keys given as a function (a store's `keys: () => …`):
 * the function is called at first use, not when the store is built (so a
 * build step without the secrets constructs the store), checked then, and
 * its ring kept once valid; until then every use calls it again. Every
 * failure is `ERR_CONFIG_KEYS` saying the keys came from the function. What
 * the function throws is never repeated (it may quote a secret): only its
 * class name is.
 */
export function deferredKeyRing(keys: () => unknown, options: KeyRingOptions, option = 'keys'): () => KeyRing {
  let ring: KeyRing | undefined;
  return () => ring ?? (ring = keyRingFrom(keys, options, option));
}

function keyRingFrom(keys: () => unknown, options: KeyRingOptions, option: string): KeyRing {
  const when = 'given as a function, called at first use';
  let value: unknown;
  try {
    value = keys();
  } catch (err) {
    const name = err instanceof Error && /^[A-Za-z]\w{0,30}$/.test(err.name) ? err.name : typeof err;
    throw configError('ERR_CONFIG_KEYS', option, `the function threw (${name}; its message is not repeated, in case it holds a secret) instead of returning the secret(s) (${when})`);
  }
  if (value === undefined || value === null || value === '') {
    throw configError(
      'ERR_CONFIG_KEYS',
      option,
      `the function returned ${value === '' ? 'an empty string' : String(value)}: is the secret's environment variable (such as SESSION_SECRET) set where the app runs? (${when})`,
    );
  }
  if (typeof value === 'function' || isPromiseLike(value)) {
    throw configError('ERR_CONFIG_KEYS', option, `the function must return the secret(s) synchronously, not a promise or a function (${when})`);
  }
  try {
    return createKeyRing(value as Keys, options);
  } catch (err) {
    throw renamedKeyError(err, option, ` (${when})`);
  }
}

/**
 * @internal A configuration error of {@link createKeyRing} (about `keys`,
 * `keys[1]`…), told about `option` (`fromIronSession.password[1]`…), with
 * `suffix` added to its message; anything else as it is.
 */
export function renamedKeyError(err: unknown, option: string, suffix = ''): unknown {
  if (!(err instanceof SessionError) || err.option === undefined || !err.code.startsWith('ERR_CONFIG_')) return err;
  const at = err.option.startsWith('keys') ? `${option}${err.option.slice('keys'.length)}` : err.option;
  const text = err.message.slice(err.message.indexOf(': ', 'sealed-session: '.length) + 2);
  return configError(err.code as 'ERR_CONFIG_KEYS', at, `${text}${suffix}`);
}

/**
 * @internal Check {@link KeyRingOptions} alone, before any keys are known:
 * the store does so at construction when its `keys` are a function, called
 * only at first use.
 */
export function checkKeyRingOptions(options: KeyRingOptions): void {
  requireOptions(options, 'pass an object such as { iterations }, or nothing');
  rejectUnknownOptions(options, KEY_RING_OPTIONS);
  ringSettings(options);
}

/** The validated settings of {@link KeyRingOptions}. */
function ringSettings(options: KeyRingOptions): { iterations: number; tokenCache: number; engine: CryptoEngine } {
  const iterations = options.iterations ?? 1;
  if (!Number.isInteger(iterations) || iterations < 1 || iterations > MAX_ITERATIONS) {
    throw configError('ERR_CONFIG_KEYS', 'iterations', `must be a whole number from 1 to ${MAX_ITERATIONS}`);
  }
  const tokenCache = options.tokenCache ?? DEFAULT_TOKEN_CACHE;
  if (!Number.isInteger(tokenCache) || tokenCache < 0 || tokenCache > MAX_TOKEN_CACHE) {
    throw configError('ERR_CONFIG_OPTION', 'tokenCache', `must be a whole number of tokens from 0 (off) to ${MAX_TOKEN_CACHE}`);
  }
  const choice = options.crypto ?? 'auto';
  if (choice !== 'auto' && choice !== 'node' && choice !== 'webcrypto') {
    throw configError('ERR_CONFIG_OPTION', 'crypto', "must be 'auto', 'node' or 'webcrypto'");
  }
  const engine = getEngine(choice);
  if (!engine) {
    throw configError(
      'ERR_CONFIG_OPTION',
      'crypto',
      "node:crypto is not available here (it is reached through process.getBuiltinModule); upgrade Node.js to 20.16.0 or later, or use 'auto' or 'webcrypto'",
    );
  }
  return { iterations, tokenCache, engine };
}

/**
 * What an object `keys` held when its ring was built: per entry, the id and
 * the secret (a string, or a copy of the bytes). Rings are cached per keys
 * object, and that object can change afterwards (a key removed from the same
 * array, added to the same map, a Uint8Array wiped in place): every call
 * compares the object with this snapshot and builds a new ring when they
 * differ, so a removed key never keeps opening tokens and an added one seals
 * at once. The comparison reads each entry's id and secret (strings compare
 * by reference first; a Uint8Array is compared byte by byte, 32 bytes
 * usually): a few nanoseconds per key.
 */
type KeysSnapshot = ReadonlyArray<readonly [id: unknown, secret: unknown]>;

function snapshotOf(keys: object): KeysSnapshot {
  const copy = (secret: unknown) => (secret instanceof Uint8Array ? new Uint8Array(secret) : secret);
  if (keys instanceof Uint8Array) return [[undefined, copy(keys)]];
  if (Array.isArray(keys)) {
    return Array.from(keys as readonly unknown[], (entry: unknown) =>
      entry && typeof entry === 'object' ? ([(entry as KeyDefinition).id, copy((entry as KeyDefinition).secret)] as const) : ([undefined, entry] as const),
    );
  }
  return Object.keys(keys).map((id) => [id, copy((keys as Record<string, unknown>)[id])] as const);
}

function sameSecret(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (!(a instanceof Uint8Array) || !(b instanceof Uint8Array) || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function matchesSnapshot(keys: object, snapshot: KeysSnapshot): boolean {
  if (keys instanceof Uint8Array) return sameSecret(keys, snapshot[0]?.[1]);
  if (Array.isArray(keys)) {
    if (keys.length !== snapshot.length) return false;
    for (let i = 0; i < snapshot.length; i++) {
      const entry: unknown = keys[i];
      const [id, secret] = snapshot[i]!;
      if (entry && typeof entry === 'object') {
        if ((entry as KeyDefinition).id !== id || !sameSecret((entry as KeyDefinition).secret, secret)) return false;
      } else if (id !== undefined || entry !== secret) return false;
    }
    return true;
  }
  const ids = Object.keys(keys);
  if (ids.length !== snapshot.length) return false;
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    const [was, secret] = snapshot[i]!;
    if (id !== was || !sameSecret((keys as Record<string, unknown>)[id], secret)) return false;
  }
  return true;
}

const objectRings = new WeakMap<object, { readonly snapshot: KeysSnapshot; readonly byVariant: Map<string, KeyRing> }>();
const stringRings = new Map<string, Map<string, KeyRing>>();

/**
 * The ring for `keys`, built once per keys value and options so that repeated
 * `sealData` calls with the same keys reuse derived keys. An object `keys`
 * (array or map) is compared on every call with what it held when its ring
 * was built, and a changed one gets a new ring (see {@link KeysSnapshot}).
 *
 * @internal
 */
export function resolveKeyRing(keys: Keys, options: KeyRingOptions = {}): KeyRing {
  const given = asKeyRing(keys);
  if (given) return ringAlone(given, options);
  const variant = `${options.iterations ?? 1}:${options.crypto ?? 'auto'}:${options.tokenCache ?? DEFAULT_TOKEN_CACHE}`;
  let byVariant: Map<string, KeyRing> | undefined;
  if (typeof keys === 'string') {
    byVariant = stringRings.get(keys);
    if (!byVariant) {
      if (stringRings.size >= 64) stringRings.delete(stringRings.keys().next().value!);
      stringRings.set(keys, (byVariant = new Map()));
    }
  } else if (keys && typeof keys === 'object') {
    const cached = objectRings.get(keys);
    if (cached && matchesSnapshot(keys, cached.snapshot)) byVariant = cached.byVariant;
    else {
      // Validate before caching: a ring is only ever built from (and cached for) the keys as they are now.
      const ring = createKeyRing(keys, ringOptionsOf(options));
      objectRings.set(keys, { snapshot: snapshotOf(keys), byVariant: new Map([[variant, ring]]) });
      return ring;
    }
  }
  let ring = byVariant?.get(variant);
  if (!ring) {
    ring = createKeyRing(keys, ringOptionsOf(options));
    byVariant?.set(variant, ring);
  }
  return ring;
}
