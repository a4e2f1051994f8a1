"""The offline sandbox as people start it: `make demo`'s transcript, and `make run`'s browser page."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.config import Settings
from bot.sandbox.preview import TICK_SECONDS
from bot.sandbox.run import run_sandbox

ROOT = Path(__file__).resolve().parents[2]
BOOT_TIMEOUT = 30.0
STEP_TIMEOUT = 10.0
EXIT_TIMEOUT = 15.0
URL = re.compile(r"(http://127\.0\.0\.1:\d+)/#(\S+)")
GROUP = "Tuesday Balint"
MEMBERS = ("Dr Ada", "Dr Ben", "Dr Chloe", "Dr Dev", "Dr Eve")
TIME_SCALE = 3600
TICK = TICK_SECONDS * 1.5


def sandbox_env(tmp_path: Path) -> dict[str, str]:
    """Return this environment without any token or bot setting, with an empty config file.

    BALINT_DB and BALINT_KEY_FILE name files the sandbox must never create: its storage is temporary.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "BALINT_"))}
    config = tmp_path / "empty.toml"
    config.write_text("", encoding="utf-8")
    env.update({
        "BALINT_CONFIG": str(config),
        "BALINT_DB": str(tmp_path / "real.db"),
        "BALINT_KEY_FILE": str(tmp_path / "real.key"),
        "PYTHONUNBUFFERED": "1",
    })
    return env


def test_demo_prints_the_group_being_created_joined_and_used(tmp_path: Path) -> None:
    """`python -m bot --demo` plays the walk-through offline, prints it, and exits 0."""
    done = subprocess.run(
        [sys.executable, "-m", "bot", "--demo"], cwd=ROOT, env=sandbox_env(tmp_path),
        capture_output=True, text=True, timeout=60, check=False,
    )
    out = done.stdout
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "Dr Leader ran /group create name:Tuesday Balint text_channel:#balint-group" in out
    assert "bot → Dr Leader (only they see it): Created Tuesday Balint" in out
    assert "bot in #balint-group: This channel now hosts the Balint group Tuesday Balint" in out
    for member in MEMBERS:
        assert f"{member} clicked [Read the agreement and join] on the bot's message in #balint-group" in out
        assert f"{member} clicked [I agree] on the bot's private answer" in out
        assert f"bot → {member} (only they see it), in place of that message: Welcome to Tuesday" in out
    assert "▌ Members: 5" in out
    lines = out.splitlines()
    tried = lines.index("Dr Chloe ran /group config group:Tuesday Balint auto_advance:True")
    refusal = lines[tried + 1]
    assert refusal.startswith("bot → Dr Chloe (only they see it): Only the leaders of Tuesday Balint")
    assert "bot → Dr Leader (only they see it): @Dr Ada now co-leads Tuesday Balint." in out
    assert "▌ Auto-advance: off" in out
    # The whole classic session, with the presenter muted through the discussion only.
    assert "Dr Leader ran /session start group:Tuesday Balint presenter:@Dr Ada" in out
    assert "bot in #balint-group: Phase 1 of 6: Opening · 3 min, ends 2026-01-01 00:03 UTC" in out
    assert "    ▌ Cases waiting: No case is waiting; a member proposes one with /case propose." in out
    assert "bot in #balint-group: Phase 2 of 6: Presentation · 5 min" in out
    assert "bot in #balint-group: ⏳ 2 minutes left in Presentation." in out
    assert "bot in #balint-group: ⏰ Time is up for Presentation. The leader moves on with Next." in out
    # Raise hand in the questions: three hands in line on the panel, the floor to the first, one lowered.
    assert "Dr Ben clicked [Raise hand] on the bot's message in #balint-group" in out
    assert "bot → Dr Ben (only they see it): ✋ Your hand is raised: you are first in line." in out
    shown = lines.index("bot the panel in #balint-group, as everyone sees it now:")
    hands = lines.index("    ▌ Raised hands:", shown)
    assert lines[hands + 1:hands + 4] == ["    ▌   1. @Dr Ben", "    ▌   2. @Dr Chloe", "    ▌   3. @Dr Dev"]
    assert "bot → Dr Leader (only they see it): @Dr Ben has the floor." in out
    assert "bot in #balint-group: @Dr Ben, you have the floor." in out
    assert "bot → Dr Chloe (only they see it): Your hand is lowered." in out
    again = lines.index("bot the panel in #balint-group, as everyone sees it now:", shown + 1)
    assert lines[again:].index("    ▌   1. @Dr Dev") < lines[again:].index("    ▌   2. @Dr Ada")
    assert "bot → Dr Ada (only they see it): You present this case: in this phase you listen." in out
    assert "bot in #balint-group: @Dr Eve, you have the floor." in out
    muted = lines.index("  · balint-bot server-muted Dr Ada in Balint Room.")
    unmuted = lines.index("  · balint-bot unmuted Dr Ada in Balint Room.")
    assert muted < lines.index("── The presenter returns (7 minutes)") < unmuted
    assert "    [Give feedback (anonymous)]  [Results (leaders)]" in out
    # The dropout: the presenter's connection lost, the session paused a minute later, her return told.
    left = lines.index("Dr Ada leaves the voice channel Balint Room")
    assert lines[left + 3] == "bot in #balint-group: Paused: the group waits for @Dr Ada to reconnect."
    assert "bot in #balint-group: @Dr Ada is back; the leader can resume the session with Resume." in out
    # The debrief, privately, to the leader and to the co-leader; the feedback after the third answer.
    debrief = lines.index("bot → Dr Leader (direct message): Debrief · Tuesday Balint · session of"
                          " 2026-01-01 00:00 UTC")
    assert "    • Discussion (presenter pushed back): 25 → 25 · 1 pause, 2 min · 1 extension, +2 min" in lines[debrief:]
    assert "bot → Dr Ada (direct message): the same message as above" in lines[debrief:]
    assert "    3 answers · average 4.3 / 5" in lines[debrief:]
    # The anonymous session: words relayed as "Presenter", refused during the discussion.
    assert "bot in #balint-group: Presenter: He was my very first patient here, twelve years ago." in out
    assert "bot → Dr Ben (direct message): The group is in Discussion (presenter pushed back) now" in out
    assert out.count("server-muted") == 1, "the anonymous presenter is never muted"
    assert "    ▌ Cases waiting: • The patient I dread on Mondays · anonymous (being presented)" in out
    assert "bot → Dr Ben (only they see it): Your hand is not raised: you present this case anonymously" in out
    last_panel = lines[len(lines) - 1 - lines[::-1].index("bot the panel in #balint-group, as everyone sees it now:"):]
    assert "    ▌ Raised hands: 1. @Dr Chloe" in last_panel, "the anonymous presenter's press shows nothing"
    assert out.rstrip().endswith("Demo finished: 17 steps after setting up the group.")
    assert not (tmp_path / "real.db").exists() and not (tmp_path / "real.key").exists()


