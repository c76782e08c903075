"""Settings: a TOML file (``--config FILE``, else ./config.toml if present) plus the environment.

Environment variables win over the file: DISCLOSURE_BOT_TOKEN, DISCLOSURE_BOT_DATABASE_URL,
DISCLOSURE_BOT_BASE_URL, DISCLOSURE_BOT_BASE_FILE_URL, ... (prefix DISCLOSURE_BOT_, nested with __).
Every setting is documented in config.example.toml at the repository root.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, SecretStr, field_validator
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from report.uploads.limits import MAX_UPLOAD_BYTES

DEFAULT_CONFIG_FILE = "config.toml"


class WebhookSettings(BaseModel):
    listen: str = "0.0.0.0"
    port: int = 8443
    url_path: str = "telegram"
    public_url: str = ""  # e.g. https://bot.example.gov.cn/telegram
    secret_token: SecretStr | None = None


class WebSettings(BaseModel):
    """The coordinator's desk in a browser (web/): ``disclosure-bot web``, or inside ``run`` when enabled."""

    enabled: bool = False  # serve the desk inside `disclosure-bot run` too
    host: str = "127.0.0.1"
    port: int = 8080
    public_url: str = ""  # e.g. https://bot.example.gov.cn/desk — the sign-in links point here
    link_minutes: int = Field(default=10, ge=1, le=1440)  # a sign-in link expires after this
    session_hours: float = Field(default=8.0, gt=0, le=24 * 30)  # a browser stays signed in this long
    # Signs the session cookie and the CSRF tokens. Empty: generated once and kept in the database.
    secret_key: SecretStr | None = None


class ReminderSettings(BaseModel):
    offsets_days: list[int] = Field(default_factory=lambda: [30, 14, 7, 3, 1, 0])
    overdue_every_working_days: int = 2
    overdue_max: int = 5
    send_time: dt.time = dt.time(9, 30)
    working_hours_end: dt.time = dt.time(17, 30)
    sweep_interval_seconds: float = 60.0
    # A reminder claimed by a sweep that then went silent this long is recovered: back to the queue
    # if it never reached Telegram, "unknown" (never resent) if its send had started.
    stale_after_seconds: float = Field(default=600.0, gt=0)
    max_per_second: float = 29.0
    per_chat_interval_seconds: float = 1.0
    township_deadline: str = "02-20"  # MM-DD in the year after the report year
    other_deadline: str = "01-31"
    # For years chinese-calendar has no data for: extra holidays and make-up working days.
    extra_holidays: list[dt.date] = Field(default_factory=list)
    extra_workdays: list[dt.date] = Field(default_factory=list)


class DeadlineOverride(BaseModel):
    year: int
    date: dt.date
    agency: str | None = None
    office: str | None = None


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="DISCLOSURE_BOT_",
        env_nested_delimiter="__",
        extra="ignore",
    )

    token: SecretStr | None = None
    base_url: str = "https://api.telegram.org/bot"
    base_file_url: str = "https://api.telegram.org/file/bot"
    bot_username: str = ""  # used for invitation links; read from getMe when empty
    mode: Literal["polling", "webhook"] = "polling"
    webhook: WebhookSettings = Field(default_factory=WebhookSettings)
    web: WebSettings = Field(default_factory=WebSettings)
    database_url: str = "sqlite:///disclosure-bot.db"
    timezone: str = "Asia/Shanghai"
    reminders: ReminderSettings = Field(default_factory=ReminderSettings)
    deadline_overrides: list[DeadlineOverride] = Field(default_factory=list)
    # NoDecode: DISCLOSURE_BOT_ADMINS="111,222" reaches the validator as written (not as JSON).
    admins: Annotated[list[int], NoDecode] = Field(default_factory=list)
    open_registration: bool = False
    allow_import_creates_agency: bool = False
    invitation_days: int = 7
    max_upload_bytes: int = MAX_UPLOAD_BYTES
    log_level: str = "INFO"
    output_dir: str = "disclosure-bot-output"

    @field_validator("admins", mode="before")
    @classmethod
    def _split_admins(cls, v: Any) -> Any:
        if isinstance(v, str):
            if v.strip().startswith("["):
                return json.loads(v)
            return [int(x) for x in v.replace(",", " ").split() if x]
        if isinstance(v, int):
            return [v]
        return v

    @property
    def token_value(self) -> str | None:
        return self.token.get_secret_value() if self.token else None

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_file = os.environ.get("DISCLOSURE_BOT_CONFIG_FILE") or _active_config_file
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if toml_file and Path(toml_file).is_file():
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=toml_file))
        return tuple(sources)


_active_config_file: str | None = DEFAULT_CONFIG_FILE


class ConfigFileMissing(FileNotFoundError):
    pass


def load_settings(config_file: str | None = None, **overrides: Any) -> Settings:
    """Settings from the given TOML file (must exist), else ./config.toml if present, plus env."""
    global _active_config_file
    if config_file is not None and not Path(config_file).is_file():
        raise ConfigFileMissing(config_file)
    _active_config_file = config_file or DEFAULT_CONFIG_FILE
    try:
        return Settings(**overrides)
    finally:
        _active_config_file = DEFAULT_CONFIG_FILE
