"""The text of a refusal, through the catalogs: agencies by their short names, numbers, dates and
periods in the reader's language, and what the user typed cut short when it is echoed back."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from domain.messages import inline
from handlers.views import agency_label, period_label
from locales import Text
from scoring.model import Directory
from services.refusal import Refusal
from storage.db import as_utc

ECHOED = ("raw", "code", "agency", "type", "who", "command")  # typed (or named) by a person
ECHO_WIDTH = 40


def refusal_text(
    t: Text, refusal: Refusal, directory: Directory, bot: str, zone: ZoneInfo | None = None
) -> str:
    """The message for something the user must fix or cannot do, with what to type instead."""
    params: dict[str, Any] = {"bot": bot, **refusal.params}
    for key in ("lead", "coordinate", "mine"):
        if key in params:
            params[key] = ", ".join(agency_label(directory, c) for c in params[key]) or "—"
    for key in ECHOED:
        if isinstance(params.get(key), str):
            params[key] = inline(params[key], ECHO_WIDTH)
    places = 1 if refusal.message == "problem.evidence.too_large" else 2  # megabytes
    for key, value in params.items():
        if isinstance(value, Decimal):
            params[key] = t.num(value, places)
        elif isinstance(value, datetime):
            params[key] = t.datetime(as_utc(value).astimezone(zone) if zone else value)
    if "near" in params:
        params["near"] = ", ".join(params["near"][:6]) or "—"
    if "candidates" in params:
        first, second = (tuple(params.pop("candidates")) + (Decimal(0), Decimal(0)))[:2]
        params["first"], params["second"] = t.num(first, 6), format(second, "f")
    if "period" in params:
        params["period"] = period_label(t, params["period"])
    if "status" in params:
        params["status"] = t(f"status.{params['status']}")
    if "decision" in params:
        params["decision"] = t(f"decision.{params['decision']}")
    if "role" in params:
        params["role"] = t(f"role.{params['role']}")
    if "holder" in params:
        params["holder"] = agency_label(directory, params["holder"])
    return t(refusal.message, **params)
