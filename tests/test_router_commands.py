"""Commands build the same intents as free text from their arguments, with the same extractors;
missing or wrong arguments ask for the usage."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from parsing.commands import COMMANDS, command_intent, split_command
from parsing.intents import (
    TOTAL,
    Change,
    Chart,
    ChartKind,
    Deadlines,
    Export,
    Gap,
    Help,
    Holders,
    Holdings,
    Intent,
    MyWork,
    NotReported,
    Rank,
    Score,
    Subject,
    SubjectKind,
    Summary,
    Trend,
    Unclear,
    UnclearReason,
    Update,
    Weakest,
    WhatIf,
)
from parsing.router import route
from tests.router_data import bundled_lexicon, fixture_lexicon

TODAY = date(2025, 11, 30)
INCOMPLETE = Unclear(UnclearReason.INCOMPLETE)


def command(name: str, args: str = "") -> Intent:
    return command_intent(name, args, bundled_lexicon(), TODAY)


def sub(code: str) -> Subject:
    return Subject(SubjectKind.SUB_INDEX, code)


def pillar(code: str) -> Subject:
    return Subject(SubjectKind.PILLAR, code)


@pytest.mark.parametrize(
    ("name", "args", "expected"),
    [
        ("diem", "", Score(TOTAL)),
        ("diem", "6.4", Score(sub("6.4"))),
        ("diem", "3", Score(pillar("3"))),
        ("diem", "HTS", Score(pillar("3"))),
        ("diem", "ha tang so", Score(pillar("3"))),
        ("diem", "hạ tầng số tạm tính", Score(pillar("3"), provisional=True)),
        ("diem", "tổng quý 3", Score(TOTAL, period="2025-Q3")),
        ("score", "digital infrastructure", Score(pillar("3"))),
        ("neu", "8.2 40%", WhatIf((Change("8.2", "40%"),))),
        ("neu", "8.2 40% 6.6 30đ", WhatIf((Change("8.2", "40%"), Change("6.6", "30", True)))),
        (
            "whatif",
            "8.2 = 40%, 6.6 = 30 điểm",
            WhatIf((Change("8.2", "40%"), Change("6.6", "30", True))),
        ),
        ("thieu", "", Gap()),
        ("thieu", "800", Gap(Decimal(800))),
        ("thieu", "0,8", Gap(Decimal(800))),
        ("gap", "850 điểm", Gap(Decimal(850))),
        ("yeu", "", Weakest()),
        ("yeu", "3", Weakest(3)),
        ("yeu", "HTS", Weakest(within=pillar("3"))),
        ("yeu", "5 trụ cột 6", Weakest(5, pillar("6"))),
        ("chutri", "3.3", Holders(sub("3.3"))),
        ("chutri", "chữ ký số cá nhân", Holders(sub("8.2"))),
        ("who", "pillar 5", Holders(pillar("5"))),
        ("cua", "Sở Nội vụ", Holdings("SNV")),
        ("cua", "tài chính", Holdings("STC")),  # an everyday-word alias, in a command
        ("holds", "SKHCN", Holdings("SKHCN")),
        ("chuabaocao", "", NotReported()),
        ("chuabaocao", "quý 3", NotReported("2025-Q3")),
        ("late", "8.2", NotReported(code="8.2")),
        ("chuabaocao", "Sở Tài chính", NotReported(agency="STC")),
        ("xuhuong", "", Trend()),
        ("xuhuong", "hạ tầng số", Trend(pillar("3"))),
        ("trend", "8.2", Trend(sub("8.2"))),
        ("xephang", "", Rank()),
        ("xephang", "2024", Rank(2024)),
        ("tomtat", "", Summary()),
        ("bieudo", "", Chart(ChartKind.PILLARS)),
        ("bieudo", "lịch sử", Chart(ChartKind.HISTORY, TOTAL)),
        ("bieudo", "lich su", Chart(ChartKind.HISTORY, TOTAL)),
        ("bieudo", "lịch sử 3", Chart(ChartKind.HISTORY, pillar("3"))),
        ("chart", "history 8.2", Chart(ChartKind.HISTORY, sub("8.2"))),
        ("bieudo", "8.2", Chart(ChartKind.HISTORY, sub("8.2"))),
        ("xuatexcel", "", Export()),
        ("hanchot", "", Deadlines()),
        ("chiso", "", MyWork()),
        ("help", "", Help()),
        ("capnhat", "8.2 12,5%", Update("8.2", "12,5%")),
        ("capnhat", "8.2 = 12,5 quý 3", Update("8.2", "12,5", "2025-Q3")),
        ("update", "1.1 có", Update("1.1", "có")),
    ],
)
def test_a_command_builds_its_intent_from_its_arguments(
    name: str, args: str, expected: Intent
) -> None:
    assert command(name, args) == expected


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("neu", ""),
        ("neu", "8.2"),
        ("chutri", ""),
        ("chutri", "abc"),
        ("cua", ""),
        ("cua", "8.2"),
        ("capnhat", ""),
        ("capnhat", "8.2"),
        ("thieu", "abc"),
        ("bieudo", "abc"),
        ("xephang", "2025 15/34"),  # recording a rank is the handler's, not the router's
        ("diem", "abc"),
    ],
)
def test_missing_or_wrong_arguments_ask_for_the_usage(name: str, args: str) -> None:
    assert command(name, args) == INCOMPLETE


def test_a_code_the_framework_lacks_offers_its_neighbours() -> None:
    found = command("diem", "3.9")
    assert isinstance(found, Unclear)
    assert found.reason is UnclearReason.UNKNOWN_CODE


def test_telegrams_split_arguments_are_read_like_the_text() -> None:
    lexicon = bundled_lexicon()
    assert command_intent("bieudo", ["lịch", "sử", "3"], lexicon, TODAY) == Chart(
        ChartKind.HISTORY, pillar("3")
    )


def test_every_english_alias_builds_what_its_vietnamese_command_builds() -> None:
    pairs = [("diem", "score"), ("neu", "whatif"), ("thieu", "gap"), ("yeu", "weakest")]
    pairs += [("chutri", "who"), ("cua", "holds"), ("chuabaocao", "late"), ("xuhuong", "trend")]
    pairs += [("xephang", "rank"), ("bieudo", "chart"), ("xuatexcel", "export")]
    pairs += [("tomtat", "summary"), ("capnhat", "update")]
    for vietnamese, english in pairs:
        assert COMMANDS[vietnamese] == COMMANDS[english]


def test_a_command_with_the_bots_name_is_split_off() -> None:
    assert split_command("/diem@TroLyDtiBot 8.2") == ("diem", "8.2")
    assert split_command("điểm 8.2") is None


def test_the_router_reads_a_command_typed_as_text() -> None:
    assert route("/bieudo lịch sử 3", bundled_lexicon(), TODAY) == Chart(
        ChartKind.HISTORY, pillar("3")
    )


def test_a_command_that_asks_the_router_nothing_is_unclear() -> None:
    assert command("duyet") == Unclear(UnclearReason.NOTHING)


def test_a_command_may_name_another_framework() -> None:
    found = command_intent("diem", "DTI Ninh Thuận 2022", fixture_lexicon(), TODAY)
    assert found == Score(TOTAL, framework="dti-ninh-thuan-2022", period="2022")
