"""Configuration from environment variables (and an optional .env file), checked as it is read:
a bad value is refused with the variable's name, the problem and what to write instead.

A plain frozen dataclass, each field's rule in its metadata: pydantic and pydantic-settings did
this before, for ~95 ms of imports at every start. The names callers use (`model_copy`,
`model_fields`, `model_fields_set`) and the messages of a value of the wrong kind ("Input should
be a valid integer …") are pydantic's, unchanged."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Mapping
from contextlib import suppress
from dataclasses import dataclass, field, fields
from importlib import resources
from pathlib import Path
from typing import Any, ClassVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from platformdirs import user_cache_path, user_data_path
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from telegram import Update

from bot.logs import LEVELS
from locales import LANGUAGES

APP_NAME = "tro-ly-dti"
ENV_FILE = ".env"  # in the working folder; the environment wins over it, arguments over both
DRIVERS = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg"}
URL_FORMS = "sqlite+aiosqlite:///PATH or postgresql+asyncpg://USER:PASSWORD@HOST:5432/DATABASE"
# Values never echoed in an error line: they are secrets, or may carry one (a database password).
HIDDEN = frozenset({"bot_token", "database_url", "webhook_secret"})
TOKEN_SHAPE = re.compile(r"\d+:[A-Za-z0-9_-]+")
SECRET_CHARS = re.compile(r"[A-Za-z0-9_-]{1,256}")
WHOLE_FLOAT = re.compile(r"([+-]?\d+)\.0*")  # "80.0" is the integer 80, as pydantic read it
TRUE_WORDS = frozenset({"1", "on", "t", "true", "y", "yes"})
FALSE_WORDS = frozenset({"0", "off", "f", "false", "n", "no"})
# What to write instead of a number that is not one.
EXAMPLES = {
    "max_evidence_mb": "20",
    "operator_chat_id": "-1001234567890 (a group) or 123456789 (a private chat)",
    "reminder_grace_hours": "12",
    "reminder_tick_seconds": "60 (0 turns reminders off)",
    "http_port": "8080",
    "webhook_max_body": "262144",
    "max_concurrent_updates": "16",
}


def bundled_data() -> Path:
    """The frameworks, agencies and assessments shipped with the bot: `bot/data` of the
    installed package (pyproject.toml maps the repository's data/ folder there), or data/ itself
    in a source checkout, where the packages are imported from the repository."""
    installed = resources.files("bot").joinpath("data")
    if installed.is_dir():
        return Path(str(installed))
    return Path(__file__).resolve().parent.parent / "data"


def default_database_url() -> str:
    """SQLite in the user's data folder (~/.local/share/tro-ly-dti on Linux): the same database
    whatever folder the bot is started from. The container and the systemd unit set
    DATABASE_URL to /var/lib/tro-ly-dti instead."""
    return f"sqlite+aiosqlite:///{user_data_path(APP_NAME, appauthor=False) / 'dti.sqlite3'}"


class SecretStr:
    """A value that repr() and str() do not show (the token, the webhook's secret)."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def get_secret_value(self) -> str:
        return self._value

    def __str__(self) -> str:
        return "**********" if self._value else ""

    def __repr__(self) -> str:
        return f"SecretStr({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SecretStr) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


class Mistyped(ValueError):
    """A value of the wrong kind or out of range: its line adds an example where there is one."""


@dataclass(frozen=True)
class Problem:
    """One refused setting: the field, what is wrong, the value as given."""

    field: str
    message: str
    given: object
    mistyped: bool  # not a number, out of range … (Mistyped), rather than a rule of the bot


class SettingsInvalid(ValueError):
    """Every refused setting of one reading, in the order of the fields."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(f"{p.field.upper()}: {p.message}" for p in problems))
        self.problems = problems


# ---------------------------------------------------------------------------- the kinds
def _blank_is_none(raw: object) -> object:
    return None if isinstance(raw, str) and not raw.strip() else raw


def _optional(check: Callable[[Any], Any]) -> Callable[[object], Any]:
    """Blank or None is None; anything else goes through `check`."""

    def read(raw: object) -> Any:
        value = _blank_is_none(raw)
        return None if value is None else check(value)

    return read


def _text(raw: object) -> str:
    if not isinstance(raw, str):
        raise Mistyped("Input should be a valid string")
    return raw


def _secret(raw: object) -> SecretStr:
    return raw if isinstance(raw, SecretStr) else SecretStr(_text(raw))


def _integer(raw: object) -> int:
    if isinstance(raw, int):
        return int(raw)
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    if not isinstance(raw, str):
        raise Mistyped("Input should be a valid integer")
    text = raw.strip()
    if text.isascii():  # int() would take other scripts' digits
        with suppress(ValueError):
            return int(text)
        if whole := WHOLE_FLOAT.fullmatch(text):
            return int(whole[1])
    raise Mistyped("Input should be a valid integer, unable to parse string as an integer")


def _real(raw: object) -> float:
    if isinstance(raw, int | float):
        return float(raw)
    if not isinstance(raw, str):
        raise Mistyped("Input should be a valid number")
    text = raw.strip()
    if text.isascii():
        with suppress(ValueError):
            return float(text)
    raise Mistyped("Input should be a valid number, unable to parse string as a number")


def _flag(raw: object) -> bool:
    if isinstance(raw, bool):
        return raw
    word = str(raw).lower() if isinstance(raw, str | int) else ""
    if word in TRUE_WORDS or word in FALSE_WORDS:
        return word in TRUE_WORDS
    raise Mistyped("Input should be a valid boolean, unable to interpret input")


def _path(raw: object) -> Path:
    if not isinstance(raw, str | os.PathLike):
        raise Mistyped("Input should be a valid path")
    return Path(raw)


def _bounded(
    read: Callable[[object], float],
    *,
    gt: float | None = None,
    ge: float | None = None,
    le: float | None = None,
) -> Callable[[object], Any]:
    """`read`, then the bounds (a NaN fails each of them)."""

    def check(raw: object) -> float:
        value = read(raw)
        if gt is not None and not value > gt:
            raise Mistyped(f"Input should be greater than {gt}")
        if ge is not None and not value >= ge:
            raise Mistyped(f"Input should be greater than or equal to {ge}")
        if le is not None and not value <= le:
            raise Mistyped(f"Input should be less than or equal to {le}")
        return value

    return check


def _items(raw: object) -> Iterable[Any]:
    if not isinstance(raw, Iterable):
        raise Mistyped("Input should be a valid tuple")
    return raw


# ---------------------------------------------------------------------------- the rules
def _token(raw: object) -> SecretStr:
    value = _secret(raw).get_secret_value().strip()
    if not TOKEN_SHAPE.fullmatch(value):
        raise ValueError(
            "this is not a bot token (digits, a colon, then letters and digits, no spaces"
            " or quotes); copy it again from @BotFather, or leave it empty for the offline"
            " console"
        )
    return SecretStr(value)


def _database_url(raw: object) -> str:
    text = _text(raw)
    url = parse_database_url(text)
    if url.drivername in DRIVERS.values():
        return text
    family = url.get_backend_name()
    if family in DRIVERS:
        raise ValueError(
            f"the URL names the database ({family}) but not the async driver; write"
            f" {DRIVERS[family]}://… instead of {url.drivername}://…"
        )
    raise ValueError(f"{url.drivername} is not supported; use {URL_FORMS}")


def _http_url(raw: object) -> str:
    text = _text(raw)
    if not re.match(r"https?://[^/\s]+", text.strip()):
        raise ValueError(
            "not an http(s) URL; use https://api.telegram.org/bot (or …/file/bot), or your"
            " own Bot API server's address"
        )
    return text.strip()


def _webhook_url(raw: object) -> str:
    url = _text(raw)
    if not re.fullmatch(r"https://[^/\s?#]+(/[^\s?#]*)?", url.strip()):
        raise ValueError(
            "Telegram posts only to https; use the public address of this bot, e.g."
            " https://bot.example.gov.vn (a path after the host is kept)"
        )
    return url.strip()


def _webhook_secret(raw: object) -> SecretStr:
    secret = _secret(raw)
    # Telegram's rule for secret_token: 1-256 characters of A-Z, a-z, 0-9, _ and -.
    if not SECRET_CHARS.fullmatch(secret.get_secret_value()):
        raise ValueError(
            "use 1-256 letters, digits, _ and -, e.g. the output of"
            " python -c 'import secrets; print(secrets.token_urlsafe(32))',"
            " or leave it empty to have one generated"
        )
    return secret


def _update_names(raw: object) -> tuple[str, ...]:
    if isinstance(raw, str):
        names = tuple(part.strip() for part in raw.split(",") if part.strip())
    else:
        names = tuple(_text(name) for name in _items(raw))
    unknown = [name for name in names if name not in Update.ALL_TYPES]
    if unknown or not names:
        raise ValueError(
            f"{', '.join(unknown) or 'nothing'} is not an update type; use Telegram's names"
            " separated by commas, e.g. message,callback_query"
        )
    return names


def _admin_ids(raw: object) -> frozenset[int]:
    if not isinstance(raw, str):
        return frozenset(_integer(part) for part in _items(raw))
    parts = [part.strip() for part in raw.replace(";", ",").split(",") if part.strip()]
    for part in parts:
        if not (part.isascii() and part.isdigit()):
            raise ValueError(
                f"{part!r} is not a Telegram user id; use numeric ids separated by"
                " commas, e.g. ADMIN_IDS=123456789,987654321"
            )
    return frozenset(int(part) for part in parts)


def _zone(raw: object) -> str:
    name = _text(raw)
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("not a time zone; use an IANA name such as Asia/Ho_Chi_Minh") from None
    return name


def _language(raw: object) -> str:
    lang = _text(raw)
    if lang.strip().lower() not in LANGUAGES:
        raise ValueError(f"the bot speaks {' and '.join(LANGUAGES)}; use one of them")
    return lang.strip().lower()


def _level(raw: object) -> str:
    level = _text(raw)
    if level.strip().upper() not in LEVELS:
        raise ValueError(f"not a logging level; use one of {', '.join(LEVELS)}")
    return level.strip().upper()


def _data_folder(raw: object) -> Path:
    folder = _path(raw)
    if not folder.is_dir():
        raise ValueError(
            "no such folder; point it at a folder with frameworks/, agencies/ and"
            " assessments/, or unset DATA_DIR for the data shipped with the bot"
        )
    for needed in ("frameworks", "agencies"):
        if not any((folder / needed).glob("*.yaml")):
            raise ValueError(
                f"{needed}/ holds no .yaml file; point DATA_DIR at a folder with"
                " frameworks/, agencies/ and assessments/, or unset it"
            )
    return folder


def _days(raw: object) -> tuple[int, ...]:
    if not isinstance(raw, str):
        return tuple(_integer(day) for day in _items(raw))
    parts = [part.strip() for part in raw.split(",") if part.strip()]
    if not all(p.isascii() and p.lstrip("-").isdigit() for p in parts):
        raise ValueError("use whole days separated by commas, e.g. 7,3,1,0")
    return tuple(int(part) for part in parts)


def _days_before(raw: object) -> tuple[int, ...]:
    days = _days(raw)
    if any(d < 0 for d in days):
        raise ValueError("REMINDER_DAYS_BEFORE takes days >= 0, e.g. 7,3,1,0")
    return days


def _days_after(raw: object) -> tuple[int, ...]:
    days = _days(raw)
    if any(d <= 0 for d in days):
        raise ValueError("REMINDER_DAYS_AFTER takes days > 0, e.g. 1,7 (0 is the deadline day)")
    return days


def rule(check: Callable[[Any], Any]) -> dict[str, Callable[[Any], Any]]:
    """A field's metadata: how a given value (a string from the environment, or a typed value
    from a caller) is read and checked; defaults are checked too."""
    return {"check": check}


# ---------------------------------------------------------------------------- the settings
@dataclass(frozen=True, init=False)
class Settings:
    """BOT_TOKEN, DATABASE_URL, BOT_API_BASE_URL, ADMIN_IDS, TIMEZONE, DEFAULT_LANGUAGE …

    `Settings()` reads the environment and ./.env; keyword arguments (strings as the environment
    has them, or typed values) win over both, `_env_file=None` skips the file. Every refused
    value is in the one `SettingsInvalid` raised."""

    model_fields: ClassVar[tuple[str, ...]]  # the settings' names, in order

    bot_token: SecretStr | None = field(default=None, metadata=rule(_optional(_token)))
    database_url: str = field(default_factory=default_database_url, metadata=rule(_database_url))
    bot_api_base_url: str = field(default="https://api.telegram.org/bot", metadata=rule(_http_url))
    bot_api_file_url: str = field(
        default="https://api.telegram.org/file/bot", metadata=rule(_http_url)
    )
    admin_ids: frozenset[int] = field(default=frozenset(), metadata=rule(_admin_ids))
    timezone: str = field(default="Asia/Ho_Chi_Minh", metadata=rule(_zone))
    default_language: str = field(default="vi", metadata=rule(_language))
    data_dir: Path = field(default_factory=bundled_data, metadata=rule(_data_folder))
    framework: str | None = field(default=None, metadata=rule(_optional(_text)))
    # Telegram lets bots download files up to 20 MB.
    max_evidence_mb: int = field(default=20, metadata=rule(_bounded(_integer, gt=0)))
    # The evidence archive's folder (`backup` copies it); None: next to the database, see
    # `evidence_folder`.
    evidence_dir: Path | None = field(default=None, metadata=rule(_optional(_path)))
    # What the bot can build again, kept between starts (the router's lexicon); None: `cache/`
    # beside the SQLite file, see `cache_folder`.
    cache_dir: Path | None = field(default=None, metadata=rule(_optional(_path)))
    reminder_days_before: tuple[int, ...] = field(
        default=(7, 3, 1, 0), metadata=rule(_days_before)
    )
    reminder_days_after: tuple[int, ...] = field(default=(1, 7), metadata=rule(_days_after))
    # A reminder missed by longer (bot down) is not sent late.
    reminder_grace_hours: float = field(default=12.0, metadata=rule(_bounded(_real, ge=0)))
    # How often due reminders are looked for; 0 turns it off.
    reminder_tick_seconds: float = field(default=60.0, metadata=rule(_bounded(_real, ge=0)))
    # The steering committee's standing agency (SPEC section 1).
    standing_agency: str = field(default="SKHCN", metadata=rule(_text))
    log_level: str = field(default="INFO", metadata=rule(_level))
    # Unhandled errors are reported to this chat.
    operator_chat_id: int | None = field(default=None, metadata=rule(_optional(_integer)))
    # Receiving updates (bot/runtime.py): long polling unless WEBHOOK_URL is set.
    # A public https URL; the bot appends /telegram/<derived path>.
    webhook_url: str | None = field(default=None, metadata=rule(_optional(_webhook_url)))
    # Unset: generated once, kept in the database.
    webhook_secret: SecretStr | None = field(
        default=None, metadata=rule(_optional(_webhook_secret))
    )
    # Bytes; larger POSTs get 413.
    webhook_max_body: int = field(default=256 * 1024, metadata=rule(_bounded(_integer, gt=0)))
    # Telegram's default, and its limit.
    webhook_max_connections: int = field(
        default=40, metadata=rule(_bounded(_integer, ge=1, le=100))
    )
    # Drop what Telegram queued while the bot was away.
    webhook_drop_pending: bool = field(default=False, metadata=rule(_flag))
    allowed_updates: tuple[str, ...] = field(
        default=("message", "callback_query"), metadata=rule(_update_names)
    )
    # /healthz, /metrics and the webhook listen here.
    http_host: str = field(default="127.0.0.1", metadata=rule(_text))
    # Unset: 8080 with a webhook, and no HTTP server at all with long polling.
    http_port: int | None = field(
        default=None, metadata=rule(_optional(_bounded(_integer, ge=0, le=65535)))
    )
    # Handlers running at once.
    max_concurrent_updates: int = field(default=16, metadata=rule(_bounded(_integer, gt=0)))
    # Received, unfinished; then intake waits.
    max_pending_updates: int = field(default=1000, metadata=rule(_bounded(_integer, gt=0)))
    # Telegram re-sends for up to 24 h.
    update_journal_hours: float = field(default=48.0, metadata=rule(_bounded(_real, ge=24)))
    # The settings given (arguments, environment, .env) rather than defaulted.
    model_fields_set: frozenset[str] = field(default=frozenset(), repr=False, compare=False)

    def __init__(self, *, _env_file: str | Path | None = ENV_FILE, **given: object) -> None:
        found = {**_env_file_values(_env_file), **_environment(), **given}
        problems: list[Problem] = []
        for spec in fields(self):
            if "check" not in spec.metadata:
                continue
            if spec.name in found:
                raw = found[spec.name]
            elif callable(spec.default_factory):
                raw = spec.default_factory()
            else:
                raw = spec.default
            try:
                value = spec.metadata["check"](raw)
            except ValueError as exc:
                problems.append(Problem(spec.name, str(exc), raw, isinstance(exc, Mistyped)))
                continue
            object.__setattr__(self, spec.name, value)
        if problems:
            raise SettingsInvalid(problems)
        given_names = frozenset(found).intersection(self.model_fields)
        object.__setattr__(self, "model_fields_set", given_names)

    def model_copy(self, *, update: Mapping[str, Any]) -> Settings:
        """These settings with `update`'s values as they are (not checked: a test's or a
        subcommand's own values)."""
        copy = object.__new__(Settings)
        for name in self.model_fields:
            object.__setattr__(copy, name, update.get(name, getattr(self, name)))
        object.__setattr__(copy, "model_fields_set", self.model_fields_set.union(update))
        return copy

    @property
    def token(self) -> str | None:
        return self.bot_token.get_secret_value() if self.bot_token else None

    @property
    def database(self) -> URL:
        return make_url(self.database_url)

    @property
    def evidence_folder(self) -> Path:
        """EVIDENCE_DIR, else the archive next to the database: `evidence/` beside a SQLite
        file, or in the user's data folder (~/.local/share/tro-ly-dti/evidence) for PostgreSQL.
        The container and the systemd unit set /var/lib/tro-ly-dti/evidence."""
        if self.evidence_dir is not None:
            return self.evidence_dir
        url = self.database
        if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
            return Path(url.database or "").resolve().parent / "evidence"
        return user_data_path(APP_NAME, appauthor=False) / "evidence"

    @property
    def cache_folder(self) -> Path | None:
        """Where what the bot can build again is kept between starts (the router's lexicon):
        CACHE_DIR, else `cache/` beside a SQLite file, the user's cache folder
        (~/.cache/tro-ly-dti) for PostgreSQL; None, nothing kept, for a database in memory."""
        if self.cache_dir is not None:
            return self.cache_dir
        url = self.database
        if url.get_backend_name() == "sqlite":
            if url.database in (None, "", ":memory:"):
                return None
            return Path(url.database or "").resolve().parent / "cache"
        return user_cache_path(APP_NAME, appauthor=False)

    def summary(self) -> str:
        """Every setting as NAME=value, secrets masked and the database without its password."""
        shown = {
            name.upper(): "<secret>" if isinstance(value, SecretStr) else value
            for name, value in self._values()
        }
        shown["DATABASE_URL"] = self.database.render_as_string(hide_password=True)
        return ", ".join(f"{name}={value}" for name, value in shown.items())

    def secrets(self) -> tuple[str, ...]:
        """What must never be printed: every secret setting (the token …) and the database
        password."""
        found = [v.get_secret_value() for _, v in self._values() if isinstance(v, SecretStr)]
        password = self.database.password
        return (*found, *([str(password)] if password else []))

    def _values(self) -> Iterable[tuple[str, Any]]:
        return ((name, getattr(self, name)) for name in self.model_fields)


Settings.model_fields = tuple(spec.name for spec in fields(Settings) if "check" in spec.metadata)


def _environment() -> dict[str, str]:
    """The environment's settings by field name (variable names in any case)."""
    return {name.lower(): value for name, value in os.environ.items()}


def _env_file_values(path: str | Path | None) -> dict[str, str]:
    """The settings of a .env file (python-dotenv's syntax), by field name; none without one."""
    if path is None:
        return {}
    where = Path(path).expanduser()
    if not (where.is_file() or where.is_fifo()):
        return {}
    from dotenv import dotenv_values  # ~20 ms to import: only when there is a file

    read = dotenv_values(where, encoding="utf-8")
    return {name.lower(): value for name, value in read.items() if value is not None}


def parse_database_url(raw: str) -> URL:
    try:
        return make_url(raw.strip())
    except (ArgumentError, ValueError):
        raise ValueError(f"not a database URL; use {URL_FORMS}") from None


def describe_database(url: URL) -> str:
    """Where the data is, without the password: a file path, or host:port/database."""
    if url.get_backend_name() == "sqlite":
        memory = url.database in (None, "", ":memory:")
        return "SQLite in memory" if memory else f"SQLite {Path(url.database or '').resolve()}"
    return f"PostgreSQL {url.host or 'localhost'}:{url.port or 5432}/{url.database}"


def setting_problems(error: SettingsInvalid) -> list[tuple[str, str]]:
    """(variable, line) for each bad setting; the line has the value unless it is secret, what
    is wrong and what to write instead."""
    lines = []
    for problem in error.problems:
        field, name, message = problem.field, problem.field.upper(), problem.message
        if field in EXAMPLES and problem.mistyped:
            message = f"{message[0].lower()}{message[1:]}; e.g. {name}={EXAMPLES[field]}"
        raw = problem.given
        if field in HIDDEN or not isinstance(raw, str | int | float):
            lines.append((name, f"{name}: {message}"))
        else:
            shown = str(raw) if len(str(raw)) <= 60 else str(raw)[:57] + "…"
            lines.append((name, f"{name}={shown!r}: {message}"))
    return lines
