-- send: store a batch atomically. KEYS: queue block, registry.
-- ARGV: prefix, fifo, queue_id, channel, dedup_window_ms, n, then per message
--       id, payload, delay_ms, group, dedup_key.
-- Returns {id, seq} per message: for a FIFO duplicate, the original's.
local Q = queue_keys(0, ARGV[1], ARGV[2])
local registry = KEYS[14]
local queue_id, channel = ARGV[3], ARGV[4]
local window = tonumber(ARGV[5])
local n = tonumber(ARGV[6])
local now = now_ms()
local out = {}
local added = 0

if Q.fifo then
  local stale = redis.call('ZRANGEBYSCORE', Q.dedupx, '-inf', now, 'LIMIT', 0, 100)
  for _, k in ipairs(stale) do
    redis.call('HDEL', Q.dedup, k)
    redis.call('ZREM', Q.dedupx, k)
  end
end

for i = 0, n - 1 do
  local base = 7 + i * 5
  local id, payload, delay, grp, dk =
    ARGV[base], ARGV[base + 1], tonumber(ARGV[base + 2]), ARGV[base + 3], ARGV[base + 4]
  local duplicate = false
  local seq = ''
  if Q.fifo then
    local rec = redis.call('HGET', Q.dedup, dk)
    if rec then
      local oid, oseq, exp = string.match(rec, '^([^|]*)|([^|]*)|(%d+)$')
      if tonumber(exp) > now then
        duplicate = true
        out[#out + 1] = { oid, oseq }
      end
    end
    if not duplicate then
      local num = redis.call('INCR', Q.seq)
      seq = string.format('%020.0f', num)
      redis.call('HSET', Q.dedup, dk, id .. '|' .. seq .. '|' .. fmt(now + window))
      redis.call('ZADD', Q.dedupx, now + window, dk)
    end
  end
  if not duplicate then
    local st = { rc = 0, fr = '0', lr = 0, sent = now, seq = seq, tok = '', src = '', grp = '' }
    if Q.fifo then st.grp = grp end
    redis.call('HSET', Q.msg, id, payload)
    redis.call('HSET', Q.st, id, st_pack(st))
    redis.call('ZADD', Q.vis, now + delay, id)
    redis.call('ZADD', Q.sent, now, id)
    if Q.fifo then
      redis.call('ZADD', group_key(Q, grp), tonumber(seq), id)
      -- Only a group that is neither ready nor (still) locked needs recomputing.
      if not redis.call('ZSCORE', Q.gready, grp) then
        local lock = redis.call('ZSCORE', Q.glock, grp)
        if not lock or tonumber(lock) <= now then group_fix(Q, grp, now) end
      end
    end
    added = added + 1
    out[#out + 1] = { id, seq }
  end
end

if added > 0 then
  redis.call('ZADD', registry, 'NX', now, queue_id)
  wake(Q, channel, queue_id, now)
end
return out
