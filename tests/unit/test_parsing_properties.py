"""Property tests for what users type: group names, timezones, retention and config numbers."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import available_timezones

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.config import ConfigError, load_settings
from bot.core.errors import Refusal
from bot.core.groups import NAME_MAX, RETENTION_MAX_HOURS, check_retention, clean_group_name
from bot.core.timezones import complete_timezone, resolve_timezone

ZONES = sorted(available_timezones())


@given(st.text(max_size=80))
def test_a_name_is_clean_or_refused(raw: str) -> None:
    """Any text gives a clean name or a Refusal, never another error."""
    try:
        name = clean_group_name(raw)
    except Refusal as refusal:
        assert str(refusal).endswith(".")
        return
    assert 1 <= len(name) <= NAME_MAX
    assert name == name.strip() and "  " not in name and "\n" not in name
    assert clean_group_name(name) == name


@given(st.sampled_from(ZONES), st.sampled_from([str.lower, str.upper, str, lambda z: f"  {z} "]))
def test_every_iana_zone_resolves_whatever_its_case(zone: str, spell: object) -> None:
    """Every zone name is understood in any case, with stray spaces."""
    assert resolve_timezone(spell(zone)) == zone  # type: ignore[operator]


@given(st.text(max_size=40))
def test_any_text_is_a_zone_or_a_refusal(text: str) -> None:
    """Garbage never raises anything but a Refusal, and suggestions are real zones."""
    try:
        zone = resolve_timezone(text)
    except Refusal as refusal:
        message = str(refusal)
        if "Did you mean " in message:
            suggested = message.split("Did you mean ", 1)[1].split("?", 1)[0].split(", ")
            assert all(s in ZONES for s in suggested)
        return
    assert zone in ZONES


@given(st.text(max_size=20))
def test_completion_is_bounded_and_relevant(text: str) -> None:
    """Completion gives at most 25 real zones, each containing what was typed."""
    found = complete_timezone(text)
    assert len(found) <= 25
    needle = text.strip().casefold().replace(" ", "_")
    assert all(z in ZONES and needle in z.casefold() for z in found)


@given(st.integers(min_value=-10**6, max_value=10**6))
def test_retention_bounds(hours: int) -> None:
    """Retention is accepted exactly from 0 to the maximum."""
    if 0 <= hours <= RETENTION_MAX_HOURS:
        assert check_retention(hours) == hours
    else:
        with pytest.raises(Refusal):
            check_retention(hours)


@pytest.fixture(scope="module")
def config_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A config.toml of the test's own (module-scoped, so hypothesis may reuse it across examples)."""
    return tmp_path_factory.mktemp("config") / "config.toml"


@given(st.one_of(st.text(max_size=10), st.floats(allow_nan=True), st.integers()))
def test_time_scale_is_a_number_in_range_or_a_config_error(config_file: Path, value: object) -> None:
    """BALINT_TIME_SCALE parsing never lets a bad value through, nor crashes."""
    config_file.write_text("", encoding="utf-8")
    try:
        scale = load_settings(environ={"BALINT_TIME_SCALE": str(value)}, config_path=config_file).time_scale
    except ConfigError as error:
        assert "BALINT_TIME_SCALE" in str(error)
        return
    assert 1 <= scale <= 3600


@given(st.one_of(st.floats(allow_nan=True), st.integers()))
def test_time_scale_from_the_file_is_a_number_in_range_or_a_config_error(config_file: Path, value: float) -> None:
    """bot.time_scale as a TOML number (not text, as from the environment) is held to the same range."""
    config_file.write_text(f"[bot]\ntime_scale = {value!r}\n", encoding="utf-8")
    try:
        scale = load_settings(environ={}, config_path=config_file).time_scale
    except ConfigError as error:
        assert "bot.time_scale" in str(error)
        return
    assert 1 <= scale <= 3600
