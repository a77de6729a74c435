"""What a server subcommand is (`python -m bot NAME …`): its help, its arguments and its run."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Command:
    """`run` gets the settings (None when `needs_settings` is false: the command reads them
    itself, as `check` does to report a bad one in its own words) and the parsed arguments, and
    returns the exit status: 0 done, 2 a problem the operator fixes."""

    help: str
    arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[Any, argparse.Namespace], Coroutine[Any, Any, int]]
    needs_settings: bool = True
