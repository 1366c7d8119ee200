"""Loaded by Python at start-up when this folder is on PYTHONPATH: a ``kb slack`` process
started by the tests gets the suite's network guard (the audit hook in tests/conftest.py)
too, so it may reach 127.0.0.1 and nothing else."""

import tests.conftest  # noqa: F401  (importing it installs the hook)
