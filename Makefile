# One entry point for every language's tests: `make test` is what CI runs (.ci/run).
#
# Which binary (README "Debug and release builds"): `swift build`, `swift run` and `swift test`
# use the debug build; everything else (the Python and Node clients, their tests and examples, the
# README examples, the MCP check, `make dist`) uses the release build, .build/release/tiledesk-rpc,
# made by `make release` (and once by `make test`), unless TILEDESK_RPC_BIN names another binary.

.DEFAULT_GOAL := help
.PHONY: help prerequisites run build release test test-swift check-openrpc check-examples test-python test-node test-mcp test-lsp dist test-dist openrpc generate bench clean

## help: this list (the default target)
help:
	@echo "make TARGET, where TARGET is one of:"
	@awk '/^## / { sub(/^## /, ""); split($$0, part, ": "); printf "  %-15s %s\n", part[1], substr($$0, length(part[1]) + 3) }' $(MAKEFILE_LIST)

## prerequisites: check what `make test` needs (README "Prerequisites"); apt-get installs what is missing
prerequisites:
	bash tools/prerequisites.sh

## run: the bridge on its embedded sandbox, reading JSON-RPC lines from stdin (debug build)
run:
	swift run tiledesk-rpc --sandbox

## build: the debug build, .build/debug/tiledesk-rpc, for working on the Swift code
build:
	swift build

## release: the release build, .build/release/tiledesk-rpc (Swift runtime linked in); needs libcurl's headers
release:
	bash tools/prerequisites.sh release
	swift build -c release --static-swift-stdlib

## test: every suite: Swift, OpenRPC, README examples, Python, Node, the MCP SDK, the dist install
test: prerequisites test-swift check-openrpc check-examples test-python test-node test-mcp test-lsp test-dist

## test-swift: the Swift suites (swift test, debug build)
test-swift:
	swift test

## check-openrpc: protocol/openrpc.json against the official OpenRPC 1.3 meta-schema (protocol/schema/)
check-openrpc:
	python3 tools/validate_openrpc.py protocol/openrpc.json

## check-examples: run every example of README.md and compare its output
check-examples: release
	python3 tools/check_examples.py README.md

## test-python: the Python client's tests
test-python: release
	python3 -m unittest discover -s clients/python/tests -t clients/python

## test-node: the Node client's tests
test-node: release
	node --test clients/node/test/

## test-mcp: the official MCP Python SDK against the bridge (installs the SDK into a throwaway venv)
test-mcp: release
	bash clients/mcp/run-sdk-check.sh

## dist: dist/ with a Python wheel and a Node package, each holding the release binary
dist: release
	bash tools/prerequisites.sh dist
	python3 tools/build_dist.py

## test-dist: install dist/ into a fresh venv and an empty folder, Swift off PATH, run the README's Python and Node
test-dist: dist
	python3 tools/check_dist.py

## test-lsp: the bridge through python-lsp-jsonrpc, an editor's JSON-RPC stack (LSP framing)
test-lsp: release
	bash clients/lsp/run-lsp-check.sh

## openrpc: regenerate protocol/openrpc.json from the method registry
openrpc: build
	echo '{"jsonrpc":"2.0","id":1,"method":"rpc.discover"}' | .build/debug/tiledesk-rpc \
	  | python3 -c 'import json,sys; json.dump(json.load(sys.stdin)["result"], sys.stdout, indent=2, ensure_ascii=False); print()' \
	  > protocol/openrpc.json

## generate: openrpc.json from the registry, then everything the clients derive from it (tools/gen_clients.py)
generate: openrpc
	python3 tools/gen_clients.py

## bench: the benchmark table on the release build (BENCHMARKS.md)
bench: release
	python3 benchmarks/run.py

## clean: remove the builds and dist/
clean:
	rm -rf .build dist
