"""Unhandled errors reported to the operator's chat (OPERATOR_CHAT_ID).

A report says what kind of error, where in the bot's code, and a short incident id that is also
in the log line next to the traceback; never the error's message, the update, a name or the
token (a message can quote what a user typed). One report per kind of error (its type and
place) per ten minutes; the next report of that kind counts the ones held back."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import TracebackType
from typing import TYPE_CHECKING

from telegram.error import TelegramError

from locales import Text
from services.clock import Clock

if TYPE_CHECKING:
    from telegram.ext import Application

    from bot.settings import Settings
    from handlers.context import Context
    from services.container import Services

log = logging.getLogger(__name__)
WINDOW = timedelta(minutes=10)
OWN_PACKAGES = frozenset(
    {"bot", "handlers", "services", "storage", "scoring", "reminders", "parsing", "reports"}
)


@dataclass(frozen=True, slots=True)
class Incident:
    id: str
    kind: str  # the exception's type
    where: str  # module:line (function) of the innermost frame in the bot's own code


def incident_of(error: BaseException, incident_id: str | None = None) -> Incident:
    """The incident an error stands for: its type and the innermost place in the bot's code
    (else the innermost place at all) that it went through."""
    own = anywhere = "?"
    tb: TracebackType | None = error.__traceback__
    while tb is not None:
        module = str(tb.tb_frame.f_globals.get("__name__", "?"))
        anywhere = f"{module}:{tb.tb_lineno} ({tb.tb_frame.f_code.co_name})"
        if module.split(".")[0] in OWN_PACKAGES:
            own = anywhere
        tb = tb.tb_next
    place = own if own != "?" else anywhere
    return Incident(incident_id or secrets.token_hex(4), type(error).__name__, place)


class Throttle:
    """At most one report per kind per window; counts the ones held back."""

    def __init__(self, clock: Clock, window: timedelta = WINDOW) -> None:
        self.clock = clock
        self.window = window
        self._last: dict[tuple[str, str], datetime] = {}
        self._held: dict[tuple[str, str], int] = {}

    def admit(self, incident: Incident) -> int | None:
        """None when this kind was reported within the window (it is counted); else the
        number held back since the last report of its kind."""
        key, now = (incident.kind, incident.where), self.clock()
        last = self._last.get(key)
        if last is not None and now - last < self.window:
            self._held[key] = self._held.get(key, 0) + 1
            return None
        self._last[key] = now
        return self._held.pop(key, 0)


class OperatorReports:
    """The error handler that tells the operator chat."""

    def __init__(self, chat_id: int, throttle: Throttle, text: Text) -> None:
        self.chat_id = chat_id
        self.throttle = throttle
        self.t = text

    async def on_error(self, _update: object, context: Context) -> None:
        if context.error is None:
            return
        incident = incident_of(context.error)
        # The traceback was just logged (handlers.basics.on_error); this line ties the id to it.
        log.error("incident %s: %s at %s", incident.id, incident.kind, incident.where)
        held = self.throttle.admit(incident)
        if held is None:
            return
        text = self.t(
            "operator.incident", kind=incident.kind, where=incident.where, incident=incident.id
        )
        if held:
            text += "\n" + self.t("operator.incident_held", count=held)
        try:
            await context.bot.send_message(self.chat_id, text)
        except TelegramError as exc:  # the report must never raise in turn
            log.warning("incident %s not reported to the operator chat: %s", incident.id, exc)


def install(app: Application, settings: Settings, services: Services) -> None:  # type: ignore[type-arg]
    """Report unhandled errors to OPERATOR_CHAT_ID, when it is set, in the default language."""
    if settings.operator_chat_id is None:
        return
    reports = OperatorReports(
        settings.operator_chat_id,
        Throttle(services.calendar.clock),
        services.texts.for_language(services.texts.default),
    )
    app.add_error_handler(reports.on_error)
