"""Every option a message advises is one the command that prints it takes (f23k: `pdbulk
resume JOB` with the daily budget spent said "pass --wait-for-reset", and `pdbulk resume
JOB --wait-for-reset` was "No such option", exit 2)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import typer
from typer.testing import CliRunner

from bulk.errors import BudgetExhausted
from jobs.planning import estimate
from pdbulk.cli import app
from pdbulk.options import describe

_OPTION = re.compile(r"(?<![\w-])--[a-z][a-z0-9-]*")
_ROOT = Path(__file__).resolve().parent.parent


def _commands() -> Iterator[tuple[list[str], Any]]:
    def walk(cmd: Any, path: list[str]) -> Iterator[tuple[list[str], Any]]:
        subs = getattr(cmd, "commands", None)
        if subs is None:
            yield path, cmd
        for name, sub in (subs or {}).items():
            yield from walk(sub, [*path, name])
    yield from walk(typer.main.get_command(app), [])


def _options(cmd: Any) -> set[str]:
    return {o for p in cmd.params for o in (*p.opts, *p.secondary_opts) if o.startswith("--")}


def _budget_advice() -> set[str]:
    """The options the lines of a spent budget name: the error's line (the day's budget,
    the share, the run's cap) and a plan's "spills into tomorrow" note."""
    from bulk.plans import plan_limits

    errors = [
        BudgetExhausted("daily token budget: 60000 of 60000 used, usable 60000; addDeal "
                        "needs 10", resets_at=1.0),
        BudgetExhausted("daily token budget: this job may use 30000 of today's 60000 tokens "
                        "(--budget-share / the reserve) and 30000 are used today; addDeal "
                        "needs 10", resets_at=1.0),
        BudgetExhausted("this run's cap of 10 tokens (--max-tokens) is spent", cap=10),
    ]
    lines = [describe(e) for e in errors]
    plan = estimate("import", {"addDeal": 20_000}, plan_limits("lite"), rows=20_000,
                    bad_rows=0, tokens_left_today=100, max_tokens=50)
    lines += plan.notes
    named = {o for line in lines for o in _OPTION.findall(line)}
    assert {"--wait-for-reset", "--budget-share", "--max-tokens"} <= named, lines
    return named


def test_every_command_that_spends_tokens_takes_the_options_its_budget_advice_names() -> None:
    """resume and retry (and every job and plan command) take --wait-for-reset,
    --budget-share and --max-tokens, which the lines of a spent budget advise."""
    advised = _budget_advice()
    spending = [(path, cmd) for path, cmd in _commands() if "--max-tokens" in _options(cmd)]
    names = {" ".join(path) for path, _ in spending}
    assert {"resume", "retry", "import", "plan import"} <= names, names
    missing = {" ".join(path): sorted(advised - _options(cmd)) for path, cmd in spending
               if advised - _options(cmd)}
    assert not missing, missing


def test_resume_and_retry_accept_wait_for_reset(tmp_path: Path) -> None:
    """`pdbulk resume JOB --wait-for-reset --budget-share 0.5` is no usage error: it gets as
    far as looking for the job."""
    for command in ("resume", "retry"):
        out = CliRunner().invoke(app, [command, "no-such-job", "--job-dir", str(tmp_path),
                                       "--wait-for-reset", "--budget-share", "0.5"])
        assert "No such option" not in out.output
        assert "no job 'no-such-job'" in out.output, out.output


def _literals() -> Iterator[tuple[Path, str]]:
    for root in ("bulk", "jobs", "pdbulk"):
        for path in sorted((_ROOT / root).rglob("*.py")):
            if "sandbox" in path.parts:  # the sandbox's own options (pdbulk sandbox)
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Constant) and isinstance(node.value, str):
                    yield path, node.value


def test_every_option_a_message_names_exists() -> None:
    """Every ``--option`` in the engine's, the job kinds' and the CLI's text is one some
    pdbulk command (or the demo, the sandbox, the benchmarks) takes: no advice names an
    option nothing accepts."""
    known: set[str] = {"--help", "--version"} | _options(typer.main.get_command(app))
    for _, cmd in _commands():
        known |= _options(cmd)
    # the argparse programs: the demo, `python -m bulk.sandbox`, the benchmarks
    for path in [_ROOT / "pdbulk" / "demo.py", *(_ROOT / "bulk" / "sandbox").rglob("*.py"),
                 *(_ROOT / "benchmarks").rglob("*.py")]:
        known |= set(re.findall(r"add_argument\(\s*\"(--[a-z0-9-]+)\"",
                                path.read_text(encoding="utf-8")))
    unknown = {(path.relative_to(_ROOT).as_posix(), o) for path, text in _literals()
               for o in _OPTION.findall(text) if o not in known}
    assert not unknown, sorted(unknown)
