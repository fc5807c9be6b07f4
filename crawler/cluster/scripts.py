"""The Lua scripts that make the frontier atomic: each runs inside Redis as one step, so no
crash between two commands can lose a request or mark an unfetched URL as seen.

* ``enqueue`` — dedupe (scalable Bloom filter) and queue in one step: a fingerprint is set only
  together with the request it stands for.
* ``lease`` — requeue expired leases (dead-letter after too many deliveries), then hand out
  requests round-robin over domains within the job's per-domain rate (token bucket), concurrency
  and Retry-After pauses, no more than a fair share of a short queue per live worker; closes the
  job when nothing is queued or leased.
* ``settle`` — acknowledge done requests, dead-letter failed ones, extend held leases.
* ``release`` — a stopping worker gives back what it held. ``cancel`` — stop a job, free its keys.

Time is Redis's own clock (``TIME``), so workers on machines with skewed clocks agree on lease
deadlines. Key names come from ``keys.KEY_FORMS`` (rendered into Lua below).
"""
from __future__ import annotations

import re

from crawler.cluster.keys import KEY_FORMS


def _lua_key_functions() -> str:
    """``local K = {}`` with one function per key form: ``K.queue(d)`` etc."""
    lines = ["local K = {}"]
    for name, form in KEY_FORMS.items():
        parts = []
        for token in re.split(r"(\{[a-z]\})", form):
            if not token:
                continue
            parts.append({"{p}": "P", "{j}": "J", "{d}": "d", "{s}": "s", "{w}": "w"}.get(token, repr(token)))
        lines.append(f"K.{name} = function(d, s, w) return {' .. '.join(parts)} end")
    return "\n".join(lines)


_PRELUDE = _lua_key_functions() + r"""
local t = redis.call('TIME')
local NOW = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

local function forget(id)
  redis.call('HDEL', K.payloads(), id)
  redis.call('HDEL', K.urls(), id)
  redis.call('HDEL', K.deliveries(), id)
end

local function dead_letter(id, reason, n, dead_max)
  local url = redis.call('HGET', K.urls(), id)
  redis.call('LPUSH', K.dead(), cjson.encode({url = url or '', reason = reason, deliveries = n, at = NOW}))
  redis.call('LTRIM', K.dead(), 0, dead_max - 1)
  redis.call('HINCRBY', K.failed(), reason, 1)
  redis.call('HINCRBY', K.stats(), 'failed', 1)
  forget(id)
end

local function cleanup()
  for _, dom in ipairs(redis.call('ZRANGE', K.domains(), 0, -1)) do
    redis.call('UNLINK', K.queue(dom), K.inflight(dom), K.bucket(dom))
  end
  local n = tonumber(redis.call('HGET', K.bloom(), 'n')) or 0
  for s = 0, n - 1 do redis.call('UNLINK', K.bloom_slice(nil, s)) end
  redis.call('UNLINK', K.domains(), K.payloads(), K.urls(), K.leases(), K.lease_domain(), K.deliveries(), K.bloom())
  local ttl = tonumber(redis.call('HGET', K.meta(), 'ttl')) or 604800
  for _, key in ipairs({K.meta(), K.stats(), K.errors(), K.failed(), K.dead(), K.job_workers()}) do
    redis.call('EXPIRE', key, ttl)
  end
end

local function close_job(state, reason)
  local b = redis.call('HGETALL', K.bloom())
  local f = {}
  for i = 1, #b, 2 do f[b[i]] = tonumber(b[i + 1]) end
  local bits = 0
  for s = 0, (f.n or 0) - 1 do bits = bits + (f['m' .. s] or 0) end
  redis.call('HSET', K.stats(), 'dedupe_urls', f.count or 0, 'dedupe_bits', bits)
  redis.call('HSET', K.meta(), 'state', state, 'reason', reason, 'finished_at', NOW)
  cleanup()
end

local function maybe_finish()
  local m = redis.call('HMGET', K.meta(), 'state', 'max_pages')
  if m[1] ~= 'running' or redis.call('ZCARD', K.leases()) > 0 then return m[1] end
  local queued = tonumber(redis.call('HGET', K.stats(), 'queued')) or 0
  local max_pages = tonumber(m[2]) or 0
  local leased = tonumber(redis.call('HGET', K.stats(), 'leased_total')) or 0
  if queued <= 0 then close_job('finished', 'finished'); return 'finished' end
  if max_pages > 0 and leased >= max_pages then close_job('finished', 'max_pages'); return 'finished' end
  return m[1]
end
"""

