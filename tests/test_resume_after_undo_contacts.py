"""A resume of an upsert whose keys' claims name persons / organizations an earlier import
made and someone deleted since (an undo whose journal this state folder lacks, a
colleague's delete): its re-read looks for their merge survivors with one page of each
list, not one page per contact it will create, and spends its last plan (x43r1 F1: a
resume after `undo --contacts` and two kills read getPersons 243 and getOrganizations 125
pages of one-page lists, 4,037 tokens)."""

from __future__ import annotations

from pathlib import Path

from bulk.sandbox import SandboxConfig
from tests.import_support import loaded_import
from tests.sandbox_helpers import ThreadedSandbox
from tests.test_plan_tokens import TOKEN, cli, resume_tokens, spent
from tests.test_plan_tokens_after_undo import MAPPING, _rows, imported_and_undone


def test_a_resume_looks_for_survivors_of_gone_contacts_with_one_page_a_list(
        tmp_path: Path) -> None:
    """Import 40 rows (a person and an organization each), `undo --contacts`, the undo's
    deleted-records journal removed (as a colleague's delete: not known here); then an
    upsert of the file loaded and stopped before its first write, resumed: its re-read
    reads each gone contact by id (1 token, priced) and lists persons and organizations
    once each (before the fix: 40 pages of each, 1 per contact); the resume spends exactly
    its plan after the re-read."""
    from bulk.claims import state_dir
    from jobs.deleted_records import FILE

    jobs, mapping = tmp_path / "jobs", tmp_path / "m.toml"
    mapping.write_text(MAPPING)
    first = _rows(tmp_path / "a.csv", "A", 40)
    with ThreadedSandbox(SandboxConfig(plan="ultimate", auth="oauth", token=TOKEN, deals=5,
                                       seed=13)) as sb:
        imported_and_undone(sb, jobs, first, mapping)
        (state_dir() / FILE).unlink()  # not this folder's undo: a colleague's delete
        loaded = loaded_import(sb, jobs, first, mapping, auth="oauth")
        before = dict(sb.stats()["requests_by_operation"])
        at = spent(sb)
        resumed = cli(sb, jobs, "resume", loaded, "--job-dir", str(jobs))
        assert resumed.exit_code == 0, resumed.output
        after = sb.stats()["requests_by_operation"]
    read = {op: after.get(op, 0) - before.get(op, 0)
            for op in ("getPersons", "getOrganizations", "addPerson", "addOrganization")}
    assert read["addPerson"] == read["addOrganization"] == 40, read
    assert read["getPersons"] <= 4 and read["getOrganizations"] <= 4, read
    assert spent(sb) - at == resume_tokens(resumed.output), resumed.output
