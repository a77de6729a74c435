"""Every question the README's "Using it" table and the /help message promise, in both
languages, routes to what they promise."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

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
from tests.router_data import bundled_lexicon

TODAY = date(2025, 11, 30)
HTS = Subject(SubjectKind.PILLAR, "3")


def sub(code: str) -> Subject:
    return Subject(SubjectKind.SUB_INDEX, code)


# Every question the README and /help promise, with what it must route to (tests/
# test_e2e_asking.py checks that the README and the help text promise nothing missing here).
PROMISES: list[tuple[str, Intent]] = [
    # README, "Using it"
    ("tổng điểm DTI", Score(TOTAL)),
    ("điểm Hạ tầng số", Score(HTS)),
    ("/diem 6.4", Score(sub("6.4"))),
    ("điểm Hạ tầng số tạm tính", Score(HTS, provisional=True)),
    ("chỉ số nào mất điểm nhiều nhất", Weakest()),
    ("/yeu", Weakest()),
    ("còn thiếu bao nhiêu điểm để đạt 800", Gap(Decimal(800))),
    ("/thieu", Gap()),
    ("nếu 8.2 đạt 30% thì tổng điểm bao nhiêu", WhatIf((Change("8.2", "30%"),))),
    ("/neu 8.2 30%", WhatIf((Change("8.2", "30%"),))),
    ("ai chủ trì 3.3", Holders(sub("3.3"))),
    ("/chutri 3.3", Holders(sub("3.3"))),
    ("Sở Nội vụ chủ trì chỉ số nào", Holdings("SNV")),
    ("/cua Sở Nội vụ", Holdings("SNV")),
    ("cơ quan nào chưa báo cáo", NotReported()),
    ("/chuabaocao", NotReported()),
    ("Hạ tầng số so với quý trước", Trend(HTS)),
    ("/xuhuong hạ tầng số", Trend(HTS)),
    ("xếp hạng", Rank()),
    ("/xephang", Rank()),
    ("/tomtat", Summary()),
    ("/bieudo", Chart(ChartKind.PILLARS)),
    ("/xuatexcel", Export()),
    ("/capnhat 8.2 12,5%", Update("8.2", "12,5%")),
    ("cập nhật 8.2 = 12,5 quý 3", Update("8.2", "12,5", "2025-Q3")),
    ("/chiso", MyWork()),
    ("/hanchot", Deadlines()),
    # /help
    ("/diem", Score(TOTAL)),
    ("/diem ha tang so", Score(HTS)),
    ("/diem HTS", Score(HTS)),
    ("/diem 3", Score(HTS)),
    ("/diem 6.4 tạm tính", Score(sub("6.4"), provisional=True)),
    ("/help", Help()),
    # /help in English
    ("/score", Score(TOTAL)),
    ("/score infrastructure", Score(HTS)),
    ("/score HTS", Score(HTS)),
    ("/score 3", Score(HTS)),
    ("/score 6.4 provisional", Score(sub("6.4"), provisional=True)),
    ("/update 8.2 12.5%", Update("8.2", "12.5%")),
    ("update 8.2 = 12.5 Q3", Update("8.2", "12.5", "2025-Q3")),
    ("/mine", MyWork()),
    # the same questions in English, as an English-speaking leader asks them
    ("total DTI score", Score(TOTAL)),
    ("digital infrastructure score", Score(HTS)),
    ("which indicators lose the most points", Weakest()),
    ("how many points short of 800 are we", Gap(Decimal(800))),
    ("what if 8.2 reaches 30%, what is the total", WhatIf((Change("8.2", "30%"),))),
    ("who leads 3.3", Holders(sub("3.3"))),
    ("which indicators does the Department of Home Affairs lead", Holdings("SNV")),
    ("which agencies have not reported", NotReported()),
    ("digital infrastructure compared with last quarter", Trend(HTS)),
    ("what is our ranking", Rank()),
    ("/score 6.4", Score(sub("6.4"))),
    # README, "Using it": the table of example questions
    ("điểm Hạ tầng số hiện tại", Score(HTS)),
    ("diem ha tang so", Score(HTS)),
    ("HTS", Score(HTS)),
    ("chỉ số 3", Score(HTS)),
    ("6.4 được bao nhiêu điểm", Score(sub("6.4"))),
    ("6.4", Score(sub("6.4"))),
    ("/diem 6.8", Score(sub("6.8"))),
    ("which sub-indices lost the most points", Weakest()),
    ("how many points to reach 800", Gap(Decimal(800))),
    ("what if 8.2 reaches 30%", WhatIf((Change("8.2", "30%"),))),
    ("which indicators does the Department of Finance lead", Holdings("STC")),
    ("update 8.2 = 12.5", Update("8.2", "12.5")),
    # The README names these commands bare: those that need arguments answer with their usage.
    ("/neu", Unclear(UnclearReason.INCOMPLETE)),
    ("/chutri", Unclear(UnclearReason.INCOMPLETE)),
    ("/cua", Unclear(UnclearReason.INCOMPLETE)),
    ("/xuhuong", Trend(TOTAL)),
]


@pytest.mark.parametrize(("text", "expected"), PROMISES)
def test_a_promised_question_routes_to_what_is_promised(text: str, expected: Intent) -> None:
    assert route(text, bundled_lexicon(), TODAY) == expected
