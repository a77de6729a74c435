"""Working days (pure): weekends and Vietnamese public holidays, for every year.

The holidays come from the `holidays` library (Vietnam): Tết Dương lịch, Tết Nguyên Đán and Giỗ
Tổ Hùng Vương (10/3 âm lịch) computed each year on the Vietnamese lunar calendar (UTC+7, which
differs from the Chinese one in some years: Tết fell on 21/01/1985 and 17/02/2007 in Vietnam),
30/4, 1/5, Quốc khánh, the days off a holiday on a weekend moves (nghỉ bù) and the swaps the
government announces. `data/calendar/holidays.yaml` names the country and the weekend and adds
local days off; nothing here types in a date per year."""

from __future__ import annotations

import ast
import importlib.util
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# The library's names for a language of ours.
LANGUAGES = {"vi": "vi", "en": "en_US"}


@lru_cache(maxsize=64)
def _holidays(country: str, year: int, language: str) -> dict[date, str]:
    # Imported on the first question about a holiday, not at start: the library's country
    # module loads every one of its 250 countries with it (a tenth of a second, 8 MB).
    import holidays

    found = holidays.country_holidays(country, years=year, language=language)
    return dict(found.items())


@dataclass(frozen=True, slots=True)
class WorkCalendar:
    """Which days offices work: not on the weekend, not on a public holiday."""

    country: str = "VN"
    weekend: frozenset[int] = frozenset({5, 6})  # Saturday, Sunday
    extra: tuple[tuple[date, str], ...] = field(default=())  # local days off

    def holiday(self, day: date, language: str = "vi") -> str | None:
        """The public holiday on `day`, named in `language` ("vi" or "en"), or None."""
        for extra_day, name in self.extra:
            if extra_day == day:
                return name
        if not self.country:
            return None
        return _holidays(self.country, day.year, LANGUAGES.get(language, "vi")).get(day)

    def is_weekend(self, day: date) -> bool:
        return day.weekday() in self.weekend

    def is_working_day(self, day: date) -> bool:
        return not self.is_weekend(day) and self.holiday(day) is None

    def previous_working_day(self, day: date) -> date:
        """`day` itself when offices work, else the last working day before it."""
        while not self.is_working_day(day):
            day -= timedelta(days=1)
        return day

    def next_working_day(self, day: date) -> date:
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day


@lru_cache(maxsize=1)
def _countries() -> frozenset[str]:
    """The codes the holidays library knows: read from its registry's source, since importing
    the registry imports the whole package (its calendars, a few hundredths of a second at every
    start); from the registry itself when the source does not read as expected."""
    found = registry_codes()
    if found:
        return found
    from holidays.registry import EntityLoader

    return frozenset(EntityLoader.get_country_codes())


# The registry's table: `COUNTRIES: RegistryDict = {"vietnam": ("Vietnam", "VN", "VNM"), …}`,
# the class name, then the codes (alpha-2 first) and aliases.
_TABLE = re.compile(r"^COUNTRIES\b[^=\n]*=\s*(\{.*?^\})", re.MULTILINE | re.DOTALL)


def registry_codes() -> frozenset[str]:
    """The country codes and aliases (two or three letters, as the library counts them) in the
    source of holidays/registry.py, without importing it; empty when it cannot be read so."""
    spec = importlib.util.find_spec("holidays")
    folders = list(spec.submodule_search_locations or []) if spec else []
    try:
        source = (Path(folders[0]) / "registry.py").read_text(encoding="utf-8")
        table = _TABLE.search(source)
        entities = ast.literal_eval(table[1]) if table else {}
        return frozenset(
            code
            for entity in entities.values()
            for code in entity[1:]
            if isinstance(code, str) and 2 <= len(code) <= 3
        )
    except (IndexError, OSError, ValueError, SyntaxError, AttributeError, TypeError):
        return frozenset()


# No weekend, no holiday: every day works (a deployment that wants reminders on every day).
EVERY_DAY = WorkCalendar(country="", weekend=frozenset())


def parse_work_calendar(text: str) -> WorkCalendar:
    """The calendar file: `country` (ISO code the holidays library knows), `weekend` (day
    names), `extra` days off ({date, name})."""
    data: dict[str, Any] = yaml.safe_load(text) or {}
    weekend = frozenset(WEEKDAYS.index(str(d).lower()) for d in data.get("weekend", []))
    extra = tuple(
        (item["date"] if isinstance(item["date"], date) else date.fromisoformat(item["date"]),
         str(item["name"]))
        for item in data.get("extra") or []
    )  # fmt: skip
    country = str(data.get("country", "VN"))
    if country and country not in _countries():
        # Unknown codes fail at start-up, as the library itself would refuse them.
        raise NotImplementedError(f"Country {country} not available")
    return WorkCalendar(country, weekend, extra)
