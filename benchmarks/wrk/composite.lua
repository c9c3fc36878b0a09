-- wrk script of benchmarks/run-composite.sh. Environment:
--   CHAINS  a chain file, one "type:id permission p1>p2 perm1 perm2" a line: the resource, the
--           permission asked of the chain, the two principals, and the permission the schema's
--           composite requires of each;
--   MODE    "composite": each request POSTs the chain to /relata/v1/permissions/check;
--           "bulk": each request POSTs the two link questions (p1 perm1, p2 perm2) to
--           /v1/permissions/checkbulk, what a client asked before composite principals;
--   KEY     the bearer key (default bench); THREADS wrk's -t (default 2); LABEL the result's name.
-- Every request reads at minimizeLatency; each thread cycles through the file from its own offset.
-- At the end it prints RESULT|label|requests|rate|p50|p95|p99|max|errors| (milliseconds), as check.lua.

local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
end

local requests, position

local function object(text)
  local type_, id = text:match("^([^:]+):(.+)$")
  return string.format('{"objectType":"%s","objectId":"%s"}', type_, id)
end

function init(args)
  local headers = {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. (os.getenv("KEY") or "bench"),
  }
  local mode = os.getenv("MODE") or "composite"
  requests = {}
  for line in io.lines(os.getenv("CHAINS")) do
    local resource, permission, first, second, perm1, perm2 =
      line:match("^(%S+) (%S+) ([^>%s]+)>(%S+) (%S+) (%S+)$")
    if resource then
      if mode == "composite" then
        local body = string.format(
          '{"consistency":{"minimizeLatency":true},"resource":%s,"permission":"%s","principals":[{"object":%s},{"object":%s}]}',
          object(resource), permission, object(first), object(second))
        requests[#requests + 1] = wrk.format("POST", "/relata/v1/permissions/check", headers, body)
      else
        local body = string.format(
          '{"consistency":{"minimizeLatency":true},"items":[' ..
          '{"resource":%s,"permission":"%s","subject":{"object":%s}},' ..
          '{"resource":%s,"permission":"%s","subject":{"object":%s}}]}',
          object(resource), perm1, object(first), object(resource), perm2, object(second))
        requests[#requests + 1] = wrk.format("POST", "/v1/permissions/checkbulk", headers, body)
      end
    end
  end
  local threads = tonumber(os.getenv("THREADS") or "2")
  position = math.floor(#requests * (id or 0) / threads)
end

function request()
  position = position % #requests + 1
  return requests[position]
end

function done(summary, latency, _)
  local e = summary.errors
  local errors = e.connect + e.read + e.write + e.status + e.timeout
  local seconds = summary.duration / 1e6
  io.write(string.format("RESULT|%s|%d|%.0f|%.2f|%.2f|%.2f|%.2f|%d|\n", os.getenv("LABEL") or os.getenv("MODE"),
    summary.requests, summary.requests / seconds, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, errors))
end
