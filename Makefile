# Aduan's everyday commands. `make help` lists them.
.DEFAULT_GOAL := help
SHELL := /bin/bash

.PHONY: help test soak lint fmt stack-up stack-down check-template fuzz fuzz-smoke fuzz-smoke-domain

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

.PHONY: dev demo
dev: ## run the whole system locally (emulator, API on :3000, WhatsApp stand-in); Ctrl-C stops it
	infra/local/dev.sh

# Every binary the make targets run comes from this one build: the same
# feature resolution as `cargo test --workspace`, so nothing is built twice.
BUILD := cargo build --quiet --workspace --all-targets
BIN := $${CARGO_TARGET_DIR:-target}/debug

demo: ## play a whole case through the running `make dev` (run it in another terminal)
	@$(BUILD)
	@$(BIN)/aduan-sim demo

test: ## run every test against the local AWS emulator (started if needed), and a smoke run of the bench
	infra/local/with-stack.sh bash -c 'cargo test --workspace && $(MAKE) --no-print-directory bench-smoke'

# The bench's driver runs as a debug build: the release profile's LTO build of
# it would cost minutes, and its own overhead is in the baselines' figures too.
BENCH_BINS := -p webhook -p case-updates -p digest@0.1.0 -p aduan-bench-baselines

# The Python peer's interpreter: a project-local venv with the peer's two
# packages, made by `make bench` only (the smoke run leaves the peer out, so
# `make test` installs nothing from PyPI).
PEER_VENV := .venv-bench-python
PEER_PACKAGES := boto3==1.44.5 awslambdaric==4.2.2

.PHONY: bench bench-smoke
bench: $(PEER_VENV)/.installed ## release-build the functions and baselines, measure them and the Python peer, write docs/performance.md (slow: about 50 minutes)
	cargo build --release $(BENCH_BINS)
	@$(BUILD)
	infra/local/with-stack.sh $(BIN)/aduan-bench --bin-dir $${CARGO_TARGET_DIR:-target}/release --python $(CURDIR)/$(PEER_VENV)/bin/python --out docs/performance.md $(BENCH_ARGS)

$(PEER_VENV)/.installed: Makefile
	python3 -m venv $(PEER_VENV)
	$(PEER_VENV)/bin/pip install --quiet $(PEER_PACKAGES)
	touch $@

bench-smoke: ## a few iterations of the whole bench against debug builds (part of make test)
	$(BUILD)
	infra/local/with-stack.sh $(BIN)/aduan-bench --smoke --bin-dir $(BIN)

.PHONY: faults
faults: ## the whole fault-injection matrix (every operation x request x fault); `make test` runs a sample
	ADUAN_FAULTS=full infra/local/with-stack.sh cargo test -p aduan-testkit --test faults -- --nocapture

soak: ## the full soak: 3,000 signed deliveries through 8 webhook sandboxes, officials and sweeps at once, every invariant checked (SOAK_ARGS="--seed 2" to vary)
	$(BUILD)
	infra/local/with-stack.sh $(BIN)/aduan-soak $(SOAK_ARGS)

lint: ## formatting and clippy, as CI runs them
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings

fmt: ## format the workspace
	cargo fmt --all

stack-up: ## start the local AWS emulator with the table and topics of template.yaml
	infra/local/stack.sh start
	@infra/local/stack.sh env

stack-down: ## stop the local AWS emulator (if stack-up started it)
	infra/local/stack.sh stop

# Every target by default; FUZZ_TARGETS="ticket_parse meta_webhook" for some.
FUZZ_TARGETS ?=
# The targets that link the domain alone (no AWS SDK): a short build, so CI runs them.
FUZZ_DOMAIN := meta_webhook twilio_form jurisdiction_match ticket_parse

fuzz: ## run each fuzz target for 60 s (FUZZ_SECONDS=n longer, FUZZ_JOBS=2 two at a time)
	fuzz/run.sh $(or $(FUZZ_SECONDS),60) $(FUZZ_TARGETS)

fuzz-smoke: ## replay the fuzz seeds and fuzz each target for 5 s
	fuzz/run.sh 5 $(FUZZ_TARGETS)

fuzz-smoke-domain: ## the same for the targets that link the domain alone (CI's: no AWS SDK to build)
	fuzz/run.sh 5 $(FUZZ_DOMAIN)

.PHONY: browser-test
browser-test: ## the console's tests, then the console in headless Chromium against `make dev` (screenshots in docs/screenshots/)
	infra/local/browser-test.sh

check-template: ## cfn-lint, sam validate --lint and sam build (x86_64) of template.yaml
	infra/check-template.sh
