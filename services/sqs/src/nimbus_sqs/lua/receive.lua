-- receive: take up to n visible messages, putting them in flight. KEYS: queue block,
-- dead-letter queue block (the queue's own when there is no redrive), registry.
-- ARGV: prefix, fifo, queue_id, n, visibility_ms, retention_ms, nonce, attempt_id,
--       attempt_window_ms, max_receive_count (0: no redrive), source_arn, dlq_prefix,
--       dlq_fifo, dlq_queue_id, channel.
-- Returns {next_visible_ms or '', id, payload, state, id, payload, state, ...}.
local Q = queue_keys(0, ARGV[1], ARGV[2])
local D = queue_keys(13, ARGV[12], ARGV[13])
local registry = KEYS[27]
local queue_id = ARGV[3]
local n = tonumber(ARGV[4])
local vt = tonumber(ARGV[5])
local retention = tonumber(ARGV[6])
local nonce = ARGV[7]
local attempt_id = ARGV[8]
local attempt_window = tonumber(ARGV[9])
local max_receive = tonumber(ARGV[10])
local source_arn = ARGV[11]
local dlq_id = ARGV[14]
local channel = ARGV[15]
local now = now_ms()
local deadline = now + vt
local out = { '' }
local taken = 0
local moved = 0

if dlq_id == queue_id then max_receive = 0 end

expire_old(Q, retention, now, 50)
redis.call('ZREMRANGEBYSCORE', Q.inf, '-inf', now)

local function emit(id, payload, st)
  out[#out + 1] = id
  out[#out + 1] = payload
  out[#out + 1] = st_pack(st)
  taken = taken + 1
end

local function take(id, payload, st)
  st.rc = st.rc + 1
  if st.fr == '0' then st.fr = fmt(now) end
  st.lr = now
  st.tok = nonce .. '.' .. fmt(st.rc)
  redis.call('HSET', Q.st, id, st_pack(st))
  if vt > 0 then
    redis.call('ZADD', Q.vis, deadline, id)
    redis.call('ZADD', Q.inf, deadline, id)
  end
  emit(id, payload, st)
end

local function move_to_dlq(id, payload, st)
  remove_message(Q, id, st, now, false)
  local nst = {
    rc = st.rc, fr = st.fr, lr = 0, sent = st.sent, seq = '', tok = '',
    src = source_arn, grp = '',
  }
  if D.fifo then
    -- A FIFO dead-letter queue restarts the enqueue time; a standard one keeps it.
    nst.sent = now
    nst.seq = string.format('%020.0f', redis.call('INCR', D.seq))
    nst.grp = st.grp
  end
  redis.call('HSET', D.msg, id, payload)
  redis.call('HSET', D.st, id, st_pack(nst))
  redis.call('ZADD', D.vis, now, id)
  redis.call('ZADD', D.sent, nst.sent, id)
  if D.fifo then
    redis.call('ZADD', group_key(D, nst.grp), tonumber(nst.seq), id)
    if not redis.call('ZSCORE', D.gready, nst.grp) then
      local lock = redis.call('ZSCORE', D.glock, nst.grp)
      if not lock or tonumber(lock) <= now then group_fix(D, nst.grp, now) end
    end
  end
  moved = moved + 1
end

-- One candidate: 'gone' (dangling or just removed), 'taken', 'moved' or 'expired'.
local function consider(id)
  local payload = redis.call('HGET', Q.msg, id)
  local s = redis.call('HGET', Q.st, id)
  if not payload or not s then
    remove_message(Q, id, nil, now, false)
    return 'gone', nil
  end
  local st = st_parse(s)
  if st.sent + retention <= now then
    remove_message(Q, id, st, now, false)
    return 'expired', st
  end
  if max_receive > 0 and st.rc >= max_receive then
    move_to_dlq(id, payload, st)
    return 'moved', st
  end
  take(id, payload, st)
  return 'taken', st
end

-- FIFO: a retried receive with the same attempt id gets the same messages and handles
-- while they are still in flight under that receive and untouched since.
local function replay_attempt()
  local rec = redis.call('HGET', Q.att, attempt_id)
  if not rec then return false end
  local exp, body = string.match(rec, '^(%d+)|(.*)$')
  if tonumber(exp) <= now then return false end
  local items = {}
  for item in string.gmatch(body, '[^;]+') do
    local id, tok, d = string.match(item, '^([^,]+),([^,]+),(%d+)$')
    local s = redis.call('HGET', Q.st, id)
    local payload = redis.call('HGET', Q.msg, id)
    local inflight = redis.call('ZSCORE', Q.inf, id)
    if not s or not payload or not inflight or inflight ~= d then return false end
    local st = st_parse(s)
    if st.tok ~= tok then return false end
    items[#items + 1] = { id, payload, st }
  end
  local parts = {}
  local groups = {}
  for _, it in ipairs(items) do
    if vt > 0 then
      redis.call('ZADD', Q.vis, deadline, it[1])
      redis.call('ZADD', Q.inf, deadline, it[1])
    else
      redis.call('ZADD', Q.vis, now, it[1])
      redis.call('ZREM', Q.inf, it[1])
    end
    groups[it[3].grp] = true
    parts[#parts + 1] = it[1] .. ',' .. it[3].tok .. ',' .. fmt(deadline)
    emit(it[1], it[2], it[3])
  end
  for grp, _ in pairs(groups) do group_fix(Q, grp, now) end
  redis.call('HSET', Q.att, attempt_id, exp .. '|' .. table.concat(parts, ';'))
  return true
end

local function receive_standard()
  local offset = 0
  local seen = {}
  local rounds = 0
  while taken < n and rounds < 100 do
    rounds = rounds + 1
    local ids = redis.call('ZRANGEBYSCORE', Q.vis, '-inf', now, 'LIMIT', offset, n - taken)
    if #ids == 0 then break end
    for _, id in ipairs(ids) do
      if seen[id] then
        offset = offset + 1
      else
        seen[id] = true
        local r = consider(id)
        -- A message taken with visibility 0 stays where it was in the visible range.
        if r == 'taken' and vt == 0 then offset = offset + 1 end
      end
      if taken >= n then break end
    end
  end
end

-- Take messages from one ready group, in order, until n, a delayed message or its end.
local function receive_group(grp)
  local gk = group_key(Q, grp)
  local got = 0
  local blocked = false
  while taken < n and not blocked do
    local ids = redis.call('ZRANGE', gk, got, got + (n - taken) - 1)
    if #ids == 0 then break end
    for _, id in ipairs(ids) do
      local v = redis.call('ZSCORE', Q.vis, id)
      if v and tonumber(v) > now then
        blocked = true
        break
      end
      local r = consider(id)
      if r == 'gone' then redis.call('ZREM', gk, id) end
      if r == 'taken' then got = got + 1 end
      if taken >= n then break end
    end
  end
  group_fix(Q, grp, now)
end

local function receive_fifo()
  local released = redis.call('ZRANGEBYSCORE', Q.glock, '-inf', now, 'LIMIT', 0, 200)
  for _, grp in ipairs(released) do group_fix(Q, grp, now) end
  local seen = {}
  local rounds = 0
  while taken < n and rounds < 20 do
    rounds = rounds + 1
    local grps = redis.call('ZRANGEBYSCORE', Q.gready, '-inf', now, 'LIMIT', 0, 50)
    local fresh = 0
    for _, grp in ipairs(grps) do
      if not seen[grp] then
        seen[grp] = true
        fresh = fresh + 1
        receive_group(grp)
        if taken >= n then break end
      end
    end
    if fresh == 0 then break end
  end
end

local replayed = false
if Q.fifo and attempt_id ~= '' then
  local stale = redis.call('ZRANGEBYSCORE', Q.attx, '-inf', now, 'LIMIT', 0, 100)
  for _, a in ipairs(stale) do
    redis.call('HDEL', Q.att, a)
    redis.call('ZREM', Q.attx, a)
  end
  replayed = replay_attempt()
end

if not replayed then
  if Q.fifo then receive_fifo() else receive_standard() end
  if Q.fifo and attempt_id ~= '' and taken > 0 then
    local parts = {}
    for i = 2, #out, 3 do
      local st = st_parse(out[i + 2])
      parts[#parts + 1] = out[i] .. ',' .. st.tok .. ',' .. fmt(vt > 0 and deadline or now)
    end
    local exp = now + attempt_window
    redis.call('HSET', Q.att, attempt_id, fmt(exp) .. '|' .. table.concat(parts, ';'))
    redis.call('ZADD', Q.attx, exp, attempt_id)
  end
end

if moved > 0 then
  redis.call('ZADD', registry, 'NX', now, dlq_id)
  wake(D, channel, dlq_id, now)
end
if taken == 0 then
  local nxt = redis.call('ZRANGEBYSCORE', Q.vis, '(' .. fmt(now), '+inf', 'LIMIT', 0, 1, 'WITHSCORES')
  if #nxt > 0 then out[1] = nxt[2] end
end
return out
