"""The router's lexicon kept on disk between starts: used only when the same code built it from
the same frameworks, agencies and province, and routing exactly as one built now."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from functools import cache
from pathlib import Path

import pytest

from bot.settings import Settings
from parsing.lexicon import Lexicon, build_lexicon
from parsing.router import route
from scoring.model import Directory, Framework
from services.lexicon_cache import PREFIX, SUFFIX, cached_lexicon, code_digest
from tests.router_data import bundled

TODAY = date(2025, 11, 30)
QUESTIONS = (
    "tổng điểm DTI",
    "điểm Hạ tầng số hiện tại",
    "ai chủ trì 8.2",
    "nếu 6.6 đạt 40% thì sao",
    "Sở Tài chính còn thiếu gì",
    "chữ ký số bao nhiêu",
    "8.2 = 12,5",
    "xếp hạng DTI Đà Nẵng 2024",
)


@cache
def _built(frameworks: tuple[Framework, ...], directory: Directory, province: str) -> Lexicon:
    return build_lexicon(frameworks, directory, province)


class Builds:
    """build_lexicon, counting its calls. A lexicon is a function of its inputs alone, so equal
    inputs share the one made first in this process (a third of a second each): what is counted
    is whether the cache asked for a build, not how long one takes."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(
        self, frameworks: Sequence[Framework], directory: Directory, province: str
    ) -> Lexicon:
        self.calls += 1
        return _built(tuple(frameworks), directory, province)


def _kept(folder: Path) -> list[Path]:
    return sorted(folder.glob(f"{PREFIX}*{SUFFIX}"))


def test_a_lexicon_kept_on_disk_is_loaded_and_routes_as_one_built_now(tmp_path: Path) -> None:
    frameworks, directory, province = bundled()
    builds = Builds()
    built = cached_lexicon(tmp_path, frameworks, directory, province, builds)
    assert builds.calls == 1
    assert [p.name for p in _kept(tmp_path)] == [f"{PREFIX}{code_digest()}{SUFFIX}"]
    loaded = cached_lexicon(tmp_path, frameworks, directory, province, builds)
    assert builds.calls == 1  # loaded, not built
    assert loaded is not built
    assert loaded.directory == directory
    assert tuple(e.framework for e in loaded.frameworks.values()) == frameworks
    assert loaded.loose_units == {}
    for question in QUESTIONS:
        assert route(question, loaded, TODAY) == route(question, built, TODAY), question


def test_a_kept_lexicon_built_from_other_data_is_built_again_and_replaced(
    tmp_path: Path,
) -> None:
    frameworks, directory, province = bundled()
    builds = Builds()
    cached_lexicon(tmp_path, frameworks, directory, province, builds)
    renamed = Directory(
        (replace(directory.agencies[0], name="Sở Thử Nghiệm"), *directory.agencies[1:]),
        directory.groups,
    )
    for inputs in (
        (frameworks[:1], directory, province),
        (frameworks, renamed, province),
        (frameworks, directory, "Ninh Thuận"),
    ):
        before = builds.calls
        found = cached_lexicon(tmp_path, *inputs, builds)
        assert builds.calls == before + 1, inputs[2]
        assert found.directory == inputs[1]
        assert cached_lexicon(tmp_path, *inputs, builds) is not found
        assert builds.calls == before + 1  # the new one was kept
    assert len(_kept(tmp_path)) == 1


def test_a_broken_or_foreign_file_is_built_again(tmp_path: Path) -> None:
    frameworks, directory, province = bundled()
    path = tmp_path / f"{PREFIX}{code_digest()}{SUFFIX}"
    builds = Builds()
    for content in (b"", b"not a pickle", b"\x80\x05N."):  # the last: a pickled None
        path.write_bytes(content)
        cached_lexicon(tmp_path, frameworks, directory, province, builds)
    assert builds.calls == 3
    cached_lexicon(tmp_path, frameworks, directory, province, builds)
    assert builds.calls == 3


def test_another_version_s_file_is_not_read_and_is_removed(tmp_path: Path) -> None:
    frameworks, directory, province = bundled()
    older = tmp_path / f"{PREFIX}{'0' * 32}{SUFFIX}"
    older.write_bytes(b"from another version")
    builds = Builds()
    cached_lexicon(tmp_path, frameworks, directory, province, builds)
    assert builds.calls == 1
    assert not older.exists()
    assert len(_kept(tmp_path)) == 1


def test_a_folder_that_cannot_be_written_only_builds(tmp_path: Path) -> None:
    frameworks, directory, province = bundled()
    blocked = tmp_path / "cache"
    blocked.write_text("a file where the folder would be")
    builds = Builds()
    built_now = build_lexicon(frameworks, directory, province)
    for _ in range(2):
        found = cached_lexicon(blocked, frameworks, directory, province, builds)
        assert route("tổng điểm DTI", found, TODAY) == route("tổng điểm DTI", built_now, TODAY)
    assert builds.calls == 2
    assert cached_lexicon(None, frameworks, directory, province, builds) is not None
    assert builds.calls == 3


@pytest.mark.parametrize(
    ("url", "folder"),
    [
        ("sqlite+aiosqlite:///{tmp}/db/dti.sqlite3", "{tmp}/db/cache"),
        ("sqlite+aiosqlite:///:memory:", None),
        ("sqlite+aiosqlite://", None),
    ],
)
def test_the_lexicon_is_kept_beside_a_sqlite_file_and_not_for_one_in_memory(
    tmp_path: Path, url: str, folder: str | None
) -> None:
    settings = Settings(database_url=url.format(tmp=tmp_path))
    expected = None if folder is None else Path(folder.format(tmp=tmp_path))
    assert settings.cache_folder == expected


def test_with_postgresql_the_lexicon_is_kept_in_the_user_cache_folder() -> None:
    settings = Settings(database_url="postgresql+asyncpg://dti@localhost/dti")
    assert settings.cache_folder is not None
    assert settings.cache_folder.name == "tro-ly-dti"


def test_cache_dir_puts_the_kept_lexicon_where_the_operator_says(tmp_path: Path) -> None:
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'dti.sqlite3'}",
        cache_dir=tmp_path / "elsewhere",
    )
    assert settings.cache_folder == tmp_path / "elsewhere"
    assert Settings(cache_dir="  ").cache_dir is None  # blank: the default place
