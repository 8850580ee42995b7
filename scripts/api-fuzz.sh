#!/usr/bin/env bash
# Property-based API test: schemathesis (PyPI) generates requests from the host's
# own OpenAPI document and checks every answer: no 5xx, and each response matches
# the documented schema. Runs against the host with the product plugins and the
# sandbox (`make plugins` first).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v schemathesis >/dev/null || python3 -m pip install --quiet schemathesis
work=$(mktemp -d)
host_pid=""
trap 'kill "$host_pid" 2>/dev/null || true; rm -rf "$work"' EXIT
sed -e "s|^plugin_dir = .*|plugin_dir = \"$PWD/plugins/dist\"|" -e "s|^cache_dir = .*|cache_dir = \"$PWD/target/api-fuzz-cache\"|" \
  plugins.toml > "$work/plugins.toml"
port=${API_FUZZ_PORT:-18012}
cargo build -q -p daniel
target/debug/daniel serve --addr "127.0.0.1:$port" --config "$work/plugins.toml" > "$work/host.log" 2>&1 &
host_pid=$!
for _ in $(seq 1 150); do
  curl -sf "http://127.0.0.1:$port/ready" >/dev/null && break
  sleep 0.2
done
curl -sf "http://127.0.0.1:$port/ready" >/dev/null || { cat "$work/host.log"; echo "host did not become ready"; exit 1; }
# Checks: no server errors, documented status codes, bodies and content types.
# (Its "N passed, N failed" tally is filtered out so CI's reading of test results
# is left to the test runner that follows.)
set +e
schemathesis run "http://127.0.0.1:$port/openapi.json" \
  --checks not_a_server_error,status_code_conformance,response_schema_conformance,content_type_conformance \
  --max-examples "${API_FUZZ_EXAMPLES:-60}" --workers 2 --request-timeout 20 --no-color > "$work/st.log" 2>&1
status=$?
set -e
grep -vE '[0-9]+ passed, [0-9]+ failed' "$work/st.log" || true
if [ $status -ne 0 ]; then
  tail -50 "$work/host.log"
  exit $status
fi
