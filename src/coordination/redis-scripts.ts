// The Lua scripts of the Redis coordination (coordination/redis.ts): each runs atomically on the server.
// Times come from Redis's own clock (TIME) unless the caller passes one, so instances whose clocks
// differ still agree. Numbers go back to Redis formatted by hand: Redis may print a Lua number in
// exponent notation, which commands like PEXPIRE refuse.

const prelude = `
if redis.replicate_commands then pcall(redis.replicate_commands) end
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function int(x) return string.format('%.0f', x) end
local function num(x) return string.format('%.17g', x) end
`;

/**
 * A ticket's turn at a FIFO lock.
 * KEYS: queue (list of tickets in arrival order; the head holds the lock), deadlines (zset: ticket → the
 * time after which it counts as dead), fence (counter).
 * ARGV: ticket, lease ms, the channel that names a new head, "1" to join the queue first.
 * Renews the ticket's deadline; drops dead tickets at the head (and names the new head on the channel);
 * grants the lock when the ticket is at the head. Returns the fence when granted, 0 while waiting, -1
 * when the ticket is not queued (it was dropped as dead while its owner stalled).
 * A fence counter that is new starts at the clock in microseconds, so fences keep growing even after
 * the counter expired or Redis lost its data.
 */
export const lockAcquire = `${prelude}
local ticket, ttl = ARGV[1], tonumber(ARGV[2])
local now = now_ms()
if ARGV[4] == '1' then
  redis.call('RPUSH', KEYS[1], ticket)
elseif not redis.call('ZSCORE', KEYS[2], ticket) then
  return -1
end
redis.call('ZADD', KEYS[2], int(now + ttl), ticket)
redis.call('PEXPIRE', KEYS[1], int(ttl * 2))
redis.call('PEXPIRE', KEYS[2], int(ttl * 2))
local dropped = false
while true do
  local head = redis.call('LINDEX', KEYS[1], 0)
  if not head then return -1 end
  if head == ticket then break end
  local deadline = tonumber(redis.call('ZSCORE', KEYS[2], head))
  if deadline and deadline > now then
    if dropped then redis.call('PUBLISH', ARGV[3], head) end
    return 0
  end
  redis.call('LPOP', KEYS[1])
  redis.call('ZREM', KEYS[2], head)
  dropped = true
end
local fence = redis.call('INCR', KEYS[3])
if fence == 1 then
  local t = redis.call('TIME')
  fence = tonumber(t[1]) * 1000000 + tonumber(t[2])
  redis.call('SET', KEYS[3], int(fence))
end
redis.call('PEXPIRE', KEYS[3], 86400000)
return fence
`;

/**
 * The holder extends its lease. KEYS: queue, deadlines. ARGV: ticket, lease ms.
 * Returns 1, or 0 when the ticket no longer holds the lock.
 */
export const lockRenew = `${prelude}
if redis.call('LINDEX', KEYS[1], 0) ~= ARGV[1] then return 0 end
local ttl = tonumber(ARGV[2])
redis.call('ZADD', KEYS[2], int(now_ms() + ttl), ARGV[1])
redis.call('PEXPIRE', KEYS[1], int(ttl * 2))
redis.call('PEXPIRE', KEYS[2], int(ttl * 2))
return 1
`;

/**
 * Takes a ticket out of the queue: the holder's release, or a waiter giving up. Only this ticket goes.
 * KEYS: queue, deadlines. ARGV: ticket, the channel that names a new head.
 * Returns the new head's ticket when the lock passed to it, else "".
 */
export const lockRelease = `${prelude}
local head = redis.call('LINDEX', KEYS[1], 0)
redis.call('ZREM', KEYS[2], ARGV[1])
if head ~= ARGV[1] then
  redis.call('LREM', KEYS[1], 1, ARGV[1])
  return ''
end
redis.call('LPOP', KEYS[1])
local nxt = redis.call('LINDEX', KEYS[1], 0)
if not nxt then return '' end
redis.call('PUBLISH', ARGV[2], nxt)
return nxt
`;

/**
 * Takes a free lease, or keeps this instance's own (a renewal that failed on the way, or an earlier
 * holder of this instance whose release did not reach Redis). KEYS: lease. ARGV: instance id, ttl ms.
 * Returns 1 when this instance holds it.
 */
