"""A bridge that answers the start-up ping, then never reads its stdin again, so a large request fills the pipe and blocks."""

import time

from handshake import answer_handshake

answer_handshake()
time.sleep(120)
