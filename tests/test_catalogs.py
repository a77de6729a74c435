"""The catalogs: every message id the code uses exists in every language, and none is unused."""

from __future__ import annotations

import re
import string
from decimal import Decimal
from pathlib import Path

import pytest

from bot.app import ADMIN_MENU, GROUP_MENU, MENU
from handlers.admin_views import RULES
from handlers.reports import SUB_INDEX_HEADERS, SUMMARY_HEADERS
from locales import LANGUAGES, Translator, read_catalog

ROOT = Path(__file__).resolve().parent.parent
PREFIXES = (
    "agency|assign|broadcast|framework|import|users|"
    "button|command|console|deadline|deadlines|decision|dryrun|error|evidence|explain|grant|group|"
    "help|insight|ask|choice|"
    "language|chart|export|digest|"
    "history|invite|kind|mywork|operator|pause|period|private|problem|reminder|review|revoke|"
    "provenance|role|rule|score|start|status|summary|syntax|targets|index|frameworks|unknown|update|value"
)
LITERAL = re.compile(rf'"((?:{PREFIXES})\.[a-z_.]+)"')
REFUSAL = re.compile(r'Refusal\(\s*"([a-z_.]+)"')
# Ids built at run time from a value: the prefix in the code and every value it can take.
DYNAMIC = {
    "period.half": ["1", "2"],
    "rule.": ["ratio", "boolean", "assessed", "levels", "none"]
    + ["boolean_assumed", "levels_assumed", "none"],
    "provenance.is_": ["official", "reported", "estimated"],
    "targets.status.": ["met", "exceeded", "not_met", "no_data"],
    "targets.kind.": ["official", "reported"],
    "targets.kind_": ["baseline", "target", "national"],
    "index.kind.": ["official", "reported", "estimated"],
    "frameworks.kind.": ["dti", "targets", "index"],
    "command.": ["start", "help", *MENU, *GROUP_MENU, *ADMIN_MENU],
    "status.": ["missing", "pending", "approved", "rejected"]
    + ["official", "reported", "estimated"],
    "decision.": ["approved", "rejected"],
    "role.": ["lead", "coordinate", "member", "leader", "admin"],
    "syntax.": ["no_code", "no_value", "bad_period", "unknown_code"],
    "ask.no_data.": ["other_province", "not_held"],
    "choice.": ["summary", "export", "deadlines", "my_work", "help"],
    "invite.": ["linked", "already", "unknown", "expired", "used_up", "revoked"],
    "problem.value.": ["empty", "invalid", "ambiguous", "not_integer"],
    "deadline.": ["quarterly", "yearly", "committee", "conference", "custom"]
    + ["placeholder", "on_holiday", "on_weekend"],
    "kind.": ["reminder", "overdue", "summary", "conference"],
    "digest.": ["weekly", "monthly"],
    "weekday.": [str(d) for d in range(7)],
    "export.summary.": list(SUMMARY_HEADERS),
    "export.col.": list(SUB_INDEX_HEADERS),
    "import.rule.": list(RULES),
    "broadcast.to.": ["all", "focal", "leaders", "admins"],
}


def _read(*folders: str) -> str:
    return "\n".join(p.read_text("utf-8") for d in folders for p in (ROOT / d).rglob("*.py"))


def used_ids() -> set[str]:
    found = set(LITERAL.findall(_read("bot", "handlers")))
    found |= set(REFUSAL.findall(_read("services")))
    return found | {prefix + v for prefix, values in DYNAMIC.items() for v in values}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_id_used_in_the_code_is_in_the_catalog(lang: str) -> None:
    assert used_ids() - read_catalog(lang).keys() == set()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_catalog_has_no_unused_message(lang: str) -> None:
    assert read_catalog(lang).keys() - used_ids() == set()


def test_both_languages_use_the_same_placeholders_for_each_message() -> None:
    vi, en = read_catalog("vi"), read_catalog("en")

    def fields(text: str) -> set[str]:
        return {f for _, f, _, _ in string.Formatter().parse(text) if f}

    assert {k: fields(v) for k, v in vi.items()} == {k: fields(v) for k, v in en.items()}


@pytest.mark.parametrize(
    ("lang", "value", "places", "shown"),
    [
        ("vi", Decimal("1082862"), 2, "1.082.862"),
        ("vi", Decimal("9.170"), 2, "9,17"),
        ("vi", Decimal("9.17"), 2, "9,17"),
        ("en", Decimal("9.175"), 2, "9.18"),
        ("en", Decimal("0.125"), 2, "0.12"),  # Babel's half-even rounding, kept
        ("vi", Decimal("0.125"), 0, "0"),
        ("en", 1234, 2, "1,234"),
    ],
)
def test_numbers_are_formatted_alike_when_kept(
    lang: str, value: Decimal | int, places: int, shown: str
) -> None:
    """Formatted numbers are kept (locales._num); equal values share an entry and the text."""
    t = Translator().for_language(lang)
    assert t.num(value, places) == shown
    assert t.num(value, places) == shown  # from the cache
