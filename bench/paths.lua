-- wrk script for bench/run: GETs PATH_FORMAT (a string.format pattern with one %d) with a
-- random number from FROM to TO (inclusive) each request: a deep page (?before=N) or a proof
-- (?index=N) anywhere in a large log, not one cached URL.
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

function init(args)
  format = os.getenv("PATH_FORMAT")
  from = tonumber(os.getenv("FROM") or "0")
  to = tonumber(os.getenv("TO") or "0")
  math.randomseed(os.time() * 100 + tid)
end

function request()
  return wrk.format("GET", string.format(format, math.random(from, to)))
end
