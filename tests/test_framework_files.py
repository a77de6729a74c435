"""Framework files of every format an administrator may import: YAML, CSV (comma or semicolon,
as Excel saves it) and Excel .xlsx read into the same framework, and every mistake named with its
row."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from scoring.framework_files import csv_rows, format_of, read_framework, table_data
from scoring.loading import FileError
from scoring.model import Directory, Framework, RuleKind
from tests.conftest import DATA

HEADER = ["code", "name", "name_en", "max", "rule", "threshold", "unit", "lead", "coordinate",
          "aliases", "levels"]  # fmt: skip
VIETNAMESE = ["Mã", "Tên", "Tên tiếng Anh", "Điểm tối đa", "Quy tắc", "Ngưỡng", "Đơn vị",
              "Chủ trì", "Phối hợp", "Bí danh", "Bậc"]  # fmt: skip


def table(framework: Framework, header: list[str] = HEADER) -> list[list[str]]:
    """The framework as the rows an administrator would type."""
    rows = [
        ["code", framework.code],
        ["name", framework.name],
        ["year", str(framework.year)],
        ["kind", framework.kind],
        ["source", framework.source],
        ["total_max", str(framework.total_max)],
        ["target_total", str(framework.target_total)],
        [],
        header,
    ]
    for p in framework.pillars:
        rows.append([p.code, p.name, p.name_en, str(p.max_points), "", "", "", "", "",
                     "; ".join(p.aliases), ""])  # fmt: skip
        for s in p.sub_indices:
            levels = "; ".join(f"{lv.at_least}:{lv.points}" for lv in s.rule.levels)
            rows.append([
                s.code, s.name, "", str(s.max_points), s.rule.kind.value,
                "" if s.rule.threshold is None else str(s.rule.threshold), s.unit,
                "; ".join(s.lead), "; ".join(s.coordinate), "", levels,
            ])  # fmt: skip
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


def test_the_bundled_framework_reads_the_same_from_yaml_csv_and_xlsx(
    framework: Framework, directory: Directory
) -> None:
    yaml_file = (DATA / "frameworks" / "dti-province-2025.yaml").read_bytes()
    rows = table(framework)
    assert read_framework(yaml_file, "dti.yaml", directory) == framework
    assert read_framework(csv_bytes(rows), "dti.csv", directory) == framework
    assert read_framework(csv_bytes(rows, ";"), "dti.csv", directory) == framework
    assert read_framework(xlsx_bytes(list(rows)), "dti.xlsx", directory) == framework


def test_vietnamese_column_names_and_decimal_commas_are_understood(
    framework: Framework, directory: Directory
) -> None:
    rows = table(framework, VIETNAMESE)
    rows[:7] = [["mã", framework.code], ["tên", framework.name], ["năm", "2025"],
                ["tổng điểm", "1000"], ["mục tiêu", "800"]]  # fmt: skip
    for row in rows:
        if row and row[0] == "4.5":  # threshold 5 members per 100 inhabitants
            row[5] = "5,0"
    found = read_framework(csv_bytes(rows, ";"), "bo-chi-so.csv", directory)
    assert found.pillars == framework.pillars
    assert found.target_total == Decimal(800)
    sub = found.sub_index("4.5")
    assert sub is not None
    assert sub.rule.threshold == Decimal("5.0")


def test_excel_numbers_are_read_as_the_numbers_shown(directory: Directory) -> None:
    rows: list[list[object]] = [
        ["code", "dti-x"], ["name", "X"], ["year", 2026], ["total_max", 10],
        ["code", "name", "max", "rule", "threshold", "unit", "lead", "levels"],
        ["1", "Trụ cột", 10],
        ["1.1", "Tỷ lệ", 6.5, "ratio", 0.1, "%", "SKHCN"],
        ["1.2", "Bậc", 3.5, "levels", None, "cái", "SNV", "1:1,5; 3:3,5"],
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
    framework: Framework, directory: Directory
) -> None:
    rows = table(framework)
    at = next(i for i, row in enumerate(rows) if row and row[0] == "8.2")
    rows[at][7] = "SKHCN; SỞ_KHÔNG_CÓ"
    with pytest.raises(FileError, match=rf"dòng {at + 1}: chỉ số 8.2: không có cơ quan hay nhóm"):
        read_framework(csv_bytes(rows), "f.csv", directory)
    rows = table(framework)
    rows[at][3] = "60"  # pillar 8's sub-indices no longer add up to 150
    with pytest.raises(FileError, match="chỉ số 8: tổng điểm chỉ số thành phần là 160"):
        read_framework(csv_bytes(rows), "f.csv", directory)


def test_nested_fields_in_yaml_flow_cells_carry_their_row(directory: Directory) -> None:
    rows = [
        ["code", "dti-x"], ["name", "X"], ["year", "2026"], ["total_max", "10"],
        ["code", "name", "max", "rule", "unit", "levels"], ["1", "Trụ cột", "10"],
        ["1.1", "Bậc", "10", "levels", "cái", "[{at_least: 1, points: 20}]"],
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
