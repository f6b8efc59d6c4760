# Nimbus: the index of everything you can do here. `make help` lists it.
SHELL := /bin/bash
.DEFAULT_GOAL := help

UV_VERSION := 0.13.9
UV := $(shell command -v uv 2>/dev/null || echo uv)
PYTEST_ARGS ?=
UP_ARGS ?=

.PHONY: help tools deps infra-up infra-down up down status test test-unit lint fmt proto proto-check bench

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

tools: ## install uv (pinned) if the machine lacks it
	@command -v uv >/dev/null 2>&1 && uv --version | grep -q '$(UV_VERSION)' || \
		python3 -m pip install --quiet --disable-pip-version-check 'uv==$(UV_VERSION)'

deps: tools ## install the locked Python dependencies into .venv
	uv sync --locked --quiet

infra-up: ## install and start PostgreSQL, Redis and Kafka on 127.0.0.1
	bash deploy/local/infra.sh up

infra-down: ## stop PostgreSQL, Redis and Kafka
	bash deploy/local/infra.sh down

up: deps ## bring the whole cloud up locally (gateway on 127.0.0.1:4566); UP_ARGS="--replicas s3=2"
	uv run nimbus up $(UP_ARGS)

down: ## stop the cloud (the infrastructure keeps running: make infra-down)
	uv run nimbus down

status: ## one row per process
	uv run nimbus status

test: deps infra-up ## install everything the tests need, then run every test
	uv run pytest $(PYTEST_ARGS)

test-unit: deps ## only the tests that need no server
	uv run pytest tests/unit $(PYTEST_ARGS)

lint: deps ## ruff, mypy, the import contract and the generated-code check
	uv run ruff check .
	uv run ruff format --check .
	uv run mypy
	uv run lint-imports
	uv run python proto/generate.py --check

fmt: deps ## format and autofix
	uv run ruff format .
	uv run ruff check --fix .

proto: deps ## regenerate libs/proto from proto/
	uv run python proto/generate.py

proto-check: deps ## fail if libs/proto is stale
	uv run python proto/generate.py --check

bench: deps infra-up ## run the benchmarks under bench/
	@for script in bench/*.py; do echo "== $$script"; uv run python "$$script" || exit 1; done
