#!/usr/bin/env bash
# Cache hit against miss on PaddleOCR's cls model (110 KB REST binary requests), with the local
# cache and with Redis, side by side in one run: wrk (1 thread, 64 connections) against a Lanes
# node started with bin/lanes. Prints a Markdown table.
#   benchmarks/cache/run.sh [SECONDS] [CONNECTIONS]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
seconds="${1:-10}"
connections="${2:-64}"
command -v wrk >/dev/null || { echo "needs wrk (apt-get install -y wrk)" >&2; exit 1; }
command -v redis-server >/dev/null || { echo "needs redis-server (apt-get install -y redis-server)" >&2; exit 1; }

"$root/bin/fetch-models" >/dev/null
"$root/bin/lanes" build
work="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir -p "$work/repo/cls/1"
cp "$root/.models/paddle_cls.onnx" "$work/repo/cls/1/model.onnx"
cat > "$work/repo/cls/config.pbtxt" <<'PBTXT'
max_batch_size: 8
dynamic_batching { default_queue_policy { max_queue_size: 4096 } }
instance_group [ { count: 2 kind: KIND_CPU } ]
parameters { key: "intra_op_thread_count" value: { string_value: "1" } }
response_cache { enable: true }
PBTXT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
redis_port="$(free_port)"
redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --dir "$work" > "$work/redis.log" 2>&1 &

measure() { # backend → "miss_rate hit_rate miss_p50 hit_p50"
  local backend="$1" port log
  port="$(free_port)"
  log="$work/lanes-$backend.log"
  local extra=()
  [ "$backend" = redis ] && extra=(--redis "redis://127.0.0.1:$redis_port")
  "$root/bin/lanes" serve --model-repository "$work/repo" --host 127.0.0.1 --port "$port" \
    --cache "$backend" "${extra[@]}" > "$log" 2>&1 &
  local pid=$!
  until grep -q "Lanes listening" "$log"; do sleep 0.2; done
  local url="http://127.0.0.1:$port/v2/models/cls/infer"
  DISTINCT=1 wrk -t1 -c"$connections" -d2s -s "$root/benchmarks/cache/cls-request.lua" "$url" > /dev/null
  local miss hit
  miss="$(DISTINCT=1 wrk -t1 -c"$connections" -d"${seconds}s" -s "$root/benchmarks/cache/cls-request.lua" "$url" | grep RESULT)"
  wrk -t1 -c"$connections" -d2s -s "$root/benchmarks/cache/cls-request.lua" "$url" > /dev/null
  hit="$(wrk -t1 -c"$connections" -d"${seconds}s" -s "$root/benchmarks/cache/cls-request.lua" "$url" | grep RESULT)"
  kill "$pid"; wait "$pid" 2>/dev/null || true
  echo "$backend $miss | $hit"
}

echo "| cache | miss req/s | hit req/s | hit ÷ miss | miss p50 ms | hit p50 ms | errors |"
echo "|---|---|---|---|---|---|---|"
for backend in local redis; do
  measure "$backend" | awk -v b="$backend" '{
    for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1] "_" (i > 8 ? "hit" : "miss")] = kv[2] }
    mr = v["requests_miss"] / v["seconds_miss"]; hr = v["requests_hit"] / v["seconds_hit"];
    printf "| %s | %.0f | %.0f | %.2f | %s | %s | %d |\n", b, mr, hr, hr / mr, v["p50_ms_miss"], v["p50_ms_hit"],
      v["errors_miss"] + v["status_errors_miss"] + v["errors_hit"] + v["status_errors_hit"] }'
done
