# Unwind: one command each to set up, build, serve and test.
#
#   make serve   build the playground and serve it on http://127.0.0.1:8080
#   make test    formatting, clippy, docs (warnings denied), cargo tests, the web build and the
#                browser tests
#   make kselftests  the verifier's agreement with the kernel's selftests (needs the corpus)
#   make fuzz    every cargo-fuzz target for FUZZ_SECONDS each (docs/fuzzing.md)
#   make fuzz-smoke  every target for FUZZ_SMOKE_SECONDS each (what .ci/run runs)
#
# `setup` installs only what is missing, so every target can depend on it.

WASM_BINDGEN_VERSION := 0.2.130
PORT ?= 8080
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

KSELFTESTS_GEN := ../shared/tools/kselftests/generate.sh
KSELFTESTS_DIR := target/kselftests

.PHONY: objects setup build-web serve test rust-test web-test wasm-test bench-wasm screenshots kselftests-corpus kselftests soundness-long fuzz-setup fuzz fuzz-smoke clean

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
# The C fixtures of crates/object (BPF objects built with Debian's clang-19; the built .o files
# are committed, and a test checks that they are up to date when clang is there).
objects:
	bash scripts/build-objects.sh

kselftests-corpus:
	@if [ -f $(KSELFTESTS_GEN) ]; then \
		bash $(KSELFTESTS_GEN) $(KSELFTESTS_DIR); \
	else \
		echo "note: $(KSELFTESTS_GEN) not found; the kselftests corpus is not generated"; \
	fi

# The verifier's agreement with the kernel's selftests (scripts/kselftests.sh), when the corpus
# exists (`make test` generates it when ../shared/tools is present). Fails when the T1+T2 verdict
# agreement falls below the figure recorded in docs/verifier.md: 383 of 386 cases (99.22%,
# printed as 99.2%); 99.2 is the threshold that exactly one case fewer (99.0%) falls below.
KSELFTESTS_MIN_T12 ?= 99.2
# T3 (ctx layouts): 167 of 169 (98.82%); 98.8 is what one case fewer (98.2%) falls below.
KSELFTESTS_MIN_T3 ?= 98.8

kselftests:
	@if [ -f $(KSELFTESTS_DIR)/INDEX.tsv ]; then \
		sh scripts/kselftests.sh $(KSELFTESTS_DIR) --min-t12 $(KSELFTESTS_MIN_T12) --min T3=$(KSELFTESTS_MIN_T3); \
	else \
		echo "note: $(KSELFTESTS_DIR)/INDEX.tsv not found; the kselftests agreement is not checked"; \
	fi

rust-test: setup kselftests-corpus
	cargo fmt --all --check
	cargo clippy --workspace --all-targets -- -D warnings
	cargo clippy -p unwind-wasm --target wasm32-unknown-unknown -- -D warnings
	RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --workspace --quiet
	cargo test --workspace

web-test: build-web
	node --test web/tests/

# The JS API under node (crates/wasm/tests/node.rs and node.js) with wasm-bindgen-test-runner,
# which `make setup` installs with wasm-bindgen-cli. The runner's glue loads ES-module snippets
# with require(), which node has without a flag from 20.19 and 22.12 on.
wasm-test: setup
	@node -e 'const [a, b] = process.versions.node.split(".").map(Number); if (!(a > 22 || (a === 22 && b >= 12) || (a === 20 && b >= 19))) { console.error("wasm-test: node " + process.versions.node + " is too old (need 20.19+ or 22.12+)"); process.exit(1); }'
	CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner cargo test -p unwind-wasm --target wasm32-unknown-unknown

# The interpreter and the verifier in wasm (headless Chromium) against native, on the same
# programs through the same session calls (BENCHMARKS.md, "WebAssembly against native").
# Not part of `make test`: about three minutes. `make bench-wasm QUICK=1` for a short run.
bench-wasm: build-web
	node scripts/bench-wasm.mjs $(if $(QUICK),--quick)

