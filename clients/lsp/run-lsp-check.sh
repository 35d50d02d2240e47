#!/usr/bin/env bash
# Drives the bridge with python-lsp-jsonrpc (the JSON-RPC stack of python-lsp-server), as an
# editor's built-in client would: LSP framing with Content-Length headers on both sides.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=${TILEDESK_RPC_BIN:-$here/../../.build/release/tiledesk-rpc}
exec bash "$here/../run-with-pypi.sh" 'python-lsp-jsonrpc==1.1.*' "the LSP framing check" "$here/lsp_check.py" "$bin"
