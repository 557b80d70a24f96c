/**
 * The Lua scripts of session records, subscriptions and Wills. Keys that
 * depend on stored values (the open set of a session's node, the Wills of a
 * broker) are built in the script from the key prefix, ARGV[1]: the store
 * needs one Redis (with replicas if wanted), not a Redis Cluster.
 *
 * A session record is a HASH of the non-null fields of SessionRecord plus
 * `node`; `open:<node>` (node '' for none) is the SET of sessions recorded as
 * connected there; `idle` a ZSET of disconnected MQTT 3.1.1 sessions by
 * disconnectedAt; `ending` a ZSET of disconnected MQTT 5 sessions (those with
 * a `sessionExpiry`) by when they end, disconnectedAt + sessionExpiry s
 * (0xFFFFFFFF, never, is in neither).
 */

/**
 * Lua: files an offline session (`at` its disconnectedAt) under `idle` or
 * `ending`, by its `sessionExpiry` (KEYS idle, ARGV prefix as in each script).
 */
const FILE_OFFLINE = `
local function file_offline(idle, prefix, s, cid, at)
  local expiry = redis.call('HGET', s, 'sessionExpiry')
  redis.call('ZREM', idle, cid)
  redis.call('ZREM', prefix .. 'ending', cid)
  if not at then return end
  if not expiry then
    redis.call('ZADD', idle, at, cid)
  elseif tonumber(expiry) < 4294967295 then
    redis.call('ZADD', prefix .. 'ending', tonumber(at) + tonumber(expiry) * 1000, cid)
  end
end
`

/** KEYS: sessions, record. ARGV: prefix, clientId, createdAt. Returns 1 if it existed. */
export const OPEN_SESSION = `
if redis.call('ZADD', KEYS[1], 'NX', 0, ARGV[2]) == 0 then return 1 end
redis.call('HSET', KEYS[2], 'createdAt', ARGV[3], 'dropped', 0, 'takeovers', 0)
redis.call('SADD', ARGV[1] .. 'open:', ARGV[2])
return 0
`

/**
 * KEYS: record, idle. ARGV: prefix, clientId, n, then n field/value pairs to
 * set, then the fields to clear. A no-op without a record.
 */
export const TOUCH_SESSION = `${FILE_OFFLINE}
local s, cid = KEYS[1], ARGV[2]
if redis.call('EXISTS', s) == 0 then return 0 end
redis.call('SREM', ARGV[1] .. 'open:' .. (redis.call('HGET', s, 'node') or ''), cid)
local i = 4
for _ = 1, tonumber(ARGV[3]) do
  redis.call('HSET', s, ARGV[i], ARGV[i + 1])
  i = i + 2
end
while i <= #ARGV do
  redis.call('HDEL', s, ARGV[i])
  i = i + 1
end
local at = redis.call('HGET', s, 'disconnectedAt')
file_offline(KEYS[2], ARGV[1], s, cid, at)
if not at then
  redis.call('SADD', ARGV[1] .. 'open:' .. (redis.call('HGET', s, 'node') or ''), cid)
end
return 1
`

