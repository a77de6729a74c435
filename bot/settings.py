"""Configuration from environment variables (and an optional .env file)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

from pydantic import SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

SECRET_CHARS = re.compile(r"[A-Za-z0-9_-]{1,256}")
REPO_DATA = Path(__file__).resolve().parent.parent / "data"


class Settings(BaseSettings):
    """BOT_TOKEN, DATABASE_URL, BOT_API_BASE_URL, ADMIN_IDS, TIMEZONE, DEFAULT_LANGUAGE …"""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    bot_token: SecretStr | None = None
    database_url: str = "sqlite+aiosqlite:///var/dti.sqlite3"
    bot_api_base_url: str = "https://api.telegram.org/bot"
    bot_api_file_url: str = "https://api.telegram.org/file/bot"
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    timezone: str = "Asia/Ho_Chi_Minh"
    default_language: str = "vi"
    data_dir: Path = REPO_DATA
    framework: str | None = None
    max_evidence_mb: int = 20  # Telegram lets bots download files up to 20 MB
    reminder_days_before: Annotated[tuple[int, ...], NoDecode] = (7, 3, 1, 0)
    reminder_days_after: Annotated[tuple[int, ...], NoDecode] = (1, 7)
    reminder_grace_hours: float = 12  # a reminder missed by longer (bot down) is not sent late
    reminder_tick_seconds: float = 60  # how often due reminders are looked for; 0 turns it off
    standing_agency: str = "SKHCN"  # the steering committee's standing agency (SPEC section 1)
    log_level: str = "INFO"
    # Receiving updates (bot/runtime.py). Long polling unless WEBHOOK_URL is set.
    webhook_url: str | None = None  # public https URL; the bot appends /telegram/<derived path>
    webhook_secret: SecretStr | None = None  # unset: generated once, kept in the database
    webhook_max_body: int = 256 * 1024  # bytes; larger POSTs get 413
    webhook_max_connections: int = 40  # Telegram's default
    webhook_drop_pending: bool = False  # drop what Telegram queued while the bot was away
    allowed_updates: Annotated[tuple[str, ...], NoDecode] = ("message", "callback_query")
    http_host: str = "127.0.0.1"  # /healthz, /metrics and the webhook listen here
    http_port: int | None = None  # unset: 8080 with a webhook, no HTTP server when polling
    max_concurrent_updates: int = 16  # handlers running at once (one chat's stay in order)
    max_pending_updates: int = 1000  # received but unfinished; beyond it intake waits
    update_journal_hours: float = 48  # handled updates are kept this long (Telegram keeps 24 h)

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, raw: object) -> object:
        if isinstance(raw, str):
            return frozenset(
                int(part) for part in raw.replace(";", ",").split(",") if part.strip()
            )
        return raw

    @field_validator("reminder_days_before", "reminder_days_after", mode="before")
    @classmethod
    def _split_days(cls, raw: object) -> object:
        if isinstance(raw, str):
            return tuple(int(part) for part in raw.split(",") if part.strip())
        return raw

    @field_validator("allowed_updates", mode="before")
    @classmethod
    def _split_names(cls, raw: object) -> object:
        if isinstance(raw, str):
            return tuple(part.strip() for part in raw.split(",") if part.strip())
        return raw

    @field_validator("webhook_url", "webhook_secret", "http_port", mode="before")
    @classmethod
    def _blank_is_unset(cls, raw: object) -> object:
        return None if isinstance(raw, str) and not raw.strip() else raw

    @field_validator("webhook_secret")
    @classmethod
    def _secret_telegram_accepts(cls, secret: SecretStr | None) -> SecretStr | None:
        # Telegram's rule for secret_token: 1-256 characters, A-Z, a-z, 0-9, _ and -.
        if secret is not None and not SECRET_CHARS.fullmatch(secret.get_secret_value()):
            raise ValueError("WEBHOOK_SECRET takes 1-256 characters: letters, digits, _ and -")
        return secret

    @field_validator("webhook_url")
    @classmethod
    def _https_url(cls, url: str | None) -> str | None:
        if url is not None and not re.match(r"https?://[^/\s]+", url):
            raise ValueError("WEBHOOK_URL takes a URL such as https://bot.example.gov.vn")
        return url

    @field_validator(
        "webhook_max_body", "webhook_max_connections", "max_concurrent_updates",
        "max_pending_updates",
    )  # fmt: skip
    @classmethod
    def _positive(cls, number: int) -> int:
        if number < 1:
            raise ValueError("takes a whole number of at least 1")
        return number

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

    @field_validator("bot_token", mode="before")
    @classmethod
    def _blank_is_none(cls, raw: object) -> object:
        return None if isinstance(raw, str) and not raw.strip() else raw

    @property
    def token(self) -> str | None:
        return self.bot_token.get_secret_value() if self.bot_token else None
