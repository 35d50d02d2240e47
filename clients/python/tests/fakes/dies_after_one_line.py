"""A bridge that answers the start-up ping, reads one more line, complains on stderr and exits 3 without answering."""

import sys
import time

from handshake import answer_handshake

answer_handshake()
sys.stdin.buffer.readline()
time.sleep(float(sys.argv[1]) if len(sys.argv) > 1 else 0.3)
sys.stderr.write("tiledesk-rpc: warming up\n")
sys.stderr.write("fatal: simulated crash while serving the request\n")
sys.stderr.flush()
sys.exit(3)
