"""x50r4 F4: a deal archived since an update is a conflict of its undo in every line —
``plan undo``'s rows line and ``rows by action`` counted it as one, its "left alone" note
and the undo's own "N conflicts (of the failed)" left it out (3 vs 2 of 3 edited)."""

from __future__ import annotations

import re
from pathlib import Path

from bulk.sandbox import Sandbox
from tests.test_inflight_conflicts import cli, edit, live, load_update, sb
from tests.update_support import cli_args

__all__ = ["sb"]


def test_an_archived_deal_is_one_conflict_in_every_line(sb: Sandbox, tmp_path: Path) -> None:
    """An update of 4 deals; then a colleague edits 2 and archives 1. plan undo: 3
    conflicts in the rows line, in ``rows by action`` and in the "left alone" note (which
    names the archived deal, left even by --force); the undo says 3 conflicts too."""
    jobs = tmp_path / "jobs"
    a, b, c, d = live(sb)[:4]
    for deal_id in (a, b, c, d):
        edit(sb, deal_id, when="2030-01-01T00:00:00Z", value=100)
    load_update(sb, tmp_path, jobs, {a: 5199, b: 5299, c: 5399, d: 5499})
    ran = cli(sb, "resume", "upd", "--job-dir", str(jobs))
    assert ran.exit_code == 0, ran.output
    edit(sb, a, value=7777)
    edit(sb, b, value=8888)
    edit(sb, c, is_archived=True)
    plan = cli(sb, "plan", "undo", "upd", *cli_args(sb, jobs))
    text = " ".join(plan.output.split())
    assert "3 conflicts: left alone" in text, text
    assert re.search(r"rows by action: conflict 3\b", text), text
    note = re.search(r"(\d+) deal\(s\) left alone \(([\d, ]+)\)", text)
    assert note is not None, text
    assert (note[1], sorted(note[2].split(", "))) == ("3", sorted(map(str, (a, b, c)))), text
    assert f"deal {c} was archived since the job changed it" in text, text
    assert "--force overwrites 2 of them" in text and "leaves 1" in text, text
    undone = cli(sb, "undo", "upd", "--yes", *cli_args(sb, jobs))
    assert undone.exit_code == 3, undone.output
    assert "3 conflicts (of the failed)" in " ".join(undone.output.split()), undone.output
