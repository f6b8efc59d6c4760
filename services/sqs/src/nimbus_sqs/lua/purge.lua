-- purge, one bounded step: unlink up to ARGV[3] FIFO group keys; once none is left,
-- unlink the message keys (UNLINK frees big values off the main thread).
-- KEYS: queue block. ARGV: prefix, fifo, batch. Returns 1 when done, 0 to call again.
local Q = queue_keys(0, ARGV[1], ARGV[2])
local batch = tonumber(ARGV[3])
if Q.fifo then
  local left = batch
  for _, zs in ipairs({ Q.gready, Q.glock }) do
    local grps = redis.call('ZRANGE', zs, 0, left - 1)
    for _, grp in ipairs(grps) do
      redis.call('UNLINK', group_key(Q, grp))
      redis.call('ZREM', zs, grp)
    end
    left = left - #grps
    if left <= 0 then return 0 end
  end
end
redis.call('UNLINK', Q.msg, Q.st, Q.vis, Q.inf, Q.sent, Q.att, Q.attx)
return 1
