# One entry point for every language's tests. `make test` is what CI runs (.ci/run).
SWIFT_BIN := .build/debug/tiledesk-rpc
export TILEDESK_RPC_BIN := $(CURDIR)/$(SWIFT_BIN)

.PHONY: run build test test-swift test-python test-node test-mcp check-openrpc check-examples openrpc generate bench clean

## run: the bridge on its embedded sandbox, reading JSON-RPC lines from stdin
run:
	swift run tiledesk-rpc --sandbox

build:
	swift build

## test: every suite — Swift, the OpenRPC check, the README's examples, Python, Node, the official MCP SDK
test: build test-swift check-openrpc check-examples test-python test-node test-mcp

test-swift: build
	swift test

check-openrpc:
	python3 ../shared/tools/validate-openrpc.py protocol/openrpc.json

check-examples: build
	python3 tools/check_examples.py README.md

test-python: build
	python3 -m unittest discover -s clients/python/tests -t clients/python

test-node: build
	node --test clients/node/test/

test-mcp: build
	bash clients/mcp/run-sdk-check.sh

## openrpc: regenerate protocol/openrpc.json from the method registry
openrpc: build
	echo '{"jsonrpc":"2.0","id":1,"method":"rpc.discover"}' | $(SWIFT_BIN) \
	  | python3 -c 'import json,sys; json.dump(json.load(sys.stdin)["result"], sys.stdout, indent=2, ensure_ascii=False); print()' \
	  > protocol/openrpc.json

## generate: openrpc.json from the registry, then everything the clients derive from it (tools/gen_clients.py)
generate: openrpc
	python3 tools/gen_clients.py

## bench: release build (Swift runtime linked statically: faster start), then the table (BENCHMARKS.md)
bench:
	dpkg -s libcurl4-openssl-dev >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq libcurl4-openssl-dev)
	swift build -c release --static-swift-stdlib
	python3 benchmarks/run.py

clean:
	rm -rf .build
