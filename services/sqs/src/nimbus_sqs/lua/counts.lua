-- counts: {visible, in flight, delayed}, exact at this instant. KEYS: queue block.
local Q = queue_keys(0, '', '0')
local now = now_ms()
local visible = redis.call('ZCOUNT', Q.vis, '-inf', now)
local inflight = redis.call('ZCOUNT', Q.inf, '(' .. fmt(now), '+inf')
local later = redis.call('ZCOUNT', Q.vis, '(' .. fmt(now), '+inf')
return { visible, inflight, later - inflight }
