"""Working days: Vietnamese public holidays for every year (Tết and Giỗ Tổ on the Vietnamese
lunar calendar), weekends, and reminders that move off them."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import pytest

from reminders.calendar import Change, calendar, recurring, runs
from reminders.holidays import EVERY_DAY, WorkCalendar, parse_work_calendar, registry_codes
from tests.conftest import DATA

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
VN = parse_work_calendar((DATA / "calendar" / "holidays.yaml").read_text("utf-8"))


@pytest.mark.parametrize(
    "tet",
    [
        # 1985 and 2007: Vietnam's Tết (UTC+7) differs from China's (20/02/1985, 18/02/2007).
        date(1985, 1, 21),
        date(2007, 2, 17),
        date(2023, 1, 22),
        date(2024, 2, 10),
        date(2025, 1, 29),
        date(2026, 2, 17),
        date(2030, 2, 2),
    ],
)
def test_tet_is_computed_for_every_year_on_the_vietnamese_lunar_calendar(tet: date) -> None:
    assert VN.holiday(tet) == "Tết Nguyên Đán"
    assert VN.holiday(tet, "en") == "Lunar New Year"


@pytest.mark.parametrize(
    "day", [date(2024, 4, 18), date(2025, 4, 7), date(2026, 4, 26), date(2031, 4, 1)]
)
def test_the_hung_kings_day_is_10_3_of_the_lunar_year(day: date) -> None:
    assert VN.holiday(day) == "Ngày Giỗ Tổ Hùng Vương"


def test_solar_holidays_and_weekends_are_days_off() -> None:
    for day in (date(2026, 1, 1), date(2026, 4, 30), date(2026, 5, 1), date(2026, 9, 2)):
        assert not VN.is_working_day(day)
    assert VN.is_weekend(date(2025, 12, 27))
    assert VN.is_working_day(date(2025, 12, 26))
    assert VN.previous_working_day(date(2025, 12, 28)) == date(2025, 12, 26)
    assert VN.next_working_day(date(2026, 1, 1)) == date(2026, 1, 2)


def test_local_days_off_come_from_the_data_file() -> None:
    cal = parse_work_calendar(
        "country: VN\nweekend: [sunday]\nextra:\n  - {date: 2026-06-10, name: Ngày của tỉnh}\n"
    )
    assert cal.holiday(date(2026, 6, 10)) == "Ngày của tỉnh"
    assert cal.is_working_day(date(2026, 6, 13))  # a Saturday works here
    assert not cal.is_working_day(date(2026, 6, 14))


def _by_key(year: int) -> dict[str, object]:
    return {d.key: d for d in recurring(year, "SKHCN")}


def test_a_deadline_on_tet_keeps_its_date_and_its_reminders_move_before_tet() -> None:
    # Sở KH&CN reports to the steering committee before 30/01: in 2025 that is mùng 2 Tết.
    committee = _by_key(2025)["committee:2024"]
    assert committee.due == date(2025, 1, 30)  # type: ignore[attr-defined]
    assert VN.holiday(date(2025, 1, 30)) == "Mùng hai Tết Nguyên Đán"
    sent = {r.offset: r.at.astimezone(ZONE).date() for r in runs(committee, ZONE, workdays=VN)}  # type: ignore[arg-type]
    # 7 days before (23/01, Thursday) stays; 3, 1 and 0 days before fall on Tết or the weekend
    # before it and go out together on Friday 24/01, the last working day before Tết.
    assert sent == {
        7: date(2025, 1, 23),
        0: date(2025, 1, 24),
        -1: date(2025, 2, 3),
        -7: date(2025, 2, 6),
    }


def test_a_reminder_day_on_tet_moves_to_the_working_day_before() -> None:
    custom = calendar(
        [2026], [Change("add", "custom:1", date(2026, 2, 23), "2025", "holders")], "SKHCN"
    )
    added = next(d for d in custom if d.key == "custom:1")
    # 7, 3 and 1 days before 23/02/2026 fall on Tết 2026 (16-20/02) or the weekends around it:
    # they go out once, on Friday 13/02, the last working day before Tết.
    sent = {r.offset: r.at.astimezone(ZONE).date() for r in runs(added, ZONE, workdays=VN)}
    assert VN.holiday(date(2026, 2, 20)) == "Mùng bốn Tết Nguyên Đán"
    assert sent == {
        1: date(2026, 2, 13),
        0: date(2026, 2, 23),
        -1: date(2026, 2, 24),
        -7: date(2026, 3, 2),
    }


def test_a_deadline_on_a_weekend_has_its_reminders_on_working_days() -> None:
    moved = calendar([2025], [Change("move", "quarterly:2025-Q4", date(2025, 12, 27))], "SKHCN")
    deadline = next(d for d in moved if d.key == "quarterly:2025-Q4")
    days = [r.at.astimezone(ZONE).date() for r in runs(deadline, ZONE, workdays=VN)]
    assert all(VN.is_working_day(d) for d in days)
    # 7 days before (Saturday 20/12) goes on Friday 19/12; the deadline day itself on Friday
    # 26/12; 1 day after (Sunday) on Monday 29/12.
    assert days == [
        date(2025, 12, 19),
        date(2025, 12, 24),
        date(2025, 12, 26),
        date(2025, 12, 29),
        date(2026, 1, 5),
    ]


def test_without_a_work_calendar_every_day_is_a_working_day() -> None:
    deadline = _by_key(2025)["quarterly:2025-Q4"]
    assert len(runs(deadline, ZONE, workdays=EVERY_DAY)) == 6  # type: ignore[arg-type]
    assert WorkCalendar().is_working_day(date(2025, 12, 26))


def test_the_review_conference_is_a_placeholder_until_an_administrator_moves_it() -> None:
    conference = _by_key(2026)["conference:2026-H1"]
    assert conference.placeholder  # type: ignore[attr-defined]
    confirmed = calendar(
        [2026], [Change("move", "conference:2026-H1", date(2026, 7, 31))], "SKHCN"
    )
    assert not next(d for d in confirmed if d.key == "conference:2026-H1").placeholder


def test_the_country_codes_read_from_the_registry_s_source_are_the_library_s() -> None:
    from holidays.registry import EntityLoader

    assert registry_codes() == frozenset(EntityLoader.get_country_codes())
    assert {"VN", "VNM", "GB", "UK"} <= registry_codes()
