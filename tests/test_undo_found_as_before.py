"""What an undo says of deals and contacts already as before the job (x45r9 F2 to F4): a deal
an earlier undo put back in part whose last group a later undo found already as before
the job counts as put back (F2: "1 of them in part" stayed, and "nothing to undo … undone
by … in part" contradicted itself); "already as before the job" names the groups (F3);
contacts an earlier undo deleted are said deleted by that undo job, not "gone since … by
someone", and `plan undo --json` of a further undo with nothing to send has the "status"
its run's `--json` has (F4)."""

from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import Any

import orjson
from typer.testing import CliRunner

from bulk.sandbox import SandboxConfig
from bulk.store import ItemState, JobStore, NewItem, Outcome
from jobs.prepared import Prepared
from pdbulk.cli import app
from tests.test_undo_further_groups import MAPPING, _InPart
from tests.update_support import cli_args, deal, threaded_sandbox


def test_a_group_found_as_before_makes_the_deal_put_back(tmp_path: Path) -> None:
    """F2: the colleague's title on deal 1 (left by the first undo) set back to the one
    from before the job: the further undo finds nothing to undo, and it and `status` say
    2 deals put back, none of them in part; `plan undo --json` says so with its status."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=3, seed=7)) as sb:
        p = _InPart(sb, tmp_path)
        assert "1 of them in part" in p.after_first.output, p.after_first.output
        p.colleague(1, title=p.original[1]["title"])
        planned = p.cli("plan", "undo", p.job, "--json")
        again = p.cli("undo", p.job, "--yes")
        after = p.status()
    assert planned.exit_code == 0, planned.output
    said = orjson.loads(planned.stdout)
    assert again.exit_code == 0, again.output
    for out in (again.output, after.output, str(said.get("note"))):
        assert "(2 deal(s) put back)" in out and "in part" not in out, out
    assert said.get("status") == "nothing to undo", said  # F4: as `undo --json` says


def test_already_as_before_names_the_groups(tmp_path: Path) -> None:
    """F3: deal 1 set back by a colleague to its title and value from before the update:
    the undo's row for it says which groups it found so."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=3, seed=7)) as sb:
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}

        def cli(*argv: str) -> Any:
            return CliRunner().invoke(app, [*argv, *cli_args(sb, tmp_path / "jobs")], env=env)
        original = deal(sb, 1)
        (tmp_path / "u.csv").write_text("Deal,Title,Value\n1,JOB-1,1001\n2,JOB-2,1002\n")
        (tmp_path / "m.toml").write_text(MAPPING)
        assert cli("update", str(tmp_path / "u.csv"), "-m", str(tmp_path / "m.toml")
                   ).exit_code == 0
        (job,) = sorted(d.name for d in (tmp_path / "jobs").iterdir())
        sb.state.save("deal", {**deal(sb, 1), "title": original["title"],
                               "value": original["value"], "update_time": sb.state.now_iso()})
        undone = cli("undo", job, "--yes")
    assert undone.exit_code == 0, undone.output
    folder = next(d for d in (tmp_path / "jobs").iterdir() if d.name != job)
    with (folder / "succeeded.csv").open(newline="", encoding="utf-8-sig") as f:
        notes = {r["deal_id"]: r["note"] for r in csv.DictReader(f)}
    assert notes["1"] == "already as before the job (title, the amount with its currency)", \
        notes


