"""The deployment files do what the README's "Deploying" section says: the smoke test follows the unit."""

from __future__ import annotations

import asyncio
import os
import shlex
import signal
import sqlite3
import subprocess
from pathlib import Path

from tests.smoke.loopback_discord import LoopbackDiscord

ROOT = Path(__file__).resolve().parents[2]
UNIT = ROOT / "deploy" / "balint-bot.service"
BOOT_TIMEOUT = 20.0
EXIT_TIMEOUT = 15.0


def _unit() -> dict[str, dict[str, str]]:
    """Read the unit's sections; a key given more than once (Environment=) keeps every value, one a line."""
    values: dict[str, dict[str, list[str]]] = {}
    section = ""
    for line in UNIT.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            section = line.strip("[]")
            values.setdefault(section, {})
            continue
        key, _, value = line.partition("=")
        values[section].setdefault(key, []).append(value)
    return {name: {k: "\n".join(v) for k, v in keys.items()} for name, keys in values.items()}


def test_the_unit_runs_the_bot_as_the_procfile_does() -> None:
    """ExecStart is the venv's python running `-m bot --discord` in the clone, as the Procfile's worker."""
    service = _unit()["Service"]
    workdir = service["WorkingDirectory"]
    program, *args = shlex.split(service["ExecStart"])
    assert program == f"{workdir}/.venv/bin/python" and args == ["-m", "bot", "--discord"]
    procfile = (ROOT / "Procfile").read_text(encoding="utf-8").strip()
    assert procfile == "worker: python " + " ".join(args)
    # The module it names is this repository's entry point, and the venv `make install` makes is there.
    assert (ROOT / "bot" / "__main__.py").is_file() and (ROOT / ".venv" / "bin" / "python").exists()
    # Exit 2 (a setting to fix) is not restarted; SIGTERM is the stop signal the bot handles.
    assert service["RestartPreventExitStatus"] == "2" and service["KillSignal"] == "SIGTERM"


def test_the_database_and_the_key_live_apart_on_the_state_disk() -> None:
    """BALINT_DB and BALINT_KEY_FILE are in two directories of the persistent state, backed up separately."""
    service = _unit()["Service"]
    env = dict(line.split("=", 1) for line in service["Environment"].splitlines())
    db, key = Path(env["BALINT_DB"]), Path(env["BALINT_KEY_FILE"])
    assert db.parent != key.parent
    assert str(db).startswith("/var/lib/balint-bot/") and str(key).startswith("/var/lib/balint-bot/")
    assert service["ReadWritePaths"] == "/var/lib/balint-bot"


def _lay_out(tmp_path: Path, server: LoopbackDiscord) -> tuple[list[str], str, dict[str, str]]:
    """Lay the unit's files out under a temporary root, as the README says; return argv, cwd and environment."""
    service = _unit()["Service"]
    workdir = service["WorkingDirectory"]

    def moved(path: str) -> str:
        # The unit's absolute paths, under this machine's temporary root; the clone is this repository.
        return str(ROOT) + path[len(workdir):] if path.startswith(workdir) else str(tmp_path) + path

    env_file = Path(moved(service["EnvironmentFile"]))
    env_file.parent.mkdir(parents=True)
    env_file.write_text(
        f"DISCORD_TOKEN=deploy-token\nDISCORD_API_BASE={server.api_base}\n"
        f"DISCORD_GATEWAY_URL={server.gateway_url}\n", encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "BALINT_"))}
    env.update(line.split("=", 1) for line in env_file.read_text(encoding="utf-8").splitlines())
    for line in service["Environment"].splitlines():
        key, value = line.split("=", 1)
        env[key] = moved(value)
    Path(env["BALINT_CONFIG"]).write_text("", encoding="utf-8")
    for directory in ("data", "key"):  # what StateDirectory= makes
        (tmp_path / "var/lib/balint-bot" / directory).mkdir(parents=True)
    program, *args = shlex.split(service["ExecStart"])
    return [moved(program), *args], moved(workdir), env


def _stored(env: dict[str, str]) -> int:
    db, key = Path(env["BALINT_DB"]), Path(env["BALINT_KEY_FILE"])
    assert key.is_file() and db.is_file()
    with sqlite3.connect(db) as conn:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])


async def test_following_the_unit_starts_the_bot_against_a_compatible_server(tmp_path: Path) -> None:
    """The unit's command, environment and files, moved under a temporary root, connect and stop cleanly."""
    async with LoopbackDiscord(token="deploy-token") as server:
        argv, cwd, env = _lay_out(tmp_path, server)
        process = await asyncio.create_subprocess_exec(
            *argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        try:
            await server.wait_for(server.ready_connection, BOOT_TIMEOUT, "READY on the gateway")
            await server.wait_for(lambda: server.commands or None, BOOT_TIMEOUT, "the command sync")
            process.send_signal(signal.SIGTERM)
            _, err = await asyncio.wait_for(process.communicate(), EXIT_TIMEOUT)
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
    assert process.returncode == 0, err.decode()
    assert _stored(env) > 0  # migrated at start: an upgrade needs no step of its own
