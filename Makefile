# The two commands: `make run` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | md5sum | cut -c1-12)
PYTEST := $(VENV)/bin/pytest --ds=config.settings.test

REGISTRY_SAMPLES := \
	data/france-competences/api-apprentissage/sample/export-fiches-csv-2024-02-22.zip \
	data/france-competences/mcp-rncp-xml-v4.1/export_fiches_RNCP_fixture.xml \
	data/france-competences/mcp-rncp-xml-v4.1/export_fiches_RS_fixture.xml

MYPY_TARGETS := parcours/registry/services.py parcours/registry/policies.py parcours/registry/codes.py \
	parcours/registry/importing parcours/accounts/services.py parcours/accounts/policies.py \
	parcours/accounts/rules.py parcours/accounts/habilitations.py \
	parcours/catalogue/services.py parcours/catalogue/policies.py parcours/catalogue/rules.py parcours/catalogue/edof \
	parcours/search/visibility.py parcours/search/engine.py parcours/search/geo.py parcours/core/outbox.py \
	parcours/dossiers/services.py parcours/dossiers/rules.py parcours/dossiers/workdays.py \
	parcours/dossiers/deadlines.py parcours/dossiers/policies.py parcours/dossiers/machine.py \
	parcours/dossiers/proposal.py parcours/dossiers/training.py parcours/dossiers/evaluations.py \
	parcours/dossiers/commercial.py parcours/dossiers/waiting_list.py parcours/dossiers/ledger.py \
	parcours/dossiers/documents.py parcours/core/pdf.py

.PHONY: install system-deps run serve test lint test-sqlite test-postgres bench

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

# Debian packages the tests need: Chromium for the browser journeys (PostgreSQL is installed
# by scripts/postgres-test-server.sh when missing). We are root on this machine kind.
system-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installation de Chromium (apt-get)…"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

run: install
	mkdir -p var
	$(PY) manage.py migrate --no-input
	$(PY) manage.py import_registry $(REGISTRY_SAMPLES)
	$(PY) manage.py load_demo
	$(PY) manage.py rebuild_search
	$(MAKE) --no-print-directory serve

# Web server and task worker together; Ctrl-C stops both.
serve:
	@trap 'kill 0' INT TERM EXIT; \
	$(PY) manage.py db_worker --interval 1 & \
	while true; do $(PY) manage.py enqueue_periodic >/dev/null; sleep 3600; done & \
	$(PY) manage.py runserver 127.0.0.1:8000 & \
	wait

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy $(MYPY_TARGETS)
	$(PY) manage.py makemigrations --check --dry-run --settings=config.settings.test

test: system-deps lint test-sqlite test-postgres

test-sqlite: install
	DATABASE_URL= $(PYTEST)

# Uses DATABASE_URL when it names a PostgreSQL server, else starts one on 127.0.0.1.
test-postgres: install
	@url="$${DATABASE_URL:-}"; \
	case "$$url" in postgres*) ;; *) url="$$(scripts/postgres-test-server.sh)";; esac; \
	echo "PostgreSQL : $$url"; \
	DATABASE_URL="$$url" $(PYTEST)

bench: install
	$(PY) bench/registry_import.py
	$(PY) bench/catalogue_import.py
	$(PY) bench/public_search.py
