-- wrk script for scripts/bench/api. One request shape per run, given after `--`:
--   wrk ... -s api.lua URL -- OPERATION 'JSON BODY'   ECS JSON 1.1 call (POST /)
--   wrk ... -s api.lua URL -- GET                     plain GET of URL (the nginx baseline)
-- done() prints one `wrk-result:` line that the bash side parses.

-- A fixed, signed-looking header: ecsbox takes the region from the credential scope, and real
-- clients always send one, so the benchmark pays for parsing it as real traffic does.
local authorization = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/ecs/aws4_request, "
  .. "SignedHeaders=host;x-amz-date, "
  .. "Signature=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

-- Runs once per thread. Setting wrk.method/body/headers here (and defining no request()) lets
-- wrk format the request once and reuse it, so the Lua side costs nothing per request.
function init(args)
  local op = args[1] or "GET"
  if op == "GET" then
    wrk.method = "GET"
    return
  end
  wrk.method = "POST"
  wrk.body = args[2] or "{}"
  wrk.headers["Content-Type"] = "application/x-amz-json-1.1"
  wrk.headers["X-Amz-Target"] = "AmazonEC2ContainerServiceV20141113." .. op
  wrk.headers["X-Amz-Date"] = "20260101T000000Z"
  wrk.headers["Authorization"] = authorization
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    "wrk-result: requests=%d rps=%.1f p50_ms=%.3f p99_ms=%.3f http_errors=%d socket_errors=%d\n",
    summary.requests, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    e.status, e.connect + e.read + e.write + e.timeout))
end
