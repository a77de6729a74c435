"""The routing corpus (tests/corpus/*.tsv) is well formed: every line parses, names a known kind
with keys that `parsing.intents.fields()` produces, and only codes and agencies that exist in the
bundled data. Nothing here routes a message: tests/test_router_corpus.py does that."""

from __future__ import annotations

import dataclasses
import re
import shlex
import types
import typing
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from functools import cache
from pathlib import Path
from typing import Any

from parsing import intents
from scoring.loading import parse_directory, parse_framework
from scoring.model import Directory, Framework

CORPUS = Path(__file__).parent / "corpus"
DATA = Path(__file__).parent.parent / "data"
DEFAULT_FRAMEWORK = "dti-province-2025"
# Frameworks a line may choose (team/CORPUS_FORMAT.md). Their sub-index codes are not fixed yet,
# so a line choosing one names no pillar or sub-index code.
OTHER_FRAMEWORKS = frozenset({"ninh-thuan-2314", "dti-ninh-thuan-2022"})
# Kinds that live in their own files, so a reader finds every must-not-answer line in one place.
OWN_FILE = {"unclear": "unclear.tsv", "no_data": "no_data.tsv"}
ALLOWED_IN = {"unclear.tsv": {"unclear", "help"}, "no_data.tsv": {"no_data"}}
MIN_PHRASINGS = 400

SUBJECT = re.compile(r"total|pillar:(?P<pillar>\d+)|sub:(?P<sub>\d+\.\d+)")
PERIOD = re.compile(r"\d{4}(-Q[1-4]|-H[12])?")
CHANGE = re.compile(r"(?P<code>\d+\.\d+):(?P<value>.+?)(?=,\d+\.\d+:|$)")
CODE_IN_TEXT = re.compile(r"(?<![\d.,/])(\d{1,2})[.,](\d{1,2})(?![\d.,/%])")


@dataclass(frozen=True)
class Line:
    file: str
    number: int
    text: str
    kind: str
    expected: dict[str, str]

    @property
    def where(self) -> str:
        return f"{self.file}:{self.number} {self.text!r}"


