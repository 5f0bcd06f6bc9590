import { describe, expect, it } from 'vitest';
import { assertMaxChunks, chunkCookieName, chunkSuffixLength } from '../../src/cookie/chunks';
import { catchSessionError } from './helpers';

describe('chunk naming', () => {
  it('index 0 is the name itself, then name.1 … name.99', () => {
    expect(chunkCookieName('sid', 0)).toBe('sid');
    expect(chunkCookieName('sid', 1)).toBe('sid.1');
    expect(chunkCookieName('sid', 99)).toBe('sid.99');
  });

  it.each([100, -1, 1.5, Number.NaN])('index %s is a config error naming maxChunks', (index) => {
    const err = catchSessionError(() => chunkCookieName('sid', index));
    expect(err.code).toBe('ERR_CONFIG_OPTION');
    expect(err.option).toBe('maxChunks');
  });

  it('the suffix length of the last chunk name', () => {
    expect(chunkSuffixLength(1)).toBe(0);
    expect(chunkSuffixLength(10)).toBe(2);
    expect(chunkSuffixLength(11)).toBe(3);
    expect(chunkSuffixLength(100)).toBe(3);
  });

  it('maxChunks runs from 1 to 100', () => {
    expect(() => assertMaxChunks(1)).not.toThrow();
    expect(() => assertMaxChunks(100)).not.toThrow();
    for (const bad of [0, 101, 2.5]) expect(catchSessionError(() => assertMaxChunks(bad)).option).toBe('maxChunks');
  });
});
