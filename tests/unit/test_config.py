"""Settings from config.toml and the environment."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.config import KEYS, ConfigError, Settings, load_settings


def _load(tmp_path: Path, toml: str = "", **env: str) -> Settings:
    path = tmp_path / "config.toml"
    path.write_text(toml, encoding="utf-8")
    return load_settings(environ=env, config_path=path)


def test_defaults_without_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No file and no environment give the documented defaults, offline."""
    monkeypatch.chdir(tmp_path)
    settings = load_settings(environ={})
    assert settings == Settings()
    assert settings.offline


def test_file_values_and_environment_override(tmp_path: Path) -> None:
    """The environment wins over the file, key by key."""
    settings = _load(
        tmp_path,
        '[discord]\ntoken = "file-token"\nsync = "guild:123"\n'
        '[storage]\ndatabase = "data/b.db"\n[groups]\ndefault_timezone = "europe/paris"\n'
        'default_template = "Double"\n[bot]\ntime_scale = 2\n',
        DISCORD_TOKEN="env-token",
        DISCORD_API_BASE="http://127.0.0.1:5000/api/v10/",
        DISCORD_GATEWAY_URL="ws://127.0.0.1:5000/gateway",
        BALINT_TIME_SCALE="60",
    )
    assert settings.token == "env-token" and not settings.offline
    assert settings.api_base == "http://127.0.0.1:5000/api/v10"
    assert settings.gateway_url == "ws://127.0.0.1:5000/gateway"
    assert settings.sync_guild_id == 123
    assert settings.database == Path("data/b.db")
    assert settings.default_timezone == "Europe/Paris"
    assert settings.default_template == "double"
    assert settings.time_scale == 60


def test_the_time_origin_from_the_environment_or_the_file(tmp_path: Path) -> None:
    """BALINT_TIME_ORIGIN, or a TOML date-time with an offset: the instant the sped-up clock counts from."""
    origin = datetime(2026, 1, 5, 9, tzinfo=UTC)
    assert _load(tmp_path, BALINT_TIME_ORIGIN="2026-01-05T09:00:00+00:00").time_origin == origin
    assert _load(tmp_path, "[bot]\ntime_origin = 2026-01-05T10:00:00+01:00\n").time_origin == origin


def test_balint_db_and_balint_config(tmp_path: Path) -> None:
    """BALINT_CONFIG names the file; BALINT_DB overrides its database."""
    path = tmp_path / "elsewhere.toml"
    path.write_text('[storage]\ndatabase = "a.db"\n', encoding="utf-8")
    settings = load_settings(environ={"BALINT_CONFIG": str(path), "BALINT_DB": str(tmp_path / "b.db")})
    assert settings.database == tmp_path / "b.db"


