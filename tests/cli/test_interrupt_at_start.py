"""Ctrl-C in kb's first milliseconds, while it is still importing its modules."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

# Ctrl-C arriving while kb imports the search's modules, without a timing: an import hook
# raises what the signal would.
INTERRUPTED_IMPORT = """
import sys
class CtrlC:
    def find_spec(self, name, path=None, target=None):
        if name == "kbcli.cli.fast_search":
            raise KeyboardInterrupt
        return None
sys.meta_path.insert(0, CtrlC())
sys.argv = ["kb", "search", "refund"]
from kbcli.cli.main import main
main()
"""


def test_ctrl_c_while_kb_starts_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", INTERRUPTED_IMPORT],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 130
    assert result.stderr == "kb: error: interrupted\n"
