-- The checkout journey for wrk (bench/run.py runs it: docs/performance.md, "Checkout journey").
--
--   wrk -tN -cN -s bench/journey.lua URL -- TOKEN PRODUCT ADDRESS METHOD PREFIX RUN
--
-- One journey is four requests in sequence, each sent once the previous one answered:
-- place an order of PRODUCT (Idempotency-Key), set its address ADDRESS, choose its shipping
-- METHOD, pay it with tok_visa (Idempotency-Key). PREFIX is the variant's orders URL
-- (/api/orders/ or /bench/floor/journey/orders/); the order's id comes from the first answer.
--
-- wrk's Lua calls do not say which connection a request or a response is for, only which
-- thread: so run it with as many threads as connections (one connection per thread), and
-- the thread's state is its connection's journey. A step answered with a non-2xx (or without
-- an order id) ends its journey unfinished and the next request starts a new one. done()
-- prints the journeys finished (the payment answered 2xx), summed over threads.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_id", #threads)
end

local token, product, address, method, prefix, run
local step, order, keys = 1, nil, 0
journeys = 0 -- global: done() reads it from each thread

function init(args)
  token, product, address, method, prefix, run = args[1], args[2], args[3], args[4], args[5], args[6]
end

local function post(path, body, idempotent)
  local headers = {}
  headers["Content-Type"] = "application/json"
  headers["Authorization"] = "Token " .. token
  if idempotent then
    keys = keys + 1
    headers["Idempotency-Key"] = "journey-" .. run .. "-" .. thread_id .. "-" .. keys
  end
  return wrk.format("POST", path, headers, body)
end

function request()
  if step == 1 then
    return post(prefix, '{"product_id": ' .. product .. ', "quantity": 1}', true)
  end
  local this = prefix .. order .. "/"
  if step == 2 then
    return post(this .. "address/", '{"address_id": ' .. address .. '}', false)
  elseif step == 3 then
    return post(this .. "shipping/", '{"shipping_method_id": ' .. method .. '}', false)
  end
  return post(this .. "payments/", '{"card_token": "tok_visa"}', true)
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    step = 1
    return
  end
  if step == 1 then
    order = string.match(body, '"id"%s*:%s*(%d+)')
    step = order and 2 or 1
  elseif step == 4 then
    journeys = journeys + 1
    step = 1
  else
    step = step + 1
  end
end

function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("journeys")
  end
  io.write(string.format("Journeys: %d\n", total))
end
