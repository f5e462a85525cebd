# Aduan's everyday commands. `make help` lists them.
.DEFAULT_GOAL := help
SHELL := /bin/bash

.PHONY: help test soak lint fmt stack-up stack-down check-template

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

.PHONY: dev
dev: ## run the whole system locally (emulator, API on :3000, WhatsApp stand-in); Ctrl-C stops it
	infra/local/dev.sh

test: ## run every test against the local AWS emulator (started if needed)
	infra/local/with-stack.sh cargo test --workspace

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

check-template: ## cfn-lint, sam validate --lint and sam build (x86_64) of template.yaml
	infra/check-template.sh
