"""The test suite.

pytest rewrites the asserts of every module of its plugins' packages (all of hypothesis, say),
not only of the test modules, and keeps the result in __pycache__ only where bytecode may be
written. With PYTHONDONTWRITEBYTECODE set, as on this project's machines, every test process
rewrote the ~70 such modules tests/conftest.py imports, a second of CPU each time (three
processes with -n 2). Importing this package is the first thing conftest does, so they are
written here, and tests/conftest.py puts the setting back once its imports are done."""

import sys

DONT_WRITE_BYTECODE = sys.dont_write_bytecode
sys.dont_write_bytecode = False
