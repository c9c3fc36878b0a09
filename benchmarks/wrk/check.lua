-- wrk script of benchmarks/run-grpc.sh. Environment:
--   CHECKS   a check file (one "type:id permission type:id" a line; see GrpcSetup): each
--            request POSTs the next check of the file to /v1/permissions/check at
--            minimizeLatency with the bearer key, each thread cycling from its own offset
--            (thread i of THREADS starts at i/THREADS of the file). Without CHECKS: GET /healthz.
--   KEY      the bearer key (default bench); THREADS wrk's -t (default 2); LABEL the result's name.
-- At the end it prints RESULT|label|requests|rate|p50|p95|p99|max|errors| (milliseconds), the
-- line GrpcLoad prints too; errors are socket errors, timeouts and non-2xx answers.

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
  local file = os.getenv("CHECKS")
  requests = {}
  if file == nil or file == "" then
    requests[1] = wrk.format("GET", "/healthz")
  else
    local headers = {
      ["Content-Type"] = "application/json",
      ["Authorization"] = "Bearer " .. (os.getenv("KEY") or "bench"),
    }
    for line in io.lines(file) do
      local resource, permission, subject = line:match("^(%S+) (%S+) (%S+)$")
      if resource then
        local body = string.format(
          '{"consistency":{"minimizeLatency":true},"resource":%s,"permission":"%s","subject":{"object":%s}}',
          object(resource), permission, object(subject))
        requests[#requests + 1] = wrk.format("POST", "/v1/permissions/check", headers, body)
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
  io.write(string.format("RESULT|%s|%d|%.0f|%.2f|%.2f|%.2f|%.2f|%d|\n", os.getenv("LABEL") or "http",
    summary.requests, summary.requests / seconds, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, errors))
end
