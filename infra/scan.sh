#!/usr/bin/env bash
# make scan: prove the security properties of infra/ offline (no Azure account, no bicep CLI).
#   1. .venv-scan/ from requirements-scan.txt (rebuilt only when missing or stale)
#   2. checkov over infra/ (Bicep; built-in checks + infra/checks; skip list in infra/.checkov.yaml)
#   3. Microsoft's constraints on the whole template (infra/constraints: Flex Consumption, azd, alert
#      queries, Key Vault references, roles, policies, providers; each cites its source)
#   4. pytest infra/tests: the properties asserted on the parsed Bicep, the checks and constraints
#      themselves (each must fail on a broken copy) and the deployment rehearsal
# Exits non-zero if any step fails.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VENV=".venv-scan"
REQUIREMENTS="requirements-scan.txt"
PYTHON="${PYTHON:-python3.11}"
STAMP="$VENV/.requirements.sha256"

step() { printf '\n==> %s\n' "$*"; }

# --- 1. scan environment -----------------------------------------------------------------------
wanted="$( { cat "$REQUIREMENTS"; "$PYTHON" --version; } | sha256sum | cut -d' ' -f1)"
if [[ -x "$VENV/bin/python" && -f "$STAMP" && "$(cat "$STAMP")" == "$wanted" ]]; then
  step "scan environment: $VENV is up to date"
else
  step "scan environment: creating $VENV from $REQUIREMENTS with $("$PYTHON" --version)"
  rm -rf "$VENV"
  "$PYTHON" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$REQUIREMENTS"
  echo "$wanted" > "$STAMP"
fi

status=0

# --- 2. checkov --------------------------------------------------------------------------------
step "checkov: Bicep in infra/ (built-in checks + infra/checks, skips in infra/.checkov.yaml)"
started=$SECONDS
if "$VENV/bin/checkov" --directory infra --config-file infra/.checkov.yaml \
    --external-checks-dir infra/checks --quiet; then
  echo "checkov: no failed checks ($((SECONDS - started)) s)"
else
  echo "checkov: FAILED (see above)" >&2
  status=1
fi

# --- 3. Microsoft's constraints -----------------------------------------------------------------
step "constraints: Microsoft's constraints on the whole template (infra/constraints)"
if PYTHONPATH=infra "$VENV/bin/python" -m constraints infra; then
  :
else
  echo "constraints: FAILED (see above)" >&2
  status=1
fi

# --- 4. property tests, tests of the checks, deployment rehearsal ------------------------------
step "pytest: infra/tests (Bicep properties, checks and constraints on broken copies, rehearsal, CLI wiring)"
started=$SECONDS
if "$VENV/bin/pytest" -c infra/tests/pytest.ini infra/tests -q; then
  echo "pytest: passed ($((SECONDS - started)) s)"
else
  echo "pytest: FAILED" >&2
  status=1
fi

if [[ $status -eq 0 ]]; then
  step "scan passed"
else
  step "scan FAILED"
fi
exit $status
