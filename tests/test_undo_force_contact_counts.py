"""x44r4 F7: `undo --contacts --force`'s plan counted a person someone deleted since the
import (a colleague, or an earlier undo) as one to delete, where its run found it gone
("already gone"): plan 10 persons, run 1 deleted + 9 gone. The plan reads the contacts by
id with --force too and counts them as the run does (``plan._already_gone``); a person a
colleague edited is still deleted (--force)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from bulk.sandbox import SandboxConfig
from tests.sandbox_helpers import ThreadedSandbox
from tests.test_plan_tokens import TOKEN, cli, engine

MAPPING = """version = 1
[import]
key_column = "key"
[deal]
title = "title"
[person]
name = "person"
email = "email"
[organization]
name = "org"
"""


def _figures(output: str, what: str) -> dict[str, int]:
    """The ``rows by action`` figures of a plan / run's output whose action names ``what``."""
    line = next(x for x in output.splitlines() if x.startswith("rows by action:"))
    return {name.strip(): int(n) for name, n in re.findall(r"([a-z -]+) (\d+)", line.split(":", 1)[1])
            if what in name}


def _live(box: Any) -> list[str]:
    return sorted(p["name"] for p in box.state.persons.rows.values()
                  if not p["is_deleted"] and str(p["name"]).startswith("Pers"))


def test_force_plan_counts_the_persons_gone_since_as_its_run_does(tmp_path: Path) -> None:
    """10 persons imported; a colleague deletes Pers 1 and edits Pers 3: the --force plan
    says 9 to delete and 1 gone, and its run deletes 9 and finds 1 gone (before: the plan
    said 10 to delete)."""
    config = SandboxConfig(plan="ultimate", auth="oauth", token=TOKEN, seed=9)
    with ThreadedSandbox(config) as box:
        jobs, mapping, manifest = tmp_path / "jobs", tmp_path / "m.toml", tmp_path / "in.csv"
        mapping.write_text(MAPPING)
        manifest.write_text("key,title,person,email,org\n" + "".join(
            f"k{i},Deal {i},Pers {i},p{i}@x.example,Org {i % 4}\n" for i in range(10)))
        done = cli(box, jobs, "import", str(manifest), "--mapping", str(mapping),
                   "--create-key-field", *engine(box, jobs))
        assert done.exit_code == 0, done.output
        (job,) = jobs.iterdir()
        person = {p["name"]: p for p in box.state.persons.rows.values()}
        box.state.save("person", {**person["Pers 1"], "is_deleted": True,
                                  "update_time": "2031-01-01T00:00:00Z"})
        box.state.save("person", {**person["Pers 3"], "name": "Pers 3 (edited)",
                                  "update_time": "2031-01-01T00:00:00Z"})
        args = ["undo", job.name, "--contacts", "--force"]
        plan = cli(box, jobs, "plan", *args, "--job-dir", str(jobs), "--plan", "ultimate",
                   "--oauth")
        assert plan.exit_code == 0, plan.output
        assert _figures(plan.output, "person") == {"already gone-person": 1,
                                                   "delete-person": 9}, plan.output
        run = cli(box, jobs, *args, "--yes", *engine(box, jobs))
        assert run.exit_code == 0, run.output
        assert "persons: 9 deleted, 1 already gone" in run.output, run.output
        assert _live(box) == []
