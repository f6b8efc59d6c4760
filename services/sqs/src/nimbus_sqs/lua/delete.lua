-- delete: remove the message a receipt handle names. KEYS: queue block.
-- ARGV: prefix, fifo, queue_id, id, token, channel.
-- Returns 0 (deleted, or already gone: AWS accepts that), 1 (FIFO: the handle's receive is
-- no longer current, i.e. the message was received again or became visible).
local Q = queue_keys(0, ARGV[1], ARGV[2])
local queue_id, id, token, channel = ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local now = now_ms()
local s = redis.call('HGET', Q.st, id)
if not s then
  if redis.call('HEXISTS', Q.msg, id) == 1 then redis.call('HDEL', Q.msg, id) end
  return 0
end
local st = st_parse(s)
if Q.fifo then
  local d = redis.call('ZSCORE', Q.inf, id)
  if st.tok ~= token or not d or tonumber(d) <= now then return 1 end
end
remove_message(Q, id, st, now, true)
-- FIFO: the group may have just unlocked, with messages waiting behind this one.
if Q.fifo then wake(Q, channel, queue_id, now) end
return 0
