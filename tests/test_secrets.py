"""Secrets never in output: the bot token in no log record and nothing on standard error (even a
library's exception that quotes it), invite codes and SQL parameters in no log at any level."""

from __future__ import annotations

import io
import logging
import re
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from bot.logs import MASK, RedactingFormatter, RedactingStream, Redactor
from storage.db import make_engine
from tests.botapi import TOKEN, FakeBotApi
from tests.chat import Chat
from tests.process import bot_env, run_bot, serving

# Built at run time so that no token-shaped string sits in the repository (secret scanners).
SECRET = "1234" + "56789:" + "AAbbCCddEEffGGhhIIjjKKllMMnnOOppQQr"
ADMIN, FOCAL = 1001, 2001


def test_a_secret_written_in_pieces_to_standard_error_is_still_hidden() -> None:
    redact = Redactor()
    redact.add(SECRET)
    target = io.StringIO()
    stream = RedactingStream(target, redact)
    stream.write("InvalidToken: The token `" + SECRET[:10])
    stream.write(SECRET[10:] + "` was rejected\nnext ")
    stream.write("line with " + SECRET.split(":")[1])
    stream.flush()
    assert SECRET not in target.getvalue()
    assert SECRET.split(":")[1] not in target.getvalue()  # the secret part alone, too
    expected = f"InvalidToken: The token `{MASK}` was rejected\nnext line with {MASK}"
    assert target.getvalue() == expected


def test_the_token_is_hidden_in_a_log_record_s_message_and_traceback() -> None:
    redact = Redactor()
    redact.add(SECRET)
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(RedactingFormatter(redact, "%(message)s"))
    log = logging.getLogger("test.secrets")
    log.addHandler(handler)
    try:
        log.warning("POST https://api.telegram.org/bot%s/getUpdates failed", SECRET)
        try:
            raise ValueError(f"The token `{SECRET}` was rejected by the server.")
        except ValueError:
            log.exception("start-up failed")
    finally:
        log.removeHandler(handler)
    assert SECRET not in out.getvalue()
    assert f"bot{MASK}/getUpdates" in out.getvalue()
    assert f"ValueError: The token `{MASK}` was rejected" in out.getvalue()


def test_short_values_are_not_taken_for_secrets() -> None:
    redact = Redactor()
    redact.add("x", "", None)
    assert redact("x marks the spot") == "x marks the spot"


@pytest.mark.parametrize(
    ("setting", "value"),
    [("BOT_TOKEN", SECRET), ("BOT_API_BASE_URL", "{api}/api/bot")],
    ids=["a token Telegram refuses (401)", "a wrong base-URL prefix (404)"],
)
async def test_at_debug_a_refused_token_shows_a_traceback_without_the_token(
    setting: str, value: str, api: FakeBotApi, tmp_path: Path
) -> None:
    token = SECRET if setting == "BOT_TOKEN" else TOKEN
    value = value.format(api=api.base_url.rsplit("/bot", 1)[0])
    env = bot_env(api, tmp_path, LOG_LEVEL="DEBUG", **{setting: value})
    status, output = await run_bot(env, tmp_path)
    assert status == 2
    assert "InvalidToken" in output  # PTB's exception, whose message quotes the token …
    assert token not in output  # … hidden
    assert token.split(":")[1] not in output


async def test_at_debug_neither_the_token_nor_an_invite_code_reaches_the_log(
    api: FakeBotApi, tmp_path: Path
) -> None:
    env = bot_env(api, tmp_path, LOG_LEVEL="DEBUG", ADMIN_IDS=str(ADMIN))
    async with serving(env, tmp_path) as log:
        focal = Chat(api, FOCAL, "Hoa")
        api.private_text("/moi SKHCN", user_id=ADMIN)
        reply = await api.wait_for("sendMessage", chat_id=ADMIN, timeout=30)
        code = re.search(r": ([A-Z0-9]{8})\n", reply[0]["text"])
        assert code, reply[0]["text"]
        registered = await focal.say(f"/start {code.group(1)}")
        assert "đầu mối của" in registered["text"]
    logs = log.read_text("utf-8")
    assert " DEBUG " in logs  # the level was applied …
    assert code.group(1) not in logs  # … yet no invite code
    assert TOKEN not in logs
    assert TOKEN.split(":")[1] not in logs


async def test_a_database_error_does_not_quote_the_statement_s_parameters(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'p.sqlite3'}")
    try:
        async with engine.begin() as conn:
            await conn.execute(text("CREATE TABLE invites (code TEXT UNIQUE)"))
            insert = text("INSERT INTO invites VALUES (:code)")
            await conn.execute(insert, {"code": "K7Q2M9XA"})
            with pytest.raises(IntegrityError) as raised:
                await conn.execute(insert, {"code": "K7Q2M9XA"})
    finally:
        await engine.dispose()
    assert "UNIQUE constraint failed" in str(raised.value)
    assert "K7Q2M9XA" not in str(raised.value)  # SQLAlchemy would add "[parameters: …]"
