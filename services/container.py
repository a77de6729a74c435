"""The services the handlers use, built once at start-up and kept in the bot's bot_data."""

from __future__ import annotations

from dataclasses import dataclass

from locales import Translator
from services.clock import Clock
from services.scores import ScoreService


@dataclass(frozen=True, slots=True)
class Services:
    scores: ScoreService
    texts: Translator
    clock: Clock
    admin_ids: frozenset[int]
