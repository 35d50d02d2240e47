"""The README's Python examples and the example scripts type-check as a Pyright or Pylance user
sees them: basedpyright (a Pyright fork on PyPI that brings its own Node, so it needs no npm
registry) in standard mode, installed into a throwaway virtual environment."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

from .support import CLIENT_ROOT

EXAMPLES = CLIENT_ROOT / "examples"


class TypeCheckTests(unittest.TestCase):
    def setUp(self) -> None:
        self.work = Path(tempfile.mkdtemp(prefix="tiledesk-rpc-typing-"))
        self.addCleanup(shutil.rmtree, self.work, True)

    def checker(self) -> Path:
        """basedpyright in a fresh virtual environment; skips the test when PyPI cannot give it."""
        venv = self.work / "venv"
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True)
        done = subprocess.run(
            [str(venv / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check", "basedpyright"],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            self.skipTest(f"SKIPPED: basedpyright could not be installed from PyPI: {done.stderr.strip()[-300:]}")
        return venv / "bin" / "basedpyright"

    def test_readme_and_examples_type_check(self) -> None:
        checker = self.checker()
        sources = self.work / "sources"
        sources.mkdir()
        readme = (CLIENT_ROOT / "README.md").read_text(encoding="utf-8")
        for i, block in enumerate(re.findall(r"```python\n(.*?)```", readme, re.S)):
            (sources / f"readme_block_{i}.py").write_text(block, encoding="utf-8")
        for script in EXAMPLES.glob("*.py"):
            shutil.copy(script, sources)
        config = {"typeCheckingMode": "standard", "pythonVersion": "3.9", "extraPaths": [str(CLIENT_ROOT)]}
        (sources / "pyrightconfig.json").write_text(json.dumps(config), encoding="utf-8")
        done = subprocess.run([str(checker), "--outputjson", "--project", str(sources), str(sources)], capture_output=True, text=True)
        report = json.loads(done.stdout)
        self.assertGreater(report["summary"]["filesAnalyzed"], 0, done.stderr)
        errors = [
            f"{Path(d['file']).name}:{d['range']['start']['line'] + 1}: {d['message']}"
            for d in report["generalDiagnostics"]
            if d["severity"] == "error"
        ]
        self.assertEqual(errors, [])


if __name__ == "__main__":
    unittest.main()