export const leaseAcquire = `
local holder = redis.call('GET', KEYS[1])
if not holder then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
`;

/** Extends the lease when this instance holds it. KEYS: lease. ARGV: instance id, ttl ms. Returns 1, or 0 when another holds it (or none). */
export const leaseRenew = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
`;

/** Deletes the lease when this instance holds it. KEYS: lease. ARGV: instance id. */
export const leaseRelease = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
return 1
`;

/**
 * Spends a token of a bucket (the rules of createTokenBuckets in rate-limit.ts).
 * KEYS: bucket (hash: tokens, at, refused). ARGV: per minute, burst, now in ms ("" for Redis's clock).
 * Returns {1} when a token was spent, else {0, seconds until the next token, 1 when it is the first
 * refusal since the last token spent}. The bucket expires once it would be full again (a missing
 * bucket is a full one).
 */
export const tokenBucket = `${prelude}
local perMs = tonumber(ARGV[1]) / 60000
local burst = tonumber(ARGV[2])
local now = tonumber(ARGV[3]) or now_ms()
local b = redis.call('HMGET', KEYS[1], 'tokens', 'at', 'refused')
local tokens, refused = burst, false
if b[1] and b[2] then
  tokens = math.min(burst, tonumber(b[1]) + math.max(0, now - tonumber(b[2])) * perMs)
  refused = b[3] == '1'
end
local full = math.max(1, math.ceil(burst / perMs))
if tokens >= 1 then
  redis.call('HSET', KEYS[1], 'tokens', num(tokens - 1), 'at', num(now), 'refused', '0')
  redis.call('PEXPIRE', KEYS[1], int(full))
  return {1}
end
redis.call('HSET', KEYS[1], 'tokens', num(tokens), 'at', num(now), 'refused', '1')
redis.call('PEXPIRE', KEYS[1], int(full))
return {0, math.max(1, math.ceil((1 - tokens) / perMs / 1000)), refused and 0 or 1}
`;

/**
 * Counts a sign-in attempt before its password is checked (the rules of createSignInLimiter in
 * sign-in-limiter.ts). KEYS: attempts by address, by account, by the pair (zsets: attempt id → time),
 * lock of the address, lock of the account (hashes: until, strikes). ARGV: max failures, window ms, now in
 * ms ("" for Redis's clock), the attempt's id. Returns {1} when counted, else {0, seconds to wait}.
 * Attempts expire after the window; a lock's strikes a window after the lock ends.
 */
export const signInReserve = `${prelude}
local max, window = tonumber(ARGV[1]), tonumber(ARGV[2])
local now = tonumber(ARGV[3]) or now_ms()
local base = math.min(60000, window)
for i = 1, 3 do redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', num(now - window)) end
local function locked_until(h) return tonumber(redis.call('HGET', h, 'until') or '0') end
local function lock(attempts, h)
  local until_, strikes = locked_until(h), tonumber(redis.call('HGET', h, 'strikes') or '0')
  if until_ > 0 and now - until_ < window then strikes = strikes + 1 else strikes = 1 end
  until_ = now + math.min(window, base * 2 ^ (strikes - 1))
  redis.call('HSET', h, 'until', num(until_), 'strikes', int(strikes))
  redis.call('PEXPIRE', h, int(math.max(1, math.ceil(until_ - now + window))))
  redis.call('DEL', attempts)
  return until_
end
local function wait(until_) return math.max(1, math.ceil((until_ - now) / 1000)) end
local byAddress = locked_until(KEYS[4])
if byAddress <= now and redis.call('ZCARD', KEYS[1]) >= max then byAddress = lock(KEYS[1], KEYS[4]) end
if byAddress > now then return {0, wait(byAddress)} end
local byAccount = locked_until(KEYS[5])
if byAccount <= now and redis.call('ZCARD', KEYS[2]) >= max then byAccount = lock(KEYS[2], KEYS[5]) end
if byAccount > now and redis.call('ZCARD', KEYS[3]) > 0 then return {0, wait(byAccount)} end
for i = 1, 3 do
  redis.call('ZADD', KEYS[i], num(now), ARGV[4])
  redis.call('PEXPIRE', KEYS[i], int(window))
end
return {1}
`;
