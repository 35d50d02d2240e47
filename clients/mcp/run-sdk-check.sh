#!/usr/bin/env bash
# Drives the bridge with the official MCP Python SDK (`pip install mcp`), as a real MCP client
# would: initialize, list every tool, call each one against the sandbox.
# The SDK goes into a throwaway virtual environment; where it cannot be installed (no PyPI),
# the check is skipped and says so.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=${TILEDESK_RPC_BIN:-$here/../../.build/release/tiledesk-rpc}
venv=$(mktemp -d)
trap 'rm -rf "$venv"' EXIT
python3 -m venv "$venv"
if ! "$venv/bin/pip" install --quiet --disable-pip-version-check mcp >"$venv/pip.log" 2>&1; then
  echo "SKIPPED: the MCP Python SDK could not be installed here (see pip's reason below); the MCP check did not run."
  tail -n 3 "$venv/pip.log"
  exit 0
fi
"$venv/bin/python" "$here/sdk_check.py" "$bin"
