"""The offline console, configuration, and logs that never show the token."""

from __future__ import annotations

import asyncio
import io
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

from bot.console import run_console
from bot.settings import Settings
from tests.botapi import TOKEN, FakeBotApi
from tests.process import run_bot

ROOT = Path(__file__).resolve().parent.parent


async def test_once_prints_the_infrastructure_pillar_with_maxima_and_lead_agencies(
    settings: Settings,
) -> None:
    out = io.StringIO()
    await run_console(settings, "điểm Hạ tầng số hiện tại", out=out)
    lines = [line for line in out.getvalue().splitlines() if line.startswith("3.")]
    assert len(lines) == 7
    maxima = [re.search(r": (?:[\d,]+/|chưa có số liệu, tối đa )(\d+)", line) for line in lines]
    assert [m[1] if m else "" for m in maxima] == ["30"] * 6 + ["20"]
    assert all("chủ trì Sở KH&CN" in line for line in lines)


def test_python_m_bot_once_works_from_a_shell_without_a_token(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "BOT_TOKEN"}
    env["DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'c.sqlite3'}"
    done = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "bot", "--once", "điểm Hạ tầng số hiện tại"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    assert "📊 3. Hạ tầng số" in done.stdout
    assert "3.7 Mức độ ứng dụng Trí tuệ nhân tạo (AI)" in done.stdout


def test_the_interactive_console_answers_each_line_and_presses_buttons(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "BOT_TOKEN"}
    env["DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'c.sqlite3'}"
    done = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "bot"],
        input="tổng điểm DTI\nhạ tầng số đang mất bao nhiêu điểm\n#1\nexit\n",
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    assert "chế độ ngoại tuyến" in done.stdout
    assert "269,19/1.000" in done.stdout
    assert "[#1]" in done.stdout
    assert "Ý bạn là:" in done.stdout
    assert done.stdout.count("📊 ") == 2  # the total, then the pillar the button named


def test_admin_ids_are_read_from_a_comma_separated_variable() -> None:
    settings = Settings(_env_file=None, admin_ids="11, 22;33")  # type: ignore[call-arg]
    assert settings.admin_ids == frozenset({11, 22, 33})


def test_a_blank_token_means_the_offline_console() -> None:
    assert Settings(_env_file=None, bot_token="  ").token is None  # type: ignore[call-arg]


def test_the_token_is_hidden_in_the_settings_repr() -> None:
    # Built at run time so no token-shaped string sits in the repository (secret scanners).
    token = "1234" + "56789:" + "AAbbCCddEEffGGhhIIjjKKllMMnnOOppQQr"
    settings = Settings(_env_file=None, bot_token=token)  # type: ignore[call-arg]
    assert token not in repr(settings)
    assert token not in settings.summary()


async def test_with_a_token_the_bot_polls_answers_and_stops_on_sigterm_without_logging_the_token(
    api: FakeBotApi, tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if k != "BOT_TOKEN"}
    env |= {
        "BOT_TOKEN": TOKEN,
        "BOT_API_BASE_URL": api.base_url,
        "BOT_API_FILE_URL": api.base_file_url,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'p.sqlite3'}",
        "LOG_LEVEL": "DEBUG",
    }
    log_file = (tmp_path / "bot.log").open("wb")  # a pipe nobody reads would fill and block
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", cwd=tmp_path, env=env, stdout=log_file, stderr=log_file
    )
    try:
        api.private_text("tổng điểm DTI")  # queued until the bot's first getUpdates
        sent = await api.wait_for("sendMessage", chat_id=1001, timeout=30)
        assert "269,19" in sent[0]["text"]
        assert api.sent("setMyCommands")
    finally:
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), timeout=20)
        log_file.close()
    logs = (tmp_path / "bot.log").read_text("utf-8")
    assert process.returncode == 0, logs
    assert "polling as @" in logs
    assert TOKEN not in logs


async def test_the_server_command_makes_an_invite_code_that_registers_a_focal_point(
    tmp_path: Path,
) -> None:
    env = {k: v for k, v in os.environ.items() if k != "BOT_TOKEN"}
    env["DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'c.sqlite3'}"
    status, made = await run_bot(env, tmp_path, "invite", "Sở KH&CN", "--uses", "2")
    assert status == 0, made
    code = made.split("/start ")[1].split()[0]
    assert "Dùng được 2 lần" in made
    status, used = await run_bot(env, tmp_path, "--once", f"/start {code}")
    assert status == 0, used
    assert "đầu mối của Sở Khoa học và Công nghệ" in used
    status, unknown = await run_bot(env, tmp_path, "invite", "XYZ")
    assert status == 2
    assert "Không có cơ quan" in unknown
