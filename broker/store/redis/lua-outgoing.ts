/**
 * The Lua scripts of the outgoing queues. Each runs atomically in Redis, so a
 * change to the queue, its indexes and its totals is one write.
 *
 * Per client (see keys.ts): `q` is a ZSET of every entry's sequence number
 * (score = member), in queue order; `u` the same for the PUBLISH entries never
 * sent; `h` a HASH holding, per entry `s`: `b:s` the encoded packet, `m:s` its
 * messageId once sent, `t:s` when it was queued, `n:s` its payload bytes (a
 * PUBLISH only), `o:s` its origin (`brokerCounter:brokerId`); and the indexes
 * `i:<messageId>` -> s and `g:<origin>` -> s (the first entry wins), and
 * `bytes`, the payload bytes of the entries in `u`.
 */

// Removes entry s with its index fields; drops the keys once the queue is empty.
const REMOVE = `
local function remove(q, u, h, s)
  if redis.call('ZREM', u, s) == 1 then
    redis.call('HINCRBY', h, 'bytes', -tonumber(redis.call('HGET', h, 'n:' .. s) or '0'))
  end
  redis.call('ZREM', q, s)
  local m = redis.call('HGET', h, 'm:' .. s)
  if m and redis.call('HGET', h, 'i:' .. m) == s then redis.call('HDEL', h, 'i:' .. m) end
  local o = redis.call('HGET', h, 'o:' .. s)
  if o and redis.call('HGET', h, 'g:' .. o) == s then redis.call('HDEL', h, 'g:' .. o) end
  redis.call('HDEL', h, 'b:' .. s, 'm:' .. s, 't:' .. s, 'n:' .. s, 'o:' .. s)
  if redis.call('ZCARD', q) == 0 then
    redis.call('DEL', h, u)
  elseif redis.call('ZCARD', u) == 0 then
    redis.call('HDEL', h, 'bytes')
  end
end
`

// Points i:<m> at s unless an earlier live entry holds that messageId.
const INDEX = `
local function index(h, s, m)
  local cur = redis.call('HGET', h, 'i:' .. m)
  if cur and cur ~= s and tonumber(cur) < tonumber(s) then return end
  redis.call('HSET', h, 'i:' .. m, s)
end
`

/** KEYS: seq, then q, u, h per client. ARGV: body, bytes, queuedAt, origin ('' for none). */
export const ENQUEUE = `
local body, bytes, at, origin = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
for i = 2, #KEYS, 3 do
  local s = tostring(redis.call('INCR', KEYS[1]))
  local h = KEYS[i + 2]
  redis.call('ZADD', KEYS[i], s, s)
  redis.call('ZADD', KEYS[i + 1], s, s)
  redis.call('HSET', h, 'b:' .. s, body, 't:' .. s, at, 'n:' .. s, bytes)
  redis.call('HINCRBY', h, 'bytes', bytes)
  if origin ~= '' then
    redis.call('HSET', h, 'o:' .. s, origin)
    redis.call('HSETNX', h, 'g:' .. origin, s)
  end
end
return 1
`

/**
 * KEYS: q, u, h. ARGV: origin, messageId, body, bytes ('' for a PUBREL),
 * brokerId (each '' for none). Returns 1, or 0 when no entry matches.
 */
export const UPDATE = `${INDEX}
local q, u, h = KEYS[1], KEYS[2], KEYS[3]
local origin, mid, body, bytes, brokerId = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
if origin ~= '' then
  local s = redis.call('HGET', h, 'g:' .. origin)
  if s then
    local old = redis.call('HGET', h, 'm:' .. s)
    if old and old ~= mid and redis.call('HGET', h, 'i:' .. old) == s then
      redis.call('HDEL', h, 'i:' .. old)
    end
    if mid == '' then
      redis.call('HDEL', h, 'm:' .. s)
      local n = redis.call('HGET', h, 'n:' .. s)
      if old and n then
        redis.call('ZADD', u, s, s)
        redis.call('HINCRBY', h, 'bytes', n)
      end
    else
      redis.call('HSET', h, 'm:' .. s, mid)
      index(h, s, mid)
      if redis.call('ZREM', u, s) == 1 then
        redis.call('HINCRBY', h, 'bytes', -tonumber(redis.call('HGET', h, 'n:' .. s) or '0'))
        if redis.call('ZCARD', u) == 0 then redis.call('HDEL', h, 'bytes') end
      end
    end
    return 1
  end
end
if mid == '' then return 0 end
local s = redis.call('HGET', h, 'i:' .. mid)
if not s then return 0 end
local was = redis.call('HGET', h, 'o:' .. s)
if was then
  if brokerId ~= '' and string.sub(was, string.find(was, ':', 1, true) + 1) == brokerId then
    return 0
  end
  if redis.call('HGET', h, 'g:' .. was) == s then redis.call('HDEL', h, 'g:' .. was) end
end
redis.call('HSET', h, 'b:' .. s, body, 'm:' .. s, mid)
if origin ~= '' then
  redis.call('HSET', h, 'o:' .. s, origin)
  redis.call('HSETNX', h, 'g:' .. origin, s)
else
  redis.call('HDEL', h, 'o:' .. s)
end
if bytes ~= '' then redis.call('HSET', h, 'n:' .. s, bytes) else redis.call('HDEL', h, 'n:' .. s) end
return 1
`

