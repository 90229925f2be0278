-- wrk script: cycle through the paths in a file (args[1]); with args[2] == "miss", add a
-- unique query string so that no request can be served from the page cache.
-- done() prints one JSON line that bench/pages.py reads.
local paths, index, miss = {}, 0, false

function init(args)
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
  miss = args[2] == "miss"
  math.randomseed(math.floor(os.clock() * 1e9) % 2147483647)
  index = math.random(0, #paths - 1)
end

function request()
  index = index % #paths + 1
  local path = paths[index]
  if miss then path = path .. "?bench=" .. math.random(1, 2147483647) end
  return wrk.format("GET", path)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'JSON{"requests":%d,"duration_us":%d,"bytes":%d,"connect":%d,"read":%d,"write":%d,' ..
    '"status":%d,"timeout":%d,"p50_us":%d,"p99_us":%d}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write,
    e.status, e.timeout, latency:percentile(50), latency:percentile(99)))
end
