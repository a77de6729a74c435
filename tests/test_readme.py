"""The README says what the code has: every setting in its Configuration table, every chat
command (with its English alias) and every server subcommand, every top-level folder in its
Layout, and it starts with the two commands CI runs."""

from __future__ import annotations

import re
from pathlib import Path

from bot.__main__ import SUBCOMMANDS
from bot.app import COMMANDS
from bot.settings import Settings

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
