"""The leaders' export: every sub-index as an Excel workbook (.xlsx) or a CSV, from plain data."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

# openpyxl (and numpy under it) is imported by the functions that write the workbook, on the
# first export: that is in the worker thread that writes it, and a bot that never exports never
# pays for it.
if TYPE_CHECKING:
    from openpyxl.styles import Alignment, Font


@dataclass(frozen=True, slots=True)
class SubIndexRow:
    """One sub-index as the export shows it; every text is already translated."""

    code: str
    name: str
    maximum: Decimal
    rule: str  # e.g. "tỷ lệ (đủ điểm khi ≥ 50 %)"
    value: Decimal | None
    unit: str
    period: str  # period label, "" when no data
    points: Decimal | None  # None: no data
    status: str  # "đã duyệt" | "chờ thẩm định" | "chưa có số liệu"
    lead: str  # agency names joined by ", "
    coordinate: str
    last_by: str
    last_at: datetime | None  # aware; shown in the export's zone
    evidence: int


@dataclass(frozen=True, slots=True)
class PillarRow:
    code: str
    name: str
    points: Decimal
    maximum: Decimal
    missing: int


@dataclass(frozen=True, slots=True)
class Summary:
    title: str  # e.g. "Bộ chỉ số DTI cấp tỉnh năm 2025"
    generated_at: datetime  # aware
    total: Decimal
    maximum: Decimal
    dti: Decimal  # 0..1, 4 places
    target: Decimal | None  # the plan's target in points (e.g. 800), None when there is none
    pillars: tuple[PillarRow, ...]


@dataclass(frozen=True, slots=True)
class Labels:
    """Every text the files show, translated by the caller."""

    summary_sheet: str
    sub_index_sheet: str
    # code, name, points, maximum, percent, missing
    summary_headers: tuple[str, ...]
    # code, name, maximum, rule, value, unit, period, points, status, lead, coordinate,
    # last by, last at, evidence
    sub_index_headers: tuple[str, ...]
    total: str
    dti: str
    target: str
    generated: str


SUMMARY_COLUMNS = 6
SUB_INDEX_COLUMNS = 14

# Excel stores numbers, not text: the decimal separator a reader sees comes from the reader's
# OS locale (a Vietnamese Windows shows 9,17), and no number format can force a comma. These
# formats only fix the number of places.
POINTS_FORMAT = "0.00"
DTI_FORMAT = "0.0000"
PERCENT_FORMAT = "0.00%"  # the cell holds a fraction: 0.9170 shows as 91.70 %
COUNT_FORMAT = "0"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
CSV_DATETIME = "%d/%m/%Y %H:%M"

# Sub-index columns (0-based) whose long texts wrap instead of widening the sheet.
_WRAPPED = frozenset({1, 3, 9, 10})
_MIN_WIDTH = 6
_MAX_WIDTH = 18
_MAX_WRAPPED_WIDTH = 40

_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_SHEET_NAME_MAX = 31

# A spreadsheet treats text starting with these as a formula; user-chosen names (the Telegram
# name in "last by") must not run as one when a leader opens the file.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def workbook_bytes(
    summary: Summary,
    rows: Sequence[SubIndexRow],
    labels: Labels,
    zone: ZoneInfo,
    *,
    decimal_comma: bool = True,
    language: str = "vi-VN",
) -> bytes:
    """The .xlsx file: a summary sheet and a sheet with one row per sub-index.

    `decimal_comma` is accepted for symmetry with `csv_bytes` and has no effect: cells hold
    numbers, and Excel shows them with the reader's own decimal separator. `language` only
    tags the document (its core properties); Excel does not read it for number display.
    """
    from openpyxl import Workbook

    _check_headers(labels)
    wb = Workbook()
    summary_ws = wb.worksheets[0]  # a new workbook has exactly one worksheet
    summary_ws.title = _sheet_name(labels.summary_sheet, taken="")
    _fill_summary(summary_ws, summary, labels, zone)
    detail_ws = wb.create_sheet(_sheet_name(labels.sub_index_sheet, taken=summary_ws.title))
    _fill_sub_indices(detail_ws, rows, labels, zone)

    # Stamped with the summary's time, not the clock, so the same input gives the same bytes.
    stamp = _utc_naive(summary.generated_at)
    wb.properties.created = stamp
    wb.properties.modified = stamp
    wb.properties.title = _clean(summary.title)
    wb.properties.language = language
    return _stable_zip(_save(wb), _local_naive(summary.generated_at, zone))


def csv_bytes(
    rows: Sequence[SubIndexRow],
    labels: Labels,
    zone: ZoneInfo,
    *,
    decimal_comma: bool = True,
) -> bytes:
    """The sub-index table as CSV, UTF-8 with a BOM so Excel reads the diacritics right.

    With `decimal_comma` numbers read 9,17 and fields are split by ";" (the Vietnamese and
    European Excel convention); without it 9.17 and ",". Numbers carry no thousands separator
    (1082862): a grouped "1.082.862" is text, or a different number, to readers in other
    locales, while the plain digits parse everywhere.
    """
    _check_headers(labels)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if decimal_comma else ",", lineterminator="\r\n")
    writer.writerow([_csv_text(h) for h in labels.sub_index_headers])

    def number(d: Decimal | None) -> str:
        return _csv_number(d, decimal_comma=decimal_comma)

    for row in rows:
        writer.writerow(
            [
                _csv_text(row.code),
                _csv_text(row.name),
                number(row.maximum),
                _csv_text(row.rule),
                number(row.value),
                _csv_text(row.unit),
                _csv_text(row.period),
                number(row.points),
                _csv_text(row.status),
                _csv_text(row.lead),
                _csv_text(row.coordinate),
                _csv_text(row.last_by),
                "" if row.last_at is None else _local(row.last_at, zone).strftime(CSV_DATETIME),
                str(row.evidence),
            ]
        )
    return out.getvalue().encode("utf-8-sig")


# --- the two sheets -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Styles:
    bold: Font
    title: Font
    top: Alignment
    wrap: Alignment


@cache
def _styles() -> _Styles:
    from openpyxl.styles import Alignment, Font

    return _Styles(
        bold=Font(bold=True),
        title=Font(bold=True, size=14),
        top=Alignment(vertical="top"),
        wrap=Alignment(vertical="top", wrap_text=True),
    )


def _fill_summary(ws: Any, summary: Summary, labels: Labels, zone: ZoneInfo) -> None:
    from openpyxl.utils import get_column_letter

    style = _styles()
    _put(ws, 1, 1, summary.title, font=style.title)
    _put(ws, 2, 1, labels.generated, font=style.bold)
    _put(ws, 2, 2, _local_naive(summary.generated_at, zone), DATETIME_FORMAT)
    _put(ws, 3, 1, labels.total, font=style.bold)
    _put(ws, 3, 2, _number(summary.total), POINTS_FORMAT)
    _put(ws, 3, 3, _number(summary.maximum), POINTS_FORMAT)
    _put(ws, 4, 1, labels.dti, font=style.bold)
    _put(ws, 4, 2, _number(summary.dti), DTI_FORMAT)
    _put(ws, 5, 1, labels.target, font=style.bold)
    _put(ws, 5, 2, _number(summary.target), POINTS_FORMAT)

    header_row = 7
    for col, header in enumerate(labels.summary_headers, start=1):
        _put(ws, header_row, col, header, font=style.bold, align=style.wrap)
    for r, pillar in enumerate(summary.pillars, start=header_row + 1):
        percent = pillar.points / pillar.maximum if pillar.maximum else None
        _put(ws, r, 1, pillar.code)
        _put(ws, r, 2, pillar.name, align=style.wrap)
        _put(ws, r, 3, _number(pillar.points), POINTS_FORMAT)
        _put(ws, r, 4, _number(pillar.maximum), POINTS_FORMAT)
        _put(ws, r, 5, _number(percent), PERCENT_FORMAT)
        _put(ws, r, 6, pillar.missing, COUNT_FORMAT)
    # The title block stays in view too; it is five short rows.
    ws.freeze_panes = f"A{header_row + 1}"
    # Column A holds the labels of the block above as well as the pillar codes.
    label_width = max(
        _text_width(t) for t in (*_summary_labels(labels), labels.summary_headers[0])
    )
    ws.column_dimensions["A"].width = max(_MIN_WIDTH, min(label_width + 2, _MAX_WRAPPED_WIDTH))
    ws.column_dimensions["B"].width = _MAX_WRAPPED_WIDTH  # pillar names, wrapped
    for col in range(3, SUMMARY_COLUMNS + 1):
        ws.column_dimensions[get_column_letter(col)].width = _MAX_WIDTH - 4


def _fill_sub_indices(
    ws: Any, rows: Sequence[SubIndexRow], labels: Labels, zone: ZoneInfo
) -> None:
    from openpyxl.utils import get_column_letter

    style = _styles()
    for col, header in enumerate(labels.sub_index_headers, start=1):
        _put(ws, 1, col, header, font=style.bold, align=style.wrap)
    widths = [_text_width(h) for h in labels.sub_index_headers]
    for r, row in enumerate(rows, start=2):
        cells: tuple[tuple[object, str | None], ...] = (
            (row.code, None),
            (row.name, None),
            (_number(row.maximum), POINTS_FORMAT),
            (row.rule, None),
            # Values range from 0.5 per 100 inhabitants to 1082862 documents; General shows
            # each as it is rather than padding or rounding to one fixed number of places.
            (_number(row.value), None),
            (row.unit, None),
            (row.period, None),
            (_number(row.points), POINTS_FORMAT),
            (row.status, None),
            (row.lead, None),
            (row.coordinate, None),
            (row.last_by, None),
            (None if row.last_at is None else _local_naive(row.last_at, zone), DATETIME_FORMAT),
            (row.evidence, COUNT_FORMAT),
        )
        for col, (value, fmt) in enumerate(cells):
            _put(ws, r, col + 1, value, fmt, align=style.wrap if col in _WRAPPED else style.top)
            widths[col] = max(widths[col], _display_width(value))
    last = get_column_letter(SUB_INDEX_COLUMNS)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{last}{len(rows) + 1}"
    for col, width in enumerate(widths):
        cap = _MAX_WRAPPED_WIDTH if col in _WRAPPED else _MAX_WIDTH
        # +2: the AutoFilter's drop-down button sits over the end of the header text.
        ws.column_dimensions[get_column_letter(col + 1)].width = max(
            _MIN_WIDTH, min(width + 2, cap)
        )


def _put(
    ws: Any,
    row: int,
    col: int,
    value: object,
    fmt: str | None = None,
    *,
    font: Font | None = None,
    align: Alignment | None = None,
) -> None:
    cell = ws.cell(row=row, column=col)
    if isinstance(value, str):
        cell.value = _clean(value)
        # openpyxl turns text starting with "=" into a formula; these cells are always text.
        cell.data_type = "s"
    else:
        cell.value = value
    if fmt is not None and value is not None:
        cell.number_format = fmt
    if font is not None:
        cell.font = font
    if align is not None:
        cell.alignment = align


def _summary_labels(labels: Labels) -> tuple[str, ...]:
    return (labels.generated, labels.total, labels.dti, labels.target)


def _check_headers(labels: Labels) -> None:
    if len(labels.summary_headers) != SUMMARY_COLUMNS:
        raise ValueError(f"summary_headers needs {SUMMARY_COLUMNS} texts")
    if len(labels.sub_index_headers) != SUB_INDEX_COLUMNS:
        raise ValueError(f"sub_index_headers needs {SUB_INDEX_COLUMNS} texts")


def _sheet_name(name: str, *, taken: str) -> str:
    """A name Excel accepts: at most 31 characters, none of []:*?/\\, not blank, and not
    equal (ignoring case) to the other sheet's, since Excel refuses both."""
    clean = _SHEET_FORBIDDEN.sub(" ", _clean(name)).strip().strip("'").strip()
    clean = clean[:_SHEET_NAME_MAX].rstrip() or "Sheet"
    if clean.casefold() == taken.casefold():
        clean = f"{clean[: _SHEET_NAME_MAX - 2].rstrip()} 2"
    return clean


