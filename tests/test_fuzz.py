"""Property: whatever anyone types or presses, in a private chat or a group, as a stranger, a
focal point, a leader or an administrator, no exception reaches the error handler, no reply says
"something went wrong", no text is over Telegram's limits (4,096 characters, 200 for a button's
answer), every button press is answered, and a refused update writes nothing.

The examples are derived from a fixed seed (deterministic in CI); bench/fuzz.py plays 10,000
updates from fresh random seeds."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable

import pytest
from hypothesis import HealthCheck, given, settings
from telegram.ext import (
    ApplicationHandlerStop,
    CallbackQueryHandler,
    MessageHandler,
    filters,
)

from bot.settings import Settings
from handlers.request import ANYONE, Request, handles
from services.container import Services
from services.refusal import Refusal
from tests.botapi import FakeBotApi
from tests.fuzzing import Fuzzer, Step, fuzzed_bot, scenarios

EXAMPLES = 400  # scenarios of 1-4 updates each: about 1,000 updates, seconds


@pytest.fixture
async def fuzzer(api: FakeBotApi, settings: Settings, services: Services) -> AsyncIterator[Fuzzer]:
    async with fuzzed_bot(api, settings, services) as fuzzer:
        yield fuzzer


@pytest.mark.slow
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,  # one bot for every example, on purpose
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(scenario=scenarios)
async def test_no_update_from_anyone_breaks_the_bot_or_telegrams_limits(
    fuzzer: Fuzzer, scenario: list[Step]
) -> None:
    problems = await fuzzer.play(scenario)
    assert not problems, "\n\n".join(problems)


async def test_the_fuzzer_notices_errors_long_texts_silent_buttons_and_refused_writes(
    fuzzer: Fuzzer, services: Services
) -> None:
    """The checks above can fail: a handler that raises, one that sends more than a message
    holds, one that leaves a button unanswered, and one that writes and then refuses."""

    @handles(ANYONE)
    async def misbehave(request: Request) -> None:
        if request.text == "/raise":
            raise RuntimeError("boom")
        if request.text == "/long":
            await request.context.bot.send_message(request.destination.chat_id, "x" * 5000)
        if request.text == "/write":
            await services.insights.set_rank(2030, 1, 34, None, "user:1")
            raise Refusal("button.expired")

    async def silent(update: object, context: object) -> None:
        raise ApplicationHandlerStop

    fuzzer.app.add_handler(MessageHandler(filters.Regex("^/(raise|long|write)$"), misbehave), -3)
    fuzzer.app.add_handler(CallbackQueryHandler(silent, pattern="^silent$"), -3)

    def played(kind: str, payload: str) -> Awaitable[list[str]]:
        return fuzzer.play([Step("administrator", "private", kind, payload)])

    assert "RuntimeError: boom" in "\n".join(await played("command", "/raise"))
    assert "sendMessage of 5000 characters" in "\n".join(await played("command", "/long"))
    assert "never answered" in "\n".join(await played("button", "silent"))
    assert "refused, yet wrote {'rankings': (" in "\n".join(await played("command", "/write"))
    assert fuzzer.tally.refused >= 1
