"""The router's lexicon kept on disk between starts: building it (reading the vocabulary,
indexing every phrase and name) takes a good part of a start, loading it back a tenth of that.

A kept lexicon is used only when it was built by the same code from the same inputs: its file
is named after a digest of the router's and the model's sources and the vocabulary files, and it
holds the frameworks, agencies and province it was built from, which must equal the ones held
now. Anything else (another version, other data, a file that does not load) is built again and
the file replaced; a folder that cannot be written is only a slower start."""

from __future__ import annotations

import contextlib
import gc
import hashlib
import logging
import os
import pickle
import sys
import tempfile
from collections.abc import Callable, Sequence
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import parsing
import scoring
from parsing.lexicon import Lexicon, build_lexicon
from scoring.model import Directory, Framework

log = logging.getLogger(__name__)
FORMAT = 1  # raise when what the file holds changes shape
PREFIX = "lexicon-"
SUFFIX = ".pickle"


@cache
def code_digest() -> str:
    """What a kept lexicon depends on besides its inputs: the Python and pickle versions, the
    sources of the packages whose objects it holds, the vocabulary files. Read once per process
    (at its first lexicon), so that files upgraded later under a running process are not taken
    for the code it runs."""
    digest = hashlib.sha256(f"{FORMAT} {sys.version} {pickle.HIGHEST_PROTOCOL}".encode())
    sources: list[Path] = []
    for package in (parsing, scoring):
        sources += Path(package.__file__ or "").parent.glob("*.py")
    vocabulary = Path(str(files("parsing") / "vocabulary"))
    sources += vocabulary.glob("*.yaml")
    for path in sorted(sources, key=lambda p: (p.parent.name, p.name)):
        digest.update(f"{path.parent.name}/{path.name}\0".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:32]


def cached_lexicon(
    folder: Path | None,
    frameworks: Sequence[Framework],
    directory: Directory,
    province: str,
    build: Callable[[Sequence[Framework], Directory, str], Lexicon] = build_lexicon,
) -> Lexicon:
    """The lexicon for these inputs: the one kept in `folder` when it matches, else `build`
    (and kept, when the folder can be written). `folder` None: always built."""
    if folder is None:
        return build(frameworks, directory, province)
    inputs = (tuple(frameworks), directory, province)
    try:
        path = folder / f"{PREFIX}{code_digest()}{SUFFIX}"
    except OSError as error:  # a source file unreadable: nothing to key on
        log.debug("lexicon not kept: %s", error)
        return build(frameworks, directory, province)
    kept = _load(path)
    if kept is not None and kept[0] == inputs:
        return kept[1]
    built = build(frameworks, directory, province)
    _keep(path, (inputs, built))
    return built


def _load(path: Path) -> tuple[Any, Lexicon] | None:
    collecting = gc.isenabled()
    gc.disable()  # tens of thousands of new objects, none garbage: a collection would be wasted
    try:
        with path.open("rb") as file:
            kept = pickle.load(file)  # noqa: S301 - written by this bot, in its own folder
    except FileNotFoundError:
        return None
    except Exception as error:  # any broken file is only built again
        log.debug("kept lexicon %s not used: %r", path, error)
        return None
    finally:
        if collecting:
            gc.enable()
    if isinstance(kept, tuple) and len(kept) == 2 and isinstance(kept[1], Lexicon):
        return kept
    return None


def _keep(path: Path, content: tuple[Any, Lexicon]) -> None:
    """Written whole or not at all (another process may read it meanwhile); older versions'
    files removed."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=PREFIX, suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(handle, "wb") as file:
                pickle.dump(content, file, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
        for old in path.parent.glob(f"{PREFIX}*{SUFFIX}"):
            if old != path:
                with contextlib.suppress(OSError):
                    old.unlink()
    except (OSError, pickle.PicklingError, RecursionError) as error:
        log.debug("lexicon not kept in %s: %r", path.parent, error)