class PreviewPage:
    """One browser page of SimCord's Preview, speaking its HTTP protocol as the page's script does.

    The capability (the URL's fragment) goes in X-Simcord-Capability; a page is a context
    (POST /api/pages) named in X-Simcord-Context; every action carries protocol version 3, the
    next sequence number, a fresh request id, the context's generation, the bot's generation and
    the revision the page last installed; after an action the page reads /api/state again.
    """

    def __init__(self, http: aiohttp.ClientSession, origin: str, capability: str) -> None:
        self.http = http
        self.origin = origin
        self.capability = capability
        self.snapshot: dict[str, Any] = {}
        self.sequence = 0

    def headers(self, *, context: bool = True) -> dict[str, str]:
        headers = {"X-Simcord-Capability": self.capability, "Origin": self.origin}
        if context:
            headers["X-Simcord-Context"] = self.snapshot["context"]["id"]
        return headers

    async def _json(self, method: str, path: str, *, context: bool = True, body: Any = None) -> Any:
        async with self.http.request(method, self.origin + path, headers=self.headers(context=context),
                                     json=body) as response:
            assert response.status == 200, (path, response.status, await response.text())
            return await response.json()

    async def open(self) -> dict[str, Any]:
        diagnostics = await self._json("GET", "/backend-diagnostics.json", context=False)
        assert diagnostics
        self.snapshot = await self._json("POST", "/api/pages", context=False, body={})
        return self.snapshot

    async def state(self) -> dict[str, Any]:
        self.snapshot = await self._json("GET", "/api/state")
        return self.snapshot

    async def commands(self) -> dict[str, Any]:
        catalog: dict[str, Any] = await self._json("GET", "/api/commands")
        return catalog

    async def act(self, kind: str, **extra: Any) -> dict[str, Any]:
        body = {
            **extra, "protocol_version": 3, "sequence": self.sequence + 1, "request_id": str(uuid.uuid4()),
            "generation": self.snapshot["context"]["generation"],
            "bot_generation": self.snapshot["botGeneration"],
            "published_revision": self.snapshot["publishedRevision"], "kind": kind,
        }
        receipt: dict[str, Any] = await self._json("POST", "/api/action", body=body)
        assert receipt["requestId"] == body["request_id"]
        self.sequence = receipt["expectedSequence"]
        if kind != "close":  # an accepted close ends the session: there is no state to read
            await self.state()
        return receipt

    def viewer_id(self, display_name: str) -> str:
        return next(v["id"] for v in self.snapshot["viewers"] if v["global_name"] == display_name)


async def _read_url(stream: asyncio.StreamReader, seen: list[str]) -> re.Match[str]:
    while True:
        line = (await stream.readline()).decode()
        if not line:
            raise AssertionError("the sandbox ended before printing its address (see its log)")
        seen.append(line)
        if match := URL.search(line):
            return match