def _sample(hint: Any) -> Any:
    """A non-empty value of a field's type, so that `fields()` shows the field's key."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return _sample(next(a for a in typing.get_args(hint) if a is not type(None)))
    if origin is tuple:
        return (_sample(typing.get_args(hint)[0]),)
    if isinstance(hint, type) and issubclass(hint, Enum):
        return list(hint)[-1]  # the last member: SubjectKind.TOTAL would print no code
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        return _filled(hint)
    samples: dict[Any, Any] = {bool: True, int: 1, str: "x", Decimal: Decimal(1)}
    if hint in samples:
        return samples[hint]
    raise TypeError(f"no sample value for {hint!r}: teach _sample this type")


def _filled(cls: type) -> Any:
    hints = typing.get_type_hints(cls, vars(intents))
    return cls(**{f.name: _sample(hints[f.name]) for f in dataclasses.fields(cls)})


@cache
def keys_by_kind() -> dict[str, frozenset[str]]:
    """Every key `fields()` can give each kind: the contract the corpus may name."""
    return {
        kind: frozenset(intents.fields(_filled(cls))) - {"kind"}
        for cls, kind in intents.KINDS.items()
    }


@cache
def reference() -> tuple[Framework, Directory]:
    directory = parse_directory(
        (DATA / "agencies" / "khanh-hoa.yaml").read_text("utf-8"), "khanh-hoa.yaml"
    )
    path = DATA / "frameworks" / f"{DEFAULT_FRAMEWORK}.yaml"
    return parse_framework(path.read_text("utf-8"), path.name, directory), directory


@cache
def corpus() -> tuple[tuple[Line, ...], tuple[str, ...]]:
    """The lines that parse, and a problem for each line that does not."""
    lines: list[Line] = []
    problems: list[str] = []
    kinds = keys_by_kind()
    for path in sorted(CORPUS.glob("*.tsv")):
        for number, raw in enumerate(path.read_text("utf-8").splitlines(), start=1):
            where = f"{path.name}:{number}"
            if not raw.strip() or raw.startswith("#"):
                continue
            columns = raw.split("\t")
            if len(columns) != 2:
                problems.append(f"{where}: {len(columns)} tab-separated columns, not 2")
                continue
            text, expected = columns
            if not text or text != text.strip():
                problems.append(f"{where}: the text is empty or has spaces around it")
                continue
            try:
                words = shlex.split(expected)
            except ValueError as error:
                problems.append(f"{where}: not splittable like a shell line ({error})")
                continue
            if not words or words[0] not in kinds:
                problems.append(f"{where}: unknown kind {words[:1]}")
                continue
            pairs: dict[str, str] = {}
            for word in words[1:]:
                key, sign, value = word.partition("=")
                if not sign or not value:
                    problems.append(f"{where}: {word!r} is not key=value")
                elif key not in kinds[words[0]]:
                    problems.append(f"{where}: {words[0]} has no key {key!r} in fields()")
                elif key in pairs:
                    problems.append(f"{where}: {key!r} named twice")
                else:
                    pairs[key] = value
            lines.append(Line(path.name, number, text, words[0], pairs))
    return tuple(lines), tuple(problems)


def _subject_problem(line: Line, key: str, framework: Framework) -> str | None:
    value = line.expected[key]
    match = SUBJECT.fullmatch(value)
    if match is None:
        return f"{key}={value} is not total, pillar:N or sub:N.N"
    chosen = line.expected.get("framework", DEFAULT_FRAMEWORK)
    if chosen != DEFAULT_FRAMEWORK and value != "total":
        return f"{key}={value}: the codes of {chosen} are not fixed yet"
    if match["pillar"] and framework.pillar(match["pillar"]) is None:
        return f"{key}={value}: no such pillar in {DEFAULT_FRAMEWORK}"
    if match["sub"] and framework.sub_index(match["sub"]) is None:
        return f"{key}={value}: no such sub-index in {DEFAULT_FRAMEWORK}"
    return None


def _value_problems(line: Line, framework: Framework, directory: Directory) -> list[str]:
    """What is wrong with the values of one line, by the rules of team/CORPUS_FORMAT.md."""
    found: list[str] = []
    e = line.expected
    for key in ("subject", "within"):
        if key in e and (problem := _subject_problem(line, key, framework)):
            found.append(problem)
    if "code" in e and framework.sub_index(e["code"]) is None:
        found.append(f"code={e['code']}: no such sub-index in {DEFAULT_FRAMEWORK}")
    if "agency" in e and not directory.knows(e["agency"]):
        found.append(f"agency={e['agency']}: not in data/agencies/khanh-hoa.yaml")
    if "changes" in e:
        items = list(CHANGE.finditer(e["changes"]))
        if ",".join(m[0] for m in items) != e["changes"]:
            found.append(f"changes={e['changes']} is not code:value[,code:value…]")
        for m in items:
            if framework.sub_index(m["code"]) is None:
                found.append(f"changes: no sub-index {m['code']} in {DEFAULT_FRAMEWORK}")
    if " " in e.get("value", "") + e.get("changes", ""):
        found.append("values are written without spaces, % attached")
    if "period" in e and not PERIOD.fullmatch(e["period"]):
        found.append(f"period={e['period']} is not 2025, 2025-Q3 or 2025-H1")
    if "year" in e and not re.fullmatch(r"\d{4}", e["year"]):
        found.append(f"year={e['year']} is not a year")
    if "target" in e and not re.fullmatch(r"[1-9]\d*(\.\d+)?", e["target"]):
        found.append(f"target={e['target']} is not a plain decimal number of points")
    if "count" in e and not re.fullmatch(r"[1-9]\d*", e["count"]):
        found.append(f"count={e['count']} is not a positive whole number")
    if e.get("provisional", "yes") != "yes":
        found.append("provisional is 'yes' or not named")
    if "framework" in e and e["framework"] not in OTHER_FRAMEWORKS | {DEFAULT_FRAMEWORK}:
        found.append(f"framework={e['framework']} is not a known framework code")
    if "chart" in e and e["chart"] not in {k.value for k in intents.ChartKind}:
        found.append(f"chart={e['chart']} is not a chart kind")
    reasons = {"no_data": intents.NoDataReason, "unclear": intents.UnclearReason}
    if "reason" in e and e["reason"] not in {r.value for r in reasons[line.kind]}:
        found.append(f"reason={e['reason']} is not a reason of {line.kind}")
    if "candidates" in e:
        candidates = e["candidates"].split(",")
        unknown = set(candidates) - set(keys_by_kind()) | ({"unclear"} & set(candidates))
        if unknown or len(candidates) > 3:
            found.append(f"candidates={e['candidates']}: up to three kinds other than unclear")
    return found


def test_every_line_is_a_text_a_tab_and_a_known_kind_with_keys_fields_can_give() -> None:
    _, problems = corpus()
    assert not problems, "\n".join(problems)


def test_every_value_follows_the_format_and_names_codes_and_agencies_that_exist() -> None:
    framework, directory = reference()
    lines, _ = corpus()
    problems = [
        f"{line.where}: {problem}"
        for line in lines
        for problem in _value_problems(line, framework, directory)
    ]
    assert not problems, "\n".join(problems)


def test_an_unknown_code_line_names_a_code_the_framework_does_not_have() -> None:
    framework, _ = reference()
    lines, _ = corpus()
    unknown = [ln for ln in lines if ln.expected.get("reason") == "unknown_code"]
    assert unknown
    problems = [
        line.where
        for line in unknown
        if all(
            framework.sub_index(f"{a}.{b}") is not None for a, b in CODE_IN_TEXT.findall(line.text)
        )
    ]
    assert not problems, "no unknown code in:\n" + "\n".join(problems)


def test_unclear_and_no_data_lines_live_in_their_own_files() -> None:
    lines, _ = corpus()
    problems = [
        line.where
        for line in lines
        if (line.kind in OWN_FILE and line.file != OWN_FILE[line.kind])
        or (line.file in ALLOWED_IN and line.kind not in ALLOWED_IN[line.file])
    ]
    assert not problems, "\n".join(problems)


def test_no_phrasing_appears_twice() -> None:
    lines, _ = corpus()
    seen: dict[str, Line] = {}
    problems = []
    for line in lines:
        if line.text in seen:
            problems.append(f"{line.where} repeats {seen[line.text].where}")
        seen.setdefault(line.text, line)
    assert not problems, "\n".join(problems)


def test_the_corpus_covers_every_intent_with_at_least_400_phrasings_besides_the_refusals() -> None:
    lines, _ = corpus()
    assert {line.kind for line in lines} == set(keys_by_kind())
    answered = [line for line in lines if line.file not in ALLOWED_IN]
    assert len(answered) >= MIN_PHRASINGS, len(answered)
