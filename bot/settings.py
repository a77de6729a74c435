"""Configuration from environment variables (and an optional .env file), checked as it is read:
a bad value is refused with the variable's name, the problem and what to write instead."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from platformdirs import user_cache_path, user_data_path
from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from telegram import Update

from bot.logs import LEVELS
from locales import LANGUAGES

APP_NAME = "tro-ly-dti"
DRIVERS = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg"}
URL_FORMS = "sqlite+aiosqlite:///PATH or postgresql+asyncpg://USER:PASSWORD@HOST:5432/DATABASE"
# Values never echoed in an error line: they are secrets, or may carry one (a database password).
HIDDEN = frozenset({"bot_token", "database_url", "webhook_secret"})
TOKEN_SHAPE = re.compile(r"\d+:[A-Za-z0-9_-]+")
SECRET_CHARS = re.compile(r"[A-Za-z0-9_-]{1,256}")
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


class Settings(BaseSettings):
    """BOT_TOKEN, DATABASE_URL, BOT_API_BASE_URL, ADMIN_IDS, TIMEZONE, DEFAULT_LANGUAGE …"""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    bot_token: SecretStr | None = None
    database_url: str = Field(default_factory=default_database_url)
    bot_api_base_url: str = "https://api.telegram.org/bot"
    bot_api_file_url: str = "https://api.telegram.org/file/bot"
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    timezone: str = "Asia/Ho_Chi_Minh"
    default_language: str = "vi"
    data_dir: Path = Field(default_factory=bundled_data)
    framework: str | None = None
    max_evidence_mb: int = Field(default=20, gt=0)  # Telegram lets bots download files up to 20 MB
    # The evidence archive's folder (`backup` copies it); None: next to the database, see
    # `evidence_folder`.
    evidence_dir: Path | None = None
    # What the bot can build again, kept between starts (the router's lexicon); None: `cache/`
    # beside the SQLite file, see `cache_folder`.
    cache_dir: Path | None = None
    reminder_days_before: Annotated[tuple[int, ...], NoDecode] = (7, 3, 1, 0)
    reminder_days_after: Annotated[tuple[int, ...], NoDecode] = (1, 7)
    # A reminder missed by longer (bot down) is not sent late.
    reminder_grace_hours: float = Field(default=12, ge=0)
    # How often due reminders are looked for; 0 turns it off.
    reminder_tick_seconds: float = Field(default=60, ge=0)
    standing_agency: str = "SKHCN"  # the steering committee's standing agency (SPEC section 1)
    log_level: str = "INFO"
    operator_chat_id: int | None = None  # unhandled errors are reported to this chat
    # Receiving updates (bot/runtime.py): long polling unless WEBHOOK_URL is set.
    webhook_url: str | None = None  # public https URL; the bot appends /telegram/<derived path>
    webhook_secret: SecretStr | None = None  # unset: generated once, kept in the database
    webhook_max_body: int = Field(default=256 * 1024, gt=0)  # bytes; larger POSTs get 413
    webhook_max_connections: int = Field(default=40, ge=1, le=100)  # Telegram's default, limit
    webhook_drop_pending: bool = False  # drop what Telegram queued while the bot was away
    allowed_updates: Annotated[tuple[str, ...], NoDecode] = ("message", "callback_query")
    http_host: str = "127.0.0.1"  # /healthz, /metrics and the webhook listen here
    # Unset: 8080 with a webhook, and no HTTP server at all with long polling.
    http_port: int | None = Field(default=None, ge=0, le=65535)
    max_concurrent_updates: int = Field(default=16, gt=0)  # handlers running at once
    max_pending_updates: int = Field(default=1000, gt=0)  # received, unfinished; then intake waits
    update_journal_hours: float = Field(default=48, ge=24)  # Telegram re-sends for up to 24 h

    @field_validator(
        "bot_token", "framework", "operator_chat_id", "evidence_dir", "cache_dir", "webhook_url",
        "webhook_secret", "http_port", mode="before",
    )  # fmt: skip
    @classmethod
    def _blank_is_none(cls, raw: object) -> object:
        return None if isinstance(raw, str) and not raw.strip() else raw

    @field_validator("bot_token")
    @classmethod
    def _token_shape(cls, token: SecretStr | None) -> SecretStr | None:
        if token is None:
            return None
        value = token.get_secret_value().strip()
        if not TOKEN_SHAPE.fullmatch(value):
            raise ValueError(
                "this is not a bot token (digits, a colon, then letters and digits, no spaces"
                " or quotes); copy it again from @BotFather, or leave it empty for the offline"
                " console"
            )
        return SecretStr(value)

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, raw: str) -> str:
        url = parse_database_url(raw)
        if url.drivername in DRIVERS.values():
            return raw
        family = url.get_backend_name()
        if family in DRIVERS:
            raise ValueError(
                f"the URL names the database ({family}) but not the async driver; write"
                f" {DRIVERS[family]}://… instead of {url.drivername}://…"
            )
        raise ValueError(f"{url.drivername} is not supported; use {URL_FORMS}")

    @field_validator("bot_api_base_url", "bot_api_file_url")
    @classmethod
    def _http_url(cls, raw: str) -> str:
        if not re.match(r"https?://[^/\s]+", raw.strip()):
            raise ValueError(
                "not an http(s) URL; use https://api.telegram.org/bot (or …/file/bot), or your"
                " own Bot API server's address"
            )
        return raw.strip()

    @field_validator("webhook_url")
    @classmethod
    def _webhook_url(cls, url: str | None) -> str | None:
        if url is not None and not re.fullmatch(r"https://[^/\s?#]+(/[^\s?#]*)?", url.strip()):
            raise ValueError(
                "Telegram posts only to https; use the public address of this bot, e.g."
                " https://bot.example.gov.vn (a path after the host is kept)"
            )
        return None if url is None else url.strip()

    @field_validator("webhook_secret")
    @classmethod
    def _webhook_secret(cls, secret: SecretStr | None) -> SecretStr | None:
        # Telegram's rule for secret_token: 1-256 characters of A-Z, a-z, 0-9, _ and -.
        if secret is not None and not SECRET_CHARS.fullmatch(secret.get_secret_value()):
            raise ValueError(
                "use 1-256 letters, digits, _ and -, e.g. the output of"
                " python -c 'import secrets; print(secrets.token_urlsafe(32))',"
                " or leave it empty to have one generated"
            )
        return secret

    @field_validator("allowed_updates", mode="before")
    @classmethod
    def _split_names(cls, raw: object) -> object:
        if isinstance(raw, str):
            return tuple(part.strip() for part in raw.split(",") if part.strip())
        return raw

    @field_validator("allowed_updates")
    @classmethod
    def _known_updates(cls, names: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [name for name in names if name not in Update.ALL_TYPES]
        if unknown or not names:
            raise ValueError(
                f"{', '.join(unknown) or 'nothing'} is not an update type; use Telegram's names"
                " separated by commas, e.g. message,callback_query"
            )
        return names

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, raw: object) -> object:
        if isinstance(raw, str):
            parts = [part.strip() for part in raw.replace(";", ",").split(",") if part.strip()]
            for part in parts:
                if not (part.isascii() and part.isdigit()):
                    raise ValueError(
                        f"{part!r} is not a Telegram user id; use numeric ids separated by"
                        " commas, e.g. ADMIN_IDS=123456789,987654321"
                    )
            return frozenset(int(part) for part in parts)
        return raw

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, name: str) -> str:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                "not a time zone; use an IANA name such as Asia/Ho_Chi_Minh"
            ) from None
        return name

    @field_validator("default_language")
    @classmethod
    def _known_language(cls, lang: str) -> str:
        if lang.strip().lower() not in LANGUAGES:
            raise ValueError(f"the bot speaks {' and '.join(LANGUAGES)}; use one of them")
        return lang.strip().lower()

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, level: str) -> str:
        if level.strip().upper() not in LEVELS:
            raise ValueError(f"not a logging level; use one of {', '.join(LEVELS)}")
        return level.strip().upper()

    @field_validator("data_dir")
    @classmethod
    def _data_folder(cls, folder: Path) -> Path:
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

    @field_validator("reminder_days_before", "reminder_days_after", mode="before")
    @classmethod
    def _split_days(cls, raw: object) -> object:
        if isinstance(raw, str):
            parts = [part.strip() for part in raw.split(",") if part.strip()]
            if not all(p.isascii() and p.lstrip("-").isdigit() for p in parts):
                raise ValueError("use whole days separated by commas, e.g. 7,3,1,0")
            return tuple(int(part) for part in parts)
        return raw

    @field_validator("reminder_days_before")
    @classmethod
    def _before_not_negative(cls, days: tuple[int, ...]) -> tuple[int, ...]:
        if any(d < 0 for d in days):
            raise ValueError("REMINDER_DAYS_BEFORE takes days >= 0, e.g. 7,3,1,0")
        return days

    @field_validator("reminder_days_after")
    @classmethod
    def _after_positive(cls, days: tuple[int, ...]) -> tuple[int, ...]:
        if any(d <= 0 for d in days):
            raise ValueError(
                "REMINDER_DAYS_AFTER takes days > 0, e.g. 1,7 (0 is the deadline day)"
            )
        return days

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
            for name, value in dict(self).items()
        }
        shown["DATABASE_URL"] = self.database.render_as_string(hide_password=True)
        return ", ".join(f"{name}={value}" for name, value in shown.items())

    def secrets(self) -> tuple[str, ...]:
        """What must never be printed: every secret setting (the token …) and the database
        password."""
        found = [v.get_secret_value() for v in dict(self).values() if isinstance(v, SecretStr)]
        password = self.database.password
        return (*found, *([str(password)] if password else []))


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


def setting_problems(error: ValidationError) -> list[tuple[str, str]]:
    """(variable, line) for each bad setting; the line has the value unless it is secret, what
    is wrong and what to write instead."""
    lines = []
    for problem in error.errors():
        field = str(problem["loc"][0]) if problem["loc"] else ""
        name = field.upper() or "settings"
        message = str(problem["msg"]).removeprefix("Value error, ")
        if field in EXAMPLES and not problem["type"].startswith("value_error"):
            message = f"{message[0].lower()}{message[1:]}; e.g. {name}={EXAMPLES[field]}"
        raw = problem.get("input")
        if field in HIDDEN or not isinstance(raw, str | int | float):
            lines.append((name, f"{name}: {message}"))
        else:
            shown = str(raw) if len(str(raw)) <= 60 else str(raw)[:57] + "…"
            lines.append((name, f"{name}={shown!r}: {message}"))
    return lines
