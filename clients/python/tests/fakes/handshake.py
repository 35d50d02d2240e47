"""The start-up ``ping`` every client sends: the fakes answer it, then misbehave."""

import json
import sys


def answer_handshake() -> None:
    """Read the client's first request (its ``ping``) and answer ``{}``."""
    request = json.loads(sys.stdin.buffer.readline())
    sys.stdout.write(json.dumps({"jsonrpc": "2.0", "id": request["id"], "result": {}}) + "\n")
    sys.stdout.flush()
