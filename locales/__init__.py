"""User-facing text: Babel catalogs (locales/<lang>/LC_MESSAGES/messages.po) and number formats.

Message ids are symbolic ("score.total.head"); every id exists in every catalog. Each catalog is
read once, at its first use (the served bot's command menus, right after it starts polling, or
its first answer), not during the start; a missing id is a bug that the tests catch, not a
runtime fallback."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cache, lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from babel import Locale
from babel.dates import format_date, format_time
from babel.numbers import NumberPattern, parse_pattern

LOCALES_DIR = Path(__file__).parent
LANGUAGES = ("vi", "en")
DATE_FORMATS = {"vi": "dd/MM/yyyy", "en": "d MMM yyyy"}


def read_catalog(lang: str) -> dict[str, str]:
    """msgid -> text of one language's catalog."""
    from babel.messages.pofile import read_po  # with the first catalog: not during a start

    with (LOCALES_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    return {str(m.id): str(m.string) for m in catalog if m.id and m.string}


@dataclass(frozen=True, slots=True)
class Text:
    """The catalog of one language, with its number formats."""

    lang: str
    messages: Mapping[str, str]

    def __call__(self, msgid: str, **params: Any) -> str:
        return self.messages[msgid].format(**params)

    def num(self, value: Decimal | int, places: int = 2) -> str:
        """A number in this language's format: vi 1.082.862 and 9,17; en 1,082,862 and 9.17."""
        return _num(self.lang, value, places)

    def date(self, day: date) -> str:
        """A date for this language: vi 25/12/2025, en 25 Dec 2025."""
        return format_date(day, DATE_FORMATS.get(self.lang, "dd/MM/yyyy"), locale=self.lang)

    def datetime(self, moment: datetime) -> str:
        """A date and time (already in the reader's zone): vi 25/12/2025 08:00."""
        return f"{self.date(moment.date())} {format_time(moment, 'HH:mm', locale=self.lang)}"

    def fixed(self, value: Decimal, places: int) -> str:
        """A number with exactly `places` decimals: vi 0,1823."""
        return str(_pattern("0." + "0" * places).apply(value, _locale(self.lang)))


@lru_cache(maxsize=4096)
def _num(lang: str, value: Decimal | int, places: int) -> str:
    """Kept: a board's figures are the same in every answer until a value changes, and Babel
    takes about 30 µs a number (a score answer shows twenty). Equal values (9.17, 9.170) format
    alike, so sharing an entry is safe."""
    pattern = _pattern("#,##0" + ("." + "#" * places if places else ""))
    return str(pattern.apply(value, _locale(lang)))


@cache
def _pattern(pattern: str) -> NumberPattern:
    return parse_pattern(pattern)


@cache
def _locale(lang: str) -> Locale:
    return Locale.parse(lang)


@cache
def _text(lang: str) -> Text:
    # The catalogs are files of the package: read once per process, shared by every Translator
    # (the services built for each test, each process of the benchmarks).
    return Text(lang, MappingProxyType(read_catalog(lang)))


class Translator:
    def __init__(self, default: str = "vi") -> None:
        self.default = default if default in LANGUAGES else "vi"

    def for_language(self, lang: str | None) -> Text:
        """The catalog for a Telegram language code ('en-US' -> en); the default otherwise."""
        short = (lang or "").split("-")[0].lower()
        return _text(short if short in LANGUAGES else self.default)
