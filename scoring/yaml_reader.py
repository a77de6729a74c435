"""Reading data files: YAML that remembers lines, and a reader whose every error names the file,
the line and what is wrong, so an administrator who imports a broken file knows what to fix."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

import yaml

LINE = "__line__"


class FileError(ValueError):
    """A data file that cannot be used; the message says where and why."""

    def __init__(self, source: str, line: int | None, problem: str) -> None:
        where = source if line is None else f"{source}, dòng {line}"
        super().__init__(f"{where}: {problem}")
        self.source, self.line, self.problem = source, line, problem


# libyaml's parser (PyYAML's C extension) reads the framework files about ten times faster than
# the pure-Python one and marks nodes with the same lines; the pure one where it is not built.
# (For the type checker both are the safe loader: they share its constructor and resolver.)
if TYPE_CHECKING:
    _SafeLoader = yaml.SafeLoader
else:
    _SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineLoader(_SafeLoader):
    """A safe loader that remembers the line of every mapping under the key `__line__`."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping: dict[str, Any] = {
        str(k): v for k, v in loader.construct_mapping(node, deep=True).items()
    }
    mapping[LINE] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def safe_load(text: str) -> Any:
    """yaml.safe_load, through libyaml where it is built."""
    return yaml.load(text, Loader=_SafeLoader)  # noqa: S506 - the safe loader, in C or not


def load(text: str, source: str) -> dict[str, Any]:
    try:
        data = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - _LineLoader is a safe loader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise FileError(
            source, mark.line + 1 if mark else None, f"YAML không hợp lệ ({exc})"
        ) from exc
    if not isinstance(data, dict):
        raise FileError(source, None, "tệp phải là một bảng khóa: giá trị")
    return data


class Reader:
    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, item: dict[str, Any] | None, problem: str) -> FileError:
        return FileError(self.source, item.get(LINE) if item else None, problem)

    def text(self, item: dict[str, Any], key: str, what: str = "") -> str:
        value = item.get(key)
        if value is None or str(value).strip() == "":
            raise self.fail(item, f"{what}thiếu trường '{key}'")
        return str(value).strip()

    def optional(self, item: dict[str, Any], key: str) -> str:
        value = item.get(key)
        return "" if value is None else str(value).strip()

    def code(self, item: dict[str, Any], key: str = "code") -> str:
        """An indicator code; YAML would read an unquoted 3.10 as the number 3.1."""
        raw = item.get(key)
        if isinstance(raw, float):
            raise self.fail(item, f'mã chỉ số {raw} phải đặt trong ngoặc kép, ví dụ code: "{raw}"')
        return self.text(item, key)

    def number(
        self, item: dict[str, Any], key: str, what: str, *, required: bool = True
    ) -> Decimal | None:
        raw = item.get(key)
        if raw is None:
            if required:
                raise self.fail(item, f"{what}thiếu trường '{key}'")
            return None
        try:
            value = Decimal(str(raw))
        except InvalidOperation:
            raise self.fail(item, f"{what}'{key}' không phải là số: {raw!r}") from None
        if not value.is_finite() or value < 0:
            raise self.fail(item, f"{what}'{key}' phải là số không âm, không phải {raw!r}")
        return value

    def whole(self, item: dict[str, Any], key: str, what: str) -> int | None:
        value = self.number(item, key, what, required=False)
        if value is not None and value != value.to_integral_value():
            raise self.fail(item, f"{what}'{key}' phải là số nguyên")
        return None if value is None else int(value)

    def day(self, item: dict[str, Any], key: str, what: str) -> date | None:
        """A date written 2025-06-30 (YAML reads it as a date)."""
        raw = item.get(key)
        if raw is None or isinstance(raw, date):
            return raw
        try:
            return date.fromisoformat(str(raw))
        except ValueError:
            raise self.fail(item, f"{what}'{key}' phải là ngày dạng 2025-06-30") from None

    def items(self, item: dict[str, Any], key: str, what: str = "") -> list[dict[str, Any]]:
        value = item.get(key)
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.fail(item, f"{what}'{key}' phải là một danh sách")
        return value

    def maybe_items(self, item: dict[str, Any], key: str, what: str = "") -> list[dict[str, Any]]:
        return [] if item.get(key) is None else self.items(item, key, what)

    def codes(self, item: dict[str, Any], key: str) -> tuple[str, ...]:
        value = item.get(key) or []
        if not isinstance(value, list):
            raise self.fail(item, f"'{key}' phải là một danh sách mã")
        return tuple(str(v) for v in value)
