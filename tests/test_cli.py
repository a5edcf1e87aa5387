"""The command line: every command documented in the README exists and has --help."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from closer.cli import build_parser
from tests.conftest import REPO


def subcommands(parser) -> dict:
    for action in parser._actions:
        if action.__class__.__name__ == "_SubParsersAction":
            return dict(action.choices)
    return {}


def test_readme_commands_exist():
    readme = (REPO / "README.md").read_text()
    block = readme.split("## Command line", 1)[1].split("```", 2)[1]
    documented = set(re.findall(r"closer ([a-z-]+)", block))
    known = set(subcommands(build_parser()))
    assert documented - known == set()
    assert {"init", "registry", "collect", "reread", "runs", "app", "demo", "import", "export"} <= known


@pytest.mark.parametrize("command", sorted(subcommands(build_parser())))
def test_every_command_has_help(command, capsys):
    with pytest.raises(SystemExit) as exit_:
        build_parser().parse_args([command, "--help"])
    assert exit_.value.code == 0
    assert "usage: closer" in capsys.readouterr().out


def test_init_and_registry_through_the_real_entry_point(tmp_path):
    db = tmp_path / "x.duckdb"
    run = lambda *a: subprocess.run([sys.executable, "-m", "closer", "--db", str(db), *a], capture_output=True, text=True, cwd=REPO)  # noqa: E731
    r = run("init")
    assert r.returncode == 0 and "ready (schema version" in r.stdout
    bad = tmp_path / "accounts.csv"
    bad.write_text("institution_id,platform,handle,url\nNOPE,mastodon,@a@b.example,\n")
    r = run("registry", "load", str(bad))
    assert r.returncode == 1
    assert r.stderr.strip().splitlines()[-1] == f"{bad}:2: institution_id: unknown institution 'NOPE'"
    assert "Traceback" not in r.stderr
