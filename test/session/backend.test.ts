/** The backend conformance suite on MemoryBackend, and what is particular to it. */
import { describe, expect, it } from 'vitest';
import { MemoryBackend } from '../../src/session/backend';
import { backendSuite, DAY, HOUR } from './backend-suite';

backendSuite('MemoryBackend', () => ({ backend: new MemoryBackend() }));

describe('MemoryBackend', () => {
  it('does what its documentation example says', async () => {
    const backend = new MemoryBackend();
    const now = Date.now();
    const { key } = await backend.save({ data: { cart: [] }, expiresAt: now + 86_400_000, idleTimeout: 3_600_000, owner: 'ada' }, now);
    expect((await backend.load(key, Date.now()))?.data).toEqual({ cart: [] });
    expect(await backend.deleteOwner('ada', Date.now())).toBe(1);
  });

  it('holds no more than the sessions alive: ended records are swept on write', async () => {
    const backend = new MemoryBackend();
    const now = Date.now();
    for (let i = 0; i < 50; i++) await backend.save({ data: { i }, expiresAt: now + DAY, idleTimeout: HOUR }, now);
    expect(backend.size).toBe(50);
    await backend.save({ data: {}, expiresAt: now + 2 * HOUR + DAY }, now + 2 * HOUR);
    expect(backend.size).toBe(1);
  });
});
