-- Shared by every message-store script (store.py prepends it to each one).
--
-- A queue is 13 keys, passed in KEYS as one block (queue_block in store.py):
--   msg     HASH  id -> payload (JSON written by Python, opaque here)
--   st      HASH  id -> state "rc|first|last|sent|seq|token|src|group" (group last: may hold '|')
--   vis     ZSET  id -> epoch ms the message is (or becomes again) visible; every message
--   inf     ZSET  id -> visibility deadline of messages in flight (stale entries <= now ignored)
--   sent    ZSET  id -> SentTimestamp ms (the retention index)
--   gready  ZSET  FIFO group -> visible-at of its head: non-empty groups with nothing in flight
--   glock   ZSET  FIFO group -> lock deadline: groups with messages in flight
--   seq     STRING FIFO sequence counter
--   dedup   HASH  FIFO dedup key -> "id|seq|expires_ms";  dedupx ZSET dedup key -> expires_ms
--   att     HASH  attempt id -> record;                   attx ZSET attempt id -> expires_ms
--   waiters ZSET  long-poll waiter id -> expires_ms (a send publishes only when non-empty)
-- plus, built from the queue's key prefix (not declarable up front), one ZSET per FIFO
-- group: <prefix>g:<group>, id -> sequence number.

local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

local function fmt(n)
  return string.format('%.0f', n)
end

local function queue_keys(offset, prefix, fifo)
  return {
    msg = KEYS[offset + 1], st = KEYS[offset + 2], vis = KEYS[offset + 3],
    inf = KEYS[offset + 4], sent = KEYS[offset + 5], gready = KEYS[offset + 6],
    glock = KEYS[offset + 7], seq = KEYS[offset + 8], dedup = KEYS[offset + 9],
    dedupx = KEYS[offset + 10], att = KEYS[offset + 11], attx = KEYS[offset + 12],
    waiters = KEYS[offset + 13], prefix = prefix, fifo = fifo == '1',
  }
end

local function st_parse(s)
  local rc, fr, lr, sent, seq, tok, src, grp =
    string.match(s, '^(%d+)|(%d+)|(%d+)|(%d+)|(%d*)|([^|]*)|([^|]*)|(.*)$')
  return {
    rc = tonumber(rc), fr = fr, lr = tonumber(lr), sent = tonumber(sent),
    seq = seq, tok = tok, src = src, grp = grp,
  }
end

local function st_pack(t)
  return fmt(t.rc) .. '|' .. t.fr .. '|' .. fmt(t.lr) .. '|' .. fmt(t.sent) .. '|' ..
    t.seq .. '|' .. t.tok .. '|' .. t.src .. '|' .. t.grp
end

local function group_key(Q, grp)
  return Q.prefix .. 'g:' .. grp
end

-- Recompute a FIFO group's place: gone when empty, locked while any message is in flight
-- (in-flight messages are always among its first 10: a receive takes at most 10 from the
-- head of an unlocked group), otherwise ready, scored by its head's visible-at.
local function group_fix(Q, grp, now)
  local gk = group_key(Q, grp)
  local head = redis.call('ZRANGE', gk, 0, 9)
  if #head == 0 then
    redis.call('DEL', gk)
    redis.call('ZREM', Q.gready, grp)
    redis.call('ZREM', Q.glock, grp)
    return
  end
  local lock = 0
  for _, id in ipairs(head) do
    local d = redis.call('ZSCORE', Q.inf, id)
    if d then
      d = tonumber(d)
      if d > now and d > lock then lock = d end
    end
  end
  if lock > 0 then
    redis.call('ZREM', Q.gready, grp)
    redis.call('ZADD', Q.glock, lock, grp)
  else
    redis.call('ZREM', Q.glock, grp)
    local v = redis.call('ZSCORE', Q.vis, head[1])
    redis.call('ZADD', Q.gready, v or now, grp)
  end
end

-- Remove every trace of a message; FIFO: its group is recomputed unless the caller will.
local function remove_message(Q, id, st, now, fix)
  redis.call('HDEL', Q.msg, id)
  redis.call('HDEL', Q.st, id)
  redis.call('ZREM', Q.vis, id)
  redis.call('ZREM', Q.inf, id)
  redis.call('ZREM', Q.sent, id)
  if Q.fifo and st then
    redis.call('ZREM', group_key(Q, st.grp), id)
    if fix then group_fix(Q, st.grp, now) end
  end
end

-- Publish a wake-up only when some long poll waits on this queue.
local function wake(Q, channel, queue_id, now)
  if redis.call('EXISTS', Q.waiters) == 0 then return end
  redis.call('ZREMRANGEBYSCORE', Q.waiters, '-inf', now)
  if redis.call('ZCARD', Q.waiters) > 0 then
    redis.call('PUBLISH', channel, queue_id)
  end
end

-- Retention sweep: up to `limit` messages sent before now - retention.
local function expire_old(Q, retention_ms, now, limit)
  local ids = redis.call('ZRANGEBYSCORE', Q.sent, '-inf', now - retention_ms, 'LIMIT', 0, limit)
  for _, id in ipairs(ids) do
    local s = redis.call('HGET', Q.st, id)
    remove_message(Q, id, s and st_parse(s) or nil, now, true)
  end
  return #ids
end
