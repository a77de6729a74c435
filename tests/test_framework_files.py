"""Framework files of every format an administrator may import: YAML, CSV (comma or semicolon,
as Excel saves it) and Excel .xlsx read into the same framework, and every mistake named with its
row."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from scoring.framework_files import csv_rows, format_of, read_framework, table_data
from scoring.loading import FileError, parse_framework
from scoring.model import Directory, Framework, RuleKind
from tests.conftest import DATA

BUNDLED = DATA / "frameworks" / "dti-province-2025.yaml"
VIETNAMESE = {english: vietnamese for vietnamese, english in {
    "Mã": "code", "Tên": "name", "Tên tiếng Anh": "name_en", "Điểm tối đa": "max",
    "Quy tắc": "rule", "Ngưỡng": "threshold", "Đơn vị": "unit", "Chủ trì": "lead",
    "Phối hợp": "coordinate", "Bí danh": "aliases", "Bậc": "levels", "Năm": "year",
    "Loại": "kind", "Nguồn": "source", "Tổng điểm": "total_max", "Mục tiêu": "target_total",
}.items()}  # fmt: skip


def _cell(key: str, value: Any) -> str:
    """A YAML value as an administrator would type it in a cell."""
    if value is None:
        return ""
    if key == "levels":
        return "; ".join(f"{lv['at_least']}:{lv['points']}" for lv in value)
    if key in ("lead", "coordinate", "aliases"):
        return "; ".join(str(v) for v in value)
    if isinstance(value, dict | list):  # plan targets, parts, documents, conflicts
        return str(yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=10**6))
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).strip()


def table(path: Path = BUNDLED, names: dict[str, str] | None = None) -> list[list[str]]:
    """A framework file of the repository as the table an administrator would type: the
    framework's keys as rows, then one row per pillar and sub-index, every key a column
    (`names`: headers to write instead of the keys)."""
    data = yaml.safe_load(path.read_text("utf-8"))
    name = (names or {}).get
    rows = [[name(k) or k, _cell(k, v)] for k, v in data.items() if k != "pillars"]
    items = [item for p in data["pillars"] for item in (p, *p.get("sub_indices", []))]
    keys = list(dict.fromkeys(k for item in items for k in item if k != "sub_indices"))
    keys = ["code", "name", *(k for k in keys if k not in ("code", "name"))]
    rows.append([name(k) or k for k in keys])
    rows += [[_cell(k, item.get(k)) for k in keys] for item in items]
    return rows


def csv_bytes(rows: list[list[str]], delimiter: str = ",") -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.worksheets[0]
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("path", sorted((DATA / "frameworks").glob("*.yaml")), ids=str)
def test_every_bundled_framework_reads_the_same_from_yaml_csv_and_xlsx(
    path: Path, directory: Directory
) -> None:
    """Plan targets, their rows and documents, rule sources and conflicts travel in cells."""
    framework = parse_framework(path.read_text("utf-8"), path.name, directory)
    rows = table(path)
    assert read_framework(path.read_bytes(), path.name, directory) == framework
    assert read_framework(csv_bytes(rows), "f.csv", directory) == framework
    assert read_framework(csv_bytes(rows, ";"), "f.csv", directory) == framework
    assert read_framework(xlsx_bytes(list(rows)), "f.xlsx", directory) == framework


def test_vietnamese_column_names_and_decimal_commas_are_understood(
    framework: Framework, directory: Directory
) -> None:
    rows = table(names=VIETNAMESE)
    threshold = next(row for row in rows if row[:2] == ["Mã", "Tên"]).index("Ngưỡng")
    for row in rows:
        if row and row[0] == "4.5":  # threshold 5 members per 100 inhabitants
            row[threshold] = "5,0"
    found = read_framework(csv_bytes(rows, ";"), "bo-chi-so.csv", directory)
    assert found.target_total == Decimal(800)
    sub = found.sub_index("4.5")
    assert sub is not None
    assert sub.rule.threshold == Decimal("5.0")
    assert found == framework


def test_excel_numbers_are_read_as_the_numbers_shown(directory: Directory) -> None:
    rows: list[list[object]] = [
        ["code", "dti-x"], ["name", "X"], ["year", 2026], ["total_max", 10],
        ["code", "name", "max", "rule", "threshold", "unit", "lead", "levels", "assumed",
         "rule_note"],
        ["1", "Trụ cột", 10],
        ["1.1", "Tỷ lệ", 6.5, "ratio", 0.1, "%", "SKHCN", None, True, "thử"],
        ["1.2", "Bậc", 3.5, "levels", None, "cái", "SNV", "1:1,5; 3:3,5", "có", "thử"],
    ]  # fmt: skip
    found = read_framework(xlsx_bytes(rows), "x.xlsx", directory)
    sub = found.sub_index("1.1")
    assert sub is not None
    assert sub.max_points == Decimal("6.5")
    assert sub.rule.threshold == Decimal("0.1")  # not 0.1000000000000000055…
    levels = found.sub_index("1.2")
    assert levels is not None
    assert levels.rule.kind is RuleKind.LEVELS
    assert [(lv.at_least, lv.points) for lv in levels.rule.levels] == [
        (Decimal(1), Decimal("1.5")),
        (Decimal(3), Decimal("3.5")),
    ]


def test_a_code_excel_made_a_number_is_refused_with_how_to_type_it(
    directory: Directory,
) -> None:
    rows: list[list[object]] = [
        ["code", "dti-x"], ["name", "X"], ["year", 2026], ["total_max", 0],
        ["code", "name", "max", "rule"], ["3", "Trụ cột", 0], [3.1, "Chỉ số", 0, "assessed"],
    ]  # fmt: skip
    with pytest.raises(FileError, match=r"dòng 7: mã chỉ số 3.1 là số: định dạng ô là Text"):
        read_framework(xlsx_bytes(rows), "x.xlsx", directory)


@pytest.mark.parametrize(
    ("rows", "problem"),
    [
        ([["code", "x"], ["1", "a"]], "không thấy dòng tiêu đề"),
        (
            [["code", "x"], ["code", "name", "max"], ["1.1", "a", "1"]],
            "dòng 3: chỉ số 1.1: chưa có",
        ),
        ([["code", "x"], ["code", "name"]], "dòng 2: không có chỉ số nào"),
        ([["name"], ["code", "name"], ["1", "a"]], "dòng 1: dòng thông tin bộ chỉ số"),
        ([["code", "name", "max"], ["", "a", "1"]], "dòng 2: thiếu mã chỉ số"),
        (
            [["code", "name", "levels"], ["1", "a"], ["1.1", "b", "50-5"]],
            "dòng 3: bậc '50-5' cần dạng ngưỡng:điểm",
        ),
        (
            [["code", "name", "levels"], ["1", "a"], ["1.1", "b", "[{at_least: 1"]],
            "dòng 3: cột 'levels': không đọc được",
        ),
    ],
)
def test_a_table_that_is_not_a_framework_names_the_row_and_the_problem(
    rows: list[list[str]], problem: str
) -> None:
    with pytest.raises(FileError, match=problem):
        table_data(csv_rows(csv_bytes(rows).decode("utf-8-sig")), "f.csv")


def test_the_framework_checks_apply_to_tables_with_the_row_of_the_mistake(
    directory: Directory,
) -> None:
    rows = table()
    header = next(row for row in rows if row[:2] == ["code", "name"])
    at = next(i for i, row in enumerate(rows) if row and row[0] == "8.2")
    rows[at][header.index("lead")] = "SKHCN; SỞ_KHÔNG_CÓ"
    with pytest.raises(FileError, match=rf"dòng {at + 1}: chỉ số 8.2: không có cơ quan hay nhóm"):
        read_framework(csv_bytes(rows), "f.csv", directory)
    rows = table()
    rows[at][header.index("max")] = "60"  # pillar 8's sub-indices no longer add up to 150
    with pytest.raises(FileError, match="chỉ số 8: tổng điểm chỉ số thành phần là 160"):
        read_framework(csv_bytes(rows), "f.csv", directory)


def test_nested_fields_in_yaml_flow_cells_carry_their_row(directory: Directory) -> None:
    rows = [
        ["code", "dti-x"], ["name", "X"], ["year", "2026"], ["total_max", "10"],
        ["code", "name", "max", "rule", "unit", "levels", "rule_source"], ["1", "Trụ cột", "10"],
        ["1.1", "Bậc", "10", "levels", "cái", "[{at_least: 1, points: 20}]", "KH 4636, mục II"],
    ]  # fmt: skip
    with pytest.raises(FileError, match="dòng 7: chỉ số 1.1: một bậc cho nhiều điểm hơn"):
        read_framework(csv_bytes(rows), "f.csv", directory)


def test_files_that_are_not_frameworks_are_refused_with_what_to_send(
    directory: Directory,
) -> None:
    assert format_of("bo-chi-so.YML") == "yaml"
    assert format_of("bo-chi-so.pdf") is None
    with pytest.raises(FileError, match=r"chỉ nhận tệp .yaml, .csv hoặc .xlsx"):
        read_framework(b"%PDF", "bo-chi-so.pdf", directory)
    with pytest.raises(FileError, match="không đọc được tệp Excel"):
        read_framework(b"not a zip", "bo-chi-so.xlsx", directory)
    with pytest.raises(FileError, match="dòng 2: không phải văn bản UTF-8"):
        read_framework("code,x\nname,Khánh Hòa\n".encode("latin-1"), "f.csv", directory)


@given(
    codes=st.lists(st.sampled_from(["SKHCN", "SNV", "STC", "VNPT", "SBN"]), min_size=1),
    gap=st.sampled_from([";", "; ", " ;  ", "\n"]),
)
def test_a_list_cell_gives_its_codes_whatever_the_spaces_around_the_separators(
    codes: list[str], gap: str
) -> None:
    rows = [["code", "name", "lead"], ["1", "a"], ["1.1", "b", gap.join(codes)]]
    data = table_data(csv_rows(csv_bytes(rows).decode("utf-8-sig")), "f.csv")
    assert data["pillars"][0]["sub_indices"][0]["lead"] == codes
