# Linli: two commands on a fresh machine with Python 3.11+: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
RUN := $(UV) run --frozen

.PHONY: help install run test lint contracts web web-api web-screenshots token chaos bench bench-commit compose-check deploy-check clean

help:
	@echo "make run        the whole stack locally (NATS, PostgreSQL, five services, demo data)"
	@echo "make test       every test, against real NATS and PostgreSQL started by the tests"
	@echo "make lint       ruff, mypy (strict on contracts and the kernel), the layering (import-linter), vue-tsc on web/"
	@echo "make contracts  regenerate contracts/schemas/*.json and contracts/asyncapi.yaml"
	@echo "make web        type-check and build the phone app (web/dist); make web-api  regenerate its API types;  make web-screenshots  docs/screenshots/*.png"
	@echo "make token SUB=alice ROLES=resident,volunteer [NAME=] [BUILDING_GROUP=] [COMMUNITY=]"
	@echo "make chaos      the fault-injection suite;  make bench  the benchmark suite (into bench/runs/<time>/)"
	@echo "make bench-commit  the benchmark suite, refreshing the committed bench/RESULTS.md, results.json, latency.png"

$(UV):
	$(PYTHON) -m pip install --user --quiet uv || $(PYTHON) -m pip install --quiet uv

.venv/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen
	@touch $@

install: .venv/.synced

run: install
	$(RUN) linli stack

test: install
	$(RUN) pytest -q -p no:cacheprovider $(PYTEST_ARGS)

lint: install
	$(RUN) ruff check .
	$(RUN) ruff format --check .
	$(RUN) mypy services contracts tests examples
	$(RUN) lint-imports
	$(RUN) python -c "from services.web.node import ensure_installed, npm; ensure_installed(); npm('run', 'typecheck')"

contracts: install
	$(RUN) python -m contracts.generate

web: install
	$(RUN) python -c "from services.web.node import build_if_changed; build_if_changed()"

web-screenshots: install
	LINLI_WEB_SCREENSHOTS=1 $(RUN) pytest -q -p no:cacheprovider tests/web

web-api: install
	$(RUN) python -m services.web.openapi

token: install
	@$(RUN) linli token --sub "$(or $(SUB),alice)" --roles "$(or $(ROLES),resident)" \
		$(if $(NAME),--name "$(NAME)") $(if $(BUILDING_GROUP),--building-group $(BUILDING_GROUP)) \
		--community "$(or $(COMMUNITY),meihu)"

chaos: install
	$(RUN) python -m tests.chaos

bench: install
	$(RUN) python -m bench

bench-commit: install
	$(RUN) python -m bench --commit

compose-check: install
	$(RUN) check-jsonschema --builtin-schema vendor.compose-spec docker-compose.yml

deploy-check: compose-check
	$(RUN) hadolint --failure-threshold warning Dockerfile
	$(RUN) hadolint --failure-threshold warning deploy/web/Dockerfile.web
	$(RUN) python deploy/nats/check_cluster.py
	$(RUN) python deploy/nats/check_kernel_permissions.py
	$(RUN) python deploy/k8s/check_manifests.py
	$(RUN) python deploy/observability/check_observability.py

clean:
	rm -rf .venv .mypy_cache .ruff_cache .pytest_cache
