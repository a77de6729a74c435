"""The README says what the code has: every question of its "Using it" table routes to the
kind of answer it promises, every setting is in its Configuration table, every chat command
(with its alias) and every server subcommand is documented, every top-level folder is in its
Layout, and it starts with the two commands CI runs."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from bot.__main__ import SUBCOMMANDS
from bot.app import COMMANDS
from bot.settings import Settings
from parsing import intents
from parsing.router import route
from tests.router_data import bundled_lexicon

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text("utf-8")


def _section(title: str) -> str:
    """The text of the README's `## title` section."""
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", README, re.M | re.S)
    assert match is not None, f"README has no section {title!r}"
    return match.group(1)


def _first_cells(text: str) -> set[str]:
    """The first cell of each table row, without its backquotes."""
    rows = (line.split("|")[1].strip() for line in text.splitlines() if line.startswith("| `"))
    return {row.strip("`") for row in rows}


# The kind of answer each row of the "Using it" question table promises, by its first example.
PROMISED = {
    "tổng điểm DTI": intents.Score,
    "điểm Hạ tầng số hiện tại": intents.Score,
    "6.4 được bao nhiêu điểm": intents.Score,
    "điểm Hạ tầng số tạm tính": intents.Score,
    "chỉ số nào mất điểm nhiều nhất": intents.Weakest,
    "còn thiếu bao nhiêu điểm để đạt 800": intents.Gap,
    "nếu 8.2 đạt 30% thì tổng điểm bao nhiêu": intents.WhatIf,
    "ai chủ trì 3.3": intents.Holders,
    "cơ quan nào chưa báo cáo": intents.NotReported,
    "Hạ tầng số so với quý trước": intents.Trend,
    "xếp hạng": intents.Rank,
    "cập nhật 8.2 = 12,5 quý 3": intents.Update,
}
# A row may hold two kinds: who answers for a sub-index, and what an agency answers for.
ALSO = {"ai chủ trì 3.3": intents.Holdings}


def test_every_question_routes_as_the_readme_promises() -> None:
    table = _section("Using it").split("\n\n| command |")[0]
    rows = [line.split("|")[1] for line in table.splitlines() if line.startswith("| `")]
    assert rows, "no question table in 'Using it'"
    for row in rows:
        examples = re.findall(r"`([^`]+)`", row)
        kind = PROMISED.get(examples[0])
        assert kind is not None, f"no promise for the README row {examples[0]!r}"
        allowed = (kind, ALSO[examples[0]]) if examples[0] in ALSO else (kind,)
        for example in examples:
            routed = route(example, bundled_lexicon(), date(2025, 11, 30))
            assert isinstance(routed, allowed), f"{example!r} routes to {routed}"


def test_every_setting_has_a_row_in_configuration() -> None:
    rows = _first_cells(_section("Configuration"))
    names = {name.upper() for name in Settings.model_fields}
    assert names - rows == set(), "settings missing from the README"
    assert rows - names == set(), "README rows that are no setting"


def test_every_command_and_alias_is_documented() -> None:
    using = _section("Using it")
    for names in COMMANDS.values():
        for name in names:
            assert re.search(rf"`/{name}\b", using), f"/{name} is missing from 'Using it'"


def test_every_server_subcommand_is_documented() -> None:
    administration = _section("Administration")
    for name in SUBCOMMANDS:
        assert f"| `{name}" in administration, f"`{name}` is missing from 'Administration'"


def test_every_top_level_folder_is_in_the_layout() -> None:
    rows = _first_cells(_section("Layout"))
    folders = {
        f"{path.name}/"
        for path in ROOT.iterdir()
        if path.is_dir() and not path.name.startswith(".") and any(path.glob("*.*"))
    }
    folders -= {"build/", "dist/", "var/"} | {f"{p.name}/" for p in ROOT.glob("*.egg-info")}
    assert folders - rows == set(), "folders missing from the README's Layout"


def test_starts_with_the_two_commands() -> None:
    ci = (ROOT / ".ci" / "run").read_text("utf-8")
    head = README.split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", head, re.S)
    assert block is not None
    install, test = block.group(1).splitlines()
    assert install.endswith(".venv/bin/pip install -e . && .venv/bin/python -m bot")
    assert test.endswith(".venv/bin/pip install -e '.[dev]' && .venv/bin/python -m pytest")
    assert ".venv/bin/python -m pytest" in ci
