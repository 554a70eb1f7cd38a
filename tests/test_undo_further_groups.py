"""A further `pdbulk undo` works only on the field groups the earlier undo(s) did not put
back (x45r4 F2): an update wrote deal 1's title and value, a colleague renamed it, the first
undo put the value back and kept their title (`restored in part`), then the colleague set the
value to 999. The second undo names only the title in its conflict (not "value: job's 1001,
now 999"), and `--force` puts the title back and leaves their 999 (it wrote the before-image
47200 over it); a deal the first undo put back wholly is done, whatever it holds now."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import orjson
from typer.testing import CliRunner

from bulk.sandbox import Sandbox, SandboxConfig
from pdbulk.cli import app
from tests.update_support import cli_args, deal, threaded_sandbox

MAPPING = 'version = 1\n[update]\nid_column = "Deal"\n[deal]\ntitle = "Title"\nvalue = "Value"\n'


class _InPart:
    """An update of deals 1 and 2 (title, value), a colleague's rename of deal 1, its first
    undo (deal 1 restored in part: value put back, title kept; deal 2 put back), then the
    colleague's value 999 on deal 1 and 555 on deal 2."""

    def __init__(self, sb: Sandbox, tmp: Path) -> None:
        self.sb, self.runner = sb, CliRunner()
        self.env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        self.args = cli_args(sb, tmp / "jobs")
        self.original = {i: deal(sb, i) for i in (1, 2)}
        (tmp / "u.csv").write_text("Deal,Title,Value\n1,JOB-1,1001\n2,JOB-2,1002\n")
        (tmp / "m.toml").write_text(MAPPING)
        ran = self.cli("update", str(tmp / "u.csv"), "-m", str(tmp / "m.toml"))
        assert ran.exit_code == 0, ran.output
        (self.job,) = sorted(p.name for p in (tmp / "jobs").iterdir())
        self.colleague(1, title="COLLEAGUE-1")
        first = self.cli("undo", self.job, "--yes")
        assert first.exit_code == 0, first.output
        assert "restored in part" in first.output, first.output
        one = deal(sb, 1)
        assert (one["title"], one["value"]) == ("COLLEAGUE-1", self.original[1]["value"])
        self.after_first = self.status()
        self.colleague(1, value=999)
        self.colleague(2, value=555)

    def cli(self, *argv: str) -> Any:
        return self.runner.invoke(app, [*argv, *self.args], env=self.env)

    def status(self) -> Any:
        return self.runner.invoke(app, ["status", self.job, *self.args[2:4]], env=self.env)

    def colleague(self, deal_id: int, **fields: Any) -> None:
        self.sb.state.save("deal", {**deal(self.sb, deal_id), **fields,
                                    "update_time": self.sb.state.now_iso()})


def test_a_group_put_back_is_no_conflict(tmp_path: Path) -> None:
    """Without --force: the conflict names the title only; the value the first undo put
    back is no conflict; deal 2, put back wholly, is done (no conflict for its 555)."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=3, seed=7)) as sb:
        p = _InPart(sb, tmp_path)
        planned = p.cli("plan", "undo", p.job)
        again = p.cli("undo", p.job, "--yes")
        one, two = deal(sb, 1), deal(sb, 2)
    for ran in (planned, again):
        assert ran.exit_code == 3, ran.output
        assert "title: job's 'JOB-1', now 'COLLEAGUE-1'" in ran.output, ran.output
        assert "value: job's" not in ran.output, ran.output
        assert "1 conflict" in ran.output and "deal 2" not in ran.output, ran.output
        # no job is made, so no failed.csv: the plan says where the reasons are (f45e)
        assert "in failed.csv" not in ran.output, ran.output
        assert "no job is made, so no failed.csv" in ran.output, ran.output
    assert (one["title"], one["value"]) == ("COLLEAGUE-1", 999)
    assert two["value"] == 555


def test_force_never_overwrites_a_group_put_back(tmp_path: Path) -> None:
    """With --force: the title (left by the first undo) is put back, the colleague's 999
    set after the first undo stays, and deal 2's 555 too; the plan names one overwrite."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=3, seed=7)) as sb:
        p = _InPart(sb, tmp_path)
        planned = p.cli("plan", "undo", p.job, "--force")
        forced = p.cli("undo", p.job, "--yes", "--force")
        one, two = deal(sb, 1), deal(sb, 2)
    assert planned.exit_code == 0, planned.output
    assert "--force: 1 of the deal writes overwrite" in planned.output, planned.output
    assert forced.exit_code == 0, forced.output
    assert (one["title"], one["value"]) == (p.original[1]["title"], 999)
    assert two["value"] == 555 and two["title"] == p.original[2]["title"]


