#!/usr/bin/env bash
# seek serve seen through curl: raw SSE framing (every event "data: ...\n\n", last
# "data: [DONE]"), greedy /v1/completions == `seek run`, JSON errors with 4xx statuses, and a
# clean exit on SIGTERM. Usage: server_curl.sh SEEK MODEL.gguf
set -euo pipefail
SEEK=$1
MODEL=$2
tmp=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; rm -rf "$tmp"' EXIT
fail() { echo "server_curl FAILED: $*" >&2; exit 1; }

"$SEEK" serve -m "$MODEL" --port 0 -t 2 -c 512 --parallel 2 >"$tmp/out" 2>"$tmp/err" &
pid=$!
for _ in $(seq 1 200); do
  grep -q "listening on" "$tmp/out" 2>/dev/null && break
  kill -0 $pid 2>/dev/null || fail "seek serve exited: $(cat "$tmp/err")"
  sleep 0.05
done
url=$(grep -o 'http://[^ ]*' "$tmp/out" | head -1)
[ -n "$url" ] || fail "no listening line"

# Greedy text completion equals seek run's output.
expected=$("$SEEK" run -m "$MODEL" -p "Once upon a time" -n 20 -q -t 2)
got=$(curl -sf "$url/v1/completions" -H 'Content-Type: application/json' \
  -d '{"prompt": "Once upon a time", "max_tokens": 20, "temperature": 0}' |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["choices"][0]["text"])')
[ "$got" = "$expected" ] || fail "completion '$got' != seek run '$expected'"

# Raw SSE framing of a streamed chat.
curl -sfN "$url/v1/chat/completions" -H 'Content-Type: application/json' \
  -d '{"messages": [{"role": "user", "content": "Tell a story"}], "max_tokens": 12, "temperature": 0, "stream": true}' \
  >"$tmp/sse"
python3 - "$tmp/sse" <<'PY' || fail "bad SSE stream: $(head -c 400 "$tmp/sse")"
import json, sys
raw = open(sys.argv[1], encoding="utf-8").read()
assert raw.endswith("data: [DONE]\n\n"), "ends with [DONE]"
events = raw.split("\n\n")[:-1]
assert all(e.startswith("data: ") and "\n" not in e for e in events), "one data line per event"
chunks = [json.loads(e[6:]) for e in events[:-1]]
assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
assert all(c["object"] == "chat.completion.chunk" for c in chunks)
assert chunks[-1]["choices"][0]["finish_reason"] in ("stop", "length")
assert len({c["id"] for c in chunks}) == 1
PY

# Errors: status and the OpenAI error object.
code=$(curl -s -o "$tmp/e1" -w '%{http_code}' "$url/v1/chat/completions" -H 'Content-Type: application/json' -d '{"messages": ')
[ "$code" = 400 ] || fail "malformed JSON gave $code"
python3 -c 'import json,sys; e=json.load(open(sys.argv[1]))["error"]; assert e["type"]=="invalid_request_error" and e["message"]' "$tmp/e1" ||
  fail "error body $(cat "$tmp/e1")"
code=$(curl -s -o "$tmp/e2" -w '%{http_code}' "$url/v1/chat/completions" -H 'Content-Type: application/json' \
  -d '{"messages": [{"role": "user", "content": "hi"}], "max_tokens": -5}')
[ "$code" = 400 ] || fail "negative max_tokens gave $code"
grep -q '"param":"max_tokens"' "$tmp/e2" || fail "param not named: $(cat "$tmp/e2")"
code=$(curl -s -o /dev/null -w '%{http_code}' -X DELETE "$url/v1/models")
[ "$code" = 404 ] || [ "$code" = 405 ] || fail "DELETE gave $code"
curl -sf "$url/health" | grep -q '"status":"ok"' || fail "/health after errors"
curl -sf "$url/metrics" | grep -q '^seek_requests_total 2$' || fail "metrics: $(curl -s "$url/metrics" | head -5)"

kill -TERM $pid
wait $pid || fail "seek serve exited with $? on SIGTERM"
echo "server_curl: all checks passed"
