"""The README's word on an over-budget job and `--yes` is true of each kind it names: a
kind said to run "all the same" with `--yes` takes `--yes` (x25r2: the README said so of
every kind, import included, and `pdbulk import --yes` was "No such option", exit 2)."""

from __future__ import annotations

import re
from pathlib import Path

import typer

from pdbulk.cli import app

_README = Path(__file__).resolve().parents[1] / "README.md"
_COMMANDS = {"import": ["import"], "update": ["update"], "move-stage": ["move-stage"],
             "merge": ["merge"], "undo": ["undo"], "dedupe apply": ["dedupe", "apply"]}


def _takes_yes(path: list[str]) -> bool:
    cmd = typer.main.get_command(app)
    for name in path:
        cmd = cmd.commands[name]  # type: ignore[attr-defined]
    return any("--yes" in getattr(p, "opts", ()) for p in cmd.params)


def test_kinds_said_to_run_with_yes_take_yes() -> None:
    """Each kind the README's budget line says runs with `--yes` has a --yes option."""
    row = next(line for line in _README.read_text(encoding="utf-8").splitlines()
               if line.startswith("| `--max-tokens N` |"))
    at = row.index("`--yes`")
    kinds = re.findall(r"\(((?:[a-z -]+, )+[a-z -]+)\)", row[:at])[-1].split(", ")
    assert kinds, row
    wrong = [k for k in kinds if not _takes_yes(_COMMANDS[k])]
    assert wrong == [], f"README says these run with --yes, but they take no --yes: {wrong}"


def test_import_over_budget_is_described() -> None:
    """The README says what an import over budget does, since it asks nothing: its --yes
    is taken and ignored, as update's (x39r3 L6: a cron script passing --yes to every
    command had its import refused)."""
    cmd = typer.main.get_command(app).commands["import"]  # type: ignore[attr-defined]
    yes = next(p for p in cmd.params if "--yes" in getattr(p, "opts", ()))
    assert "asks nothing" in str(getattr(yes, "help", "")), yes
    row = next(line for line in _README.read_text(encoding="utf-8").splitlines()
               if line.startswith("| `--max-tokens N` |"))
    assert "an import and an update ask nothing" in row