/**
 * KEYS: q, u, h. ARGV: messageId, origin (each '' for none). Removes the
 * entry with that messageId, else the unsent entry of that origin; returns
 * { body, messageId or '' }, or nil.
 */
export const CLEAR = `${REMOVE}
local q, u, h = KEYS[1], KEYS[2], KEYS[3]
local mid, origin = ARGV[1], ARGV[2]
local s
if mid ~= '' then
  s = redis.call('HGET', h, 'i:' .. mid)
elseif origin ~= '' then
  s = redis.call('HGET', h, 'g:' .. origin)
  if s and redis.call('HEXISTS', h, 'm:' .. s) == 1 then s = nil end
end
if not s then return nil end
local found = redis.call('HMGET', h, 'b:' .. s, 'm:' .. s)
remove(q, u, h, s)
return { found[1], found[2] or '' }
`

/**
 * KEYS: q, h. ARGV: after, last, limit. A page of the queue in order, after
 * sequence number ARGV[1] and up to ARGV[2]: { s, body, messageId or '' }...
 */
export const PAGE = `
local seqs = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. ARGV[1], ARGV[2], 'LIMIT', 0, ARGV[3])
local out = {}
for _, s in ipairs(seqs) do
  local found = redis.call('HMGET', KEYS[2], 'b:' .. s, 'm:' .. s)
  if found[1] then
    out[#out + 1] = s
    out[#out + 1] = found[1]
    out[#out + 1] = found[2] or ''
  end
end
return out
`

/**
 * KEYS: q, h. ARGV: after, limit. A page of the queue in order after
 * sequence number ARGV[1], for an operator: { s, body, messageId or '',
 * queuedAt or '' }...
 */
export const LIST = `
local seqs = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. ARGV[1], '+inf', 'LIMIT', 0, ARGV[2])
local out = {}
for _, s in ipairs(seqs) do
  local found = redis.call('HMGET', KEYS[2], 'b:' .. s, 'm:' .. s, 't:' .. s)
  if found[1] then
    out[#out + 1] = s
    out[#out + 1] = found[1]
    out[#out + 1] = found[2] or ''
    out[#out + 1] = found[3] or ''
  end
end
return out
`

/**
 * KEYS: u, h, seq. ARGV: after, last, limit. The totals and the last sequence
 * number handed out, then a page of never-sent entries: { s, body, bytes }...
 */
export const UNSENT_PAGE = `
local out = { redis.call('ZCARD', KEYS[1]), tonumber(redis.call('HGET', KEYS[2], 'bytes') or '0'),
  redis.call('GET', KEYS[3]) or '0' }
local seqs = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. ARGV[1], ARGV[2], 'LIMIT', 0, ARGV[3])
for _, s in ipairs(seqs) do
  local found = redis.call('HMGET', KEYS[2], 'b:' .. s, 'n:' .. s)
  out[#out + 1] = s
  out[#out + 1] = found[1]
  out[#out + 1] = found[2] or '0'
end
return out
`

/** KEYS: q, u, h. ARGV: sequence numbers. Removes those still never sent; returns how many. */
export const DROP = `${REMOVE}
local n = 0
for _, s in ipairs(ARGV) do
  if redis.call('ZSCORE', KEYS[2], s) then
    remove(KEYS[1], KEYS[2], KEYS[3], s)
    n = n + 1
  end
end
return n
`

/** KEYS: u, h. { count, bytes } of the never-sent entries. */
export const TOTALS = `
return { redis.call('ZCARD', KEYS[1]), tonumber(redis.call('HGET', KEYS[2], 'bytes') or '0') }
`

/**
 * KEYS: subs, u, h, q, incoming. One session's aggregates:
 * { subscriptions, queued, queuedBytes, oldestQueuedAt or '', inflight, incoming }.
 */
export const STATS = `
local oldest = ''
local first = redis.call('ZRANGE', KEYS[2], 0, 0)
if first[1] then oldest = redis.call('HGET', KEYS[3], 't:' .. first[1]) or '' end
local queued = redis.call('ZCARD', KEYS[2])
return { redis.call('HLEN', KEYS[1]), queued, tonumber(redis.call('HGET', KEYS[3], 'bytes') or '0'),
  oldest, redis.call('ZCARD', KEYS[4]) - queued, redis.call('HLEN', KEYS[5]) }
`
