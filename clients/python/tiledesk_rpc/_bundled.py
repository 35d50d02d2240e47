"""The bridge binary bundled in a wheel built by ``make dist``, and the ``tiledesk-rpc`` command.

A wheel carries the release binary for its platform at ``tiledesk_rpc/bin/tiledesk-rpc``; a
source install (``pip install ./clients/python``) has none and finds the bridge elsewhere.
"""

from __future__ import annotations

import os
import sys
from typing import NoReturn, Optional

BUNDLED_BINARY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bin", "tiledesk-rpc")


def bundled_binary() -> Optional[str]:
    """The binary shipped inside this package, or None when the package was installed from source."""
    return BUNDLED_BINARY if os.path.isfile(BUNDLED_BINARY) and os.access(BUNDLED_BINARY, os.X_OK) else None


def main() -> NoReturn:
    """The ``tiledesk-rpc`` command: becomes the bundled binary, with the same arguments and stdio."""
    binary = bundled_binary()
    if binary is None:
        sys.exit(
            "tiledesk-rpc: this copy of the Python package was installed from source and bundles no binary; "
            "install the wheel that `make dist` builds, or build the bridge with `make release`"
        )
    os.execv(binary, [binary, *sys.argv[1:]])
