-- Order placements for wrk (bench/load.py runs it: docs/performance.md, "Load").
--
--   wrk -tT -cC -s bench/load.lua URL -- TOKENS_FILE PRODUCTS QUOTA DONE_PREFIX
--
-- Each request places an order of one unit of one of PRODUCTS (comma-separated ids), as one
-- of the users whose tokens TOKENS_FILE holds (one a line), both taken in turn. Each thread
-- stops once QUOTA of its requests have been answered and says so by creating the file
-- DONE_PREFIX<thread number>: wrk itself runs for its whole duration, so the caller stops it
-- (SIGINT) once every thread is done. done() prints the answers per status and the latency
-- percentiles.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_id", #threads)
end

local tokens, products, quota, done_prefix = {}, {}, 0, ""
local sent, answered = 0, 0
statuses = {} -- global: done() reads it from each thread

function init(args)
  for line in io.lines(args[1]) do
    table.insert(tokens, line)
  end
  for id in string.gmatch(args[2], "%d+") do
    table.insert(products, id)
  end
  quota = tonumber(args[3])
  done_prefix = args[4]
end

function request()
  sent = sent + 1
  local headers = {}
  headers["Content-Type"] = "application/json"
  headers["Authorization"] = "Token " .. tokens[(sent * 7 + thread_id) % #tokens + 1]
  local body = '{"product_id": ' .. products[sent % #products + 1] .. ', "quantity": 1}'
  return wrk.format("POST", "/api/orders/", headers, body)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  answered = answered + 1
  if answered == quota then
    local file = io.open(done_prefix .. thread_id, "w")
    file:close()
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      total[status] = (total[status] or 0) + count
    end
  end
  for status, count in pairs(total) do
    io.write(string.format("status %d %d\n", status, count))
  end
  io.write(string.format("p50_us %d\n", latency:percentile(50)))
  io.write(string.format("p99_us %d\n", latency:percentile(99)))
  io.write(string.format("errors %d\n", summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout))
end
