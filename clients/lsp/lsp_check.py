#!/usr/bin/env python3
"""tiledesk-rpc through python-lsp-jsonrpc, a third-party JSON-RPC client that frames with
Content-Length headers, as editors do.

The library's own writer sends requests and its own reader parses every answer. Beside it,
raw bytes cover what a library never sends on purpose: a frame split byte by byte, two frames
in one write, a malformed header block. Every byte the bridge writes must belong to an LSP
frame. Usage: lsp_check.py PATH-TO-tiledesk-rpc
"""
import os
import queue
import subprocess
import sys
import threading
from importlib.metadata import version

from pylsp_jsonrpc.endpoint import Endpoint
from pylsp_jsonrpc.exceptions import JsonRpcMethodNotFound
from pylsp_jsonrpc.streams import JsonRpcStreamReader, JsonRpcStreamWriter

TIMEOUT = 20


def fail(message):
    sys.exit(f"LSP check FAILED: {message}")


def answer(future, what):
    try:
        return future.result(timeout=TIMEOUT)
    except TimeoutError:
        fail(f"no answer to {what} in {TIMEOUT} s")


def frame(body):
    data = body.encode()
    return b"Content-Length: %d\r\n\r\n" % len(data) + data


def ping(ident):
    return '{"jsonrpc":"2.0","id":"%s","method":"ping"}' % ident


def split_frames(raw):
    """The bodies of `raw`, which must be nothing but `Content-Length: N\\r\\n\\r\\n` + N bytes."""
    bodies, rest = [], bytes(raw)
    while rest:
        head, sep, after = rest.partition(b"\r\n\r\n")
        if not sep or not head.startswith(b"Content-Length: ") or not head[16:].isdigit():
            fail(f"the bridge wrote something that is not an LSP frame: {rest[:80]!r}")
        length = int(head[16:])
        if len(after) < length:
            fail(f"a frame was cut short: {rest[:80]!r}")
        bodies.append(after[:length])
        rest = after[length:]
    return bodies


def main(binary):
    bridge = subprocess.Popen([binary, "--sandbox"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE)
    # Every byte the bridge writes is kept, and passed on to the library's reader.
    raw = bytearray()
    tee_read, tee_write = os.pipe()

    def tee():
        while chunk := os.read(bridge.stdout.fileno(), 1 << 16):
            raw.extend(chunk)
            os.write(tee_write, chunk)
        os.close(tee_write)

    threading.Thread(target=tee, daemon=True).start()
    writer = JsonRpcStreamWriter(bridge.stdin)
    endpoint = Endpoint({}, writer.write)
    raw_answers = queue.Queue()

    def consume(message):
        ident = message.get("id")
        if ident is None or str(ident).startswith("raw-"):
            raw_answers.put(message)  # answers to the raw bytes below
        else:
            endpoint.consume(message)

    reader = JsonRpcStreamReader(os.fdopen(tee_read, "rb"))
    threading.Thread(target=reader.listen, args=(consume,), daemon=True).start()

    # The library's own requests and answers.
    if answer(endpoint.request("ping"), "ping") != {}:
        fail("ping did not answer {}")
    team = answer(endpoint.request("team.list", {}), "team.list")
    if not isinstance(team, list) or not team or "email" not in str(team[0]):
        fail(f"team.list answered {team!r}")
    if "openrpc" not in answer(endpoint.request("rpc.discover"), "rpc.discover"):
        fail("rpc.discover did not answer the OpenRPC document")
    try:
        answer(endpoint.request("no.such.method"), "an unknown method")
        fail("an unknown method was not an error")
    except JsonRpcMethodNotFound:
        pass
    print("ok: ping, team.list, rpc.discover and an unknown method, through the library's writer and reader")

    # Raw bytes beside the library's writer.
    def send_raw(data, bytewise=False):
        for piece in ([data[i:i + 1] for i in range(len(data))] if bytewise else [data]):
            bridge.stdin.write(piece)
            bridge.stdin.flush()

    send_raw(frame(ping("raw-1")), bytewise=True)
    send_raw(frame(ping("raw-2")) + frame(ping("raw-3")))
    send_raw(b"Content-Type: application/json\r\nContent-Length: many\r\n\r\n{}" + frame(ping("raw-4")))
    try:
        answers = [raw_answers.get(timeout=TIMEOUT) for _ in range(5)]
    except queue.Empty:
        fail(f"fewer than 5 answers to the raw frames in {TIMEOUT} s")
    by_id = {a.get("id"): a for a in answers}
    for ident in ("raw-1", "raw-2", "raw-3", "raw-4"):
        if by_id.get(ident, {}).get("result") != {}:
            fail(f"no answer {{}} for {ident}: {answers!r}")
    malformed = by_id.get(None, {}).get("error", {})
    if malformed.get("code") != -32700:
        fail(f"the malformed header block was not answered -32700 with id null: {answers!r}")
    print("ok: a frame split byte by byte, two frames in one write, and a malformed header block "
          "(answered -32700: " + malformed.get("message", "") + ")")

    bridge.stdin.close()
    status = bridge.wait(timeout=TIMEOUT)
    stderr = bridge.stderr.read().decode(errors="replace")
    if status != 0:
        fail(f"the bridge exited {status}: {stderr}")
    bodies = split_frames(raw)
    if len(bodies) != 9:
        fail(f"expected 9 frames, got {len(bodies)}")
    print(f"ok: all {len(bytes(raw))} bytes the bridge wrote are {len(bodies)} LSP frames; it exited 0 at end of input")
    print(f"LSP check passed with python-lsp-jsonrpc {version('python-lsp-jsonrpc')}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
