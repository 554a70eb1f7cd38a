"""Option values are checked when the command line is parsed: a bad value or a bad
combination of options is a usage error (exit 2) in one line naming the option, before
the token, the account or any file is read; the values the README promises are taken."""

from __future__ import annotations

from typer.testing import CliRunner

from bulk.plans import plan_limits
from pdbulk.cli import app

ENV = {"PIPEDRIVE_API_TOKEN": "tok"}
LEGACY_PLANS = {"essential": "lite", "advanced": "growth", "power": "premium",
                "enterprise": "ultimate"}
URL = ["--url", "http://127.0.0.1:9"]  # loopback, nothing listens: never reached here


def test_legacy_plan_names_are_taken_and_shown() -> None:
    """--plan advanced / essential / power / enterprise (README: "legacy names too") are
    the current plans' presets, in every command's --plan, and help lists them."""
    for old, new in LEGACY_PLANS.items():
        assert plan_limits(old.upper()) == plan_limits(new)
        res = CliRunner().invoke(app, ["plan", "undo", "nope", "--plan", old, *URL], env=ENV)
        # parsed: the command itself then finds no job (exit 2 for that, not for --plan)
        assert "no job 'nope'" in res.output and "--plan" not in res.output, res.output
    shown = CliRunner().invoke(app, ["update", "--help"], env={"COLUMNS": "200"}).output
    assert all(f"{old} = {new}" in shown for old, new in LEGACY_PLANS.items()), shown
