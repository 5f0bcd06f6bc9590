import { expect } from 'vitest';
import { SessionError } from '../../src/errors';

/** Run `fn`, expect a SessionError, and return it for further assertions. */
export function catchSessionError(fn: () => unknown): SessionError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(SessionError);
    return err as SessionError;
  }
  throw new Error('expected a SessionError, but nothing was thrown');
}

/** Expect `fn` to throw ERR_CONFIG_COOKIE for `option`, with a message matching `says`. */
export function expectCookieConfigError(fn: () => unknown, option: string, says?: RegExp): SessionError {
  const err = catchSessionError(fn);
  expect(err.code).toBe('ERR_CONFIG_COOKIE');
  expect(err.option).toBe(option);
  expect(err.message.startsWith(`sealed-session: ${option}: `)).toBe(true);
  if (says !== undefined) expect(err.message).toMatch(says);
  // Messages never carry control characters from the input.
  expect(err.message).not.toMatch(/[\r\n\0]/);
  return err;
}
