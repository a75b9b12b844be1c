# The README's two commands are `make run` and `make test`; both install whatever is missing first.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
VENV_STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.package-lock.json
# The web app (web/): its own npm project, built into web/dist when anything it is built from changed.
WEB_STAMP := web/node_modules/.package-lock.json
WEB_BUILD := web/dist/index.html
WEB_INPUTS := $(shell find web/src web/public -type f 2>/dev/null) web/index.html web/vite.config.ts web/tsconfig.json web/package.json openapi.json
# The browser tests drive Debian's Chromium (Playwright's own browser download is not used).
CHROMIUM := /usr/bin/chromium
# `make audit` and the CycloneDX SBOMs every build writes (git-ignored): tools in a venv of their own.
AUDIT_VENV := .venv-audit
AUDIT_STAMP := $(AUDIT_VENV)/.installed
SBOM_STAMP := .local/sbom/.written
SBOM_INPUTS := requirements.txt requirements-dev.txt requirements-scan.txt requirements-audit.txt package-lock.json web/package-lock.json

.PHONY: run test lint scan bench clean install prerequisites audit

run: install $(WEB_BUILD) $(SBOM_STAMP) ## Start Azurite, the local Functions host and the web app; Ctrl-C stops everything.
	@$(PY) -m dev.run

test: install $(WEB_BUILD) $(SBOM_STAMP) $(CHROMIUM) lint ## Install what is missing, lint, then run the whole suite.
	@$(PY) -m pytest
	@$(MAKE) --no-print-directory scan

lint: install $(WEB_STAMP) ## ruff and mypy, as CI runs them; prettier over the web app.
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/ruff format --check .
	@$(VENV)/bin/mypy function_app.py functions shared dev bench
	@cd web && npm run --silent lint

scan: ## Offline security checks of infra/ (checkov + custom checks + Bicep tests).
	@if [ -f infra/scan.sh ]; then bash infra/scan.sh; else echo "scan: no infra/ yet"; fi

bench: install $(WEB_BUILD) $(CHROMIUM) ## Performance figures (numbers and ratios in one run), never pass/fail.
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

$(WEB_STAMP): web/package.json web/package-lock.json
	@echo "Installing the web app's packages (npm ci in web/) ..."
	@cd web && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(WEB_BUILD): $(WEB_STAMP) $(WEB_INPUTS)
	@echo "Building the web app (web/dist) ..."
	@cd web && npm run --silent build
	@touch $@

$(CHROMIUM):
	@echo "Installing Chromium for the browser tests (apt-get) ..."
	@apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null \
		|| { echo "make: could not install chromium (run as root, or: apt-get install chromium)"; exit 1; }

audit: prerequisites $(AUDIT_STAMP) $(SBOM_STAMP) ## Check every pinned Python and npm dependency against public advisories.
	@$(AUDIT_VENV)/bin/python -m dev.audit

$(AUDIT_STAMP): requirements-audit.txt
	@echo "Installing pip-audit and cyclonedx-py into $(AUDIT_VENV) ..."
	@test -x $(AUDIT_VENV)/bin/python || $(PYTHON) -m venv $(AUDIT_VENV)
	@$(AUDIT_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-audit.txt
	@touch $@

$(SBOM_STAMP): $(AUDIT_STAMP) $(SBOM_INPUTS)
	@$(AUDIT_VENV)/bin/python -m dev.audit --sbom .local/sbom
	@touch $@

clean: ## Remove everything the Makefile and the tools generated.
	rm -rf $(VENV) .venv-scan $(AUDIT_VENV) node_modules .local .pytest_cache .mypy_cache .ruff_cache .hypothesis
	rm -rf web/node_modules web/dist web/src/api/schema.gen.ts tests/browser/screenshots
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
