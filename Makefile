# Aduan's everyday commands. `make help` lists them.
.DEFAULT_GOAL := help
SHELL := /bin/bash

.PHONY: help test lint fmt stack-up stack-down check-template

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

.PHONY: dev
dev: ## run the whole system locally (emulator, API on :3000, WhatsApp stand-in); Ctrl-C stops it
	infra/local/dev.sh

test: ## run every test against the local AWS emulator (started if needed), and a smoke run of the bench
	infra/local/with-stack.sh bash -c 'cargo test --workspace && $(MAKE) --no-print-directory bench-smoke'

# The bench's driver runs as a debug build: the release profile's LTO build of
# it would cost minutes, and its own overhead is in the baselines' figures too.
BENCH_BINS := -p webhook -p case-updates -p digest@0.1.0 -p aduan-bench-baselines

.PHONY: bench bench-smoke
bench: ## release-build the functions and baselines, measure them, write docs/performance.md (slow)
	cargo build --release $(BENCH_BINS)
	cargo build -p aduan-bench
	infra/local/with-stack.sh target/debug/aduan-bench --bin-dir target/release --out docs/performance.md

bench-smoke: ## a few iterations of the whole bench against debug builds (part of make test)
	cargo build $(BENCH_BINS) -p aduan-bench --bins
	infra/local/with-stack.sh target/debug/aduan-bench --smoke --bin-dir target/debug

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

check-template: ## cfn-lint, sam validate --lint and sam build (x86_64) of template.yaml
	infra/check-template.sh
