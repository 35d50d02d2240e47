"""Finding the binary a wheel bundles (`make dist`), and the `tiledesk-rpc` command that runs it."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path
from unittest import mock

import tiledesk_rpc
from tiledesk_rpc import _bundled

from .support import CLIENT_ROOT


def executable(path: Path, script: str = "#!/bin/sh\necho \"$0 $*\"\n") -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(script)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


class BundledBinaryTests(unittest.TestCase):
    def setUp(self) -> None:
        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        self.root = Path(folder.name)
        self.bundled = executable(self.root / "package" / "bin" / "tiledesk-rpc")
        self.on_path = executable(self.root / "on-path" / "tiledesk-rpc")
        env = {k: v for k, v in os.environ.items() if k != "TILEDESK_RPC_BIN"}
        env["PATH"] = str(self.root / "on-path")
        patcher = mock.patch.dict(os.environ, env, clear=True)
        patcher.start()
        self.addCleanup(patcher.stop)

    def test_the_bundled_binary_comes_after_the_variable_and_before_path(self) -> None:
        with mock.patch.object(_bundled, "BUNDLED_BINARY", self.bundled):
            self.assertEqual(tiledesk_rpc.find_binary(), self.bundled)
            with mock.patch.dict(os.environ, {"TILEDESK_RPC_BIN": sys.executable}):
                self.assertEqual(tiledesk_rpc.find_binary(), sys.executable)
        with mock.patch.object(_bundled, "BUNDLED_BINARY", str(self.root / "absent" / "tiledesk-rpc")):
            self.assertEqual(tiledesk_rpc.find_binary(), self.on_path)

    def test_a_source_checkout_bundles_nothing(self) -> None:
        self.assertFalse((CLIENT_ROOT / "tiledesk_rpc" / "bin" / "tiledesk-rpc").exists())
        self.assertIsNone(_bundled.bundled_binary())

    def test_the_command_becomes_the_bundled_binary_with_its_arguments(self) -> None:
        program = f"from tiledesk_rpc import _bundled; _bundled.BUNDLED_BINARY = {self.bundled!r}; _bundled.main()"
        run = subprocess.run([sys.executable, "-c", program, "--sandbox", "call", "ping"], capture_output=True, text=True,
                             env=dict(os.environ, PYTHONPATH=str(CLIENT_ROOT)))
        self.assertEqual((run.returncode, run.stdout), (0, f"{self.bundled} --sandbox call ping\n"))

    def test_the_command_of_a_source_install_says_what_to_install(self) -> None:
        run = subprocess.run([sys.executable, "-c", "from tiledesk_rpc import _bundled; _bundled.main()"], capture_output=True,
                             text=True, env=dict(os.environ, PYTHONPATH=str(CLIENT_ROOT)))
        self.assertEqual(run.returncode, 1)
        self.assertIn("make dist", run.stderr)


if __name__ == "__main__":
    unittest.main()
