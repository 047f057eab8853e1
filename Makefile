# Vafa — the two commands: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PORT ?= 3000
# `make run DEMO=1` starts with the demo shop and its year of history (vafa_dev.demo); off by default so
# schedule runs on the local stack stay fast for integrators.
DEMO ?= 0

.PHONY: run test lint bench build validate clean venv browser checkov faults

venv: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

run: $(STAMP)
	PORT=$(PORT) VAFA_DEMO=$(DEMO) $(PY) -m vafa_dev.local.stack

# The dashboard test drives Debian's Chromium (Playwright never downloads a browser here); the
# WooCommerce plugin's tests run under Debian's php-cli.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }
	@command -v php >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq php-cli >/dev/null; }

test: $(STAMP) browser
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy shared/vafa devtools/vafa_dev functions
	$(PY) -m pytest -q -n 2 --dist loadgroup

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy shared/vafa devtools/vafa_dev functions
	AWS_DEFAULT_REGION=us-east-1 $(VENV)/bin/cfn-lint template.yaml
	AWS_DEFAULT_REGION=us-east-1 $(VENV)/bin/sam validate --lint

# checkov in a virtualenv of its own (it pins versions that clash with SAM's): infra/checkov.yaml
# lists the checks that do not fit this deployment, with the reason for each.
CHECKOV_VENV ?= .venv-checkov
checkov:
	@test -x $(CHECKOV_VENV)/bin/checkov || { $(PYTHON) -m venv $(CHECKOV_VENV) && $(CHECKOV_VENV)/bin/pip install --quiet checkov; }
	$(CHECKOV_VENV)/bin/checkov --config-file infra/checkov.yaml -f template.yaml

# The delivery fault drill: 1,000 SMS, 20% gateway faults, 5% sender crashes, every queue message twice.
faults: $(STAMP)
	$(PY) -m vafa_dev.bench.faults --messages 1000

bench: $(STAMP)
	$(PY) -m vafa_dev.bench

build: $(STAMP)
	PATH=$(abspath $(VENV))/bin:$$PATH $(VENV)/bin/sam build --parallel --cached

clean:
	rm -rf $(VENV) .aws-sam .pytest_cache .ruff_cache .mypy_cache