#: The scalable Bloom filter (crawler/cluster/bloom.py): needs ERR, CAP0, GROWTH; defines
#: ``seen(h1, h2)`` and ``add(h1, h2)``.
_BLOOM = r"""
local raw = redis.call('HGETALL', K.bloom())
local f = {}
for i = 1, #raw, 2 do f[raw[i]] = tonumber(raw[i + 1]) end
local B = {n = f.n or 0, m = {}, k = {}, cap = {}, c = {}, added = 0}
for s = 0, B.n - 1 do
  B.m[s], B.k[s], B.cap[s], B.c[s] = f['m' .. s], f['k' .. s], f['cap' .. s], f['c' .. s] or 0
end

local function next_prime(n)
  if n <= 2 then return 2 end
  if n % 2 == 0 then n = n + 1 end
  while true do
    local prime, d = true, 3
    while d * d <= n do
      if n % d == 0 then prime = false; break end
      d = d + 2
    end
    if prime then return n end
    n = n + 2
  end
end

-- probe i of a URL: enhanced double hashing h1 + i*h2 + (i^3 - i)/6 (see bloom.py)
local function seen(h1, h2)
  for s = B.n - 1, 0, -1 do
    local key, m, hit = K.bloom_slice(nil, s), B.m[s], true
    for i = 0, B.k[s] - 1 do
      if redis.call('GETBIT', key, (h1 + i * h2 + (i * i * i - i) / 6) % m) == 0 then hit = false; break end
    end
    if hit then return true end
  end
  return false
end

local function add(h1, h2)
  local s = B.n - 1
  if s < 0 or B.c[s] >= B.cap[s] then
    s = B.n
    local p = (ERR / 2) * (0.5 ^ s)  -- slice errors halve: their sum stays under ERR
    local k = math.ceil(-math.log(p) / math.log(2))
    local cap = CAP0 * (GROWTH ^ s)
    local m = next_prime(math.ceil(cap * k / math.log(2)))  -- prime: see bloom.slice_shape
    redis.call('SETBIT', K.bloom_slice(nil, s), m - 1, 0)  -- allocate once, not bit by bit
    redis.call('HSET', K.bloom(), 'n', s + 1, 'm' .. s, m, 'k' .. s, k, 'cap' .. s, cap, 'c' .. s, 0)
    B.n, B.m[s], B.k[s], B.cap[s], B.c[s] = s + 1, m, k, cap, 0
  end
  -- one SETBIT per bit: measured cheaper in Redis CPU than one BITFIELD with k operations
  local key, m = K.bloom_slice(nil, s), B.m[s]
  for i = 0, B.k[s] - 1 do redis.call('SETBIT', key, (h1 + i * h2 + (i * i * i - i) / 6) % m, 1) end
  B.c[s] = B.c[s] + 1
  B.added = B.added + 1
end

-- counters once per script call, not once per URL
local function bloom_commit()
  if B.added == 0 then return end
  local s = B.n - 1
  redis.call('HSET', K.bloom(), 'c' .. s, B.c[s])
  if s > 0 then redis.call('HSET', K.bloom(), 'c' .. (s - 1), B.c[s - 1]) end
  redis.call('HINCRBY', K.bloom(), 'count', B.added)
end

"""

#: ARGV: prefix, job, error, capacity, growth, then 7 per request: id, domain, score, h1, h2, url,
#: payload (h1 = '' for dont_filter requests: queued without a dedupe check).
ENQUEUE = r"""
local P, J = ARGV[1], ARGV[2]
""" + _PRELUDE + r"""
local ERR, CAP0, GROWTH = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local state = redis.call('HGET', K.meta(), 'state')
if state ~= 'running' and state ~= 'seeding' then return {0, 0, state or 'missing'} end
""" + _BLOOM + r"""

local added, filtered = 0, 0
for i = 6, #ARGV, 7 do
  local id, dom, score, h1, h2, url, payload = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4], ARGV[i + 5], ARGV[i + 6]
  local fresh = true
  if h1 ~= '' then
    local a, b = tonumber(h1), tonumber(h2)
    if seen(a, b) then fresh = false else add(a, b) end
  end
  if fresh then
    redis.call('HSET', K.payloads(), id, payload)
    redis.call('HSET', K.urls(), id, url)
    redis.call('ZADD', K.queue(dom), score, id)
    redis.call('ZADD', K.domains(), 'NX', 0, dom)
    added = added + 1
  else
    filtered = filtered + 1
  end
end
bloom_commit()
redis.call('HINCRBY', K.stats(), 'queued', added)
redis.call('HINCRBY', K.stats(), 'enqueued', added)
redis.call('HINCRBY', K.stats(), 'filtered', filtered)
return {added, filtered, state}
"""

