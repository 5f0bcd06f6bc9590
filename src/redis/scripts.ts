/**
 * The Lua scripts of the Redis backend. Each runs atomically on the node that
 * serves its keys' slot, and every key a script touches is declared in KEYS
 * and shares one hash tag, except {@link END_OWNER}'s records, which it gets
 * as KEYS too (see there).
 *
 * A session record is a hash at `prefix{T}:H`:
 *   d  the state (JSON text)        c  createdAt (ms)
 *   e  expiresAt, the absolute end   i  idle window (ms, 0 = none)
 *   x  idle end (≤ e)                v  version
 *   o  owner (absent: anonymous)
 * and the owner index of tag T is a sorted set at `prefix{T}:o` whose members
 * are the H of the records with an owner.
 *
 * Times are the caller's clock (ARGV `now`): a record is alive while
 * `now < x`. The Redis TTL (PEXPIRE, relative, so the two clocks need not
 * agree) is set to `x - now` and only collects garbage.
 *
 * The owner index is scored on **Redis's** clock (`TIME`): the moment Redis
 * itself will expire the member's record. The index is pruned by that clock
 * only (members whose records Redis has already dropped, with a second of
 * margin), never by a caller's: an app server whose clock runs ahead would
 * otherwise prune, or leave out of a log-out-everywhere, sessions that a
 * server with a slower clock still serves. So the index holds every record
 * Redis holds, never much more (it is bounded by the records alive), and
 * expires with the last of them.
 *
 * Every script checks everything that could make it fail before its first
 * write: the record's type (its HMGET, or the EXISTS before a create), the
 * fields of the record it read, and the owner index's type before a script
 * that may write it writes anything. A script that fails has written
 * nothing, so an error reported to the caller never hides a write that
 * happened. (Redis does not roll a script back; and once a script has
 * written, Redis lets its later writes through even over `maxmemory`, so only
 * the first write can be refused for OOM.) An anonymous session's scripts
 * never touch the index, so they do not check it: the hot path is one HMGET
 * to load, and HMGET, HSET, PEXPIRE to update.
 *
 * Lua 5.1 numbers are doubles: exact for ms timestamps, and written back
 * with `%d` (tostring would use `%.14g`).
 *
 * @module
 * @internal
 */

const PRELUDE = `
local function s(n) return string.format('%d', n) end
local function refuse(what) error({err = 'ERR sealed-session: ' .. what}) end
local function kind(key, want)
  local t = redis.call('TYPE', key)['ok']
  if t ~= 'none' and t ~= want then error({err = 'WRONGTYPE sealed-session: a key of the backend holds a ' .. t}) end
end
local function read(key, full)
  -- Without full, the state is left where it is (a write needs only the version, times and owner): r[1] is then the version.
  local r = redis.call('HMGET', key, full and 'd' or 'v', 'c', 'e', 'i', 'x', 'v', 'o')
  if r[1] then
    for k = 2, 6 do
      if not tonumber(r[k]) then refuse('a session record it did not write') end
    end
  end
  return r
end
local function conflict(rec, r) return {'conflict', redis.call('HGET', rec, 'd'), r[2], r[3], r[4], r[5], r[6], r[7]} end
local function clock()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function index(idx, member, ttl)
  local t = clock()
  redis.call('ZADD', idx, s(t + ttl), member)
  redis.call('ZREMRANGEBYSCORE', idx, '-inf', '(' .. s(t - 1000))
  local top = redis.call('ZRANGE', idx, -1, -1, 'WITHSCORES')
  if top[2] then redis.call('PEXPIRE', idx, s(tonumber(top[2]) - t + 1000)) end
end
local function drop(rec, idx, member, r)
  if r[7] then kind(idx, 'zset') end
  redis.call('DEL', rec)
  if r[7] then redis.call('ZREM', idx, member) end
end
local function alive(rec, idx, member, now, full)
  local r = read(rec, full)
  if not r[1] then return nil end
  if now >= tonumber(r[5]) then drop(rec, idx, member, r) return nil end
  return r
end
local function touch(rec, idx, member, r, now, after)
  local i, e, x = tonumber(r[4]), tonumber(r[3]), tonumber(r[5])
  if i == 0 then return end
  local nx = math.min(now + i, e)
  if nx - x < math.max(after, 1) then return end
  if r[7] then kind(idx, 'zset') end
  redis.call('HSET', rec, 'x', s(nx))
  redis.call('PEXPIRE', rec, s(nx - now))
  if r[7] then index(idx, member, nx - now) end
  r[5] = s(nx)
end
local function create(rec, idx, member, now, d, c, e, i, x, v, o)
  if o ~= '' then kind(idx, 'zset') end
  redis.call('HSET', rec, 'd', d, 'c', c, 'e', e, 'i', i, 'x', x, 'v', v)
  if o ~= '' then redis.call('HSET', rec, 'o', o) end
  redis.call('PEXPIRE', rec, s(tonumber(x) - now))
  if o ~= '' then index(idx, member, tonumber(x) - now) end
end
`;

