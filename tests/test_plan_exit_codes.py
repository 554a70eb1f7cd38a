"""The exit code 3 of the `plan` commands: one rule, the README's (x24r2 5: `plan undo`,
`plan move-stage`, `plan merge` exit 3 where the table named `plan import` / `plan
update` only)."""

from __future__ import annotations

import re
from pathlib import Path

from pdbulk.cli import COMMANDS, plan_app

README = Path(__file__).resolve().parent.parent / "README.md"


def test_the_exit_code_table_names_every_plan_command_that_exits_3() -> None:
    """Each `plan X` command that exits 3 on rows that would fail (every one but `plan
    dedupe`, which prices a dedupe run) is named in the row of exit code 3."""
    (row,) = [line for line in README.read_text().splitlines() if line.startswith("| 3 |")]
    named = set(re.findall(r"`plan ([a-z-]+)`", row))
    plans = {name for typer_app, name, _ in COMMANDS if typer_app is plan_app}
    assert plans - {"dedupe"} <= named, sorted(plans - named)
    assert "`plan dedupe`" in row and "never exits 3" in row


def test_no_readme_example_chains_a_plan_that_exits_3_on_conflicts() -> None:
    """x26r2 3: README's `pdbulk plan undo J && pdbulk undo J` never ran the undo when a
    deal was a conflict (the plan exits 3 then, as documented). No example chains a plan
    to its job with `&&`; the exit-code row says what `&&` does and how a script runs the
    job on 0 or 3."""
    text = README.read_text()
    chained = re.findall(r"pdbulk plan [a-z-]+ [^\n;|&]*&& *pdbulk", text)
    assert not chained, chained
    (row,) = [line for line in text.splitlines() if line.startswith("| 3 |")]
    assert "&&" in row and "[ $? -le 3 ]" in row
