"""`python -m bot` without a token and without SimCord (the `sandbox` extra): one line of advice, exit code 2."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HINT = (
    "error: the offline sandbox needs SimCord: run `make run` (which installs it) or "
    "pip install 'balint-bot[sandbox]'; to connect to Discord instead, set DISCORD_TOKEN"
)

# Loaded by the child interpreter at start-up (sitecustomize on PYTHONPATH): SimCord is installed
# in the test environment, so it is made unimportable, as on a machine without the extra.
BLOCKER = '''
import sys


class _NoSimcord:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "simcord":
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


sys.meta_path.insert(0, _NoSimcord())
'''


def env_without_simcord(tmp_path: Path) -> dict[str, str]:
    """This environment with no token or bot setting, an empty config, and SimCord blocked."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(BLOCKER, encoding="utf-8")
    config = tmp_path / "empty.toml"
    config.write_text("", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "BALINT_"))}
    env.update({
        "PYTHONPATH": os.pathsep.join(filter(None, (str(site), env.get("PYTHONPATH")))),
        "BALINT_CONFIG": str(config),
        "BALINT_DB": str(tmp_path / "real.db"),
        "BALINT_KEY_FILE": str(tmp_path / "real.key"),
    })
    return env


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=60, check=False)


@pytest.mark.parametrize("args", [[], ["--demo"]], ids=["preview", "demo"])
def test_no_simcord_prints_one_line_and_exits_2(tmp_path: Path, args: list[str]) -> None:
    done = run(["-m", "bot", *args], env_without_simcord(tmp_path))
    assert (done.returncode, done.stdout, done.stderr) == (2, "", HINT + "\n")
    assert not (tmp_path / "real.db").exists() and not (tmp_path / "real.key").exists()


def test_no_sandbox_module_imports_simcord_when_loaded(tmp_path: Path) -> None:
    modules = ("bot.sandbox", "bot.sandbox.run", "bot.sandbox.demo", "bot.sandbox.preview",
               "bot.sandbox.world", "bot.sandbox.transcript")
    check = f"import importlib, sys; [importlib.import_module(m) for m in {modules!r}]; print('simcord' in sys.modules)"
    done = run(["-c", check], env_without_simcord(tmp_path))
    assert (done.returncode, done.stdout, done.stderr) == (0, "False\n", "")
