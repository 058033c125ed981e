-- wrk script: POST /v1/commands with a new complaint intake per request
-- (a new case each, so every request is decided and committed), as the
-- principal whose token is in DOCKET_TOKEN. Used by scripts/api_wrk.sh;
-- at the end it prints how many answers were not 200, per thread.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

function init(args)
  token = os.getenv("DOCKET_TOKEN")
  run = os.getenv("DOCKET_RUN") or "0"
  sent = 0
  failed = 0
end

function request()
  sent = sent + 1
  local id = string.format("WRK-%s-%d-%d", run, tid, sent)
  local body = string.format(
    '{"commandId":"%s-open","caseId":"%s","openCase":{"intake":{' ..
    '"channel":"CHANNEL_PHONE","category":"CATEGORY_LATE",' ..
    '"customer":{"id":"CUST-WRK-%d","name":"压测客户"},' ..
    '"shipment":{"waybill":"%s","originBranch":"GZ","destinationBranch":"ZHUHAI"},' ..
    '"handlingBranch":"ZHUHAI","description":"load check: parcel two days late"}}}',
    id, id, tid, id)
  return wrk.format("POST", "/v1/commands",
    {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}, body)
end

function response(status, headers, body)
  if status ~= 200 or not string.find(body, '"events"', 1, true) then
    failed = failed + 1
  end
end

function done(summary, latency, requests)
  local failed_total = 0
  for _, thread in ipairs(threads) do failed_total = failed_total + thread:get("failed") end
  io.write(string.format("answers not 200 with events: %d of %d\n", failed_total,
                         summary.requests))
  io.write(string.format("latency p50 %.2f ms, p99 %.2f ms\n", latency:percentile(50) / 1000,
                         latency:percentile(99) / 1000))
end
