"""A bridge that never exits: it ignores SIGTERM and end of input, and just sleeps."""

import signal
import sys
import time

signal.signal(signal.SIGTERM, signal.SIG_IGN)
sys.stderr.write("stubborn bridge started\n")
sys.stderr.flush()
for _ in sys.stdin.buffer:
    pass
time.sleep(120)
