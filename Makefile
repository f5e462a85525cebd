# Aduan's everyday commands. `make help` lists them.
.DEFAULT_GOAL := help
SHELL := /bin/bash

.PHONY: help test soak lint fmt stack-up stack-down check-template fuzz fuzz-smoke

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

.PHONY: dev demo
dev: ## run the whole system locally (emulator, API on :3000, WhatsApp stand-in); Ctrl-C stops it
	infra/local/dev.sh

demo: ## play a whole case through the running `make dev` (run it in another terminal)
	@cargo build --quiet -p aduan-dev -p aduan-sim
	@$${CARGO_TARGET_DIR:-target}/debug/aduan-sim demo

test: ## run every test against the local AWS emulator (started if needed)
	infra/local/with-stack.sh cargo test --workspace

.PHONY: faults
faults: ## the whole fault-injection matrix (every operation x request x fault); `make test` runs a sample
	ADUAN_FAULTS=full infra/local/with-stack.sh cargo test -p aduan-testkit --test faults -- --nocapture

soak: ## the full soak: 3,000 signed deliveries through 8 webhook sandboxes, officials and sweeps at once, every invariant checked (SOAK_ARGS="--seed 2" to vary)
	cargo build --bins -p webhook -p case-updates -p aduan-soak
	infra/local/with-stack.sh cargo run -q -p aduan-soak -- $(SOAK_ARGS)

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

fuzz: ## run each fuzz target for 60 s (FUZZ_SECONDS=n for longer)
	fuzz/run.sh $(or $(FUZZ_SECONDS),60)

fuzz-smoke: ## replay the fuzz seeds and fuzz each target for 5 s (what CI runs)
	fuzz/run.sh 5
.PHONY: browser-test
browser-test: ## the console's tests, then the console in headless Chromium against `make dev` (screenshots in docs/screenshots/)
	infra/local/browser-test.sh

check-template: ## cfn-lint, sam validate --lint and sam build (x86_64) of template.yaml
	infra/check-template.sh
