#!/usr/bin/env bash
# Runs a Python check in a throwaway virtual environment holding a package from PyPI, as the
# third-party client checks need. Where pip cannot install it (no PyPI), the check is skipped
# and says so, with pip's reason.
# Usage: run-with-pypi.sh PIP-SPEC CHECK-NAME SCRIPT [ARGUMENTS...]
set -euo pipefail
spec=$1 check=$2
shift 2
venv=$(mktemp -d)
trap 'rm -rf "$venv"' EXIT
python3 -m venv "$venv"
if ! "$venv/bin/pip" install --quiet --disable-pip-version-check "$spec" >"$venv/pip.log" 2>&1; then
  echo "SKIPPED: pip could not install $spec here (its reason below); $check did not run."
  tail -n 3 "$venv/pip.log"
  exit 0
fi
"$venv/bin/python" "$@"
