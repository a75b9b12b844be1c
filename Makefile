# The README's two commands are `make run` and `make test`; both install whatever is missing first.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
VENV_STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.package-lock.json

.PHONY: run test lint scan bench clean install prerequisites

run: install ## Start Azurite and the local Functions host; Ctrl-C stops everything.
	@$(PY) -m dev.run

test: install lint ## Install what is missing, lint, then run the whole suite.
	@$(PY) -m pytest
	@$(MAKE) --no-print-directory scan

lint: install ## ruff and mypy, as CI runs them.
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/ruff format --check .
	@$(VENV)/bin/mypy function_app.py functions shared dev bench

scan: ## Offline security checks of infra/ (checkov + custom checks + Bicep tests).
	@if [ -f infra/scan.sh ]; then bash infra/scan.sh; else echo "scan: no infra/ yet"; fi

bench: install ## Performance figures (numbers and ratios in one run), never pass/fail.
	@$(PY) -m bench

install: prerequisites $(VENV_STAMP) $(NODE_STAMP)

prerequisites:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "make: Python 3.11 is required: '$(PYTHON)' was not found on PATH."; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' || { echo "make: '$(PYTHON)' is not Python 3.11."; exit 1; }
	@command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || { echo "make: Node.js and npm are required (Azurite runs on Node)."; exit 1; }

$(VENV_STAMP): requirements.txt requirements-dev.txt
	@echo "Installing Python packages into $(VENV) ..."
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt -r requirements-dev.txt
	@touch $@

$(NODE_STAMP): package.json package-lock.json
	@echo "Installing Azurite (npm ci) ..."
	@npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	@touch $@

clean: ## Remove everything the Makefile and the tools generated.
	rm -rf $(VENV) .venv-scan node_modules .local .pytest_cache .mypy_cache .ruff_cache .hypothesis
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