async def test_browser_sandbox_runs_a_members_command_through_the_preview(tmp_path: Path) -> None:
    """`python -m bot` serves the group's channel on loopback; a page acts as a member; Ctrl-C ends it."""
    errors = tmp_path / "stderr.log"
    with errors.open("wb") as stderr:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", cwd=ROOT,
            env={**sandbox_env(tmp_path), "BALINT_TIME_SCALE": str(TIME_SCALE)},
            stdout=asyncio.subprocess.PIPE, stderr=stderr,
        )
    try:
        assert process.stdout is not None
        printed: list[str] = []
        try:
            address = await asyncio.wait_for(_read_url(process.stdout, printed), BOOT_TIMEOUT)
        except (AssertionError, TimeoutError):
            raise AssertionError("".join(printed) + errors.read_text(errors="replace")) from None
        origin, capability = address[1], address[2]
        banner = "".join(printed)
        assert "OFFLINE SANDBOX" in banner
        assert "DISCORD_TOKEN" in banner

        timeout = aiohttp.ClientTimeout(total=STEP_TIMEOUT)
        async with aiohttp.ClientSession(timeout=timeout) as http:
            async with http.get(origin + "/") as response:
                assert response.status == 200
                assert response.content_type == "text/html"
                assert "<title>SimCord Preview</title>" in await response.text()

            page = PreviewPage(http, origin, capability)
            opened = await page.open()
            assert opened["protocolVersion"] == 3
            assert opened["channel"]["name"] == "balint-group"
            assert {v["global_name"] for v in opened["viewers"]} == {"Dr Leader", *MEMBERS}
            assert opened["viewerId"] == page.viewer_id("Dr Leader")
            assert any("hosts the Balint group" in m["content"] for m in opened["messages"].values())

            announcement = next(m for m in opened["messages"].values() if "hosts the Balint" in m["content"])
            announced = datetime.fromisoformat(announcement["timestamp"])

            ada = page.viewer_id("Dr Ada")
            switched = await page.act("viewer", viewer_id=ada)
            assert not switched["rejected"] and switched["settlement"] == "settled"
            assert page.snapshot["viewerId"] == ada

            await asyncio.sleep(TICK)  # so that the sandbox clock has moved at least once
            catalog = await page.commands()
            info = next(e for e in catalog["entries"] if e["invocation"] == "group info")
            ran = await page.act(
                "run_command", command_id=info["commandId"], path=info["path"],
                schema_fingerprint=info["schemaFingerprint"], options={"group": GROUP},
            )
            assert not ran["rejected"], ran["diagnostics"]
            assert (ran["settlement"], ran["acknowledgement"]) == ("settled", "acknowledged")
            [outcome] = ran["outcomes"]
            assert outcome["kind"] == "response"

            answer = page.snapshot["messages"][outcome["messageId"]]
            assert answer["ephemeral"]
            # The sandbox clock follows real time, times BALINT_TIME_SCALE: one tick is half an hour.
            sent = datetime.fromisoformat(answer["timestamp"])
            assert sent - announced >= timedelta(minutes=15)
            [embed] = answer["embeds"]
            assert embed["title"] == GROUP
            assert {"name": "Members", "value": "5"}.items() <= next(
                f for f in embed["fields"] if f["name"] == "Members").items()

            # Only Ada sees her answer: a page opened as the leader does not show it.
            leader_page = PreviewPage(http, origin, capability)
            await leader_page.open()
            assert outcome["messageId"] not in leader_page.snapshot["messages"]

        process.send_signal(signal.SIGINT)
        code = await asyncio.wait_for(process.wait(), EXIT_TIMEOUT)
        rest = (await process.stdout.read()).decode()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    log = errors.read_text(encoding="utf-8", errors="replace")
    assert code == 0, log
    assert "Traceback" not in log
    assert "Sandbox stopped." in rest
    assert not (tmp_path / "real.db").exists() and not (tmp_path / "real.key").exists()


async def test_ending_the_session_in_the_page_stops_the_sandbox(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The page's "End preview session" makes run_sandbox (as `python -m bot` calls it) return 0."""
    settings = Settings(database=tmp_path / "real.db", key_file=tmp_path / "real.key")
    task = asyncio.create_task(run_sandbox(settings))
    try:
        printed = ""
        async with asyncio.timeout(BOOT_TIMEOUT):
            while not (address := URL.search(printed)):
                assert not task.done(), printed
                await asyncio.sleep(0.05)
                printed += capsys.readouterr().out
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=STEP_TIMEOUT)) as http:
            page = PreviewPage(http, address[1], address[2])
            await page.open()
            closed = await page.act("close")
            assert (closed["rejected"], closed["settlement"]) == (False, "settled")
        code = await asyncio.wait_for(task, EXIT_TIMEOUT)
    finally:
        if not task.done():
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
    assert code == 0
    assert "Sandbox stopped: the page ended the session." in capsys.readouterr().out
    assert not (tmp_path / "real.db").exists() and not (tmp_path / "real.key").exists()