@pytest.mark.parametrize(
    ("toml", "env", "key", "allowed"),
    [
        ("", {"BALINT_TIME_SCALE": "fast"}, "BALINT_TIME_SCALE", "use a number from 1 to 3600"),
        ("", {"BALINT_TIME_SCALE": "0"}, "BALINT_TIME_SCALE", "out of range"),
        ("", {"BALINT_TIME_SCALE": "nan"}, "BALINT_TIME_SCALE", "out of range"),
        ("", {"DISCORD_API_BASE": "discord.com"}, "DISCORD_API_BASE", "use http or https://"),
        ("", {"DISCORD_GATEWAY_URL": "http://x"}, "DISCORD_GATEWAY_URL", "use ws or wss://"),
        ("", {"BALINT_LOG_LEVEL": "loud"}, "BALINT_LOG_LEVEL", "DEBUG, INFO, WARNING, ERROR"),
        ("", {"BALINT_TIME_ORIGIN": "monday"}, "BALINT_TIME_ORIGIN", "ISO 8601 with an offset"),
        ("", {"BALINT_TIME_ORIGIN": "2026-01-05T09:00"}, "BALINT_TIME_ORIGIN", "has no offset"),
        ("", {"BALINT_SANDBOX_PORT": "70000"}, "BALINT_SANDBOX_PORT", "0 (any free port) to 65535"),
        ('[discord]\nsync = "everywhere"\n', {}, "discord.sync", "'global' or 'guild:<server id>'"),
        ('[discord]\nsync = "guild:²"\n', {}, "discord.sync", "'global' or 'guild:<server id>'"),
        ('[discord]\ntoken = 5\n', {}, "discord.token", "expected a string"),
        ('[groups]\ndefault_timezone = "Europe/Pari"\n', {}, "groups.default_timezone", "Europe/Paris"),
        ('[groups]\ndefault_template = "x"\n', {}, "groups.default_template", "classic"),
        ('[storage]\ndatabase = ""\n', {}, "storage.database", "give a file path"),
        ('[discord]\nsharding = 3\n', {}, "discord.sharding", "is not a setting"),
        ("[privacy]\nmessage_retention_hours = -1\n", {}, "privacy.message_retention_hours",
         "whole number of hours from 0 (keep them) to 8760"),
        ('[privacy]\nserver_grace_days = "30"\n', {}, "privacy.server_grace_days",
         "whole number of days from 0 (at once) to 365"),
        ("[privacy]\nserver_grace_days = 366\n", {}, "privacy.server_grace_days", "to 365"),
        ("this is = not toml =", {}, "config.toml", "is not valid TOML"),
        ("[records]\nattendance_min_percent = 0\n", {}, "records.attendance_min_percent", "from 1 to 100"),
        ("[records]\nattendance_min_percent = 50.5\n", {}, "records.attendance_min_percent", "whole percentage"),
        ('[records]\nschemes = "UK"\n', {}, "records.schemes", "a list of at most 10 schemes"),
        ('[records]\nschemes = [{ name = "X", unit = "days", target = 3 }]\n', {}, "records.schemes[0].unit",
         "'days' is not a unit; use one of sessions, co-led, hours"),
        ('[records]\nschemes = [{ name = "Y", requires = [{ unit = "hours", target = -1 }] }]\n', {},
         "records.schemes[0].requires[0].target", "-1 is not allowed; use a whole number from 1 to 10,000"),
    ],
)
def test_bad_values_name_the_key_and_what_is_allowed(
    tmp_path: Path, toml: str, env: dict[str, str], key: str, allowed: str
) -> None:
    """Each bad value gives one line with the key and what is allowed."""
    with pytest.raises(ConfigError) as raised:
        _load(tmp_path, toml, **env)
    message = str(raised.value)
    assert "\n" not in message
    assert message.startswith("config error: ") and key in message and allowed in message


def test_privacy_settings_load(tmp_path: Path) -> None:
    """The retention settings are read from [privacy]; their defaults are 24 hours and 30 days."""
    assert (Settings().message_retention_hours, Settings().server_grace_days) == (24, 30)
    settings = _load(tmp_path, "[privacy]\nmessage_retention_hours = 0\nserver_grace_days = 7\n")
    assert (settings.message_retention_hours, settings.server_grace_days) == (0, 7)


def test_missing_balint_config_file(tmp_path: Path) -> None:
    """An explicit config path that does not exist is an error, not a silent default."""
    with pytest.raises(ConfigError, match=r"BALINT_CONFIG: .* does not exist"):
        load_settings(environ={"BALINT_CONFIG": str(tmp_path / "nope.toml")})


def test_example_config_documents_every_key() -> None:
    """config.example.toml names every setting and every environment variable."""
    example = (Path(__file__).parents[2] / "config.example.toml").read_text(encoding="utf-8")
    for name, key in KEYS.items():
        section, option = name.split(".")
        assert f"[{section}]" in example and f"{option} =" in example, name
        if key.env:
            assert key.env in example, key.env
    assert "BALINT_CONFIG" in example


def test_example_config_loads(tmp_path: Path) -> None:
    """The example, copied as it is, is a valid config."""
    example = (Path(__file__).parents[2] / "config.example.toml").read_text(encoding="utf-8")
    assert _load(tmp_path, example) == Settings()


CUSTOM = """
[groups]
default_template = "short"
[templates.short]
title = "Short case"
phases = [
  { name = "Presentation", minutes = 5, speaker = "presenter", guidance = "Tell it." },
  { name = "Discussion", minutes = 10, speaker = "group", pushback = true },
  { name = "Closing", minutes = 3, speaker = "leader" },
]
"""


def test_custom_template_loads_and_can_be_the_default(tmp_path: Path) -> None:
    """A valid custom template is built, and may be the groups' default."""
    settings = _load(tmp_path, CUSTOM)
    (short,) = settings.templates
    assert short.name == "short" and short.total_minutes == 18
    assert [p.pushback for p in short.phases] == [False, True, False]
    assert short.phases[0].presenter_speaks and not short.phases[1].presenter_speaks
    assert settings.default_template == "short"
    assert not any(phase.opening for phase in short.phases), "a custom template has an opening only if it says so"
    assert (short.case_minutes, short.opening_minutes) == (18, 0)


