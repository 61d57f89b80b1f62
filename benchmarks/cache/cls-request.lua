-- wrk script: PaddleOCR cls requests (1x3x48x192 FP32) over the binary tensor extension.
-- DISTINCT=1 makes every request's input unique (cache misses); otherwise all are identical (hits).
local header = '{"inputs":[{"name":"x","shape":[1,3,48,192],"datatype":"FP32",' ..
  '"parameters":{"binary_data_size":110592}}],"parameters":{"binary_data_output":true}}'
local rest = string.rep("\0", 110592 - 4)
local distinct = os.getenv("DISTINCT") == "1"
local counter = 0

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/octet-stream"
wrk.headers["Inference-Header-Content-Length"] = tostring(#header)
wrk.body = header .. "\0\0\0\63" .. rest

local function le32(n)
  return string.char(n % 256, math.floor(n / 256) % 256, math.floor(n / 65536) % 256, 63)
end

request = function()
  if not distinct then
    return wrk.format()
  end
  counter = counter + 1
  return wrk.format(nil, nil, nil, header .. le32(counter) .. rest)
end

done = function(summary, latency, requests)
  io.write(string.format("RESULT requests=%d seconds=%.2f errors=%d status_errors=%d p50_ms=%.2f p99_ms=%.2f\n",
    summary.requests, summary.duration / 1e6,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
