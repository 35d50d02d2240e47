"""A stand-in bridge for testing the client's mechanics without the real binary.

Answers each request with ``{"method", "params"?, "batch"}`` (``params`` only when the
request had them), plus a few special methods:

- ``env``: the process environment; ``argv``: its arguments
- ``sleep`` ``{"seconds": S}``: answers ``{"slept": S}`` after S seconds, or -32800 at once
  when a ``$/cancelRequest`` for it arrives
- ``cancels``: the ids of every ``$/cancelRequest`` received so far
- ``error`` ``{"code", "message", "data"?}``: answers that error

Like the real bridge it serves requests concurrently, answers batches with one array
line, and on end of input finishes what is in flight and exits 0.
"""

import json
import os
import sys
import threading

from serving import serve_concurrently

out_lock = threading.Lock()
state_lock = threading.Lock()
sleepers: dict = {}  # id -> threading.Event
cancels: list = []


def write(message):
    line = json.dumps(message, separators=(",", ":")) + "\n"
    with out_lock:
        sys.stdout.write(line)
        sys.stdout.flush()


def answer(req, batch):
    """The response object for one request (None for a notification)."""
    method = req.get("method")
    params = req.get("params")
    rid = req.get("id")
    if method == "$/cancelRequest":
        with state_lock:
            cancels.append(params.get("id"))
            event = sleepers.get(params.get("id"))
        if event is not None:
            event.set()
        return None
    if "id" not in req:
        return None
    if method == "env":
        return {"jsonrpc": "2.0", "id": rid, "result": dict(os.environ)}
    if method == "argv":
        return {"jsonrpc": "2.0", "id": rid, "result": sys.argv[1:]}
    if method == "cancels":
        with state_lock:
            return {"jsonrpc": "2.0", "id": rid, "result": list(cancels)}
    if method == "error":
        return {"jsonrpc": "2.0", "id": rid, "error": params}
    if method == "sleep":
        event = threading.Event()
        with state_lock:
            sleepers[rid] = event
        cancelled = event.wait(params.get("seconds", 1))
        with state_lock:
            sleepers.pop(rid, None)
        if cancelled:
            return {"jsonrpc": "2.0", "id": rid, "error": {"code": -32800, "message": "request cancelled", "data": {"retryable": False}}}
        return {"jsonrpc": "2.0", "id": rid, "result": {"slept": params.get("seconds", 1)}}
    result = {"method": method, "batch": batch}
    if "params" in req:
        result["params"] = params
    return {"jsonrpc": "2.0", "id": rid, "result": result}


def serve(message):
    if isinstance(message, list):
        responses = [r for r in (answer(m, True) for m in message) if r is not None]
        if responses:
            write(responses)
    else:
        response = answer(message, False)
        if response is not None:
            write(response)


def main():
    serve_concurrently(serve, serve)
    sys.exit(0)


if __name__ == "__main__":
    main()
