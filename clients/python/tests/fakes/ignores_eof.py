"""A bridge that never exits: it answers the start-up ping, then ignores SIGTERM and end of input, and just sleeps."""

import signal
import sys
import time

from handshake import answer_handshake

signal.signal(signal.SIGTERM, signal.SIG_IGN)
answer_handshake()
sys.stderr.write("stubborn bridge started\n")
sys.stderr.flush()
for _ in sys.stdin.buffer:
    pass
time.sleep(120)
