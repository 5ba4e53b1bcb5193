-- The basket journey for wrk (bench/basket.py runs it: docs/performance.md, "Basket journey").
--
--   wrk -tN -cN -s bench/basket.lua URL -- TOKENS PRODUCT PREFIX STEPS RUN
--
-- One journey is up to three requests in sequence, each sent once the previous one answered:
--   add      POST PREFIX basket/items/ {"product_id": PRODUCT, "quantity": 1}
--   confirm  POST PREFIX basket/confirm/ (Idempotency-Key), the basket becomes an order
--   pay      POST PREFIX orders/{id}/payments/ {"card_token": "tok_visa"} (Idempotency-Key)
-- STEPS names the steps walked, comma-separated, in that order ("add,confirm,pay", or
-- "add,confirm" for a variant that has no payment). TOKENS is a comma-separated list of API
-- tokens, one user per connection: each thread's connection has its own basket (thread i
-- uses token i). PREFIX is the variant's API root (/api/ or /bench/naive/).
--
-- As bench/journey.lua: one connection per thread, so a thread's state is its connection's
-- journey. A non-2xx answer ends the journey unfinished and the next request starts again
-- with `add` (the basket may still hold the line: a new add grows it; confirm takes it all).
-- Each step's latency is timed here (CLOCK_MONOTONIC through LuaJIT's ffi, from the request's
-- making to its answer) and kept per thread as a string (wrk copies only strings and numbers
-- between threads); done() prints per step: answers, 2xx, the time spent, p50 and p99,
-- and then each kind of non-2xx answer (step, status, the body's "error" code) with its count.

local ffi = require("ffi")
ffi.cdef([[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clock, bench_timespec *now);
]])
local clock = ffi.new("bench_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, clock) -- CLOCK_MONOTONIC
  return tonumber(clock.tv_sec) * 1000 + tonumber(clock.tv_nsec) / 1e6
end

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_id", #threads)
end

local token, product, prefix, run
local steps = {}
local at, order, keys, started = 1, nil, 0, 0
-- globals, which done() reads from each thread (wrk copies strings and numbers only):
-- journeys, step_names, and per step timing_<step> ("ms,ms,...", the 2xx answers) and
-- failed_<step> (the non-2xx answers)
journeys = 0
step_names = ""
refused = "" -- "step status code=count;..." of this thread's non-2xx answers
local refusals = {}

local function split(text)
  local out = {}
  for item in string.gmatch(text, "[^,]+") do
    table.insert(out, item)
  end
  return out
end

function init(args)
  local tokens = split(args[1])
  token = tokens[(thread_id - 1) % #tokens + 1]
  product, prefix, run = args[2], args[3], args[5]
  step_names = args[4]
  steps = split(step_names)
  for _, name in ipairs(steps) do
    _G["timing_" .. name] = ""
    _G["failed_" .. name] = 0
  end
end

local function post(path, body, idempotent)
  local headers = {}
  headers["Content-Type"] = "application/json"
  headers["Authorization"] = "Token " .. token
  if idempotent then
    keys = keys + 1
    headers["Idempotency-Key"] = "basket-" .. run .. "-" .. thread_id .. "-" .. keys
  end
  return wrk.format("POST", path, headers, body)
end

function request()
  local step = steps[at]
  started = now_ms()
  if step == "add" then
    return post(prefix .. "basket/items/", '{"product_id": ' .. product .. ', "quantity": 1}')
  elseif step == "confirm" then
    return post(prefix .. "basket/confirm/", nil, true)
  end
  return post(prefix .. "orders/" .. order .. "/payments/", '{"card_token": "tok_visa"}', true)
end

function response(status, headers, body)
  local took = now_ms() - started
  local step = steps[at]
  if status < 200 or status > 299 then
    _G["failed_" .. step] = _G["failed_" .. step] + 1
    local code = string.match(body or "", '"error"%s*:%s*"([^"]*)"') or "-"
    local kind = step .. " " .. status .. " " .. code
    refusals[kind] = (refusals[kind] or 0) + 1
    local parts = {}
    for name, count in pairs(refusals) do
      table.insert(parts, name .. "=" .. count)
    end
    refused = table.concat(parts, ";")
    at = 1
    return
  end
  _G["timing_" .. step] = _G["timing_" .. step] .. string.format("%.3f,", took)
  if step == "confirm" then
    order = string.match(body, '"id"%s*:%s*(%d+)')
    if not order then
      at = 1
      return
    end
  end
  if at == #steps then
    journeys = journeys + 1
    at = 1
  else
    at = at + 1
  end
end

local function percentile(sorted, p)
  if #sorted == 0 then
    return 0
  end
  return sorted[math.max(1, math.ceil(#sorted * p))]
end

function done(summary, latency, requests)
  local total = 0
  local steps_of_run = {}
  local per_step = {}
  local failed = {}
  for _, thread in ipairs(threads) do
    total = total + thread:get("journeys")
  end
  -- the step names: the threads' init saw the arguments, the main state did not
  local names_text = threads[1]:get("step_names")
  for _, name in ipairs(split(names_text)) do
    table.insert(steps_of_run, name)
    per_step[name] = {}
    failed[name] = 0
    for _, thread in ipairs(threads) do
      for ms in string.gmatch(thread:get("timing_" .. name) or "", "[^,]+") do
        table.insert(per_step[name], tonumber(ms))
      end
      failed[name] = failed[name] + (thread:get("failed_" .. name) or 0)
    end
  end
  io.write(string.format("Journeys: %d\n", total))
  local kinds = {}
  for _, thread in ipairs(threads) do
    for kind, count in string.gmatch(thread:get("refused") or "", "([^;=]+)=(%d+)") do
      kinds[kind] = (kinds[kind] or 0) + tonumber(count)
    end
  end
  for kind, count in pairs(kinds) do
    io.write(string.format("Refused %s %d\n", kind, count))
  end
  for _, name in ipairs(steps_of_run) do
    local times = per_step[name]
    table.sort(times)
    local busy = 0
    for _, ms in ipairs(times) do
      busy = busy + ms
    end
    io.write(
      string.format(
        "Step %s: ok %d failed %d busy_ms %.1f p50_ms %.3f p99_ms %.3f\n",
        name,
        #times,
        failed[name],
        busy,
        percentile(times, 0.5),
        percentile(times, 0.99)
      )
    )
  end
end
