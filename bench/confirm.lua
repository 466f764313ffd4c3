-- wrk script: every request confirms one signature, by POSTing a link from the file LINKS
-- (one path a line, /confirm/TOKEN); thread k of THREADS takes lines k, k+THREADS, ...
-- When a thread runs out of links it stops sending (wrk then counts no more requests).
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  local n = tonumber(os.getenv("THREADS") or "2")
  links = {}
  local i = 0
  for line in io.lines(os.getenv("LINKS")) do
    if i % n == id then table.insert(links, line) end
    i = i + 1
  end
  origin = os.getenv("ORIGIN")
  nxt = 0
end

function request()
  nxt = nxt + 1
  local path = links[nxt]
  if path == nil then
    wrk.thread:stop()
    path = links[#links]
  end
  return wrk.format("POST", path, { ["Origin"] = origin,
    ["Content-Type"] = "application/x-www-form-urlencoded" }, "")
end

function done(summary, latency, requests)
  io.write(string.format("RESULT requests=%d errors_status=%d rps=%.1f p50_ms=%.2f p99_ms=%.2f\n",
    summary.requests, summary.errors.status, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