#: ARGV: prefix, job, error, capacity, growth, then pairs h1, h2. Returns one flag per pair: 1 if
#: seen before, else 0 (and now added). The dedupe alone, for ``bloom.BloomDupeFilter``.
SEEN_ADD = r"""
local P, J = ARGV[1], ARGV[2]
""" + _PRELUDE + r"""
local ERR, CAP0, GROWTH = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
""" + _BLOOM + r"""
local out = {}
for i = 6, #ARGV, 2 do
  local a, b = tonumber(ARGV[i]), tonumber(ARGV[i + 1])
  if seen(a, b) then out[#out + 1] = 1 else add(a, b); out[#out + 1] = 0 end
end
bloom_commit()
return out
"""

#: ARGV: prefix, job, lease ms, max count, max deliveries, dead max, worker TTL ms (a worker
#: whose last heartbeat is older is not counted in the fair share).
#: Returns {state, wait ms (-1 = nothing queued, -2 = nothing queued but other workers hold
#: leases), id1, domain1, payload1, ...}.
LEASE = r"""
local P, J = ARGV[1], ARGV[2]
""" + _PRELUDE + r"""
local LEASE_MS, MAX_COUNT, MAX_DELIVERIES, DEAD_MAX = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local WORKER_TTL_MS = tonumber(ARGV[7])
local meta = redis.call('HMGET', K.meta(), 'state', 'rate', 'concurrency', 'max_pages')
if meta[1] ~= 'running' then return {meta[1] or 'missing', -1} end
local rate, conc, max_pages = tonumber(meta[2]) or 0, tonumber(meta[3]) or 0, tonumber(meta[4]) or 0

-- expired leases: back to the front of their domain's queue, or dead-lettered
for _, id in ipairs(redis.call('ZRANGEBYSCORE', K.leases(), '-inf', NOW, 'LIMIT', 0, 500)) do
  local dom = redis.call('HGET', K.lease_domain(), id)
  redis.call('ZREM', K.leases(), id)
  redis.call('HDEL', K.lease_domain(), id)
  local n = tonumber(redis.call('HGET', K.deliveries(), id)) or 0
  if dom then redis.call('ZREM', K.inflight(dom), id) end
  if n >= MAX_DELIVERIES or not dom then
    dead_letter(id, 'lease_expired', n, DEAD_MAX)
  else
    redis.call('ZADD', K.queue(dom), -1e15, id)
    redis.call('ZADD', K.domains(), 'NX', 0, dom)
    redis.call('HINCRBY', K.stats(), 'queued', 1)
    redis.call('HINCRBY', K.stats(), 'redelivered', 1)
  end
end

-- a fair share of what is queued for each live worker of the job: at its start and end, one
-- worker's prefetch would otherwise take the little there is while the others idle
local queued = tonumber(redis.call('HGET', K.stats(), 'queued')) or 0
if queued < MAX_COUNT * redis.call('HLEN', K.job_workers()) then
  local alive = 0
  for _, raw in ipairs(redis.call('HVALS', K.job_workers())) do
    local ok, info = pcall(cjson.decode, raw)
    if ok and type(info) == 'table' and (tonumber(info.beat) or 0) * 1000 >= NOW - WORKER_TTL_MS then alive = alive + 1 end
  end
  MAX_COUNT = math.min(MAX_COUNT, math.max(1, math.ceil(queued / math.max(1, alive))))
end

local budget = -1
if max_pages > 0 then
  budget = math.max(0, max_pages - (tonumber(redis.call('HGET', K.stats(), 'leased_total')) or 0))
end
local out, wait, count = {'running', -1}, -1, 0
local function hint(ms) if wait < 0 or ms < wait then wait = ms end end

for _, dom in ipairs(redis.call('ZRANGE', K.domains(), 0, -1)) do
  if count >= MAX_COUNT or budget == 0 then break end
  local q, served = K.queue(dom), false
  while count < MAX_COUNT and budget ~= 0 and redis.call('ZCARD', q) > 0 do
    local pause = tonumber(redis.call('HGET', K.pauses(), dom)) or 0
    if pause > NOW then hint(pause - NOW); break end
    if conc > 0 and redis.call('ZCARD', K.inflight(dom)) >= conc then hint(25); break end
    if rate > 0 then
      local burst = math.max(1, rate / 10)
      local tb = redis.call('HMGET', K.bucket(dom), 'tokens', 'ts')
      local tokens = tonumber(tb[1]) or burst
      tokens = math.min(burst, tokens + (NOW - (tonumber(tb[2]) or NOW)) * rate / 1000)
      if tokens < 1 then
        redis.call('HSET', K.bucket(dom), 'tokens', tokens, 'ts', NOW)
        hint(math.ceil((1 - tokens) * 1000 / rate)); break
      end
      redis.call('HSET', K.bucket(dom), 'tokens', tokens - 1, 'ts', NOW)
    end
    local id = redis.call('ZPOPMIN', q)[1]
    local deadline = NOW + LEASE_MS
    redis.call('ZADD', K.leases(), deadline, id)
    redis.call('HSET', K.lease_domain(), id, dom)
    redis.call('ZADD', K.inflight(dom), deadline, id)
    if redis.call('HINCRBY', K.deliveries(), id, 1) == 1 then
      redis.call('HINCRBY', K.stats(), 'leased_total', 1)
      if budget > 0 then budget = budget - 1 end
    end
    redis.call('HINCRBY', K.stats(), 'queued', -1)
    out[#out + 1] = id
    out[#out + 1] = dom
    out[#out + 1] = redis.call('HGET', K.payloads(), id) or ''
    count, served = count + 1, true
  end
  if served then redis.call('ZADD', K.domains(), NOW, dom) end
end
if count == 0 then
  local state = maybe_finish()
  if state ~= 'running' then return {state, -1} end
  if wait < 0 and redis.call('ZCARD', K.leases()) > 0 then wait = -2 end  -- others busy: work may come
end
out[2] = wait
return out
"""

