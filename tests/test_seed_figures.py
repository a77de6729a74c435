"""Every figure the data files load from a source document appears, in its Vietnamese format,
in the section of that document the data cites: a typo in a data file fails here.

The documents are the team's shared seeds (shared/seeds/ beside the repository on CI, or the
folder DTI_SEEDS names). Where they are missing the test skips and says where it looked."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from scoring.yaml_reader import safe_load
from tests.conftest import DATA

ROOT = Path(__file__).resolve().parent.parent
CANDIDATES = [
    Path(os.environ["DTI_SEEDS"]) if os.environ.get("DTI_SEEDS") else None,
    ROOT.parent / "shared" / "seeds",
    ROOT.parent.parent / "shared" / "seeds",
    Path("/work/shared/seeds"),
]
SEEDS = next((p for p in CANDIDATES if p is not None and (p / "README.md").exists()), None)
pytestmark = pytest.mark.skipif(
    SEEDS is None,
    reason="source documents not found (looked in DTI_SEEDS, ../shared/seeds, "
    "../../shared/seeds, /work/shared/seeds): seed figures not checked",
)
REGISTRY = safe_load((DATA / "sources.yaml").read_text("utf-8"))["documents"]
# A number as the documents write it: 1.082.862, 102,92, 0,5934, 11.
NUMBER = re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?")


def vn(value: Any) -> str:
    """A decimal in Vietnamese format: thousands with dots, decimals with a comma."""
    number = Decimal(str(value)).normalize()
    whole, _, fraction = f"{number:f}".partition(".")
    grouped = f"{int(whole):,}".replace(",", ".")
    return f"{grouped},{fraction}" if fraction else grouped


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


_TEXTS: dict[str, str] = {}


def _document(doc: str) -> str:
    if doc not in _TEXTS:
        assert SEEDS is not None
        _TEXTS[doc] = _flat((SEEDS / REGISTRY[doc]["file"]).read_text("utf-8"))
    return _TEXTS[doc]


def section_text(doc: str, section: str) -> str:
    """The text of one cited section, by the headings the registry gives for it."""
    sections = REGISTRY[doc]["sections"]
    assert section in sections, f"{doc}: section {section!r} is not in data/sources.yaml"
    anchors, text = sections[section], _document(doc)
    start = text.find(_flat(anchors["after"])) if "after" in anchors else 0
    assert start >= 0, f"{doc} {section}: heading {anchors['after']!r} not found"
    begin = text.find(_flat(anchors["from"]), start)
    assert begin >= 0, f"{doc} {section}: heading {anchors['from']!r} not found"
    end = text.find(_flat(anchors["to"]), begin + 1) if "to" in anchors else len(text)
    assert end > begin, f"{doc} {section}: heading {anchors['to']!r} not found after the start"
    return text[begin:end]


def sections_of(where: str) -> list[str]:
    """'mục III.6 (Đánh giá chung), VI.2.b' -> ['III.6 (Đánh giá chung)', 'VI.2.b']."""
    return [part.strip() for part in where.removeprefix("mục ").split(", ") if part.strip()]


def found(doc: str, where: str, needle: str, *, number: bool = False) -> bool:
    """Whether `needle` appears in one of the cited sections (a number as a whole token)."""
    pattern = (
        re.compile(rf"(?<![\d.,]){re.escape(needle)}(?![\d]|[.,]\d)")
        if number
        else re.compile(re.escape(_flat(needle)))
    )
    return any(pattern.search(section_text(doc, s)) for s in sections_of(where))


def numbers_in(text: str) -> list[str]:
    return NUMBER.findall(text)


def _yaml(path: Path) -> dict[str, Any]:
    # Through libyaml, as the bot reads the data files (scoring.yaml_reader): the same values,
    # ten times quicker, and every test process reads these files to collect this module.
    data: dict[str, Any] = safe_load(path.read_text("utf-8"))
    return data


def _cases() -> Iterator[Any]:
    for path in sorted((DATA / "assessments").glob("*.yaml")):
        data = _yaml(path)
        doc = str(data["seed"])
        for i, item in enumerate(data.get("values", [])):
            yield pytest.param(doc, item, id=f"{path.stem}:{item['code']}:{i}")
        for i, item in enumerate(data.get("notes", [])):
            yield pytest.param(doc, item, id=f"{path.stem}:note:{item['code']}:{i}")


def _maxima() -> dict[str, Decimal]:
    framework = _yaml(DATA / "frameworks" / "dti-province-2025.yaml")
    return {
        s["code"]: Decimal(str(s["max"])) for p in framework["pillars"] for s in p["sub_indices"]
    }


@pytest.mark.parametrize(("doc", "item"), list(_cases()))
def test_every_loaded_value_and_note_is_in_the_section_it_cites(
    doc: str, item: dict[str, Any]
) -> None:
    where = item["where"]
    stated = item.get("stated")
    if stated is not None:
        assert found(doc, where, str(stated)), f"{stated!r} is not in {doc} {where}"
        fraction = re.fullmatch(r"(\d+)/(\d+)", str(stated))
        if fraction and "value" in item:
            share = Decimal(fraction[1]) * 100 / Decimal(fraction[2])
            assert Decimal(str(item["value"])) == share.quantize(Decimal("0.01"))
    elif "value" in item:
        assert found(doc, where, vn(item["value"]), number=True), (
            f"{vn(item['value'])} is not in {doc} {where}"
        )
    if "points" in item:
        maximum = Decimal(str(item.get("source_max") or _maxima().get(item["code"], 0)))
        assert found(doc, where, f"{vn(item['points'])}/{vn(maximum)}"), (
            f"{vn(item['points'])}/{vn(maximum)} is not in {doc} {where}"
        )
    for key in ("note", "text"):
        for number in numbers_in(str(item.get(key, ""))):
            assert found(doc, where, number, number=True), (
                f"{number} (in {key}) is not in {doc} {where}"
            )
    if "rank" in item:
        assert found(doc, where, f"{item['rank']}/{item['of']}"), f"rank not in {doc} {where}"


def test_the_2024_ranking_is_in_the_section_it_cites() -> None:
    data = _yaml(DATA / "assessments" / "khanh-hoa-dti-2024.yaml")
    ranking = data["ranking"]
    assert found("002", ranking["where"], f"{ranking['rank']}/{ranking['of']}")
    assert found("002", ranking["where"], str(ranking["year"]), number=True)


def test_every_name_and_maximum_of_the_2025_framework_is_in_phu_luc_i() -> None:
    table = section_text("001", "Phụ lục I")
    framework = _yaml(DATA / "frameworks" / "dti-province-2025.yaml")
    for pillar in framework["pillars"]:
        row = re.search(
            rf"(?<![\d.]){re.escape(pillar['code'])} \| {re.escape(pillar['name'])} \| (\d+) \|",
            table,
            re.IGNORECASE,
        )
        assert row is not None, f"pillar {pillar['code']} {pillar['name']!r} not in Phụ lục I"
        assert Decimal(row[1]) == Decimal(str(pillar["max"]))
        for sub in pillar["sub_indices"]:
            row = re.search(
                rf"{re.escape(sub['code'])} \| {re.escape(sub['name'])}\.? \| (\d+) \|", table
            )
            assert row is not None, f"{sub['code']} {sub['name']!r} not in Phụ lục I"
            assert Decimal(row[1]) == Decimal(str(sub["max"])), f"{sub['code']}: maximum"


def _cited(source: str) -> tuple[str, str]:
    """('001', 'II.3.6') from 'KH 4636/KH-UBND, mục II.3.6'."""
    title, _, where = source.partition(", ")
    for doc, entry in REGISTRY.items():
        if title in entry.get("cited_as", []):
            return doc, where
    raise AssertionError(f"no document in data/sources.yaml is cited as {title!r}")


def test_every_threshold_a_rule_cites_is_in_that_section() -> None:
    framework = _yaml(DATA / "frameworks" / "dti-province-2025.yaml")
    for pillar in framework["pillars"]:
        for sub in pillar["sub_indices"]:
            if "rule_source" not in sub:
                continue
            doc, where = _cited(sub["rule_source"])
            threshold = vn(sub["threshold"])
            assert found(doc, where, threshold, number=True), (
                f"{sub['code']}: threshold {threshold} is not in {doc} {where}"
            )


def test_the_number_format_is_the_documents() -> None:
    assert [vn("102.92"), vn(9968), vn("1082862"), vn("0.5934"), vn(100)] == [
        "102,92",
        "9.968",
        "1.082.862",
        "0,5934",
        "100",
    ]


def test_a_mistyped_figure_would_not_be_found() -> None:
    assert found("002", "mục III.3", "102,92", number=True)
    assert not found("002", "mục III.3", "102,29", number=True)
    assert not found("002", "mục III.4", "102,92", number=True)


def _targets() -> Iterator[Any]:
    for path in sorted((DATA / "frameworks").glob("*.yaml")):
        data = _yaml(path)
        if data.get("kind") != "targets":
            continue
        for pillar in data["pillars"]:
            for sub in pillar.get("sub_indices", []):
                for i, target in enumerate(sub.get("targets", [])):
                    yield pytest.param(target, id=f"{path.stem}:{sub['code']}:{i}")


@pytest.mark.parametrize("target", list(_targets()))
def test_every_plan_target_is_in_the_section_it_cites(target: dict[str, Any]) -> None:
    doc, where = str(target["doc"]), f"mục {target['where']}"
    if "value" in target:
        assert found(doc, where, vn(target["value"]), number=True), (
            f"{vn(target['value'])} is not in {doc} {where}"
        )
    else:
        assert found(doc, where, str(target["text"])), f"{target['text']!r} not in {doc} {where}"
