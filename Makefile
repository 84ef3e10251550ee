# Unwind: one command each to set up, build, serve and test.
#
#   make serve   build the playground and serve it on http://127.0.0.1:8080
#   make test    formatting, clippy, cargo tests, the web build and the browser tests
#
# `setup` installs only what is missing, so every target can depend on it.

WASM_BINDGEN_VERSION := 0.2.130
PORT ?= 8080
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

KSELFTESTS_GEN := ../shared/tools/kselftests/generate.sh
KSELFTESTS_DIR := target/kselftests

.PHONY: setup build-web serve test rust-test web-test kselftests-corpus clean

setup: node_modules/.package-lock.json
	@test -d "$$(rustc --print target-libdir --target wasm32-unknown-unknown)" \
		|| rustup target add wasm32-unknown-unknown
	@[ "$$(wasm-bindgen --version 2>/dev/null)" = "wasm-bindgen $(WASM_BINDGEN_VERSION)" ] \
		|| cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION)
	@[ -x /usr/bin/chromium ] \
		|| { $(SUDO) apt-get update && $(SUDO) apt-get install -y chromium; }

# npm ci when node_modules is missing or older than the lock file.
node_modules/.package-lock.json: package-lock.json package.json
	npm ci --no-audit --no-fund
	@touch $@

build-web: setup
	bash scripts/build-web.sh

serve: build-web
	node web/serve.mjs --host 127.0.0.1 --port $(PORT)

# The kernel's verifier selftests as case files (crates/asm/tests/corpora.rs assembles every
# one). Generated from Debian's kernel sources when ../shared/tools is beside the repository;
# the selftests are GPL-2.0, so the corpus is never committed.
kselftests-corpus:
	@if [ -f $(KSELFTESTS_GEN) ]; then \
		bash $(KSELFTESTS_GEN) $(KSELFTESTS_DIR); \
	else \
		echo "note: $(KSELFTESTS_GEN) not found; the kselftests corpus is not generated"; \
	fi

rust-test: setup kselftests-corpus
	cargo fmt --all --check
	cargo clippy --workspace --all-targets -- -D warnings
	cargo clippy -p unwind-wasm --target wasm32-unknown-unknown -- -D warnings
	cargo test --workspace

web-test: build-web
	node --test web/tests/

test: rust-test web-test

clean:
	rm -rf dist
