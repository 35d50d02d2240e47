"""A bridge that rejects its command line, like the real one with a bad flag: exit 2 before reading stdin."""

import sys

sys.stderr.write("tiledesk-rpc: unknown flag --bogus\n")
sys.exit(2)
