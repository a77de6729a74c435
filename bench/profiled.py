"""Run `python -m bot` (or any module) with cProfile switched on by signals, to see where the
CPU of one phase of bench/e2e.py goes: SIGUSR1 starts profiling the main thread (the event
loop; its CPU time, not wall time), SIGUSR2 stops it and writes the statistics to OUT (read
them with `python -m pstats`).
The database driver's thread (aiosqlite) is not profiled; its cost shows as the loop's waits.

Run: python bench/profiled.py OUT MODULE|SCRIPT.py [ARGS...]  (bench/e2e.py --profile OUT)"""

from __future__ import annotations

import cProfile
import os
import runpy
import signal
import sys
import time
from types import FrameType


def main() -> None:
    out, module, *rest = sys.argv[1:]
    profiler = cProfile.Profile(time.thread_time)  # CPU time: waits cost nothing

    def start(_: int, __: FrameType | None) -> None:
        profiler.enable()

    def stop(_: int, __: FrameType | None) -> None:
        profiler.disable()
        profiler.dump_stats(out)

    signal.signal(signal.SIGUSR1, start)
    signal.signal(signal.SIGUSR2, stop)
    sys.argv = [module, *rest]
    if module.endswith(".py"):
        runpy.run_path(module, run_name="__main__")
    else:
        sys.path[0] = os.getcwd()  # as `python -m` has it
        runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