def test_the_commented_example_template_is_valid(tmp_path: Path) -> None:
    """The example template in config.example.toml, uncommented, loads."""
    example = (Path(__file__).parents[2] / "config.example.toml").read_text(encoding="utf-8")
    block = example.split("# [templates.short]", 1)[1].split("\n\n", 1)[0]
    toml = "[templates.short]\n" + "\n".join(line.removeprefix("# ") for line in block.strip().splitlines())
    (short,) = _load(tmp_path, toml).templates
    assert (short.case_minutes, short.opening_minutes, short.total_minutes) == (30, 2, 32)
    assert short.phases[0].opening and not any(phase.opening for phase in short.phases[1:])


@pytest.mark.parametrize(
    ("toml", "key", "problem"),
    [
        (CUSTOM.replace("minutes = 5", "minutes = 0"), "templates.short.phases[0].minutes", "from 1 to 180"),
        (CUSTOM.replace('speaker = "group", pushback', 'speaker = "presenter", pushback'),
         "templates.short.phases[1].speaker", "presenter is silent"),
        (CUSTOM.replace('speaker = "leader"', 'speaker = "leader", pushback = true'),
         "templates.short.phases", "at most one phase can be the push-back"),
        (CUSTOM.replace('speaker = "leader"', 'speaker = "nobody"'), "templates.short.phases[2].speaker",
         "'nobody' is not allowed"),
        (CUSTOM.replace("[templates.short]", "[templates.classic]").replace('"short"', '"classic"'),
         "templates.classic", "is a built-in template"),
        (CUSTOM.replace("[templates.short]", "[templates.Short_One]").replace('"short"', '"classic"'),
         "templates.Short_One", "lower-case letters"),
        (CUSTOM.replace("phases = [", "colour = 1\nphases = ["), "templates.short.colour", "not a template setting"),
        (CUSTOM.replace('default_template = "short"', 'default_template = "long"'), "groups.default_template",
         "'long' is not a template"),
        ("[sessions]\nwarning_minutes = 11\n", "sessions.warning_minutes", "from 0 (no warning) to 10"),
        (CUSTOM.replace('speaker = "leader"', 'speaker = "leader", opening = true'),
         "templates.short.phases[2].opening", "only the first phase can be the opening"),
        (CUSTOM.replace('speaker = "presenter", guidance', 'speaker = "presenter", opening = "yes", guidance'),
         "templates.short.phases[0].opening", "expected true or false"),
        (CUSTOM.replace('speaker = "presenter", guidance = "Tell it."', 'speaker = "group", pushback = true,'
                        ' opening = true, guidance = "Tell it."').replace(', pushback = true },', ' },'),
         "templates.short.phases[0].opening", "cannot be the push-back"),
    ],
)
def test_bad_templates_name_the_template_phase_and_key(tmp_path: Path, toml: str, key: str, problem: str) -> None:
    """A broken custom template stops the start with its exact place."""
    with pytest.raises(ConfigError) as raised:
        _load(tmp_path, toml)
    assert f"config error: {key}: " in str(raised.value) and problem in str(raised.value)


def test_balint_config_that_is_not_a_file(tmp_path: Path) -> None:
    """A directory (or a device) given as the config file is named as not a file."""
    with pytest.raises(ConfigError, match=r"BALINT_CONFIG: .* is not a file"):
        load_settings(environ={"BALINT_CONFIG": str(tmp_path)})


def test_record_settings_load(tmp_path: Path) -> None:
    """[records]: the attendance share and the schemes; the defaults are 50 % and the three the example ships."""
    from bot.core.schemes import DEFAULT_SCHEMES, Requirement, Scheme, Unit

    assert (Settings().attendance_min_percent, Settings().schemes) == (50, DEFAULT_SCHEMES)
    assert [s.name for s in DEFAULT_SCHEMES] == ["UK Balint Society (leader accreditation)",
                                                 "German medical chambers (Balint group)", "ABFM (Balint attendance)"]
    settings = _load(tmp_path, '[records]\nattendance_min_percent = 75\n'
                               'schemes = [{ name = "Psychiatry (UK)", unit = "sessions", target = 25 }]\n')
    assert settings.attendance_min_percent == 75
    assert settings.schemes == (Scheme("Psychiatry (UK)", (Requirement(Unit.SESSIONS, 25),)),)
    assert _load(tmp_path, "[records]\nschemes = []\n").schemes == ()