/** A script: its text and SHA-1 (for EVALSHA), set by the client shim. */
export interface Script {
  readonly name: string;
  readonly text: string;
}

const script = (name: string, body: string): Script => ({ name, text: PRELUDE + body });

/**
 * Load, and touch when due. KEYS: rec, idx. ARGV: now, touchAfter (-1: no
 * touch), member. Returns the record's fields `{d, c, e, i, x, v, o}` or nil.
 */
export const LOAD = script(
  'load',
  `
local now, after = tonumber(ARGV[1]), tonumber(ARGV[2])
local r = alive(KEYS[1], KEYS[2], ARGV[3], now, true)
if not r then return false end
if after >= 0 then touch(KEYS[1], KEYS[2], ARGV[3], r, now, after) end
return r
`,
);

/**
 * Create a record (never over an existing one). KEYS: rec, idx. ARGV: now,
 * member, d, c, e, i, x, owner ('' for none), version. Returns 1, or 0 if
 * the key was taken.
 */
export const SAVE = script(
  'save',
  `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
create(KEYS[1], KEYS[2], ARGV[2], tonumber(ARGV[1]), ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[9], ARGV[8])
return 1
`,
);

/**
 * Versioned write. KEYS: rec, idx. ARGV: now, member, expectedVersion, d,
 * expiresAt ('' = unchanged), idleTimeout ('' = unchanged). Returns
 * `{'ok', c, e, i, x, v, o}` (the record written, but for the state the caller sent),
 * `{'conflict', d, c, e, i, x, v, o}` (the record as it is) or `{'missing'}`.
 */
export const UPDATE = script(
  'update',
  `
local now = tonumber(ARGV[1])
local r = alive(KEYS[1], KEYS[2], ARGV[2], now)
if not r then return {'missing'} end
if r[6] ~= ARGV[3] then return conflict(KEYS[1], r) end
local e = tonumber(r[3])
if ARGV[5] ~= '' then e = tonumber(ARGV[5]) end
local i = tonumber(r[4])
if ARGV[6] ~= '' then i = tonumber(ARGV[6]) end
local x = e
if i > 0 then x = math.min(now + i, e) end
local v = tonumber(r[6]) + 1
if r[7] then kind(KEYS[2], 'zset') end
redis.call('HSET', KEYS[1], 'd', ARGV[4], 'e', s(e), 'i', s(i), 'x', s(x), 'v', s(v))
redis.call('PEXPIRE', KEYS[1], s(x - now))
if r[7] then index(KEYS[2], ARGV[2], x - now) end
return {'ok', r[2], s(e), s(i), s(x), s(v), r[7]}
`,
);

/** Update-TTL. KEYS: rec, idx. ARGV: now, after, member. Returns the idle end in force, or nil. */
export const TOUCH = script(
  'touch',
  `
local now = tonumber(ARGV[1])
local r = alive(KEYS[1], KEYS[2], ARGV[3], now)
if not r then return false end
touch(KEYS[1], KEYS[2], ARGV[3], r, now, tonumber(ARGV[2]))
return r[5]
`,
);

