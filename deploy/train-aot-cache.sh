#!/usr/bin/env bash
# Writes the JDK's AOT class cache for the image (JEP 483/514, JDK 25): one training run of the node
# on the demo models, a few requests through REST, then a stop; the JVM writes the cache as it exits.
# A node started with -XX:AOTCache=OUTPUT then finds its classes loaded and linked already
# (bin/bench scenarios, scenario 9, measures the difference). Only bash: the build image may have
# no curl, so requests go through bash's /dev/tcp.
#   deploy/train-aot-cache.sh JAVA APP_DIR MODEL_REPOSITORY OUTPUT
set -euo pipefail
[ $# -eq 4 ] || { echo "usage: $0 JAVA APP_DIR MODEL_REPOSITORY OUTPUT" >&2; exit 2; }
java="$1" app="$2" models="$3" output="$4"
# The first loopback port from $1 that nothing listens on.
free_port() {
  local port="$1"
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
    port=$((port + 1))
  done
  echo "$port"
}
port="$(free_port 18990)"
grpc_port="$(free_port $((port + 1)))"
log="$(mktemp)"
pid=""
# whatever happens, no training node is left behind
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -f "$log"' EXIT

# The image's jars carry no ONNX Runtime natives when keep-ort-platform.sh unpacked them into APP_DIR/native.
native_path=()
[ -d "$app/native" ] && native_path=(-Donnxruntime.native.path="$app/native")
"$java" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow "${native_path[@]}" \
  -Djava.util.logging.manager=dev.lanes.server.log.ShutdownLogManager -XX:AOTCacheOutput="$output" \
  -jar "$app/lanes-server.jar" serve --host 127.0.0.1 --port "$port" --grpc-port "$grpc_port" \
  --model-repository "$models" --set lanes.server.drain-grace=PT0S >"$log" 2>&1 &
pid=$!

# One HTTP/1.1 exchange on a fresh connection; prints the status code.
request() {
  local method="$1" path="$2" body="${3:-}" status
  exec 3<>"/dev/tcp/127.0.0.1/$port" || return 1
  printf '%s %s HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s' \
    "$method" "$path" "${#body}" "$body" >&3
  read -r _ status _ <&3 || status=""
  exec 3<&- 3>&-
  echo "$status"
}

for _ in $(seq 600); do
  kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; echo "train-aot-cache: the node exited" >&2; exit 1; }
  [ "$(request GET /v2/health/ready 2>/dev/null)" = "200" ] && break
  sleep 0.1
done
[ "$(request GET /v2/health/ready)" = "200" ] || { cat "$log" >&2; echo "train-aot-cache: not ready" >&2; exit 1; }
for _ in $(seq 20); do
  status="$(request POST /v2/models/affine/infer \
    '{"inputs":[{"name":"x","shape":[1,4],"datatype":"FP32","data":[1,2,3,4]}]}')" || status="no answer"
  [ "$status" = "200" ] || { cat "$log" >&2; echo "train-aot-cache: inference answered $status" >&2; exit 1; }
  request GET /v2/models/affine >/dev/null
  request GET /metrics >/dev/null
done
kill -TERM "$pid"
wait "$pid" || true
pid=""
[ -s "$output" ] || { cat "$log" >&2; echo "train-aot-cache: no cache written to $output" >&2; exit 1; }
echo "train-aot-cache: wrote $output ($(du -h "$output" | cut -f1))"
