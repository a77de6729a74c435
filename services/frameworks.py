"""Frameworks of every kind: which ones there are, which one a chat is answered from, and the
answer for one framework, subject and period.

`ScoreService.answer` answers a `parsing.intents.Score` (framework, subject, period) with these;
`/bochiso` lists and sets a chat's framework here."""

from __future__ import annotations

from dataclasses import dataclass

from parsing.arguments import natural
from parsing.intents import Subject
from scoring.model import Directory, Framework
from scoring.targets import IndexBoard, TargetsBoard
from scoring.text import fold


@dataclass(frozen=True, slots=True)
class TargetsAnswer:
    """A plan-targets framework for one year: every target, or one section or target."""

    subject: Subject
    board: TargetsBoard
    directory: Directory
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class IndexAnswer:
    """An index's published results (value and rank) for one period."""

    subject: Subject
    board: IndexBoard
    directory: Directory


@dataclass(frozen=True, slots=True)
class FrameworkChoice:
    """The frameworks a chat can be answered from, and the one it is."""

    frameworks: tuple[Framework, ...]
    current: str
    default: str


def names_of(framework: Framework) -> list[str]:
    """Folded names a question may use for a framework: code, name, aliases; longest first."""
    names = {fold(n) for n in (framework.code, framework.name, *framework.aliases) if n}
    return sorted(names, key=len, reverse=True)


def find_framework(frameworks: tuple[Framework, ...], text: str) -> Framework | None:
    """The framework a command argument names: its number in the list, code, name or alias."""
    folded = fold(text)
    number = natural(folded, 1, len(frameworks))  # ASCII digits only: int("²") would raise
    if number is not None:
        return frameworks[number - 1]
    for framework in frameworks:
        if folded in names_of(framework):
            return framework
    return None
