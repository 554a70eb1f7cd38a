"""The CLI as a new user types it (x44r7 F7): ``-h`` works as ``--help`` on the app, its
groups and its commands; fixed choices take any case (``--plan GROWTH``, ``--mode
UPSERT``), and a wrong one is still refused (exit 2); an unset ``--token-env NOPE`` is
named in the refusal (before: "set the environment variable --token-env names (not shown:
is it the token itself?)"), while a value that could be the token is still never echoed."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from pdbulk.cli import app


@pytest.mark.parametrize("args", [["-h"], ["plan", "-h"], ["dedupe", "-h"], ["status", "-h"],
                                  ["import", "-h"]])
def test_dash_h_is_help(args: list[str]) -> None:
    ran = CliRunner().invoke(app, args)
    assert ran.exit_code == 0, ran.output
    assert "Usage" in ran.output and "No such option" not in ran.output


def test_choices_take_any_case_and_still_refuse_a_wrong_one(tmp_path: object) -> None:
    env = {"PIPEDRIVE_API_TOKEN": ""}
    right = CliRunner().invoke(app, ["plan", "move-stage", "--to-stage", "Won", "--plan",
                                     "GROWTH", "--status", "OPEN", "--url",
                                     "http://127.0.0.1:9"], env=env)
    assert "Invalid value" not in right.output, right.output
    assert "no API token" in right.output, right.output  # parsed, then refused on the token
    wrong = CliRunner().invoke(app, ["plan", "move-stage", "--to-stage", "Won", "--plan",
                                     "GROWTHY"], env=env)
    assert wrong.exit_code == 2 and "GROWTHY" in wrong.output, wrong.output


@pytest.mark.parametrize(("name", "shown"), [("NOPE", True), ("MY_TOKEN", True),
                                             ("0123456789abcdef0123456789abcdef01234567",
                                              False),
                                             ("ABCDEF0123456789ABCDEF", False)])
def test_an_unset_token_variable_is_named_unless_it_may_be_the_token(name: str,
                                                                     shown: bool) -> None:
    ran = CliRunner().invoke(app, ["plan", "move-stage", "--to-stage", "Won",
                                   "--token-env", name, "--url", "http://127.0.0.1:9"],
                             env={name: ""})
    assert ran.exit_code == 1, ran.output
    assert (name in ran.output) is shown, ran.output
