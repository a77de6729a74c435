"""bench/e2e.py keeps working: its tiny mode starts the real bot and the echo bot against the
local Bot API server, asks a few questions and prints the table with the ratios."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_the_end_to_end_bench_runs_in_its_tiny_mode_and_prints_both_bots_side_by_side() -> None:
    done = subprocess.run(  # noqa: S603 - this interpreter, the repository's own script
        [sys.executable, str(ROOT / "bench" / "e2e.py"), "--tiny"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert "| server answers at once | echo | bot sqlite | bot sqlite / echo |" in out
    for row in ("ready after start", "resident memory after start", "latency median",
                "latency p95", "CPU per reply", "most sends in any one second",
                "CPU per reply of each burst"):  # fmt: skip
        assert f"| {row}" in out
    # 5 people registered, then two rounds of 5 steady questions and a burst of 20
    assert "| answered | 55/55 | 55/55 |" in out
    assert "the bot never sent more than 30 in any one second: yes" in out
