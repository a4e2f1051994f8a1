"""One format per persistent button: the id written and the id matched come from it."""

import re
from enum import Enum

from bot.discord_io.components import CustomId


class Choice(Enum):
    YES = "yes"
    NO = "no"


def test_format_then_parse_gives_the_fields_back_typed() -> None:
    custom = CustomId("balint:x:{item}:{choice}:{token}", item=int, choice=Choice, token=r"[a-z]+")
    text = custom.format(item=42, choice=Choice.NO, token="abc")
    assert text == "balint:x:42:no:abc"
    match = re.fullmatch(custom.pattern, text)
    assert match is not None
    assert custom.parse(match) == {"item": 42, "choice": Choice.NO, "token": "abc"}


def test_the_pattern_refuses_what_the_format_cannot_write() -> None:
    custom = CustomId("balint:x:{item}:{choice}", item=int, choice=Choice)
    for text in ("balint:x:42:maybe", "balint:x:-1:yes", "balint:x:4a:yes", "balintzx:42:yes", "balint:x:42:yes:1"):
        assert re.fullmatch(custom.pattern, text) is None, text


def test_literal_parts_are_escaped() -> None:
    custom = CustomId("a.b:{n}", n=int)
    assert re.fullmatch(custom.pattern, "a.b:1") and not re.fullmatch(custom.pattern, "axb:1")
