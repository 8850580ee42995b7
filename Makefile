# Daniel: build, run and test. `make run` and `make test` are the two set-up
# commands of the README; both work on a fresh machine with only rustup and cargo.

CARGO ?= cargo
WASM_TARGET := wasm32-wasip2
ARTIFACTS := target/$(WASM_TARGET)/plugin
# Product plugins copied into plugins/dist (the folder plugins.toml points at).
PRODUCT_PLUGINS := crm:crm sales:sales projects:projects tasks:tasks users:users search:search whatsapp:whatsapp
# Crates that are not plugins (they never build for wasm).
HOST_CRATES := --exclude daniel --exclude daniel-odoo --exclude daniel-odoo-sandbox

.PHONY: run deps plugins test e2e lint bench conformance api-fuzz wasm-target tools

## Build everything and start the host on its embedded defaults (sandbox Odoo).
run: plugins deps
	$(CARGO) run -p daniel -- serve

## The offline agent's voice (espeak-ng), its ears (pocketsphinx with the English
## model) and the page's pinned livekit-client. All are optional at run time: without
## espeak-ng the offline agent answers with a tone, without pocketsphinx it asks for
## spoken turns to be typed, and livekit-client is only used with a real avatar provider.
SPEECH_PACKAGES := espeak-ng pocketsphinx pocketsphinx-en-us
deps:
	@dpkg -s $(SPEECH_PACKAGES) >/dev/null 2>&1 \
		|| (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SPEECH_PACKAGES) >/dev/null) \
		|| echo "note: $(SPEECH_PACKAGES) not all installed; the offline agent will hum or ask for typing"
	@[ -f frontend/vendor/livekit-client/livekit-client.esm.mjs ] || (cd frontend && npm ci --silent && npm run -s vendor) \
		|| echo "note: livekit-client not installed; needed only with a real avatar provider"

## Run every test: unit, integration (fixture plugins over MCP), plugin SDK, the
## page's own helpers (Node), and the PostgreSQL job store against a local server (installed and started when
## possible; its tests say they were skipped otherwise).
test: plugins tools deps
	@if [ -z "$$DANIEL_TEST_POSTGRES_URL" ]; then \
		pg=$$(scripts/test-postgres.sh) && eval "$$pg" || echo "note: no PostgreSQL; its job-store tests will be skipped"; \
	fi; \
	DANIEL_PLUGIN_ARTIFACTS=$(CURDIR)/$(ARTIFACTS) $(CARGO) nextest run --workspace --no-fail-fast
	node --test frontend/test/

## The avatar page in headless Chromium against the host in offline mode: fake
## microphone in, spoken answer out, a quotation created through a tool call.
## Installs Debian's chromium when CHROMIUM (default /usr/bin/chromium) is missing.
CHROMIUM ?= /usr/bin/chromium
e2e: plugins deps
	@[ -x "$(CHROMIUM)" ] || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)
	@[ -d frontend/node_modules/playwright-core ] || (cd frontend && npm ci --silent)
	$(CARGO) build -p daniel
	CHROMIUM=$(CHROMIUM) DANIEL_BIN=$(CURDIR)/target/debug/daniel node --test --test-reporter=spec frontend/e2e/

wasm-target:
	@rustup target list --installed | grep -qx $(WASM_TARGET) || rustup target add $(WASM_TARGET)

tools:
	@command -v cargo-nextest >/dev/null || $(CARGO) install cargo-nextest --locked

## Build every plugin component and install the product ones into plugins/dist.
plugins: wasm-target
	$(CARGO) build --profile plugin --target $(WASM_TARGET) --workspace $(HOST_CRATES)
	@mkdir -p plugins/dist
	@for p in $(PRODUCT_PLUGINS); do \
		src=$${p%%:*}; dst=$${p##*:}; \
		cp $(ARTIFACTS)/$$src.wasm plugins/dist/.$$dst.wasm.tmp && mv plugins/dist/.$$dst.wasm.tmp plugins/dist/$$dst.wasm; \
	done

lint:
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

## The official MCP conformance suite, gated by conformance/*.yml baselines.
conformance: plugins
	scripts/conformance.sh

## schemathesis against the OpenAPI document: no 5xx, no schema violation.
api-fuzz: plugins
	scripts/api-fuzz.sh

## Benchmarks print figures; they never fail on timing.
bench: plugins
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk) \
		|| echo "note: wrk not installed; the REST benchmark will be skipped"
	DANIEL_PLUGIN_ARTIFACTS=$(CURDIR)/$(ARTIFACTS) $(CARGO) bench -p daniel