def _text_width(text: str) -> int:
    return max((len(line) for line in text.splitlines()), default=0)


def _display_width(value: object) -> int:
    if value is None:
        return 0
    if isinstance(value, datetime):
        return len("dd/mm/yyyy hh:mm")
    if isinstance(value, float):
        return len(f"{value:.2f}")
    return _text_width(str(value))


# --- values ---------------------------------------------------------------------------------


def _number(d: Decimal | None) -> int | float | None:
    """A Decimal as a spreadsheet number: whole numbers stay exact ints, the rest become
    floats (a cell is an IEEE double anyway)."""
    if d is None:
        return None
    return int(d) if d == d.to_integral_value() else float(d)


def _csv_number(d: Decimal | None, *, decimal_comma: bool) -> str:
    if d is None:
        return ""
    text = format(d, "f")  # never exponent notation: Decimal("1E+3") is written 1000
    return text.replace(".", ",") if decimal_comma else text


def _csv_text(text: str) -> str:
    # A leading apostrophe makes a spreadsheet show the text instead of evaluating it.
    return f"'{text}" if text.startswith(_FORMULA_START) else text


def _clean(text: str) -> str:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    # Control characters (possible in Telegram names) are not allowed in xlsx XML.
    return str(ILLEGAL_CHARACTERS_RE.sub("", text))


