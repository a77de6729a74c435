"""`python -m bot` without paying for the interpreter's start and the imports each time.

A test of the entry point's behaviour (a misconfiguration's exit status and one line, a
subcommand's output, a log that hides the token) needs a process of its own: exit statuses,
standard streams, logging and signal handlers are process-wide. Starting a fresh interpreter for
each costs two to three seconds of CPU, almost all of it importing the same modules again. Here a
fork server (multiprocessing's, one per test process) imports the bot's modules once; each run is
a fork of it that takes the given environment, working folder, arguments and standard streams and
then runs `bot` as `__main__` (runpy, as `python -m bot` does): the same code from `main()` on, in
a process of its own, with its own pid for signals and its own exit status.

What a fork cannot show is the fresh interpreter itself (the imports, `python -m` finding the
package); the tests that start the real `python -m bot` (tests/test_console_and_settings.py,
tests/test_light_start.py, and those asking for `fresh=True` in tests/process.py) keep that
covered. tests/test_processes.py runs its bots (a kill -9, two webhook processes) here too."""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import multiprocessing
import os
import runpy
import sys
import threading
import traceback
from multiprocessing.context import ForkServerContext
from pathlib import Path
from typing import Any

# What `python -m bot` imports on its ways (serving, the console, the subcommands, a PostgreSQL
# URL): imported once in the fork server, shared by every run.
PRELOAD = [
    "bot.__main__", "bot.runtime", "bot.console", "bot.app", "bot.check", "bot.backup",
    "bot.admin_cli", "bot.framework_cli", "bot.broadcast_cli", "bot.web", "services.container",
    "storage.migrate", "asyncpg", "aiosqlite", "sqlalchemy.dialects.postgresql.asyncpg",
    "sqlalchemy.dialects.sqlite.aiosqlite", "alembic.command", "tests.forked",
]  # fmt: skip

_context: ForkServerContext | None = None


def _fork_server() -> ForkServerContext:
    global _context
    if _context is None:
        context = multiprocessing.get_context("forkserver")
        assert isinstance(context, ForkServerContext)
        context.set_forkserver_preload(PRELOAD)
        _context = context
    return _context


class ForkedBot:
    """One run of `python -m bot ARGS` in a fork of the fork server; like an asyncio
    subprocess: `pid`, `returncode`, `send_signal`, `kill`, `wait`."""

    def __init__(self, env: dict[str, str], cwd: Path, args: tuple[str, ...], output: Path,
                 stdin: Path | None = None) -> None:  # fmt: skip
        self._process = _fork_server().Process(
            target=_child,
            args=(dict(env), str(cwd), list(args), str(output), str(stdin or os.devnull)),
            name="python -m bot",
        )
        self._process.start()
        assert self._process.pid is not None
        self.pid: int = self._process.pid

    @property
    def returncode(self) -> int | None:
        return self._process.exitcode

    def send_signal(self, signal: int) -> None:
        if self._process.exitcode is None:
            os.kill(self.pid, signal)

    def kill(self) -> None:
        self._process.kill()

    async def wait(self) -> int:
        """The exit status (negative: the signal that ended it), once the process ended."""
        if self._process.exitcode is None:
            loop = asyncio.get_running_loop()
            ended = loop.create_future()
            sentinel = self._process.sentinel  # readable once the process ended
            loop.add_reader(sentinel, lambda: ended.done() or ended.set_result(None))
            try:
                await ended
            finally:
                loop.remove_reader(sentinel)
        self._process.join()
        code = self._process.exitcode
        assert code is not None
        return code

    def close(self) -> None:
        """Kill it if it still runs (a test that failed half-way), and free its resources."""
        if self._process.exitcode is None:
            self._process.kill()
            self._process.join()
        self._process.close()


def _child(env: dict[str, str], cwd: str, args: list[str], output: str, stdin: str) -> None:
    """In the forked process: become `python -m bot ARGS` with these streams, environment and
    folder, run it, and end as the interpreter would (atexit, flushed streams, the status)."""
    out = os.open(output, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    os.dup2(out, 1)
    os.dup2(out, 2)
    os.close(out)
    os.dup2(os.open(stdin, os.O_RDONLY), 0)
    sys.stdin = open(0, encoding="utf-8", closefd=False)  # noqa: SIM115 - the process's stdin
    sys.stdout = open(1, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
    sys.stderr = open(  # noqa: SIM115 - as Python's: line-buffered, never failing on a character
        2, "w", buffering=1, encoding="utf-8", errors="backslashreplace", closefd=False
    )
    sys.__stdin__, sys.__stdout__, sys.__stderr__ = sys.stdin, sys.stdout, sys.stderr
    os.environ.clear()
    os.environ.update(env)
    os.chdir(cwd)
    sys.argv = ["-m", *args]
    sys.modules.pop("bot.__main__", None)  # preloaded for its imports; runs afresh as __main__
    code = 0
    try:
        runpy.run_module("bot", run_name="__main__", alter_sys=True)
    except SystemExit as end:
        code = _status(end.code)
    except BaseException:  # as the interpreter: the traceback, status 1
        traceback.print_exc()
        code = 1
    threading._shutdown()  # type: ignore[attr-defined] # as at exit: wait for non-daemon threads
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code)


def _status(code: Any) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1
