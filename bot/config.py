"""Settings: an optional config.toml plus the environment, as one typed, validated object.

A bad value stops the bot with one line that names the key and what is allowed
(`ConfigError`); `python -m bot` prints it and exits with code 2.
"""

from __future__ import annotations

import math
import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bot.core.dropout import DEFAULT_GRACE_SECONDS, GRACE_MAX_SECONDS
from bot.core.errors import Refusal
from bot.core.phases import BUILTIN_TEMPLATES, DEFAULT_TEMPLATE, Template, TemplateError, build_template
from bot.core.privacy import (
    MESSAGE_RETENTION_HOURS,
    MESSAGE_RETENTION_MAX_HOURS,
    SERVER_GRACE_DAYS,
    SERVER_GRACE_MAX_DAYS,
)
from bot.core.records import ATTENDANCE_MIN_PERCENT
from bot.core.schemes import DEFAULT_SCHEMES, Scheme, SchemeError, parse_schemes
from bot.core.text import Lang
from bot.core.timezones import resolve_timezone

DEFAULT_CONFIG_PATH = Path("config.toml")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


class ConfigError(Exception):
    """A setting that cannot be used; the message is one line for the person running the bot."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(f"config error: {key}: {problem}")
        self.key = key


@dataclass(frozen=True)
class Settings:
    """Everything the bot reads from outside its code."""

    token: str | None = None
    api_base: str | None = None
    gateway_url: str | None = None
    sync_guild_id: int | None = None
    database: Path = Path("balint.db")
    key_file: Path | None = None
    time_scale: float = 1.0
    time_origin: datetime | None = None
    log_level: str = "INFO"
    default_language: Lang = Lang.EN
    default_timezone: str = "UTC"
    default_template: str = DEFAULT_TEMPLATE
    sandbox_port: int = 0
    warning_minutes: int = 2
    # How long the group waits for its presenter or last leader in voice before a dropout pauses the session.
    dropout_grace_seconds: int = DEFAULT_GRACE_SECONDS
    meeting_reminders: tuple[int, ...] = (1440, 15)
    meeting_grace_minutes: int = 10
    message_retention_hours: int = MESSAGE_RETENTION_HOURS
    server_grace_days: int = SERVER_GRACE_DAYS
    attendance_min_percent: int = ATTENDANCE_MIN_PERCENT
    schemes: tuple[Scheme, ...] = DEFAULT_SCHEMES
    templates: tuple[Template, ...] = ()

    @property
    def secret_key_path(self) -> Path:
        """Where the key that seals anonymous authors lives: beside the database unless set."""
        return self.key_file or self.database.with_name(self.database.name + ".key")

    @property
    def offline(self) -> bool:
        """With no token there is no Discord to talk to: the sandbox runs instead."""
        return not self.token


def _text(key: str, value: Any) -> str:
    if not isinstance(value, str):
        raise ConfigError(key, f"expected a string, got {type(value).__name__}")
    return value.strip()


def _optional_text(key: str, value: Any) -> str | None:
    return _text(key, value) or None


def _url(schemes: tuple[str, ...]) -> Callable[[str, Any], str | None]:
    def parse(key: str, value: Any) -> str | None:
        text = _text(key, value)
        if not text:
            return None
        parts = urlsplit(text)
        if parts.scheme not in schemes or not parts.netloc:
            raise ConfigError(key, f"'{text}' is not a URL; use {' or '.join(schemes)}://host[:port]/...")
        return text.rstrip("/")
    return parse


def _sync(key: str, value: Any) -> int | None:
    text = _text(key, value)
    if text == "global":
        return None
    prefix, _, guild = text.partition(":")
    # isascii: "²".isdigit() is true, but int("²") fails.
    if prefix == "guild" and guild.isascii() and guild.isdigit() and int(guild) > 0:
        return int(guild)
    raise ConfigError(key, f"'{text}' is not allowed; use 'global' or 'guild:<server id>'")


def _time_scale(key: str, value: Any) -> float:
    try:
        scale = float(value)
    except (TypeError, ValueError):
        raise ConfigError(key, f"'{value}' is not a number; use a number from 1 to 3600") from None
    if not math.isfinite(scale) or not 1 <= scale <= 3600:
        raise ConfigError(key, f"{value} is out of range; use a number from 1 to 3600")
    return scale


def _instant(key: str, value: Any) -> datetime | None:
    if isinstance(value, datetime):  # a TOML date-time
        instant = value
    else:
        text = _text(key, value)
        if not text:
            return None
        try:
            instant = datetime.fromisoformat(text)
        except ValueError:
            raise ConfigError(key, f"'{text}' is not an instant; use ISO 8601 with an offset, such as"
                                   " 2026-01-05T09:00:00+00:00") from None
    if instant.utcoffset() is None:
        raise ConfigError(key, f"'{value}' has no offset; add one, such as +00:00")
    return instant


def _log_level(key: str, value: Any) -> str:
    level = _text(key, value).upper()
    if level not in LOG_LEVELS:
        raise ConfigError(key, f"'{value}' is not allowed; use one of {', '.join(LOG_LEVELS)}")
    return level


def _language(key: str, value: Any) -> Lang:
    text = _text(key, value).casefold()
    known = {lang.value: lang for lang in Lang}
    if text not in known:
        raise ConfigError(key, f"'{value}' is not allowed; use one of {', '.join(known)}")
    return known[text]


def _timezone(key: str, value: Any) -> str:
    try:
        return resolve_timezone(_text(key, value))
    except Refusal as refusal:
        raise ConfigError(key, str(refusal)) from None


def _template(key: str, value: Any) -> str:
    # Checked against the built-in and custom templates once all are read.
    return _text(key, value).casefold()


def _port(key: str, value: Any) -> int:
    try:
        port = int(value)
    except (TypeError, ValueError):
        raise ConfigError(key, f"'{value}' is not a port; use 0 (any free port) to 65535") from None
    if isinstance(value, bool) or not 0 <= port <= 65535:
        raise ConfigError(key, f"{value} is not a port; use 0 (any free port) to 65535")
    return port


def _warning(key: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10:
        raise ConfigError(key, f"{value!r} is not allowed; use a whole number of minutes from 0 (no warning) to 10")
    return value


def _reminders(key: str, value: Any) -> tuple[int, ...]:
    allowed = "use a list of whole minutes before a meeting, each 1 to 43200 (30 days), such as [1440, 15]"
    if not isinstance(value, list) or len(value) > 5:
        raise ConfigError(key, f"{value!r} is not allowed; {allowed}, at most 5 of them")
    if any(isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= 43200 for v in value):
        raise ConfigError(key, f"{value!r} is not allowed; {allowed}")
    return tuple(sorted(set(value), reverse=True))


def _grace(key: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 1440:
        raise ConfigError(key, f"{value!r} is not allowed; use a whole number of minutes from 0 to 1440")
    return value


def _whole(unit: str, top: int, zero: str) -> Callable[[str, Any], int]:
    def parse(key: str, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= top:
            raise ConfigError(key, f"{value!r} is not allowed; use a whole number of {unit} from 0 ({zero}) to {top}")
        return value
    return parse


def _percent(key: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 100:
        raise ConfigError(key, f"{value!r} is not allowed; use a whole percentage from 1 to 100")
    return value


def _schemes(key: str, value: Any) -> tuple[Scheme, ...]:
    try:
        return parse_schemes(key, value)
    except SchemeError as error:
        raise ConfigError(error.where, error.problem) from None


def _optional_path(key: str, value: Any) -> Path | None:
    text = _text(key, value)
    return Path(text).expanduser() if text else None


def _path(key: str, value: Any) -> Path:
    text = _text(key, value)
    if not text:
        raise ConfigError(key, "is empty; give a file path such as balint.db")
    return Path(text).expanduser()


@dataclass(frozen=True)
class _Key:
    field: str
    env: str | None
    parse: Callable[[str, Any], Any]


# The config file's keys ("section.key"), the Settings field each fills, and the
# environment variable that overrides it. config.example.toml documents them all.
KEYS: Mapping[str, _Key] = {
    "discord.token": _Key("token", "DISCORD_TOKEN", _optional_text),
    "discord.api_base": _Key("api_base", "DISCORD_API_BASE", _url(("http", "https"))),
    "discord.gateway_url": _Key("gateway_url", "DISCORD_GATEWAY_URL", _url(("ws", "wss"))),
    "discord.sync": _Key("sync_guild_id", None, _sync),
    "storage.database": _Key("database", "BALINT_DB", _path),
    "storage.key_file": _Key("key_file", "BALINT_KEY_FILE", _optional_path),
    "bot.time_scale": _Key("time_scale", "BALINT_TIME_SCALE", _time_scale),
    "bot.time_origin": _Key("time_origin", "BALINT_TIME_ORIGIN", _instant),
    "bot.log_level": _Key("log_level", "BALINT_LOG_LEVEL", _log_level),
    "bot.default_language": _Key("default_language", "BALINT_LANGUAGE", _language),
    "groups.default_timezone": _Key("default_timezone", None, _timezone),
    "groups.default_template": _Key("default_template", None, _template),
    "sandbox.port": _Key("sandbox_port", "BALINT_SANDBOX_PORT", _port),
    "sessions.warning_minutes": _Key("warning_minutes", None, _warning),
    "sessions.dropout_grace_seconds": _Key(
        "dropout_grace_seconds", None, _whole("seconds", GRACE_MAX_SECONDS, "at once")),
    "meetings.reminders": _Key("meeting_reminders", None, _reminders),
    "meetings.grace_minutes": _Key("meeting_grace_minutes", None, _grace),
    "privacy.message_retention_hours": _Key(
        "message_retention_hours", None, _whole("hours", MESSAGE_RETENTION_MAX_HOURS, "keep them")),
    "privacy.server_grace_days": _Key("server_grace_days", None, _whole("days", SERVER_GRACE_MAX_DAYS, "at once")),
    "records.attendance_min_percent": _Key("attendance_min_percent", None, _percent),
    "records.schemes": _Key("schemes", None, _schemes),
}


def _flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for name, value in data.items():
        key = f"{prefix}{name}"
        if isinstance(value, Mapping):
            flat.update(_flatten(value, f"{key}."))
        else:
            flat[key] = value
    return flat


def load_settings(environ: Mapping[str, str] | None = None, config_path: Path | None = None) -> Settings:
    """Read config.toml (or BALINT_CONFIG) and the environment; the environment wins."""
    env = os.environ if environ is None else environ
    explicit = config_path or (Path(env["BALINT_CONFIG"]) if env.get("BALINT_CONFIG") else None)
    path = explicit or DEFAULT_CONFIG_PATH
    raw: dict[str, Any] = {}
    templates: tuple[Template, ...] = ()
    if path.is_file():
        try:
            document = tomllib.loads(path.read_text(encoding="utf-8"))
            templates = _templates(document.pop("templates", {}))
            raw = _flatten(document)
        except tomllib.TOMLDecodeError as error:
            raise ConfigError(str(path), f"is not valid TOML ({error})") from None
        except OSError as error:
            raise ConfigError(str(path), f"cannot be read ({error.strerror})") from None
    elif explicit is not None:
        problem = "is not a file" if path.exists() else "does not exist"
        raise ConfigError("BALINT_CONFIG", f"{path} {problem}; give the path of a config.toml")

    unknown = sorted(set(raw) - set(KEYS))
    if unknown:
        raise ConfigError(unknown[0], f"is not a setting; the settings are {', '.join(KEYS)}")

    values: dict[str, Any] = {}
    for name, key in KEYS.items():
        if key.env and env.get(key.env, "") != "":
            values[key.field] = key.parse(key.env, env[key.env])
        elif name in raw:
            values[key.field] = key.parse(name, raw[name])
    known = set(BUILTIN_TEMPLATES) | {t.name for t in templates}
    default = values.get("default_template", Settings.default_template)
    if default not in known:
        raise ConfigError(
            "groups.default_template", f"'{default}' is not a template; use one of {', '.join(sorted(known))}"
        )
    return Settings(**values, templates=templates)


def _templates(section: Any) -> tuple[Template, ...]:
    if not isinstance(section, Mapping):
        raise ConfigError("templates", "expected tables like [templates.short]")
    try:
        return tuple(build_template(name, raw) for name, raw in section.items())
    except TemplateError as error:
        raise ConfigError(error.where, error.problem) from None
