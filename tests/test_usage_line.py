"""A usage error is the one `pdbulk: ...` line README's exit codes promise, exit 2, with
the choices of a refused choice value and the command's `--help` (x31r1 4: typer drew a
Rich box over several lines, below its own "Usage:" and "Try ..." lines)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import get_args

import pytest
import typer.core
from typer.testing import CliRunner

from pdbulk.cli import app


@pytest.mark.parametrize(("argv", "said", "command"), [
    (["plan", "import", "--plan", "foo", "x.csv"],
     "Invalid value for '--plan': 'foo' is not one of 'lite', 'growth', 'professional', "
     "'premium', 'ultimate', 'essential', 'advanced', 'power', 'enterprise'", "plan import"),
    (["move-stage", "--status-to", "foo"],
     "Invalid value for '--status-to': 'foo' is not one of 'open', 'won', 'lost'",
     "move-stage"),
    (["--bogus"], "No such option: --bogus", ""),
    (["import"], "Missing argument 'manifest'", "import"),
    (["dedupe", "run", "--nope"], "No such option: --nope", "dedupe run"),
])
def test_a_usage_error_is_one_line(argv: list[str], said: str, command: str) -> None:
    """One line on stderr: `pdbulk: <reason> (see `pdbulk <command> --help`)`, exit 2."""
    out = CliRunner().invoke(app, argv, prog_name="pdbulk")
    assert out.exit_code == 2, out.output
    lines = out.stderr.splitlines()
    assert len(lines) == 1, out.stderr
    hint = f"`pdbulk {command} --help`" if command else "`pdbulk --help`"
    assert lines[0] == f"pdbulk: {said} (see {hint})", lines[0]
    assert out.stdout == "", out.stdout


def test_a_usage_error_with_json_is_one_object_and_one_line() -> None:
    """--json: one JSON object on stdout (as before) and the same one line on stderr."""
    out = CliRunner().invoke(app, ["update", "--json", "--bogus"], prog_name="pdbulk")
    assert out.exit_code == 2, out.output
    assert out.stdout.count("\n") == 1 and '"exit_code":2' in out.stdout, out.stdout
    assert out.stderr.splitlines() == [
        "pdbulk: No such option: --bogus (see `pdbulk update --help`)"], out.stderr


def _number_options() -> list[tuple[list[str], str, str]]:
    """(command path, option, "number" or "whole number") for every int / float option of
    every command."""
    def walk(cmd: object, path: list[str]) -> Iterator[tuple[list[str], object]]:
        subs = getattr(cmd, "commands", None)
        if not subs:
            yield path, cmd
            return
        for name, sub in subs.items():
            yield from walk(sub, [*path, name])

    found = []
    for path, cmd in walk(typer.main.get_command(app), []):
        for param in getattr(cmd, "params", []):
            if not isinstance(param, typer.core.TyperOption):
                continue
            kinds = {param.type_descriptor.annotation, *get_args(param.type_descriptor.annotation)}
            if bool not in kinds and kinds & {int, float}:
                found.append((path, param.opts[0], "whole number" if int in kinds else "number"))
    return found


def test_every_number_option_refuses_a_non_number_in_pdbulk_words() -> None:
    """`--window-share abc` (and every other int / float option given a non-number) is
    one pdbulk line, exit 2, naming the value, not pydantic's "Input should be a valid
    number, unable to parse string as a number" (f33i 1)."""
    options = _number_options()
    assert len(options) > 40, options  # the sweep found the options
    for path, option, kind in options:
        out = CliRunner().invoke(app, [*path, option, "abc"], prog_name="pdbulk")
        assert out.exit_code == 2, (path, option, out.output)
        command = " ".join(path)
        assert out.stderr.splitlines() == [
            f"pdbulk: Invalid value for '{option}': 'abc' is not a {kind} "
            f"(see `pdbulk {command} --help`)"], (path, option, out.stderr)


@pytest.mark.parametrize(("argv", "said", "command"), [
    (["move-stage", "--limit", "0"], "Invalid value for '--limit': 0 is below 1: give 1 or more",
     "move-stage"),
    (["move-stage", "--limit", "1.5"], "Invalid value for '--limit': '1.5' is not a whole number",
     "move-stage"),
    (["sandbox", "--latency-ms", "-1"],
     "Invalid value for '--latency-ms': -1 is below 0: give 0 or more", "sandbox"),
    (["dedupe", "run", "--auto-apply-above", "2"],
     "Invalid value for '--auto-apply-above': 2 is above 1: give 1 or less", "dedupe run"),
    (["resume", "J", "--window-share", "1.5"],
     "Invalid value for '--window-share': give a share above 0, at most 1 (0.8: 32 of the 40 "
     "requests per 2 s of a Growth api_token)", "resume"),
])
def test_a_number_out_of_bounds_says_the_bound(argv: list[str], said: str, command: str) -> None:
    """A number outside an option's bounds says the bound in pdbulk's words, not pydantic's
    "Input should be greater than or equal to 1" (f33i 1)."""
    out = CliRunner().invoke(app, argv, prog_name="pdbulk")
    assert out.exit_code == 2, out.output
    assert out.stderr.splitlines() == [f"pdbulk: {said} (see `pdbulk {command} --help`)"]
