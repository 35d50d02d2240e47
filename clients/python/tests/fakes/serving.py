"""The read loop of the fakes that serve requests at once, as the real bridge does."""

import json
import sys
import threading
from typing import Any, Callable, List


def serve_concurrently(serve: Callable[[Any], None], cancel: Callable[[Any], None]) -> None:
    """Read JSON messages from stdin, one a line: a ``$/cancelRequest`` goes to ``cancel`` at once
    (so it can reach the call it cancels), any other message to ``serve`` in a thread of its own.
    At end of input, wait for every thread."""
    threads: List[threading.Thread] = []
    for line in sys.stdin.buffer:
        if not line.strip():
            continue
        message = json.loads(line)
        if isinstance(message, dict) and message.get("method") == "$/cancelRequest":
            cancel(message)
            continue
        thread = threading.Thread(target=serve, args=(message,), daemon=True)
        thread.start()
        threads.append(thread)
    for thread in threads:
        thread.join()
