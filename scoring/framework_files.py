"""A framework file an administrator imports: YAML (the repository's own format), or a table
(CSV or Excel .xlsx) read into the same mappings, so that one parser checks every format.

The table layout (docs: the `admin` notes, "Framework files"):

    code        | dti-province-2026                  <- the framework: one "key | value" row
    name        | Bộ chỉ số DTI cấp tỉnh năm 2026       each, the keys of the YAML file
    year        | 2026
    total_max   | 1000
    code | name          | max | rule  | threshold | unit | lead  | coordinate   <- the header
    1    | Nhận thức số  | 50  |       |           |      |       |
    1.1  | Người đứng …  | 10  | boolean |         |      | SKHCN | VPTU; VPUBND
    8.2  | Tỷ lệ …       | 50  | ratio | 50        | %    | SKHCN |

The header row is the first whose first two cells are "code" and "name" (or "mã", "tên"). A
row whose code has no dot is a pillar; the sub-indices below it belong to it. Columns are the
YAML keys (or their Vietnamese names, see HEADER_NAMES); a column the parser does not know is
passed on as it is, so fields a framework kind adds (value_type, source_ref, rule_source …)
need no change here. Cells hold: lists separated by ";" (lead, coordinate, aliases); levels as
"at_least:points; …"; anything else that starts with "[" or "{" as YAML flow (targets, parts,
documents, conflicts). Numbers may use a decimal comma. Blank rows are skipped. Errors name the
row as the YAML parser names lines."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import yaml

from scoring.loading import LINE, FileError, framework_from_data, parse_framework
from scoring.model import Directory, Framework
from scoring.text import fold

Cell = str | int | float | bool | date | datetime | None
Row = tuple[int, list[Cell]]  # (row number as the spreadsheet shows it, cells)

FORMATS = ("yaml", "yml", "csv", "xlsx")
DELIMITERS = (",", ";", "\t")
MAX_ROWS = 5000  # a framework has ~100 indicators; more is not a framework file
# Vietnamese column and key names an administrator may write instead of the YAML keys (folded).
HEADER_NAMES = {
    "ma": "code",
    "ten": "name",
    "ten tieng anh": "name_en",
    "diem toi da": "max",
    "quy tac": "rule",
    "nguong": "threshold",
    "don vi": "unit",
    "chu tri": "lead",
    "phoi hop": "coordinate",
    "bi danh": "aliases",
    "bac": "levels",
    "nam": "year",
    "loai": "kind",
    "nguon": "source",
    "tong diem": "total_max",
    "muc tieu": "target_total",
    "tinh": "province",
}
LISTS = frozenset({"lead", "coordinate", "aliases"})
NUMBERS = frozenset({"max", "threshold", "total_max", "target_total"})
WHOLE = frozenset({"year"})
FLAGS = frozenset({"assumed"})
_DECIMAL_COMMA = re.compile(r"^-?\d+,\d+$")
_TRUE = frozenset({"true", "yes", "co", "1", "x"})


def format_of(name: str) -> str | None:
    """The format a file name says ("yaml", "csv", "xlsx"), None for any other."""
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix not in FORMATS:
        return None
    return "yaml" if suffix == "yml" else suffix


def read_framework(data: bytes, name: str, directory: Directory) -> Framework:
    """The framework in a file of any supported format; FileError says what and where."""
    kind = format_of(name)
    if kind is None:
        raise FileError(name, None, "chỉ nhận tệp .yaml, .csv hoặc .xlsx")
    if kind == "xlsx":
        rows = xlsx_rows(data, name)
    else:
        text = _text(data, name)
        if kind == "yaml":
            return parse_framework(text, name, directory)
        rows = csv_rows(text)
    return framework_from_data(table_data(rows, name), name, directory)


def csv_rows(text: str) -> list[Row]:
    """The rows of a CSV text, separated by "," or by ";" (as a Vietnamese Excel saves it) or
    by tabs: the separator that yields the header row."""
    found: list[Row] = []
    for delimiter in DELIMITERS:
        reader = csv.reader(io.StringIO(text), delimiter=delimiter)
        found = [(n, list(cells)) for n, cells in enumerate(reader, 1)]
        if any(_is_header(cells) for _, cells in found):
            return found
    return found


def xlsx_rows(data: bytes, name: str) -> list[Row]:
    """The rows of the first sheet of an Excel workbook, with the values Excel shows."""
    # Imported here, by the one import that reads a workbook: openpyxl brings numpy, which a
    # bot that never sees an .xlsx framework need not load at start.
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise FileError(name, None, f"không đọc được tệp Excel ({exc})") from None
    try:
        sheet = book.worksheets[0]
        rows: list[Row] = []
        for n, values in enumerate(sheet.iter_rows(values_only=True), 1):
            if n > MAX_ROWS:
                raise FileError(name, n, f"tệp có hơn {MAX_ROWS} dòng")
            rows.append((n, [v if isinstance(v, Cell) else str(v) for v in values]))
        return rows
    finally:
        book.close()


def table_data(rows: list[Row], source: str) -> dict[str, Any]:
    """The rows of a table as the mappings a YAML framework file gives."""
    rows = [(n, cells) for n, cells in rows if any(_blank(c) is False for c in cells)]
    at = next((i for i, (_, cells) in enumerate(rows) if _is_header(cells)), None)
    if at is None:
        raise FileError(source, None, "không thấy dòng tiêu đề bắt đầu bằng 'code | name'")
    data: dict[str, Any] = {LINE: rows[0][0] if rows else 1}
    for n, cells in rows[:at]:
        key = _key(cells[0])
        values = [c for c in cells[1:] if not _blank(c)]
        if not key or not values:
            raise FileError(source, n, "dòng thông tin bộ chỉ số cần dạng 'khóa | giá trị'")
        data[key] = _value(key, values[0], n, source)
    header_row, header = rows[at]
    keys = [_key(c) for c in header]
    pillars: list[dict[str, Any]] = []
    for n, cells in rows[at + 1 :]:
        item: dict[str, Any] = {LINE: n}
        for key, cell in zip(keys, cells, strict=False):
            if key and not _blank(cell):
                item[key] = _value(key, cell, n, source)
        code = item.get("code")
        if code is None:
            raise FileError(source, n, "thiếu mã chỉ số ở cột 'code'")
        if "." not in str(code):
            pillars.append(item)
        elif not pillars:
            raise FileError(source, n, f"chỉ số {code}: chưa có dòng chỉ số chính phía trên")
        else:
            pillars[-1].setdefault("sub_indices", []).append(item)
    if not pillars:
        raise FileError(source, header_row, "không có chỉ số nào dưới dòng tiêu đề")
    data["pillars"] = pillars
    return data


def _text(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise FileError(
            name, line, "không phải văn bản UTF-8; lưu lại tệp dạng UTF-8 (CSV UTF-8 trong Excel)"
        ) from None


def _blank(cell: Cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _key(cell: Cell) -> str:
    """A column or metadata key: the YAML key, or its Vietnamese name."""
    if not isinstance(cell, str):
        return ""
    key = cell.strip().lower()
    return HEADER_NAMES.get(fold(key), key)


def _is_header(cells: list[Cell]) -> bool:
    return len(cells) >= 2 and _key(cells[0]) == "code" and _key(cells[1]) == "name"


def _value(key: str, cell: Cell, row: int, source: str) -> Any:
    """A cell as the YAML parser would have it for that key."""
    if key == "code" and isinstance(cell, float):
        raise FileError(
            source, row, f"mã chỉ số {cell} là số: định dạng ô là Text (văn bản), ví dụ 3.10"
        )
    if isinstance(cell, bool | int | float):
        return _number(cell) if key not in WHOLE else int(cell)
    if isinstance(cell, datetime | date):
        return cell.isoformat()
    text = str(cell).strip()
    if text[:1] in "[{":
        return _with_lines(_flow(text, key, row, source), row)
    if key in LISTS:
        return [part.strip() for part in re.split(r"[;\n]", text) if part.strip()]
    if key == "levels":
        return _levels(text, row, source)
    if key in NUMBERS and _DECIMAL_COMMA.match(text):
        return text.replace(",", ".")
    if key in WHOLE and text.isdigit():
        return int(text)
    if key in FLAGS:
        return fold(text) in _TRUE
    return text


def _number(value: bool | int | float) -> int | str:
    if isinstance(value, bool | int):
        return int(value)
    # Excel keeps doubles: 0.1 is 0.1000000000000000055…; the text Excel shows is what was meant.
    return format(Decimal(repr(value)), "f")


def _levels(text: str, row: int, source: str) -> list[dict[str, Any]]:
    """ "50:5; 80:8" -> at least 50 earns 5 points, at least 80 earns 8."""
    levels = []
    for part in (p.strip() for p in text.split(";")):
        if not part:
            continue
        at_least, sep, points = part.partition(":")
        if not sep:
            raise FileError(source, row, f"bậc '{part}' cần dạng ngưỡng:điểm, ví dụ 50:5; 80:8")
        levels.append(
            {
                LINE: row,
                "at_least": at_least.strip().replace(",", "."),
                "points": points.strip().replace(",", "."),
            }
        )
    return levels


def _flow(text: str, key: str, row: int, source: str) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise FileError(source, row, f"cột '{key}': không đọc được ({exc})") from None


def _with_lines(value: Any, row: int) -> Any:
    """Nested mappings carry the row too, so an error inside them names it."""
    if isinstance(value, dict):
        return {LINE: row, **{str(k): _with_lines(v, row) for k, v in value.items()}}
    if isinstance(value, list):
        return [_with_lines(v, row) for v in value]
    return value
