/**
 * The one module of test secrets and shared fixtures. Every secret is
 * distinctive (≥ 32 characters), so a test can assert it never leaks into a
 * message, a log or a cookie. The folder helpers re-export these under the
 * names their tests use.
 */

/** Secrets of the seal tests (test/seal/). */
export const SEAL_SECRETS = [
  'S3CRET-one-0123456789abcdefghijklmnopqrstuvwxyz',
  'S3CRET-two-0123456789abcdefghijklmnopqrstuvwxyz',
  'S3CRET-three-0123456789abcdefghijklmnopqrstuvwx',
] as const;

/** Secrets of the session tests (test/session/, test/iron-session/). */
export const SESSION_SECRETS = ['session-test-secret-one-0123456789abcdefghijkl', 'session-test-secret-two-0123456789abcdefghijkl'] as const;

/** A secret no store of the tests uses. */
export const OTHER_SECRET = 'a-completely-different-secret-0123456789abcdef';

/** Secrets of the security tests (test/security/ and the cross-store tests), never printed anywhere. */
export const NEVER_PRINTED_SECRETS = [
  'SECRET-ONE-never-print-me-0123456789abcdefghij',
  'SECRET-TWO-never-print-me-0123456789abcdefghij',
  'SECRET-THREE-never-print-me-0123456789abcdefgh',
] as const;

/** A fixed 32-byte key (iron's raw-key mode). */
export const RAW_32 = Uint8Array.from({ length: 32 }, (_, i) => (i * 7 + 3) & 255);

/** Seconds. */
export const MINUTE = 60;
export const HOUR = 3600;
export const DAY = 86_400;