def test_undone_by_counts_each_deal_once(tmp_path: Path) -> None:
    """`status` says how many deals the undos put back, each once, those put back only in
    part said apart (x45r4 F4c: "U1 (6 deal(s) put back) and U2 (1 deal(s) put back)" of
    6 deals, one of them only in part after U1)."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=3, seed=7)) as sb:
        p = _InPart(sb, tmp_path)
        assert p.cli("undo", p.job, "--yes", "--force").exit_code == 0
        after = p.status()
    assert "(2 deal(s) put back, 1 of them in part)" in p.after_first.output, \
        p.after_first.output
    assert " and job " in after.output and "(2 deal(s) put back)" in after.output, \
        after.output


def test_library_and_cli_say_one_status(tmp_path: Path) -> None:
    """A further undo that makes no job: the library's ``Finished.status`` is the CLI's
    ``--json`` "status" — "not made" while a conflict is left, "nothing to undo" once none
    is (x45r4 F4d: the library said "not made" for both)."""
    import anyio

    from jobs import run_job, undo_job
    from tests.import_support import engine_config

    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=3, seed=7)) as sb:
        p = _InPart(sb, tmp_path)
        cfg = engine_config(sb, tmp_path / "jobs")

        def both() -> tuple[str, str]:
            lib = anyio.run(lambda: run_job(cfg, sb.token, undo_job(
                p.job, job_root=tmp_path / "jobs")))
            cli = p.cli("undo", p.job, "--yes", "--json")
            return lib.status, str(orjson.loads(cli.stdout)["status"])

        left = both()
        p.colleague(1, title=p.original[1]["title"])
        none_left = both()
    assert left == ("not made", "not made"), left
    assert none_left == ("nothing to undo", "nothing to undo"), none_left


def test_undone_by_says_each_deal_as_it_was_undone(tmp_path: Path) -> None:
    """An upsert's undo restores the deals the import updated and deletes the ones it made:
    `status` says both, by each row, not by the job's kind (x45r9 F1: "3 deal(s) deleted"
    of 1 deleted and 2 restored); a deal put back in part by one undo and wholly by the
    next is put back."""
    from bulk.store import ItemState, JobStore, NewItem, Outcome
    from jobs.undo.targets import META_UNDOS, RESTORED_IN_PART, _undone_by

    def undo(name: str, rows: list[tuple[str, int, str]]) -> dict[str, str]:
        s = JobStore.create(tmp_path / name, job_id=name, kind="undo", config={})
        s.add_items([NewItem(n, f"k{n}", op, {"deal_id": deal})
                     for n, (op, deal, _) in enumerate(rows, start=1)])
        items = list(s.items())
        s.mark_sending([i.id for i in items], 0.0)
        s.record([Outcome(i.id, ItemState.DONE, result={"action": action})
                  for i, (_, _, action) in zip(items, rows, strict=True)])
        s.close()
        return {"job": name, "directory": str(tmp_path / name)}

    job = JobStore.create(tmp_path / "imp", job_id="imp", kind="import", config={})
    try:
        job.meta_put(META_UNDOS, [
            undo("U1", [("restore", 1, RESTORED_IN_PART), ("restore", 2, "restored"),
                        ("delete", 3, "deleted")]),
            undo("U2", [("restore", 1, "restored")])])
        said = _undone_by(job)
    finally:
        job.close()
    assert said == "job U1 and job U2 (1 deal(s) deleted; 2 deal(s) put back)", said
