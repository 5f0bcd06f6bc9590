import { describe, expect, it } from 'vitest';
import { capacityBytes, joinChunks, planChunks, requestBytes } from '../../src/cookie/framing';
import { MAX_NAME_VALUE_BYTES } from '../../src/cookie/limits';

describe('framing', () => {
  it('a value that fits is one cookie, unprefixed', () => {
    const plan = planChunks('s', 'Fe26.2*abc');
    expect(plan).toEqual({ values: ['Fe26.2*abc'], requestBytes: 's=Fe26.2*abc'.length });
  });

  it('name + value of exactly the limit is one cookie; one more octet makes two', () => {
    const fits = 'x'.repeat(MAX_NAME_VALUE_BYTES - 1);
    expect(planChunks('s', fits).values).toEqual([fits]);
    const plan = planChunks('s', fits + 'y');
    expect(plan.values).toHaveLength(2);
    expect(plan.values[0]!.startsWith('2*')).toBe(true);
    for (const [i, v] of plan.values.entries()) expect((i === 0 ? 's' : `s.${i}`).length + v.length).toBeLessThanOrEqual(MAX_NAME_VALUE_BYTES);
  });

  it('planned chunks join back to the value, and requestBytes counts names, "=", values and "; "', () => {
    const value = 'v'.repeat(10_000);
    const plan = planChunks('session', value);
    expect(plan.values).toHaveLength(3);
    const found = new Map(plan.values.map((v, i) => [i, v] as const));
    expect(joinChunks(found, 3)).toEqual({ value, present: [1, 2] });
    const header = plan.values.map((v, i) => `${i === 0 ? 'session' : `session.${i}`}=${v}`).join('; ');
    expect(plan.requestBytes).toBe(header.length);
    expect(requestBytes('session', plan.values)).toBe(header.length);
  });

  it('a head announcing more chunks than allowed is bad-head; a missing chunk is missing-chunk', () => {
    expect(joinChunks(new Map([[0, '4*abc']]), 3)).toEqual({ broken: 'bad-head', present: [] });
    expect(joinChunks(new Map([[0, '3*a'], [2, 'c']]), 3)).toEqual({ broken: 'missing-chunk', present: [2] });
  });

  it('leftover chunks past the count are reported present but not joined', () => {
    expect(joinChunks(new Map([[0, '2*a'], [1, 'b'], [2, 'stale']]), 3)).toEqual({ value: 'ab', present: [1, 2] });
  });

  it('no head: nothing to join', () => {
    expect(joinChunks(new Map([[1, 'b']]), 3)).toEqual({ present: [1] });
  });

  it('capacityBytes is n full cookies plus the "; " separators between them', () => {
    expect(capacityBytes(1)).toBe(4097);
    expect(capacityBytes(2)).toBe(2 * 4097 + 2);
    expect(capacityBytes(3)).toBe(12_295);
    expect(capacityBytes(100)).toBe(100 * 4097 + 2 * 99);
  });
});
