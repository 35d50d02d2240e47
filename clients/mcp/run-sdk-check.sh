#!/usr/bin/env bash
# Drives the bridge with the official MCP Python SDK (`pip install mcp`), as a real MCP client
# would: initialize, list every tool, call each one against the sandbox.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=${TILEDESK_RPC_BIN:-$here/../../.build/release/tiledesk-rpc}
exec bash "$here/../run-with-pypi.sh" mcp "the MCP check" "$here/sdk_check.py" "$bin"
