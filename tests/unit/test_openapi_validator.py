"""The OpenAPI body validator in tests/support/openapi.py."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import discord
import pytest
import simcord
from discord.ext import commands

from tests.support import openapi
from tests.support.openapi import SPEC_PATH, RestValidator, check_requests, load_validator

CHANNEL_MESSAGES = "/channels/1456074443980800007/messages"
COMMANDS = "/applications/1456074443980800000/commands"
CALLBACK = "/interactions/1456074443980800012/simcord_interaction_1456074443980800012/callback"


@pytest.fixture(scope="module")
def validator() -> RestValidator:
    # The validator's own tests need the spec: without it they fail rather than skip.
    assert SPEC_PATH.is_file(), f"Discord OpenAPI spec not found at {SPEC_PATH}"
    return RestValidator.from_file(SPEC_PATH)


@pytest.fixture
def fresh_cache() -> Iterator[None]:
    load_validator.cache_clear()
    yield
    load_validator.cache_clear()


def test_valid_message_create_passes(validator: RestValidator) -> None:
    body = {
        "content": "Group **Alpha** starts now",
        "embeds": [{"title": "Alpha", "description": "Phase 1", "color": 0x5865F2,
                    "fields": [{"name": "Presenter", "value": "<@1>", "inline": True}]}],
        "components": [{"type": 1, "components": [
            {"type": 2, "style": 1, "label": "Join", "custom_id": "join:alpha"},
        ]}],
        "allowed_mentions": {"parse": ["users"]},
        "tts": False,
    }
    assert validator.problems("POST", CHANNEL_MESSAGES, body) == []


def test_message_content_as_list_fails(validator: RestValidator) -> None:
    problems = validator.problems("POST", CHANNEL_MESSAGES, {"content": ["hi"]})
    assert len(problems) == 1
    assert problems[0].startswith("$.content: ")


def test_nested_error_names_its_location(validator: RestValidator) -> None:
    body = {"components": [{"type": 1, "components": [
        {"type": 2, "style": 1, "label": "x" * 81, "custom_id": "c"},
    ]}]}
    assert validator.problems("POST", CHANNEL_MESSAGES, body) == [
        f"$.components[0].components[0].label: {'x' * 81!r} is too long"
    ]


def test_digit_string_integers_pass(validator: RestValidator) -> None:
    body = {"type": "4", "data": {"content": "ok", "flags": "64"}}
    assert validator.problems("POST", CALLBACK, body) == []
    assert validator.problems("POST", CHANNEL_MESSAGES, {"content": "x", "flags": "4096"}) == []
    # discord.py sends permission bits as a digit string.
    assert validator.problems("PUT", COMMANDS, [{"name": "admin", "default_member_permissions": "8"}]) == []


def test_digit_string_still_meets_numeric_keywords(validator: RestValidator) -> None:
    problems = validator.problems("PUT", COMMANDS, [{"name": "admin", "default_member_permissions": "-8"}])
    assert problems == ["$[0].default_member_permissions: -8 is less than the minimum of 0"]
    assert validator.problems("POST", CALLBACK, {"type": "3"}) != []


def test_digit_string_nonce_is_not_ambiguous(validator: RestValidator) -> None:
    # nonce is oneOf [integer, string]: a digit string fits both once integers accept digit strings.
    assert validator.problems("POST", CHANNEL_MESSAGES, {"content": "x", "nonce": "123"}) == []


def test_number_accepts_ints_and_floats_but_not_strings(validator: RestValidator) -> None:
    def command(min_value: object) -> list[dict[str, object]]:
        option = {"type": 10, "name": "hours", "description": "Hours", "min_value": min_value}
        return [{"name": "n", "description": "d", "options": [option]}]

    assert validator.problems("PUT", COMMANDS, command(1)) == []
    assert validator.problems("PUT", COMMANDS, command(1.5)) == []
    assert validator.problems("PUT", COMMANDS, command("1")) == [
        "$[0].options[0].min_value: '1' is not of type 'number', 'null'"
    ]


def test_non_digit_string_integer_fails(validator: RestValidator) -> None:
    assert validator.problems("POST", CHANNEL_MESSAGES, {"content": "x", "flags": "64a"}) == [
        "$.flags: '64a' is not of type 'integer', 'null'"
    ]
    assert validator.problems("POST", CALLBACK, {"type": "four"}) != []


DM_CHANNELS = "/users/@me/channels"
SNOWFLAKE = {"type": "string", "pattern": "^(0|[1-9][0-9]*)$", "format": "snowflake"}


def test_integer_snowflake_passes(validator: RestValidator) -> None:
    # recipient_id is oneOf [null, $ref SnowflakeType]; discord.py's create_dm sends it as a number.
    assert validator.problems("POST", DM_CHANNELS, {"recipient_id": 1456074443980800003}) == []
    assert validator.problems("POST", DM_CHANNELS, {"recipient_id": 0}) == []
    assert validator.problems("POST", DM_CHANNELS, {"recipient_id": "1456074443980800003"}) == []
    assert validator.problems("POST", DM_CHANNELS, {"recipient_id": None}) == []
    # In arrays and nested objects too.
    body = {"content": "x", "allowed_mentions": {"users": [1456074443980800003, "1456074443980800004"]},
            "message_reference": {"message_id": 1456074443980800009}}
    assert validator.problems("POST", CHANNEL_MESSAGES, body) == []


@pytest.mark.parametrize("bad", [-1, 1.5, 2.0, True, False, "12a", "-1", " 1", ""])
def test_snowflake_rejects_what_is_not_a_non_negative_integer(validator: RestValidator, bad: object) -> None:
    problems = validator.problems("POST", DM_CHANNELS, {"recipient_id": bad})
    assert len(problems) == 1 and problems[0].startswith("$.recipient_id: "), problems
    nested = validator.problems("POST", CHANNEL_MESSAGES, {"content": "x", "message_reference": {"message_id": bad}})
    assert len(nested) == 1 and nested[0].startswith("$.message_reference.message_id: "), nested


def test_snowflake_leniency_reads_the_schema_not_the_ref() -> None:
    def spec(schema: dict[str, object]) -> dict[str, object]:
        body = {"content": {"application/json": {"schema": {"type": "object", "properties": {"id": schema}}}}}
        return {"paths": {"/things": {"post": {"operationId": "make_thing", "requestBody": body}}}}

    inline = RestValidator(spec(SNOWFLAKE))
    assert inline.problems("POST", "/things", {"id": 42}) == []
    assert inline.problems("POST", "/things", {"id": -42}) == ["$.id: -42 is not of type 'string'"]
    assert inline.problems("POST", "/things", {"id": "4x"}) == ["$.id: '4x' does not match '^(0|[1-9][0-9]*)$'"]
    # A digit string that is not a snowflake takes no integer.
    plain = RestValidator(spec({"type": "string", "pattern": "^(0|[1-9][0-9]*)$"}))
    assert plain.problems("POST", "/things", {"id": 42}) == ["$.id: 42 is not of type 'string'"]


def test_no_one_of_offers_both_an_integer_and_a_snowflake() -> None:
    # Otherwise an integer id would match two branches and fail the oneOf: the leniency relies on this.
    spec = json.loads(SPEC_PATH.read_text(encoding="utf-8"))

    def resolve(node: Any) -> Any:
        while isinstance(node, dict) and str(node.get("$ref", "")).startswith("#/"):
            target = spec
            for key in node["$ref"][2:].split("/"):
                target = target[key]
            node = target
        return node

    def kinds(node: Any) -> set[str]:
        target = resolve(node)
        declared = target.get("type") if isinstance(target, dict) else None
        return set(declared) if isinstance(declared, list) else {declared}

    clashes = []

    def walk(node: Any, where: str) -> None:
        if isinstance(node, dict):
            alternatives = node.get("oneOf")
            if isinstance(alternatives, list):
                snowflake = any(isinstance(resolve(a), dict) and resolve(a).get("format") == "snowflake"
                                for a in alternatives)
                if snowflake and any(kinds(a) & {"integer", "number"} for a in alternatives):
                    clashes.append(where)
            for key, value in node.items():
                walk(value, f"{where}/{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, f"{where}/{index}")

    walk(spec, "#")
    assert clashes == []


def test_integers_are_still_refused_where_a_string_is_meant(validator: RestValidator) -> None:
    assert validator.problems("POST", CHANNEL_MESSAGES, {"content": 1456074443980800003}) == [
        "$.content: 1456074443980800003 is not of type 'string', 'null'"
    ]


def test_unknown_route_fails(validator: RestValidator) -> None:
    assert validator.problems("POST", "/channels/1/not-a-route", {"content": "x"}) == [
        "unknown route: no operation in the spec for this method and path"
    ]
    # A known path with a method the spec does not list is unknown too.
    assert validator.problems("PUT", CHANNEL_MESSAGES, {"content": "x"}) != []


def test_users_me_resolves_to_the_literal_route(validator: RestValidator) -> None:
    assert validator.match("GET", "/users/@me") == "/users/@me"
    assert validator.match("GET", "/users/1456074443980800003") == "/users/{user_id}"
    assert validator.match("PATCH", "/users/@me") == "/users/@me"
    assert validator.problems("PATCH", "/users/@me", {"username": "balint"}) == []


def test_body_for_bodiless_operation_fails(validator: RestValidator) -> None:
    assert validator.problems("GET", "/users/@me", None) == []
    assert validator.problems("GET", "/users/@me", {}) == []
    assert validator.problems("GET", "/users/@me", {"username": "x"}) == [
        "unexpected request body: get_my_user takes none"
    ]


def test_interaction_callback_ephemeral_reply_passes(validator: RestValidator) -> None:
    assert validator.match("POST", CALLBACK) == "/interactions/{interaction_id}/{interaction_token}/callback"
    body = {"type": 4, "data": {"content": "Only you can see this", "flags": 64, "tts": False,
                                "allowed_mentions": {"parse": []}}}
    assert validator.problems("POST", CALLBACK, body) == []


def test_bulk_command_overwrite(validator: RestValidator) -> None:
    good = [
        {"name": "group", "description": "Balint groups", "type": 1, "options": [
            {"type": 1, "name": "join", "description": "Join a group", "options": [
                {"type": 3, "name": "group", "description": "Which group", "required": True},
            ]},
        ]},
        {"name": "ping", "description": "Ping", "type": 1, "options": []},
    ]
    assert validator.problems("PUT", COMMANDS, good) == []
    bad = [good[1], {"description": "nameless", "type": 1}]
    assert validator.problems("PUT", COMMANDS, bad) == ["$[1]: 'name' is a required property"]


def test_multipart_only_operation_validates_form_fields(validator: RestValidator) -> None:
    # Sticker upload: SimCord records the scalar form fields; the file itself is not recorded.
    assert validator.problems("POST", "/guilds/1/stickers", {"name": "wave", "tags": "wave"}) == []
    assert validator.problems("POST", "/guilds/1/stickers", {"name": "wave"}) == [
        "$: 'tags' is a required property"
    ]


def test_check_requests_prefixes_method_and_path(fresh_cache: None) -> None:
    entries = [
        simcord.HttpLogEntry("POST", CHANNEL_MESSAGES, {}, {"content": "fine"}, None),
        simcord.HttpLogEntry("post", CHANNEL_MESSAGES, {}, {"content": 1}, None),
        simcord.HttpLogEntry("GET", "/nowhere", {"limit": 5}, None, None),
    ]
    problems = check_requests(entries)
    assert problems == [
        f"POST {CHANNEL_MESSAGES}: $.content: 1 is not of type 'string', 'null'",
        "GET /nowhere: unknown route: no operation in the spec for this method and path",
    ]


def test_load_validator_is_cached(fresh_cache: None) -> None:
    assert load_validator() is load_validator() is not None


@pytest.mark.parametrize("ci", ["true", None])
def test_missing_spec_raises_in_and_outside_ci(
    fresh_cache: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, ci: str | None
) -> None:
    missing = tmp_path / "nope" / "openapi.json"
    monkeypatch.setenv("BALINT_OPENAPI_SPEC", str(missing))
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    with pytest.raises(RuntimeError, match=str(missing)):
        load_validator()
    with pytest.raises(RuntimeError, match=str(missing)):
        check_requests([simcord.HttpLogEntry("POST", "/nowhere", {}, {"x": 1}, None)])


def test_default_spec_path_is_the_vendored_copy() -> None:
    repo = Path(openapi.__file__).resolve().parents[2]
    expected = repo / "tests" / "data" / "discord-api-spec" / "openapi.json"
    assert expected == openapi._DEFAULT_SPEC_PATH
    # The copy is Discord's, with its licence beside it: the tests need nothing outside the repository.
    assert expected.is_file() and (expected.parent / "LICENSE").is_file()


class _Hello(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=None)

    @discord.ui.button(label="Wave", style=discord.ButtonStyle.primary, custom_id="hello:wave")
    async def wave(self, interaction: discord.Interaction, button: discord.ui.Button[_Hello]) -> None:
        await interaction.response.send_message("👋", ephemeral=True)


def _tiny_bot() -> commands.Bot:
    bot = commands.Bot(command_prefix="!", intents=discord.Intents.default())

    @bot.tree.command(name="hello", description="Say hello")
    async def hello(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("Hello, only you see this", ephemeral=True)
        assert isinstance(interaction.channel, discord.TextChannel)
        embed = discord.Embed(title="Hello", description="A public greeting", colour=discord.Colour.blurple())
        embed.add_field(name="From", value=interaction.user.mention)
        await interaction.channel.send(embed=embed, view=_Hello())

    async def setup_hook() -> None:
        await bot.tree.sync()

    bot.setup_hook = setup_hook  # type: ignore[method-assign]
    return bot


async def test_real_simcord_traffic_is_valid(fresh_cache: None) -> None:
    bot = _tiny_bot()
    async with simcord.run(bot) as env:
        channel = env.create_guild().create_text_channel("general")
        member = env.guild.add_member(env.create_user("ada"))
        result = await member.slash(channel, "hello")
        assert result.ephemeral
        assert channel.last_message is not None and channel.last_message.embeds[0].title == "Hello"
        await member.click(channel.last_message, label="Wave")
        requests = list(env.http_requests)
    routes = {(r.method, openapi_template(r.method, r.path)) for r in requests}
    assert ("PUT", "/applications/{application_id}/commands") in routes
    assert ("POST", "/channels/{channel_id}/messages") in routes
    assert ("POST", "/interactions/{interaction_id}/{interaction_token}/callback") in routes
    assert check_requests(requests) == []


def openapi_template(method: str, path: str) -> str | None:
    validator = load_validator()
    assert validator is not None
    return validator.match(method, path)
