/**
 * Framing: spreading one sealed value over several cookies, within what browsers keep.
 *
 * A browser ignores a whole Set-Cookie whose name + value exceed 4096 octets
 * (RFC 6265bis §5.6 step 5; Chromium's kMaxCookieNamePlusValueSize), so a
 * value that does not fit is split over `name`, `name.1`, `name.2`, …:
 *
 * ```
 * name=<value>                     one cookie (value starts with "Fe26.")
 * name=<n>*<part0>; name.1=<part1> … name.{n-1}=<part{n-1}>     n chunks
 * ```
 * The count in the head cookie says how many chunks to read, so leftover
 * chunks from an older, larger session are ignored. Chunks are cut from one
 * sealed token, whose MAC covers all of it: a missing, reordered or foreign
 * chunk yields a token that fails authentication, never another state.
 *
 * @module
 * @internal
 */
import { chunkCookieName as chunkName } from './chunks';
import { MAX_NAME_VALUE_BYTES } from './limits';

/** A planned set of chunk cookies. */
export interface ChunkPlan {
  /** The cookie values, head first. */
  readonly values: string[];
  /** Octets the browser will send back: names, '=', values and '; ' separators. */
  readonly requestBytes: number;
}

/** Octets a set of cookies takes in a request `Cookie` header. */
export function requestBytes(name: string, values: readonly string[]): number {
  let total = 0;
  for (let i = 0; i < values.length; i++) total += chunkName(name, i).length + 1 + values[i]!.length + (i > 0 ? 2 : 0);
  return total;
}

/**
 * The most request octets `maxChunks` cookies can take: each is at most
 * `name=value` of {@link MAX_NAME_VALUE_BYTES} + 1 octets, and every cookie
 * after the first adds the 2-octet `; ` separator of the Cookie header. The
 * one budget formula: the store's `maxBytes` may not exceed it, and the size
 * error's `allowed` is the smaller of the two.
 */
export function capacityBytes(maxChunks: number): number {
  return maxChunks * (MAX_NAME_VALUE_BYTES + 1) + 2 * (maxChunks - 1);
}

/**
 * Split `value` into as few chunks as fit the per-cookie limit. Returns the
 * plan even when it exceeds `maxChunks` (the caller reports the size).
 */
export function planChunks(name: string, value: string, limit = MAX_NAME_VALUE_BYTES): ChunkPlan {
  if (name.length + value.length <= limit) return { values: [value], requestBytes: name.length + 1 + value.length };
  // Try counts in increasing order; the head's "<n>*" prefix grows with n.
  for (let count = 2; ; count++) {
    const values: string[] = [];
    let offset = 0;
    for (let i = 0; i < count && offset < value.length; i++) {
      const prefix = i === 0 ? `${count}*` : '';
      const room = limit - chunkName(name, i).length - prefix.length;
      if (room <= 0) break;
      values.push(prefix + value.slice(offset, offset + room));
      offset += room;
    }
    if (offset >= value.length && values.length === count) return { values, requestBytes: requestBytes(name, values) };
    if (count > 99) return { values, requestBytes: Number.POSITIVE_INFINITY };
  }
}

/** What the request carried for a session cookie group. */
export interface ChunkRead {
  /** The joined value, when the group is complete. */
  readonly value?: string;
  /** Why it could not be joined: a chunk is missing or the head is not understood. */
  readonly broken?: 'missing-chunk' | 'bad-head';
  /** Chunk indexes ≥ 1 the request carried (to delete those no longer needed). */
  readonly present: readonly number[];
}

const COUNT = /^([2-9]|[1-9]\d)\*/;

/**
 * Join the chunks found by `findCookieGroup`. The head is either a whole value
 * or `<n>*<part0>`; then `name.1` … `name.{n-1}` must all be present.
 */
export function joinChunks(found: ReadonlyMap<number, string>, maxChunks: number): ChunkRead {
  const present: number[] = [];
  for (const index of found.keys()) if (index > 0) present.push(index);
  present.sort((a, b) => a - b);
  const head = found.get(0);
  if (head === undefined) return { present };
  const match = COUNT.exec(head);
  if (!match) return { value: head, present };
  const count = Number(match[1]);
  if (count > maxChunks) return { broken: 'bad-head', present };
  let value = head.slice(match[0].length);
  for (let i = 1; i < count; i++) {
    const part = found.get(i);
    if (part === undefined) return { broken: 'missing-chunk', present };
    value += part;
  }
  return { value, present };
}