/** Delete. KEYS: rec, idx. ARGV: member. */
export const DELETE = script(
  'delete',
  `
kind(KEYS[2], 'zset')
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
return 1
`,
);

/**
 * Delete if at the expected version (the second step of a renew across
 * slots). KEYS: rec, idx. ARGV: now, member, expectedVersion. Returns
 * `{'ok'}`, `{'conflict', d, c, e, i, x, v, o}` or `{'missing'}`.
 */
export const RETIRE = script(
  'retire',
  `
local r = alive(KEYS[1], KEYS[2], ARGV[2], tonumber(ARGV[1]))
if not r then return {'missing'} end
if r[6] ~= ARGV[3] then return conflict(KEYS[1], r) end
drop(KEYS[1], KEYS[2], ARGV[2], r)
return {'ok'}
`,
);

/**
 * Renew within one slot (same hash tag): create the new record, delete the
 * old one, move the index entry, all or nothing. KEYS: oldRec, newRec, idx.
 * ARGV: now, oldMember, newMember, expectedVersion, d, c, e, i, x, owner.
 * Returns `{'ok', v}`, `{'conflict', …}`, `{'missing'}` or `{'taken'}`.
 */
export const RENEW = script(
  'renew',
  `
local now = tonumber(ARGV[1])
local r = alive(KEYS[1], KEYS[3], ARGV[2], now)
if not r then return {'missing'} end
if r[6] ~= ARGV[4] then return conflict(KEYS[1], r) end
local v = s(tonumber(r[6]) + 1)
if redis.call('EXISTS', KEYS[2]) == 1 then return {'taken'} end
if ARGV[10] ~= '' then kind(KEYS[3], 'zset') end
drop(KEYS[1], KEYS[3], ARGV[2], r)
create(KEYS[2], KEYS[3], ARGV[3], now, ARGV[5], ARGV[6], ARGV[7], ARGV[8], ARGV[9], v, ARGV[10])
return {'ok', v}
`,
);

/**
 * The members of an owner index (the first step of {@link END_OWNER}):
 * every one, whatever its score (a caller's clock must not decide which
 * sessions another server still serves). KEYS: idx.
 */
export const MEMBERS = script(
  'members',
  `
return redis.call('ZRANGE', KEYS[1], 0, -1)
`,
);

/**
 * Log out everywhere, atomically. KEYS: idx, then the record of every member
 * the caller read with {@link MEMBERS}; ARGV: now, owner, then those members.
 * Redis wants every key a script touches declared in KEYS (so that a cluster
 * can check it serves them), and the members are only known after reading the
 * index; so the caller reads them first and this script refuses (`-1`, read
 * again) if the members are no longer exactly those it was given.
 * Otherwise it deletes every record of `owner` among them, alive or not on
 * the caller's clock (another server's may be slower), and their index
 * entries (a record of another owner under the same tag, a 2^-128 chance, is
 * kept; an entry whose record is already gone is dropped), and returns how
 * many of them were alive on the caller's clock.
 */
export const END_OWNER = script(
  'end-owner',
  `
for k = 1, #KEYS do kind(KEYS[k], k == 1 and 'zset' or 'hash') end
local now = tonumber(ARGV[1])
local n = #KEYS - 1
if redis.call('ZCARD', KEYS[1]) ~= n then return -1 end
for k = 1, n do
  if not redis.call('ZSCORE', KEYS[1], ARGV[k + 2]) then return -1 end
end
local count = 0
for k = 1, n do
  local rec, member = KEYS[k + 1], ARGV[k + 2]
  local o = redis.call('HGET', rec, 'o')
  if o == ARGV[2] then
    local x = tonumber(redis.call('HGET', rec, 'x'))
    if x and now < x then count = count + 1 end
    redis.call('DEL', rec)
    redis.call('ZREM', KEYS[1], member)
  elseif not o then
    redis.call('ZREM', KEYS[1], member)
  end
end
if redis.call('ZCARD', KEYS[1]) == 0 then redis.call('DEL', KEYS[1]) end
return count
`,
);
