-- change_visibility. KEYS: queue block. ARGV: prefix, fifo, queue_id, id, token,
-- timeout_ms, channel, cap_ms.
-- Returns 0 ok, 1 no such message, 2 not in flight, 3 FIFO handle no longer current,
-- 4 beyond the cap (whole seconds since the current receive + timeout > cap).
local Q = queue_keys(0, ARGV[1], ARGV[2])
local queue_id, id, token, channel = ARGV[3], ARGV[4], ARGV[5], ARGV[7]
local timeout = tonumber(ARGV[6])
local cap = tonumber(ARGV[8])
local now = now_ms()
local s = redis.call('HGET', Q.st, id)
if not s then return 1 end
local st = st_parse(s)
local d = redis.call('ZSCORE', Q.inf, id)
local inflight = d and tonumber(d) > now
if Q.fifo and (st.tok ~= token or not inflight) then return 3 end
if not inflight then return 2 end
if math.floor((now - st.lr) / 1000) * 1000 + timeout > cap then return 4 end
local nd = now + timeout
redis.call('ZADD', Q.vis, nd, id)
if timeout > 0 then
  redis.call('ZADD', Q.inf, nd, id)
else
  redis.call('ZREM', Q.inf, id)
end
if Q.fifo then group_fix(Q, st.grp, now) end
if timeout == 0 then wake(Q, channel, queue_id, now) end
return 0