#: ARGV: prefix, job, lease ms, dead max, number of settlements S, then S triples (id, domain,
#: reason; '' = done), then ids of leases still held (deadline extended). Returns the job state.
SETTLE = r"""
local P, J = ARGV[1], ARGV[2]
""" + _PRELUDE + r"""
local LEASE_MS, DEAD_MAX, S = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local last = 5 + 3 * S
for i = 6, last, 3 do
  local id, dom, reason = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local held = redis.call('ZREM', K.leases(), id) == 1
  if not held and redis.call('ZREM', K.queue(dom), id) == 1 then
    held = true  -- its lease had expired and it was waiting for redelivery: done after all
    redis.call('HINCRBY', K.stats(), 'queued', -1)
  end
  if held then
    redis.call('HDEL', K.lease_domain(), id)
    redis.call('ZREM', K.inflight(dom), id)
    if reason == '' then
      forget(id)
      redis.call('HINCRBY', K.stats(), 'done', 1)
    else
      dead_letter(id, reason, tonumber(redis.call('HGET', K.deliveries(), id)) or 1, DEAD_MAX)
    end
  else
    redis.call('HINCRBY', K.stats(), 'late_acks', 1)
  end
end
local deadline = NOW + LEASE_MS
for i = last + 1, #ARGV do
  local id = ARGV[i]
  if redis.call('ZADD', K.leases(), 'XX', 'CH', deadline, id) == 1 then
    local dom = redis.call('HGET', K.lease_domain(), id)
    if dom then redis.call('ZADD', K.inflight(dom), 'XX', deadline, id) end
  end
end
return maybe_finish() or 'missing'
"""

#: ARGV: prefix, job, then pairs (id, domain): leases given back by a stopping worker.
RELEASE = r"""
local P, J = ARGV[1], ARGV[2]
""" + _PRELUDE + r"""
local n = 0
for i = 3, #ARGV, 2 do
  local id, dom = ARGV[i], ARGV[i + 1]
  if redis.call('ZREM', K.leases(), id) == 1 then
    redis.call('HDEL', K.lease_domain(), id)
    redis.call('ZREM', K.inflight(dom), id)
    redis.call('HINCRBY', K.deliveries(), id, -1)
    redis.call('ZADD', K.queue(dom), -1e15, id)
    redis.call('ZADD', K.domains(), 'NX', 0, dom)
    redis.call('HINCRBY', K.stats(), 'queued', 1)
    n = n + 1
  end
end
return n
"""

#: ARGV: prefix, job, new state ('cancelled'), reason. Returns 1 if the job was open.
CLOSE = r"""
local P, J = ARGV[1], ARGV[2]
""" + _PRELUDE + r"""
local state = redis.call('HGET', K.meta(), 'state')
if state ~= 'running' and state ~= 'seeding' then return 0 end
close_job(ARGV[3], ARGV[4])
return 1
"""

#: ARGV: prefix, job (unused), domain, pause ms. A domain's pause only ever grows.
PAUSE = r"""
local P, J = ARGV[1], ARGV[2]
""" + _PRELUDE + r"""
local until_ms = NOW + tonumber(ARGV[4])
local old = tonumber(redis.call('HGET', K.pauses(), ARGV[3])) or 0
if until_ms > old then redis.call('HSET', K.pauses(), ARGV[3], until_ms) end
return math.max(until_ms, old) - NOW
"""

#: ARGV: prefix, job (unused). Returns {domain, ms left, ...} for paused domains; drops expired ones.
PAUSES = r"""
local P, J = ARGV[1], ARGV[2]
""" + _PRELUDE + r"""
local out = {}
local raw = redis.call('HGETALL', K.pauses())
for i = 1, #raw, 2 do
  local left = tonumber(raw[i + 1]) - NOW
  if left > 0 then out[#out + 1] = raw[i]; out[#out + 1] = left
  else redis.call('HDEL', K.pauses(), raw[i]) end
end
return out
"""