def _local(moment: datetime, zone: ZoneInfo) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        # A naive time would be read in the server's own zone: a different file per machine.
        raise ValueError("export times must be timezone-aware")
    return moment.astimezone(zone)


def _local_naive(moment: datetime, zone: ZoneInfo) -> datetime:
    # Excel has no time zones: a cell holds the wall-clock time the reader expects.
    return _local(moment, zone).replace(tzinfo=None)


def _utc_naive(moment: datetime) -> datetime:
    # openpyxl writes document properties as UTC from naive datetimes.
    return _local(moment, ZoneInfo("UTC")).replace(tzinfo=None)


# --- byte-stable output ---------------------------------------------------------------------


def _save(wb: Any) -> bytes:
    # ExcelWriter directly, because Workbook.save() overwrites properties.modified with now().
    from openpyxl.writer.excel import ExcelWriter

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).save()
    return buffer.getvalue()


def _stable_zip(data: bytes, moment: datetime) -> bytes:
    """The same archive with every member dated `moment`: openpyxl dates zip members with the
    clock, so two renders a second apart would otherwise differ."""
    # The zip format cannot date anything before 1980.
    year, month, day, hour, minute, second = max(moment.timetuple()[:6], (1980, 1, 1, 0, 0, 0))
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for member in source.infolist():
            info = zipfile.ZipInfo(member.filename, (year, month, day, hour, minute, second))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = member.external_attr
            target.writestr(info, source.read(member))
    return out.getvalue()


__all__ = [
    "Labels",
    "PillarRow",
    "SubIndexRow",
    "Summary",
    "csv_bytes",
    "workbook_bytes",
]
