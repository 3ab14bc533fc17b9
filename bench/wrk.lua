-- wrk script of the benchmark: walks a file of pre-built requests, each sent once, in order.
--
--   WRK_REQUESTS=file WRK_METHOD=POST WRK_CONTENT_TYPE=application/x-www-form-urlencoded \
--     wrk -t1 -c50 -d10s -s bench/wrk.lua http://127.0.0.1:PORT
--
-- Each line of the file is a path (with its query), or a path, a tab and a body. When the file
-- runs out the script starts over and counts it (`wrapped`): a signed request sent twice is a
-- replay, which the benchmark then sees as a reply that is not a success. Nothing is read from the
-- replies here (a Lua response callback costs wrk as much as a small server): the benchmark checks
-- them against the server's own metrics. `done` prints one JSON line starting with WRK_RESULT.

local requests = {}
local n = 0
local i = 0
sent = 0
wrapped = 0

function init(args)
  local file = os.getenv("WRK_REQUESTS")
  local method = os.getenv("WRK_METHOD") or "GET"
  local contentType = os.getenv("WRK_CONTENT_TYPE")
  local headers = {}
  if contentType and contentType ~= "" then headers["Content-Type"] = contentType end
  for line in io.lines(file) do
    if line ~= "" then
      local tab = string.find(line, "\t", 1, true)
      local path, body = line, nil
      if tab then
        path = string.sub(line, 1, tab - 1)
        body = string.sub(line, tab + 1)
      end
      n = n + 1
      requests[n] = wrk.format(method, path, headers, body)
    end
  end
  if n == 0 then error("no requests in " .. tostring(file)) end
end

function request()
  i = i + 1
  if i > n then
    i = 1
    wrapped = wrapped + 1
  end
  sent = sent + 1
  return requests[i]
end

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function done(summary, latency, requests)
  local s, w = 0, 0
  for _, t in ipairs(threads) do
    s = s + t:get("sent")
    w = w + t:get("wrapped")
  end
  local e = summary.errors
  io.write(string.format(
    'WRK_RESULT {"sent":%d,"wrapped":%d,"completed":%d,"durationUs":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latencyUs":{"p50":%d,"p90":%d,"p99":%d,"max":%d,"mean":%.1f}}\n',
    s, w, summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
