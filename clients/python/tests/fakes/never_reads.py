"""A bridge that never reads its stdin, so a large request fills the pipe and blocks."""

import time

time.sleep(120)
