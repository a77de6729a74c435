"""The evidence archive: every evidence file's bytes in a folder, under their SHA-256.

Content-addressed: a file's name is its digest (`ab/abcdef…`, the first two hex digits as a
sub-folder so no folder grows to hundreds of thousands of entries), so the same file sent twice
is stored once, and a copy can be checked against its name. Written atomically: the bytes go to
a temporary file in the same folder, are flushed to disk, then renamed into place; a crash
leaves either the whole file or none (a stray temporary file at worst, never a half file under a
digest). Names, types, senders and times are in the database (table `evidence`); the archive
holds bytes only. Blocking file work: callers run it in a thread."""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)
TEMPORARY = ".incoming"  # sub-folder of files being written


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Archive:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def put(self, data: bytes) -> tuple[str, bool]:
        """Store `data`; returns (its SHA-256, whether it was new). A file already there with
        the right content is kept as it is."""
        sha = digest(data)
        target = self.path(sha)
        if target.is_file() and self._intact(target, sha):
            return sha, False
        target.parent.mkdir(parents=True, exist_ok=True)
        incoming = self.root / TEMPORARY
        incoming.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(dir=incoming, prefix=sha[:12] + "-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(name, target)  # atomic on one file system: .incoming is inside root
        except BaseException:
            Path(name).unlink(missing_ok=True)
            raise
        self._sync_folder(target.parent)
        return sha, True

    def get(self, sha256: str) -> bytes | None:
        """The bytes stored under `sha256`; None when they are missing or damaged (a copy that
        no longer matches its digest is never handed out)."""
        target = self.path(sha256)
        try:
            data = target.read_bytes()
        except FileNotFoundError:
            return None
        if digest(data) != sha256:
            log.error("evidence archive: %s does not match its digest; not used", target)
            return None
        return data

    def _intact(self, target: Path, sha: str) -> bool:
        ok = digest(target.read_bytes()) == sha
        if not ok:
            log.error("evidence archive: %s was damaged; writing it again", target)
        return ok

    @staticmethod
    def _sync_folder(folder: Path) -> None:
        """Make the rename itself durable (POSIX); a no-op where folders cannot be opened."""
        try:
            fd = os.open(folder, os.O_RDONLY)
        except OSError:
            return
        try:
            os.fsync(fd)
        except OSError:
            pass
        finally:
            os.close(fd)
