"""The bare bots of the benchmarks ask for balint-bot's intents (written out in bench/, kept equal here)."""

from __future__ import annotations

import sys
from pathlib import Path

from bot.app import intents

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from common import bench_intents  # bench/ is not a package: its modules import each other by name


def test_the_bare_bots_see_what_balint_bot_sees() -> None:
    assert bench_intents() == intents()
