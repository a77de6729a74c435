"""The reporting calendar: deadlines of any year, administrators' changes, and reminder runs."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reminders.calendar import (
    AGENCY,
    HOLDERS,
    LEADERS,
    LEADS,
    Change,
    Deadline,
    calendar,
    current_period,
    due_runs,
    next_run,
    quarterly_deadline,
    recurring,
    runs,
)
from scoring.periods import parse_period

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
STANDING = "SKHCN"
years = st.integers(2000, 2100)


def _by_key(deadlines: list[Deadline]) -> dict[str, Deadline]:
    return {d.key: d for d in deadlines}


def _utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, sec: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, sec, tzinfo=UTC)


# ------------------------------------------------------------------ the plan's deadlines


@given(years)
def test_the_four_quarterly_deadlines_fall_on_the_25th_of_each_quarters_last_month(
    year: int,
) -> None:
    quarterly = [d for d in recurring(year, STANDING) if d.kind == "quarterly"]
    assert [(d.key, d.period, d.due, d.audience) for d in quarterly] == [
        (f"quarterly:{year}-Q{q}", f"{year}-Q{q}", date(year, month, 25), HOLDERS)
        for q, month in ((1, 3), (2, 6), (3, 9), (4, 12))
    ]


@given(years)
def test_januarys_yearly_and_committee_deadlines_are_for_the_year_before(year: int) -> None:
    found = _by_key(recurring(year + 1, STANDING))
    yearly, committee = found[f"yearly:{year}"], found[f"committee:{year}"]
    assert (yearly.period, yearly.due, yearly.audience) == (
        str(year),
        date(year + 1, 1, 10),
        LEADS,
    )
    assert (committee.period, committee.due, committee.audience) == (
        str(year),
        date(year + 1, 1, 30),
        "agency:SKHCN",
    )


def test_the_calendar_of_2026_holds_2025s_yearly_and_committee_deadlines_due_in_january() -> None:
    found = _by_key(calendar([2026], [], STANDING))
    assert (found["yearly:2025"].period, found["yearly:2025"].due) == ("2025", date(2026, 1, 10))
    assert (found["committee:2025"].period, found["committee:2025"].due) == (
        "2025",
        date(2026, 1, 30),
    )
    # January's deadlines of 2026 are 2025's, so none of them names period 2026
    assert "yearly:2026" not in found
    assert "committee:2026" not in found


def test_the_standing_agency_is_the_audience_of_the_committee_deadline() -> None:
    found = _by_key(calendar([2026], [], "STTTT"))
    assert found["committee:2025"].audience == AGENCY + "STTTT"


def test_the_review_conferences_are_for_the_leaders_at_the_end_of_january_and_july() -> None:
    found = _by_key(recurring(2026, STANDING))
    assert (found["conference:2025-H2"].due, found["conference:2025-H2"].audience) == (
        date(2026, 1, 31),
        LEADERS,
    )
    assert found["conference:2026-H1"].due == date(2026, 7, 31)


def test_a_calendar_is_in_due_date_order_across_years() -> None:
    deadlines = calendar([2025, 2026], [], STANDING)
    assert [d.due for d in deadlines] == sorted(d.due for d in deadlines)
    assert len(deadlines) == len(_by_key(deadlines)) == 16  # 8 a year, none repeated


def test_days_left_counts_calendar_days_and_is_negative_once_past() -> None:
    deadline = quarterly_deadline("2025-Q4")
    assert deadline.days_left(date(2025, 12, 18)) == 7
    assert deadline.days_left(date(2025, 12, 25)) == 0
    assert deadline.days_left(date(2026, 1, 1)) == -7


# ------------------------------------------------------------------ leap years


def test_a_leap_years_first_quarter_runs_to_the_31st_of_march_through_february_29th() -> None:
    q1 = parse_period("2024-Q1")
    assert (q1.starts_on, q1.ends_on) == (date(2024, 1, 1), date(2024, 3, 31))
    assert (q1.ends_on - q1.starts_on).days + 1 == 91  # 31 + 29 + 31
    assert quarterly_deadline("2024-Q1").due == date(2024, 3, 25)
    assert current_period(date(2024, 2, 29)) == "2024-Q1"


def test_runs_of_a_deadline_moved_to_february_29th_count_back_over_the_leap_day() -> None:
    moved = _by_key(
        calendar([2024], [Change("move", "quarterly:2024-Q1", date(2024, 2, 29))], STANDING)
    )["quarterly:2024-Q1"]
    days = {r.offset: r.at.astimezone(ZONE).date() for r in runs(moved, ZONE)}
    assert days == {
        7: date(2024, 2, 22),
        3: date(2024, 2, 26),
        1: date(2024, 2, 28),
        0: date(2024, 2, 29),
        -1: date(2024, 3, 1),
        -7: date(2024, 3, 7),
    }


# ------------------------------------------------------------------ administrators' changes


def test_a_moved_deadline_keeps_its_key_and_its_runs_follow_the_new_date() -> None:
    new_due = date(2025, 12, 29)
    found = _by_key(calendar([2025], [Change("move", "quarterly:2025-Q4", new_due)], STANDING))
    moved = found["quarterly:2025-Q4"]
    assert (moved.kind, moved.period, moved.due) == ("quarterly", "2025-Q4", new_due)
    assert [r.key for r in runs(moved, ZONE)][0] == "quarterly:2025-Q4@+7"
    assert {r.at.astimezone(ZONE).date() for r in runs(moved, ZONE) if r.offset == 0} == {new_due}


def test_a_cancelled_deadline_disappears() -> None:
    found = _by_key(calendar([2025], [Change("cancel", "quarterly:2025-Q3")], STANDING))
    assert "quarterly:2025-Q3" not in found
    assert "quarterly:2025-Q4" in found


def test_an_added_deadline_appears_as_a_custom_one() -> None:
    add = Change("add", "custom:1", date(2025, 11, 15), "2025", LEADS, "Báo cáo sơ kết")
    found = _by_key(calendar([2025], [add], STANDING))
    assert found["custom:1"] == Deadline(
        "custom:1", "custom", "2025", date(2025, 11, 15), LEADS, "Báo cáo sơ kết"
    )


def test_an_added_deadline_outside_the_calendars_years_is_left_out() -> None:
    add = Change("add", "custom:1", date(2027, 3, 1), "2027")
    assert "custom:1" not in _by_key(calendar([2025, 2026], [add], STANDING))
    assert "custom:1" in _by_key(calendar([2026, 2027], [add], STANDING))


def test_moving_or_cancelling_an_unknown_key_changes_nothing() -> None:
    plain = calendar([2025], [], STANDING)
    changes = [
        Change("move", "quarterly:2030-Q1", date(2025, 5, 5)),
        Change("cancel", "custom:9"),
    ]
    assert calendar([2025], changes, STANDING) == plain


def test_a_deadline_moved_then_cancelled_is_gone() -> None:
    changes = [
        Change("move", "quarterly:2025-Q2", date(2025, 6, 30)),
        Change("cancel", "quarterly:2025-Q2"),
    ]
    assert "quarterly:2025-Q2" not in _by_key(calendar([2025], changes, STANDING))


def test_a_deadline_cancelled_then_added_again_under_its_key_is_present() -> None:
    changes = [
        Change("cancel", "quarterly:2025-Q2"),
        Change("add", "quarterly:2025-Q2", date(2025, 6, 20), "2025-Q2", HOLDERS),
    ]
    found = _by_key(calendar([2025], changes, STANDING))
    assert (found["quarterly:2025-Q2"].due, found["quarterly:2025-Q2"].period) == (
        date(2025, 6, 20),
        "2025-Q2",
    )


def test_a_deadline_cancelled_then_moved_stays_cancelled() -> None:
    changes = [
        Change("cancel", "quarterly:2025-Q2"),
        Change("move", "quarterly:2025-Q2", date(2025, 6, 30)),
    ]
    assert "quarterly:2025-Q2" not in _by_key(calendar([2025], changes, STANDING))


def test_the_last_of_two_moves_wins() -> None:
    changes = [
        Change("move", "quarterly:2025-Q2", date(2025, 6, 30)),
        Change("move", "quarterly:2025-Q2", date(2025, 6, 27)),
    ]
    found = _by_key(calendar([2025], changes, STANDING))
    assert found["quarterly:2025-Q2"].due == date(2025, 6, 27)


def test_a_moved_deadline_takes_its_place_in_due_date_order() -> None:
    changes = [Change("move", "quarterly:2025-Q1", date(2025, 8, 1))]
    keys = [d.key for d in calendar([2025], changes, STANDING)]
    assert keys.index("conference:2025-H1") < keys.index("quarterly:2025-Q1")
    assert keys.index("quarterly:2025-Q1") < keys.index("quarterly:2025-Q3")


# ------------------------------------------------------------------ runs and time zones


@given(years, st.sampled_from(["quarterly", "yearly", "committee", "conference"]))
def test_every_run_goes_out_at_eight_in_hanoi_which_is_one_in_utc(year: int, kind: str) -> None:
    for deadline in recurring(year, STANDING):
        if deadline.kind != kind:
            continue
        for run in runs(deadline, ZONE):
            local = run.at.astimezone(ZONE)
            assert (local.hour, local.minute) == (8, 0)
            assert run.at.utcoffset() == timedelta(0)
            assert (run.at.hour, run.at.minute) == (1, 0)
            assert local.date() == deadline.due - timedelta(days=run.offset)


def test_the_run_on_the_day_of_the_2025_q4_deadline_is_at_one_utc_on_december_25th() -> None:
    run = next(r for r in runs(quarterly_deadline("2025-Q4"), ZONE) if r.offset == 0)
    assert run.at == _utc(2025, 12, 25, 1, 0)
    assert run.key == "quarterly:2025-Q4@+0"


def test_a_quarterly_deadline_is_chased_7_3_1_0_days_before_and_1_7_after_in_time_order() -> None:
    found = runs(quarterly_deadline("2025-Q4"), ZONE)
    assert [r.offset for r in found] == [7, 3, 1, 0, -1, -7]
    assert [r.at for r in found] == sorted(r.at for r in found)
    assert [r.overdue for r in found] == [False] * 4 + [True] * 2
    assert [r.key for r in found][-1] == "quarterly:2025-Q4@-7"


def test_a_leaders_conference_is_announced_but_not_chased_after() -> None:
    conference = _by_key(recurring(2026, STANDING))["conference:2026-H1"]
    assert [r.offset for r in runs(conference, ZONE)] == [7, 3, 1, 0]


def test_runs_follow_the_offsets_they_are_given() -> None:
    found = runs(quarterly_deadline("2025-Q4"), ZONE, before=(1, 14), after=(3,))
    assert [r.offset for r in found] == [14, 1, -3]


# ------------------------------------------------------------------ due and next runs

# The 0-days run of 2025-Q4 goes out at 2025-12-25T01:00Z.
DAY_RUN = _utc(2025, 12, 25, 1, 0)
GRACE = timedelta(hours=12)


@pytest.mark.parametrize(
    ("age", "due"),
    [
        (timedelta(hours=13), False),  # the bot was down too long: a stale reminder is dropped
        (timedelta(hours=11), True),
        (timedelta(hours=12), True),  # the window includes its edge
        (timedelta(0), True),
        (timedelta(seconds=-1), False),  # not yet
    ],
)
def test_a_run_is_due_from_its_time_until_the_grace_window_has_passed(
    age: timedelta, due: bool
) -> None:
    found = due_runs([quarterly_deadline("2025-Q4")], DAY_RUN + age, GRACE, ZONE)
    assert [r.key for r in found] == (["quarterly:2025-Q4@+0"] if due else [])


def test_only_the_runs_inside_the_grace_window_are_due_across_deadlines() -> None:
    now = _utc(2025, 12, 18, 1, 0, 30)  # 08:00:30 local, 7 days before 2025-Q4's deadline
    found = due_runs(calendar([2025, 2026], [], STANDING), now, GRACE, ZONE)
    assert [r.key for r in found] == ["quarterly:2025-Q4@+7"]


def test_the_next_run_is_the_earliest_upcoming_one() -> None:
    deadlines = calendar([2025, 2026], [], STANDING)
    after_the_day_run = next_run(deadlines, DAY_RUN, ZONE)
    assert after_the_day_run is not None
    # strictly after `now`: the run at this very moment is due, not next
    assert (after_the_day_run.key, after_the_day_run.at) == (
        "quarterly:2025-Q4@-1",
        _utc(2025, 12, 26, 1, 0),
    )
    before_new_year = next_run(deadlines, _utc(2026, 1, 1, 1, 0), ZONE)
    assert before_new_year is not None
    # yearly:2025 is due 10/01: its 7-day run on 03/01 comes first
    assert (before_new_year.key, before_new_year.at) == ("yearly:2025@+7", _utc(2026, 1, 3, 1, 0))


def test_there_is_no_next_run_after_the_last_deadline() -> None:
    assert next_run(calendar([2025], [], STANDING), _utc(2026, 12, 31), ZONE) is None


# ------------------------------------------------------------------ today's period


@pytest.mark.parametrize(
    ("today", "period"),
    [
        (date(2025, 1, 1), "2025-Q1"),
        (date(2025, 3, 31), "2025-Q1"),
        (date(2025, 4, 1), "2025-Q2"),
        (date(2025, 12, 31), "2025-Q4"),
        (date(2024, 2, 29), "2024-Q1"),
    ],
)
def test_the_current_period_is_the_quarter_of_the_day(today: date, period: str) -> None:
    assert current_period(today) == period