/** KEYS: record. ARGV: dropped, takeovers. */
export const ADD_TO_SESSION = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HINCRBY', KEYS[1], 'dropped', ARGV[1])
redis.call('HINCRBY', KEYS[1], 'takeovers', ARGV[2])
return 1
`

/**
 * KEYS: idle. ARGV: prefix, at, then nodes ('' for none). Marks the sessions
 * open on those nodes disconnected at `at`; returns their ClientIDs.
 */
export const CLOSE_OPEN = `${FILE_OFFLINE}
local closed = {}
for i = 3, #ARGV do
  local open = ARGV[1] .. 'open:' .. ARGV[i]
  for _, cid in ipairs(redis.call('SMEMBERS', open)) do
    redis.call('HSET', ARGV[1] .. 's:' .. cid, 'disconnectedAt', ARGV[2])
    file_offline(KEYS[1], ARGV[1], ARGV[1] .. 's:' .. cid, cid, ARGV[2])
    closed[#closed + 1] = cid
  end
  redis.call('DEL', open)
end
return closed
`

/**
 * KEYS: q, u, h, incoming, subs, subclients, sessions, record, idle.
 * ARGV: prefix, clientId. Everything of the session but its Will.
 */
export const DISCARD_SESSION = `
local cid = ARGV[2]
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5])
redis.call('ZREM', KEYS[6], cid)
redis.call('ZREM', KEYS[7], cid)
redis.call('SREM', ARGV[1] .. 'open:' .. (redis.call('HGET', KEYS[8], 'node') or ''), cid)
redis.call('DEL', KEYS[8])
redis.call('ZREM', KEYS[9], cid)
redis.call('ZREM', ARGV[1] .. 'ending', cid)
return 1
`

/**
 * KEYS as DISCARD_SESSION. ARGV: prefix, clientId, then 'idle' and the time
 * it must have been offline since before, or 'ending' and the time it must
 * have ended by. Discards the session as DISCARD_SESSION does if it is still
 * filed so (offline, due), atomically: of several nodes' sweeps one gets 1.
 */
export const CLAIM_EXPIRED = `
local due = redis.call('ZSCORE', ARGV[3] == 'idle' and KEYS[9] or ARGV[1] .. 'ending', ARGV[2])
if not due then return 0 end
if ARGV[3] == 'idle' and tonumber(due) >= tonumber(ARGV[4]) then return 0 end
if ARGV[3] ~= 'idle' and tonumber(due) > tonumber(ARGV[4]) then return 0 end
${DISCARD_SESSION}`

/**
 * KEYS: subs, subclients, seq. ARGV: clientId, then topic/record pairs.
 * subclients orders clients by their first subscription.
 */
export const ADD_SUBSCRIPTIONS = `
if not redis.call('ZSCORE', KEYS[2], ARGV[1]) then
  redis.call('ZADD', KEYS[2], redis.call('INCR', KEYS[3]), ARGV[1])
end
for i = 2, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
return 1
`

/** KEYS: subs, subclients. ARGV: clientId, then topics. */
export const REMOVE_SUBSCRIPTIONS = `
for i = 2, #ARGV do redis.call('HDEL', KEYS[1], ARGV[i]) end
if redis.call('EXISTS', KEYS[1]) == 0 then redis.call('ZREM', KEYS[2], ARGV[1]) end
return 1
`

/** KEYS: subs, subclients. ARGV: clientId. */
export const CLEAN_SUBSCRIPTIONS = `
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
return 1
`

/** KEYS: subs. The subscriptions as a flat topic/record list, in the order made. */
export const SUBSCRIPTIONS_OF = `
return redis.call('HGETALL', KEYS[1])
`

/**
 * KEYS: wills, willBrokers. ARGV: prefix, clientId, body, brokerId ('' for
 * none). `willsby:<brokerId>` holds the ClientIDs whose Will that broker stamped.
 */
export const PUT_WILL = `
local old = redis.call('HGET', KEYS[2], ARGV[2])
if old and old ~= '' then redis.call('SREM', ARGV[1] .. 'willsby:' .. old, ARGV[2]) end
redis.call('HSET', KEYS[1], ARGV[2], ARGV[3])
redis.call('HSET', KEYS[2], ARGV[2], ARGV[4])
if ARGV[4] ~= '' then redis.call('SADD', ARGV[1] .. 'willsby:' .. ARGV[4], ARGV[2]) end
return 1
`

/** KEYS: wills, willBrokers. ARGV: prefix, clientId. Removes and returns the Will, or nil. */
export const DEL_WILL = `
local body = redis.call('HGET', KEYS[1], ARGV[2])
local broker = redis.call('HGET', KEYS[2], ARGV[2])
if broker and broker ~= '' then redis.call('SREM', ARGV[1] .. 'willsby:' .. broker, ARGV[2]) end
redis.call('HDEL', KEYS[1], ARGV[2])
redis.call('HDEL', KEYS[2], ARGV[2])
return body
`

/** KEYS: wills, willBrokers. ARGV: prefix, brokerId. Removes and returns that broker's Wills. */
export const CLAIM_WILLS = `
local by = ARGV[1] .. 'willsby:' .. ARGV[2]
local claimed = {}
for _, cid in ipairs(redis.call('SMEMBERS', by)) do
  local body = redis.call('HGET', KEYS[1], cid)
  if body then claimed[#claimed + 1] = body end
  redis.call('HDEL', KEYS[1], cid)
  redis.call('HDEL', KEYS[2], cid)
end
redis.call('DEL', by)
return claimed
`
