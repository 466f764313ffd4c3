-- wrk script: every request signs the demo letter with a new address.
-- CATEGORY (env) is a category id of the letter; SIGN_DISPLAY the display level (private).
local counter = 0
local thread_id = 0
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  thread_id = id
  category = os.getenv("CATEGORY") or "2"
  run = os.getenv("RUN") or "0"
  display = os.getenv("SIGN_DISPLAY") or "private"
end

function request()
  counter = counter + 1
  local body = "name=Load+Tester&email=load-" .. run .. "-" .. thread_id .. "-" .. counter ..
    "%40example.org&category=" .. category .. "&display=" .. display
  return wrk.format("POST", "/l/demo/sign",
    { ["Content-Type"] = "application/x-www-form-urlencoded" }, body)
end

function done(summary, latency, requests)
  io.write(string.format("RESULT requests=%d errors_status=%d rps=%.1f p50_ms=%.2f p99_ms=%.2f\n",
    summary.requests, summary.errors.status, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
