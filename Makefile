# PZW platform: one entry point for people and CI. Every target installs what it needs first.
SHELL := /bin/bash
UV := $(shell command -v uv 2>/dev/null || echo uv)
PY := .venv/bin/python

.PHONY: help deps run test test-unit test-infra bench reliability lint audit contracts demo-data clean

help: ## list the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

deps: ## install Debian packages, Kafka jars and the Python environment (idempotent)
	@bash deploy/local/install.sh

run: deps ## start PostgreSQL, Kafka and every service with demo data; Ctrl-C stops everything
	@$(PY) -m deploy.local.platform

test: deps ## run the whole test suite against real PostgreSQL and Kafka
	@$(PY) -m pytest -q -p no:cacheprovider

test-unit: deps ## only the tests that need no servers
	@$(PY) -m pytest -q -m "not infra"

reliability: deps ## kill Kafka, PostgreSQL, a consumer and the relay under load; writes docs/reliability.md
	@$(PY) -m tests.reliability.report

bench: deps ## run the benchmarks; results in bench/results/
	@$(PY) -m bench

lint: deps ## ruff, mypy, the Kubernetes manifests and the dependency audit
	@$(PY) -m ruff check .
	@$(PY) -m mypy
	@$(MAKE) --no-print-directory validate-k8s
	@$(MAKE) --no-print-directory audit

audit: deps ## check every locked dependency against published advisories (pip-audit; tools/audit.py)
	@$(PY) -m tools.audit

.PHONY: validate-k8s
validate-k8s: deps ## render deploy/k8s overlays with kustomize, validate against Kubernetes and CRD schemas
	@$(PY) -m deploy.validate

contracts: deps ## export event JSON Schemas to contracts/
	@$(PY) -m libs.events.contracts write

demo-data: deps ## generate data: PRESET=pilot|large|tiny SINK=http|kafka|jsonl ARGS="--seed 7 ..." (docs/demo-data.md)
	@$(PY) -m tools.demo_data --preset $(or $(PRESET),pilot) $(if $(SINK),--sink $(SINK)) $(ARGS)

clean: ## remove local state (databases, Kafka logs), keep caches
	rm -rf .run test-artifacts
