"""Logging and standard error that never show a secret.

Two channels reach the operator: log records (through the handlers configured here) and raw
writes to standard error (an uncaught traceback, a library's print, Python's own warnings). Both
go through one `Redactor`: the formatter redacts each formatted record, tracebacks included, and
standard error is replaced by a stream that redacts each line before it is written."""

from __future__ import annotations

import io
import logging
import sys
from typing import TextIO

# Our own code: LOG_LEVEL applies to these loggers only. Libraries stay at INFO or above even at
# DEBUG, because their debug lines carry payloads: python-telegram-bot logs every request's
# parameters and every answer (message texts, invite links), aiosqlite every statement with its
# parameters, httpcore every request.
OWN_LOGGERS = (
    "bot", "handlers", "services", "storage", "scoring", "reminders", "parsing", "reports",
    "locales", "__main__",
)  # fmt: skip
QUIET = {
    "httpx": logging.WARNING,  # one line per request, with the URL (the token is in the URL)
    "sqlalchemy": logging.WARNING,  # INFO would echo statements and their parameters
    "alembic.runtime.plugins": logging.WARNING,  # a line per plugin at every start
}
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
MASK = "<secret>"
MIN_SECRET = 6  # shorter "secrets" (a test password "x") would blank out ordinary words


class Redactor:
    """The secrets of this process, and the function that hides them in a text."""

    def __init__(self) -> None:
        self._secrets: list[str] = []

    def add(self, *secrets: str | None) -> None:
        """Hide these from now on; a bot token also hides its part after the colon."""
        for secret in secrets:
            if not secret:
                continue
            parts = {secret.strip()}
            if ":" in secret:  # "123456:ABC…": the part after the colon is the secret one
                parts.add(secret.split(":", 1)[1].strip())
            for part in parts:
                if len(part) >= MIN_SECRET and part not in self._secrets:
                    self._secrets.append(part)
        self._secrets.sort(key=len, reverse=True)  # the whole token before its tail

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, MASK)
        return text


class RedactingFormatter(logging.Formatter):
    """Formats a record as usual (message, traceback, stack), then hides every secret."""

    def __init__(self, redact: Redactor, fmt: str) -> None:
        super().__init__(fmt)
        self.redact = redact

    def format(self, record: logging.LogRecord) -> str:
        return self.redact(super().format(record))


class RedactingStream(io.TextIOBase):
    """A text stream that writes whole lines, each with the secrets hidden. Whole lines, because
    a secret written in two pieces would slip through a per-write replacement."""

    def __init__(self, target: TextIO, redact: Redactor) -> None:
        super().__init__()
        self.target = target
        self.redact = redact
        self._pending = ""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self._pending += text
        if "\n" in self._pending:
            done, self._pending = self._pending.rsplit("\n", 1)
            self.target.write(self.redact(done + "\n"))
            self.target.flush()
        return len(text)

    def flush(self) -> None:
        if self._pending:
            self.target.write(self.redact(self._pending))
            self._pending = ""
        self.target.flush()

    def isatty(self) -> bool:
        return self.target.isatty()

    def fileno(self) -> int:
        return self.target.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self.target, "encoding", "utf-8")


SECRETS = Redactor()  # one per process, like standard error itself


def protect_stderr(*secrets: str | None) -> None:
    """Hide these secrets from everything written to standard error from now on."""
    SECRETS.add(*secrets)
    if not isinstance(sys.stderr, RedactingStream):
        sys.stderr = RedactingStream(sys.stderr, SECRETS)


def configure_logging(level: str, *secrets: str | None) -> None:
    """Log lines to standard error at `level` for the bot's own code (libraries at INFO at most
    verbose), with every secret hidden."""
    protect_stderr(*secrets)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        RedactingFormatter(SECRETS, "%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    numeric = logging.getLevelName(level.upper())
    root = logging.getLogger()
    for old in root.handlers[:]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(max(numeric, logging.INFO))
    for name in OWN_LOGGERS:
        logging.getLogger(name).setLevel(numeric)
    for name, quiet in QUIET.items():
        logging.getLogger(name).setLevel(max(quiet, numeric))
