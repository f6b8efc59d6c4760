-- expire: delete up to ARGV[4] messages older than the retention period.
-- KEYS: queue block. ARGV: prefix, fifo, retention_ms, limit. Returns how many.
local Q = queue_keys(0, ARGV[1], ARGV[2])
return expire_old(Q, tonumber(ARGV[3]), now_ms(), tonumber(ARGV[4]))
