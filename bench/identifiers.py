"""Benchmark the patient-identifier check: recall, false alarms, and time per 1,500-character story."""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

# The labelled table lives with the tests, which are not an installed package.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.core.identifiers import find_identifiers
from tests.unit.identifier_cases import CASES, score

STORY_LENGTH = 1500


def stories(count: int, seed: int = 1) -> list[str]:
    """Build stories of about 1,500 characters from the labelled sentences, as a member might write them."""
    rng = random.Random(seed)
    built = []
    for _ in range(count):
        parts: list[str] = []
        while sum(len(part) + 1 for part in parts) < STORY_LENGTH:
            parts.append(rng.choice(CASES)[0])
        built.append(" ".join(parts)[:STORY_LENGTH])
    return built


def main(rounds: int = 300) -> None:
    """Print recall and false alarms on the labelled table, then the mean time per story."""
    recall, false_alarms, pairs, clean = score(find_identifiers)
    print(
        f"identifier check: recall {recall:.3f} ({pairs} labelled kinds), "
        f"false alarms {false_alarms:.3f} ({clean} identifier-free sentences), {len(CASES)} sentences"
    )
    texts = stories(rounds)
    find_identifiers(texts[0])
    started = time.perf_counter()
    for text in texts:
        find_identifiers(text)
    per = (time.perf_counter() - started) / rounds
    print(f"identifier check: {per * 1000:.2f} ms per {STORY_LENGTH}-character story ({rounds} stories)")


if __name__ == "__main__":
    main()
