"""The leaders' export read back: the workbook with openpyxl, the CSV with the csv module."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal as D
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from reports.export import Labels, PillarRow, SubIndexRow, Summary, csv_bytes, workbook_bytes

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
BOM = b"\xef\xbb\xbf"
TRICKY_NAME = 'Tỷ lệ hồ sơ "trực tuyến toàn trình", đạt chuẩn\nnăm 2025; Sở Nội vụ'

LABELS = Labels(
    summary_sheet="Tổng hợp",
    sub_index_sheet="Chỉ số thành phần",
    summary_headers=("Mã", "Chỉ số chính", "Điểm", "Tối đa", "Tỷ lệ", "Chưa có số liệu"),
    sub_index_headers=(
        "Mã",
        "Chỉ số thành phần",
        "Điểm tối đa",
        "Cách chấm",
        "Giá trị",
        "Đơn vị",
        "Kỳ",
        "Điểm",
        "Trạng thái",
        "Chủ trì",
        "Phối hợp",
        "Người cập nhật",
        "Cập nhật lúc",
        "Minh chứng",
    ),
    total="Tổng điểm",
    dti="Chỉ số DTI",
    target="Mục tiêu",
    generated="Lập lúc",
)

SCORED = SubIndexRow(
    code="8.2",
    name="Tỷ lệ doanh nghiệp sử dụng hợp đồng điện tử",
    maximum=D(10),
    rule="tỷ lệ (đủ điểm khi ≥ 50 %)",
    value=D("45.85"),
    unit="%",
    period="Quý 3/2025",
    points=D("9.17"),
    status="đã duyệt",
    lead="Sở Công Thương",
    coordinate="Sở Tài chính, Cục Thuế tỉnh",
    last_by="Nguyễn Văn An",
    last_at=datetime(2025, 11, 30, 2, 0, tzinfo=UTC),
    evidence=2,
)
COUNTED = replace(
    SCORED,
    code="6.4",
    name="Số hồ sơ xử lý trực tuyến",
    value=D(1082862),
    unit="hồ sơ",
    points=D(20),
    maximum=D(20),
    evidence=0,
)
EMPTY = replace(
    SCORED,
    code="3.3",
    name="Cơ sở dữ liệu chuyên ngành",
    value=None,
    period="",
    points=None,
    status="chưa có số liệu",
    last_by="",
    last_at=None,
    evidence=0,
)
ROWS = (SCORED, COUNTED, EMPTY)

SUMMARY = Summary(
    title="Bộ chỉ số DTI cấp tỉnh năm 2025",
    generated_at=datetime(2025, 12, 1, 1, 30, tzinfo=UTC),
    total=D("612.34"),
    maximum=D(1000),
    dti=D("0.6123"),
    target=D(800),
    pillars=(
        PillarRow("1", "Nhận thức số", D("48.50"), D(60), 1),
        PillarRow("8", "Kinh tế số", D("9.17"), D(0), 0),
    ),
)


def _workbook(rows: tuple[SubIndexRow, ...] = ROWS, **kwargs: Any) -> Any:
    return load_workbook(io.BytesIO(workbook_bytes(SUMMARY, rows, LABELS, ZONE, **kwargs)))


def _csv(rows: tuple[SubIndexRow, ...] = ROWS, *, decimal_comma: bool = True) -> list[list[str]]:
    data = csv_bytes(rows, LABELS, ZONE, decimal_comma=decimal_comma)
    text = data.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";" if decimal_comma else ","))


def _values(ws: Any) -> list[tuple[object, ...]]:
    return [tuple(c.value for c in row) for row in ws.iter_rows()]


def _many(n: int) -> tuple[SubIndexRow, ...]:
    return tuple(
        replace(SCORED, code=f"{i // 10 + 1}.{i % 10 + 1}", points=D(i) / 4, evidence=i)
        for i in range(n)
    )


# --- workbook ---------------------------------------------------------------------------------


def test_the_workbook_has_the_summary_and_the_sub_index_sheet_under_the_given_names() -> None:
    assert _workbook().sheetnames == ["Tổng hợp", "Chỉ số thành phần"]


def test_the_sub_index_sheet_has_the_header_row_then_one_row_per_sub_index_in_order() -> None:
    ws = _workbook()["Chỉ số thành phần"]
    values = _values(ws)
    assert values[0] == LABELS.sub_index_headers
    assert [v[0] for v in values[1:]] == ["8.2", "6.4", "3.3"]
    assert ws.max_row == 4


def test_numbers_are_stored_as_numbers_equal_to_the_inputs() -> None:
    ws = _workbook()["Chỉ số thành phần"]
    scored, counted = _values(ws)[1:3]
    assert scored[2] == 10
    assert scored[4] == 45.85
    assert scored[7] == 9.17
    assert scored[13] == 2
    assert counted[4] == 1082862
    for cell in (ws["C2"], ws["E2"], ws["H2"], ws["N2"], ws["E3"]):
        assert type(cell.value) in (int, float)
    assert ws["H2"].number_format == "0.00"


def test_a_sub_index_without_data_leaves_its_value_points_and_date_cells_empty() -> None:
    empty = _values(_workbook()["Chỉ số thành phần"])[3]
    assert empty[4] is None
    assert empty[7] is None
    assert empty[12] is None
    assert empty[8] == "chưa có số liệu"


def test_the_last_update_is_an_excel_datetime_in_the_local_zone() -> None:
    ws = _workbook()["Chỉ số thành phần"]
    # 02:00 UTC is 09:00 in Hà Nội; Excel has no zones, so the cell holds the wall-clock time.
    assert ws["M2"].value == datetime(2025, 11, 30, 9, 0)  # noqa: DTZ001 - naive is the point
    assert ws["M2"].number_format == "dd/mm/yyyy hh:mm"


def test_the_header_row_is_bold_and_frozen_and_filters_the_whole_table() -> None:
    ws = _workbook()["Chỉ số thành phần"]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:N4"
    assert all(c.font.bold for c in ws[1])
    assert ws["B2"].alignment.wrap_text


def test_the_summary_sheet_shows_total_maximum_dti_and_target_as_numbers() -> None:
    ws = _workbook()["Tổng hợp"]
    assert ws["A1"].value == "Bộ chỉ số DTI cấp tỉnh năm 2025"
    assert ws["B2"].value == datetime(2025, 12, 1, 8, 30)  # noqa: DTZ001 - Excel is naive
    assert (ws["A3"].value, ws["B3"].value, ws["C3"].value) == ("Tổng điểm", 612.34, 1000)
    assert (ws["A4"].value, ws["B4"].value) == ("Chỉ số DTI", 0.6123)
    assert ws["B4"].number_format == "0.0000"
    assert (ws["A5"].value, ws["B5"].value) == ("Mục tiêu", 800)


def test_the_pillar_table_has_its_header_frozen_and_percent_as_a_fraction() -> None:
    ws = _workbook()["Tổng hợp"]
    assert tuple(c.value for c in ws[7]) == LABELS.summary_headers
    assert ws.freeze_panes == "A8"
    first = tuple(c.value for c in ws[8])
    assert first == ("1", "Nhận thức số", 48.5, 60, pytest.approx(48.5 / 60), 1)
    assert ws["E8"].number_format == "0.00%"
    # A pillar with a zero maximum has no percent rather than a division error.
    assert ws["E9"].value is None


def test_a_summary_without_a_target_leaves_the_target_cell_empty() -> None:
    data = workbook_bytes(replace(SUMMARY, target=None), ROWS, LABELS, ZONE)
    assert load_workbook(io.BytesIO(data))["Tổng hợp"]["B5"].value is None


def test_the_workbook_is_tagged_with_the_language_and_dated_by_the_summary() -> None:
    wb = _workbook()
    assert wb.properties.language == "vi-VN"
    assert wb.properties.created == datetime(2025, 12, 1, 1, 30)  # noqa: DTZ001 - UTC, naive
    assert wb.properties.modified == datetime(2025, 12, 1, 1, 30)  # noqa: DTZ001 - UTC, naive


def test_fifty_sub_indices_are_all_in_the_workbook() -> None:
    rows = _many(50)
    ws = _workbook(rows)["Chỉ số thành phần"]
    assert ws.max_row == 51
    assert ws.auto_filter.ref == "A1:N51"
    assert [v[0] for v in _values(ws)[1:]] == [r.code for r in rows]
    assert [v[7] for v in _values(ws)[1:]] == [float(i / 4) for i in range(50)]


def test_a_name_with_diacritics_commas_quotes_and_a_newline_round_trips_through_xlsx() -> None:
    rows = (*_many(49), replace(SCORED, name=TRICKY_NAME))
    ws = _workbook(rows)["Chỉ số thành phần"]
    assert ws["B51"].value == TRICKY_NAME


def test_text_that_looks_like_a_formula_stays_text_in_the_workbook() -> None:
    rows = (replace(SCORED, last_by='=HYPERLINK("http://x","y")', name="+1"),)
    ws = _workbook(rows)["Chỉ số thành phần"]
    assert ws["L2"].value == '=HYPERLINK("http://x","y")'
    assert ws["L2"].data_type == "s"
    assert ws["B2"].value == "+1"


def test_control_characters_in_a_name_are_dropped_instead_of_breaking_the_workbook() -> None:
    ws = _workbook((replace(SCORED, last_by="An\x07 Nguyễn"),))["Chỉ số thành phần"]
    assert ws["L2"].value == "An Nguyễn"


def test_sheet_names_are_cut_to_31_characters_without_forbidden_characters() -> None:
    labels = replace(
        LABELS,
        summary_sheet="Tổng hợp [2025]: quý 3/4 * điểm? \\ và nhiều chữ nữa",
        sub_index_sheet="Tổng hợp [2025]: quý 3/4 * điểm? \\ và nhiều chữ nữa",
    )
    names = load_workbook(io.BytesIO(workbook_bytes(SUMMARY, ROWS, labels, ZONE))).sheetnames
    assert all(len(n) <= 31 and not set(n) & set("[]:*?/\\") for n in names)
    assert names[0] != names[1]
    assert names[0].startswith("Tổng hợp")


def test_two_renders_of_the_same_input_are_byte_identical(monkeypatch: pytest.MonkeyPatch) -> None:
    first = workbook_bytes(SUMMARY, ROWS, LABELS, ZONE)
    # openpyxl dates zip members with the clock; move it to show the export does not follow.
    monkeypatch.setattr("time.time", lambda: 2_000_000_000.0)
    second = workbook_bytes(SUMMARY, ROWS, LABELS, ZONE)
    assert first == second
    stamps = {i.date_time for i in zipfile.ZipFile(io.BytesIO(second)).infolist()}
    assert stamps == {(2025, 12, 1, 8, 30, 0)}


def test_a_naive_time_is_refused_because_its_zone_would_be_the_servers() -> None:
    naive = replace(SCORED, last_at=datetime(2025, 11, 30, 9, 0))  # noqa: DTZ001 - the point
    with pytest.raises(ValueError, match="timezone-aware"):
        workbook_bytes(SUMMARY, (naive,), LABELS, ZONE)
    with pytest.raises(ValueError, match="timezone-aware"):
        csv_bytes((naive,), LABELS, ZONE)


def test_headers_of_the_wrong_length_are_refused() -> None:
    with pytest.raises(ValueError, match="14"):
        csv_bytes(ROWS, replace(LABELS, sub_index_headers=("Mã",)), ZONE)
    with pytest.raises(ValueError, match="6"):
        workbook_bytes(SUMMARY, ROWS, replace(LABELS, summary_headers=()), ZONE)


# --- CSV ----------------------------------------------------------------------------------------


def test_the_csv_starts_with_the_utf8_bom_so_excel_reads_vietnamese() -> None:
    data = csv_bytes(ROWS, LABELS, ZONE)
    assert data.startswith(BOM)
    assert "Chỉ số thành phần".encode() in data


def test_with_decimal_comma_fields_are_split_by_semicolons_and_numbers_use_a_comma() -> None:
    data = csv_bytes(ROWS, LABELS, ZONE).decode("utf-8-sig")
    assert data.splitlines()[0] == ";".join(LABELS.sub_index_headers)
    header, scored, counted, empty = _csv()
    assert header == list(LABELS.sub_index_headers)
    assert scored[7] == "9,17"
    assert scored[4] == "45,85"
    assert scored[2] == "10"
    # No thousands separator: plain digits parse in every locale, "1.082.862" does not.
    assert counted[4] == "1082862"


def test_without_decimal_comma_fields_are_split_by_commas_and_numbers_use_a_point() -> None:
    data = csv_bytes(ROWS, LABELS, ZONE, decimal_comma=False).decode("utf-8-sig")
    assert data.splitlines()[0] == ",".join(LABELS.sub_index_headers)
    _, scored, counted, _ = _csv(decimal_comma=False)
    assert scored[7] == "9.17"
    assert scored[4] == "45.85"
    assert counted[4] == "1082862"
    assert scored[10] == "Sở Tài chính, Cục Thuế tỉnh"


def test_csv_dates_are_local_and_empty_fields_mean_no_data() -> None:
    _, scored, _, empty = _csv()
    assert scored[12] == "30/11/2025 09:00"
    assert scored[13] == "2"
    assert (empty[4], empty[6], empty[7], empty[11], empty[12]) == ("", "", "", "", "")
    assert empty[8] == "chưa có số liệu"


def test_fifty_sub_indices_with_a_tricky_name_round_trip_through_csv() -> None:
    rows = (*_many(49), replace(SCORED, name=TRICKY_NAME))
    for decimal_comma in (True, False):
        parsed = _csv(rows, decimal_comma=decimal_comma)
        assert len(parsed) == 51
        assert [r[0] for r in parsed[1:]] == [r.code for r in rows]
        assert parsed[50][1] == TRICKY_NAME


def test_text_that_looks_like_a_formula_is_neutralised_in_the_csv() -> None:
    _, scored = _csv((replace(SCORED, last_by="=cmd|' /C calc'!A0", name="@SUM(A1)"),))
    assert scored[11] == "'=cmd|' /C calc'!A0"
    assert scored[1] == "'@SUM(A1)"


def test_two_csv_renders_of_the_same_input_are_identical() -> None:
    assert csv_bytes(ROWS, LABELS, ZONE) == csv_bytes(ROWS, LABELS, ZONE)
