-- wrk script for bench/run: runs the wrk script named by SCRIPT (if any) and counts the
-- answers with status ACK_STATUS (default 303: a signature acknowledged), so that the run can
-- be checked against the database afterwards. Prints one RESULT line.
local script = os.getenv("SCRIPT")
if script and script ~= "" then dofile(script) end

local inner_setup = setup
local threads = {}
function setup(thread)
  table.insert(threads, thread)
  if inner_setup then inner_setup(thread) end
end

local ack = tonumber(os.getenv("ACK_STATUS") or "303")
acked = 0
other = 0
function response(status, headers, body)
  if status == ack then acked = acked + 1 else other = other + 1 end
end

function done(summary, latency, requests)
  local a, o = 0, 0
  for _, thread in ipairs(threads) do
    a = a + thread:get("acked")
    o = o + thread:get("other")
  end
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d acked=%d other=%d errors=%d seconds=%.3f p50_ms=%.2f p99_ms=%.2f\n",
    summary.requests, a, o, e.connect + e.read + e.write + e.timeout,
    summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