# The README's screenshots, from the browser tests' run (target/page*.png).
screenshots: web-test
	mkdir -p docs/images
	cp target/page.png docs/images/playground.png
	cp target/page-debugger-unwinding.png docs/images/unwinding.png

test: rust-test web-test wasm-test

# The throwing soundness property's full run (docs/reliability.md): enough programs that each
# of cleanup, cleanup-v2 and runtime accepts at least SOUNDNESS_MIN_THREW that throw in a run,
# all run without a fault, a leak or a double release. About 15 minutes on 2 shared cores.
SOUNDNESS_CASES ?= 400000
SOUNDNESS_MIN_THREW ?= 100000
SOUNDNESS_SEED ?= 232124112

soundness-long:
	UNWIND_UNWIND_SOUNDNESS_CASES=$(SOUNDNESS_CASES) UNWIND_UNWIND_SOUNDNESS_SEED=$(SOUNDNESS_SEED) \
		UNWIND_UNWIND_SOUNDNESS_MIN_THREW=$(SOUNDNESS_MIN_THREW) \
		cargo test --release -p unwind-verifier --test unwind_soundness accepted -- --nocapture

# Fuzzing (docs/fuzzing.md): the cargo-fuzz targets of fuzz/, a crate outside the workspace.
# cargo-fuzz passes nightly flags (-Zsanitizer=address, -Cpasses=sancov-module, ...);
# RUSTC_BOOTSTRAP=1 lets this machine's stable rustc accept them. Each target runs on a
# working corpus in fuzz/target/corpus/<target> (new inputs go there) seeded from the
# committed fuzz/corpus/<target>; crashes are written to fuzz/artifacts/<target>/.
CARGO_FUZZ_VERSION := 0.13.2
FUZZ_TARGETS ?= assemble decode verify run_unverified soundness unwind_soundness object session
FUZZ_SECONDS ?= 60
FUZZ_SMOKE_SECONDS ?= 20
# libFuzzer's options: a 10 s timeout per input (a hang is a crash), 2 GB of memory.
FUZZ_FLAGS ?= -timeout=10 -rss_limit_mb=2048 -max_len=4096
# Per target, after FUZZ_FLAGS (the last of a repeated flag wins): object files are larger
# (the committed seeds, the C fixtures' objects, are 5-8 KB).
export FUZZ_FLAGS_object ?= -max_len=16384

fuzz-setup:
	@[ "$$(cargo fuzz --version 2>/dev/null)" = "cargo-fuzz $(CARGO_FUZZ_VERSION)" ] \
		|| cargo install cargo-fuzz --locked --version $(CARGO_FUZZ_VERSION)

# $(1): seconds per target. libFuzzer's output goes to fuzz/target/<target>.log; a failing
# target prints its end (the input and the panic) and stops the run.
define run_fuzz_targets
	@set -e; for t in $(FUZZ_TARGETS); do \
		mkdir -p fuzz/target/corpus/$$t; \
		echo "== fuzz $$t: $(1) s (log: fuzz/target/$$t.log)"; \
		if RUSTC_BOOTSTRAP=1 cargo fuzz run $$t fuzz/target/corpus/$$t fuzz/corpus/$$t -- \
			-max_total_time=$(1) $(FUZZ_FLAGS) $$(eval echo \$${FUZZ_FLAGS_$$t:-}) \
			> fuzz/target/$$t.log 2>&1; then \
			grep -E '^unwind_soundness: ' fuzz/target/$$t.log | tail -n 1 || true; \
			grep -E '^Done [0-9]+ runs' fuzz/target/$$t.log || true; \
		else \
			tail -n 60 fuzz/target/$$t.log; \
			echo "fuzz $$t failed: the input is in fuzz/artifacts/$$t/"; exit 1; \
		fi; \
	done
endef

fuzz: fuzz-setup
	$(call run_fuzz_targets,$(FUZZ_SECONDS))

fuzz-smoke: fuzz-setup
	$(call run_fuzz_targets,$(FUZZ_SMOKE_SECONDS))

clean:
	rm -rf dist