def test_contacts_an_earlier_undo_deleted_are_said_so(tmp_path: Path) -> None:
    """F4: of the persons / organizations found gone, those an earlier undo of the import
    deleted are said deleted by that undo job; the others gone since by someone."""
    from jobs.undo.plan import _already_gone
    from jobs.undo.targets import META_UNDOS, contacts_deleted_by_undos

    source = JobStore.create(tmp_path / "imp", job_id="imp", kind="import", config={})
    undo = JobStore.create(tmp_path / "u1", job_id="u1", kind="undo", config={})
    try:
        undo.add_items([NewItem(row=None, key="person 5", op="delete-person",
                                payload={"person_id": 5}),
                        NewItem(row=None, key="org 8", op="delete-org", payload={"org_id": 8})])
        ids = [i.id for i in undo.items(ItemState.PENDING)]
        undo.mark_sending(ids, 0.0)
        undo.record([Outcome(i, ItemState.DONE, result={"action": "deleted"}) for i in ids])
        source.meta_put(META_UNDOS, [{"job": "u1", "directory": str(undo.directory)}])
        by_undo = contacts_deleted_by_undos(source)
        assert by_undo == {("person", 5): "u1", ("org", 8): "u1"}, by_undo
        prep = Prepared("undo")
        free = {"person": [5, 6], "org": [8]}
        _already_gone(prep, free, {}, by_undo)
        assert free == {"person": [], "org": []}
        assert prep.notes == [
            "1 person(s) and 1 organization(s) the import created were deleted by undo job "
            "u1: nothing to delete",
            "1 person(s) and 0 organization(s) the import created are gone since (deleted, "
            "or merged into another by someone): nothing to delete"], prep.notes
    finally:
        undo.close()
        source.close()


def test_undo_help_and_readme_name_the_kinds_undo_takes() -> None:
    """F4: `pdbulk undo --help` and the README's "undo JOB works on …" name every kind
    ``check_source`` takes (``UNDOABLE``: the README named no dedupe) and say a merge's
    are final."""
    import re

    from jobs.undo.targets import UNDOABLE

    shown = CliRunner().invoke(app, ["undo", "--help"], env={**os.environ, "COLUMNS": "200"})
    helped = " ".join(re.sub(r"[│╭╮╰╯─]", " ", shown.output).split())
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    works = " ".join(readme.split("**undo JOB** works on", 1)[1].split(" jobs", 1)[0].split())
    for kind in UNDOABLE:
        assert kind in works, works
        assert kind in helped.split("as a new job")[0], helped
    assert "merges are final" in helped and "merges are final" in " ".join(
        readme.split("**undo JOB** works on", 1)[1][:400].split())


def test_a_second_undo_says_which_undo_deleted_the_contacts(tmp_path: Path) -> None:
    """F4: an import's first `undo --contacts` deletes Sam Two and Org Two and leaves Pat
    One, edited since, as a conflict; the second (`--force`) says, in its plan and its
    run, that the first undo deleted those two — not "gone since … by someone"."""
    from tests.test_plan_undo_contacts_exit import MAPPING as IMPORT_MAPPING

    (tmp_path / "in.csv").write_text("id,title,person,email,org\n"
                                     "A-1,First,Pat One,pat@x.example,Org One\n"
                                     "A-2,Second,Sam Two,sam@x.example,Org Two\n")
    (tmp_path / "map.toml").write_text(IMPORT_MAPPING)
    with threaded_sandbox(SandboxConfig(time_scale=0.02, deals=0, seed=43)) as sb:
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token,
               "PDBULK_STATE_DIR": str(tmp_path / "state")}

        def cli(*argv: str) -> Any:
            return CliRunner().invoke(app, [*argv, *cli_args(sb, tmp_path / "jobs")], env=env)
        assert cli("import", str(tmp_path / "in.csv"), "--mapping", str(tmp_path / "map.toml"),
                   "--yes", "--create-key-field").exit_code == 0
        [job] = [p.name for p in (tmp_path / "jobs").iterdir() if "import" in p.name]
        pat = next(pid for pid, p in sb.state.persons.rows.items() if p["name"] == "Pat One")
        sb.state.save("person", {**sb.state.persons.rows[pat], "name": "Pat (edited)",
                                 "update_time": "2031-01-01T00:00:00Z"})
        first = cli("undo", job, "--contacts", "--yes")
        assert first.exit_code == 3, first.output
        [u1] = [p.name for p in (tmp_path / "jobs").iterdir() if "undo" in p.name]
        planned = cli("plan", "undo", job, "--contacts", "--force")
        second = cli("undo", job, "--contacts", "--force", "--yes")
    assert ("1 person(s) and 1 organization(s) the import created were deleted by undo job "
            f"{u1}: nothing to delete") in planned.output, planned.output
    assert "by someone" not in planned.output, planned.output
    assert second.exit_code == 0, second.output
    assert f"1 already gone (1 deleted by undo job {u1})" in second.output, second.output
    assert "by someone" not in second.output, second.output
