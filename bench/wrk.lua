-- wrk script for bench/run.py: one endpoint per run, set through environment variables.
--
--   BENCH_METHOD, BENCH_PATH   the request (GET or POST)
--   BENCH_COOKIE               the Cookie header (session and CSRF cookies)
--   BENCH_CSRF                 the X-CSRFToken header, for POSTs
--   BENCH_HTMX=1               send HX-Request, as the player's htmx does
--   BENCH_BODY                 the form body of a plain POST
--   BENCH_SLOTS                a Lua file of {path, sessionid, body} for the log-a-set POST:
--                              each request logs the next unlogged set with a fresh client_token
--   BENCH_SEED                 seeds the token generator (each thread adds its own number)
--
-- done() prints one JSON line (BENCH_RESULT=...) with the numbers run.py needs.

local method = os.getenv("BENCH_METHOD") or "GET"
local path = os.getenv("BENCH_PATH") or "/"
local cookie = os.getenv("BENCH_COOKIE") or ""
local csrf = os.getenv("BENCH_CSRF") or ""
local htmx = os.getenv("BENCH_HTMX") == "1"
local body = os.getenv("BENCH_BODY")
local slots_file = os.getenv("BENCH_SLOTS")
local seed = tonumber(os.getenv("BENCH_SEED") or "1")

local threads = {}
local thread_count = 0

function setup(thread)
  thread:set("thread_number", thread_count)
  thread_count = thread_count + 1
  table.insert(threads, thread)
end

-- Per thread from here on (each wrk thread has its own Lua state).
local slots, next_slot, step, csrf_cookie
statuses = {}
exhausted = 0

local function uuid4()
  local function hex(n)
    local out = {}
    for i = 1, n do out[i] = string.format("%x", math.random(0, 15)) end
    return table.concat(out)
  end
  local variant = string.format("%x", math.random(8, 11))
  return hex(8) .. "-" .. hex(4) .. "-4" .. hex(3) .. "-" .. variant .. hex(3) .. "-" .. hex(12)
end

local function headers_for(session_cookie)
  local headers = {}
  if session_cookie then
    headers["Cookie"] = "sessionid=" .. session_cookie .. "; " .. csrf_cookie
  elseif cookie ~= "" then
    headers["Cookie"] = cookie
  end
  if method == "POST" then
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    headers["X-CSRFToken"] = csrf
  end
  if htmx then headers["HX-Request"] = "true" end
  return headers
end

function init(args)
  local threads_total = tonumber(os.getenv("BENCH_THREADS") or "1")
  math.randomseed(seed * 1000 + thread_number * 7919)
  -- Throw away the first draws: LuaJIT's generator starts correlated for nearby seeds.
  for _ = 1, 100 do math.random() end
  csrf_cookie = "csrftoken=" .. csrf
  if slots_file then
    slots = dofile(slots_file)
    next_slot = thread_number + 1
    step = threads_total
  end
end

function request()
  if slots then
    local slot = slots[next_slot]
    if slot == nil then
      -- Out of fresh sets: repeat one (the server answers it with an error, counted below).
      exhausted = exhausted + 1
      slot = slots[thread_number + 1]
    else
      next_slot = next_slot + step
    end
    local form = slot[3] .. "&client_token=" .. uuid4()
    return wrk.format("POST", slot[1], headers_for(slot[2]), form)
  end
  return wrk.format(method, path, headers_for(nil), body)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local counts = {}
  local exhausted_total = 0
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do
      counts[status] = (counts[status] or 0) + n
    end
    exhausted_total = exhausted_total + thread:get("exhausted")
  end
  local parts = {}
  for status, n in pairs(counts) do
    table.insert(parts, string.format('"%d": %d', status, n))
  end
  local errors = summary.errors
  io.write(string.format(
    'BENCH_RESULT={"requests": %d, "duration_us": %d, "bytes": %d, '
      .. '"p50_us": %d, "p90_us": %d, "p99_us": %d, "mean_us": %.1f, "max_us": %d, '
      .. '"connect_errors": %d, "read_errors": %d, "write_errors": %d, "timeouts": %d, '
      .. '"exhausted": %d, "statuses": {%s}}\n',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.mean,
    latency.max, errors.connect, errors.read, errors.write, errors.timeout,
    exhausted_total, table.concat(parts, ", ")))
end
