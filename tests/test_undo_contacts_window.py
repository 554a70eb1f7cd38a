"""`undo --contacts` reads each contact right before its delete (f35f 1).

Pipedrive has no conditional delete: the only guard against deleting a person or an
organization a colleague edits meanwhile is a read right before the delete. The check of
each re-check batch read its contacts by id once, then sent up to a batch of deletes: a
colleague's edit after that read and before its delete was lost. A resume's own pre-check
read only the deals, so its "to delete" counted edited contacts; and `--force` read the
persons of each organization with one call per organization."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from bulk.engine import EngineConfig
from bulk.sandbox import SandboxConfig, serve
from bulk.sandbox.contacts import create_person
from bulk.store import ItemState
from jobs.api import recheck_calls
from jobs.undo import UndoJob
from tests.import_support import api_context, import_once, read_csv
from tests.test_undo import CONTACTS_MAPPING, undoer
from tests.update_support import delta, load_job, requests, run_job, run_priced

ROWS = 20


async def _imported(sb: Any, tmp_path: Path, orgs: int) -> tuple[Any, dict[str, Any]]:
    manifest = tmp_path / "in.csv"
    manifest.write_text("id,title,person,email,org\n" + "".join(
        f"K-{i},Deal {i},Person {i},p{i}@x.example,Org {i % orgs}\n" for i in range(ROWS)))
    mapping = tmp_path / "map.toml"
    mapping.write_text(CONTACTS_MAPPING)
    source, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping)
    return source, {r["key"]: r for r in read_csv(source.directory / "succeeded.csv")}


@pytest.mark.anyio
async def test_a_contact_edited_while_its_batch_is_deleted_is_left(tmp_path: Path) -> None:
    """A colleague renames the tenth imported person the moment the undo's first person
    delete lands (after its batch's check, 2 workers: one batch of 20): it is left as a
    conflict, the rest deleted, and the plan priced the reads (before: deleted, its
    rename lost)."""
    async with serve(SandboxConfig(time_scale=0.02, deals=0, seed=71)) as sb:
        source, rows = await _imported(sb, tmp_path, ROWS)
        last = sorted(int(r["person_id"]) for r in rows.values())[9]
        undo, plan = await load_job(sb, tmp_path, "undo", undoer(source, contacts=True),
                                    max_workers=2)
        assert plan.actions["delete-person"] == ROWS
        config = EngineConfig.from_json(undo.config["engine"])
        priced = Counter(plan.calls) + Counter(recheck_calls(
            undo, UndoJob(), config.max_workers, burst=config.limits().burst))
        save = sb.state.save
        renamed: list[int] = []

        def colleague(kind: str, record: dict[str, Any]) -> Any:
            out = save(kind, record)
            if kind == "person" and record.get("is_deleted") and not renamed \
                    and int(record["id"]) != last:
                renamed.append(last)  # in the same second: the digest tells
                save("person", {**sb.state.persons.rows[last], "name": "Renamed Meanwhile"})
            return out

        sb.state.save = colleague  # type: ignore[method-assign]
        before = requests(sb)
        await run_job(sb, undo)
        spent = delta(before, requests(sb))
        assert renamed == [last]
        assert not sb.state.persons.rows[last]["is_deleted"]  # before: deleted
        assert sb.state.persons.rows[last]["name"] == "Renamed Meanwhile"
        deleted = [p for p in sb.state.persons.rows.values() if p["is_deleted"]]
        assert len(deleted) == ROWS - 1, len(deleted)
        failed = {i.key: str(i.error) for i in undo.items(ItemState.FAILED)}
        assert set(failed) == {f"person {last}"}, failed
        assert "'Renamed Meanwhile'" in failed[f"person {last}"], failed
        # every read priced; the renamed person's delete and its organization's (it
        # holds the kept person) not sent, and the person left read by id
        expected = priced - Counter(deletePerson=1, deleteOrganization=1, getOrganization=1)
        expected["getPersons"] += 1
        assert spent == dict(expected), (spent, dict(priced))
        undo.close()
        source.close()


@pytest.mark.anyio
async def test_a_resume_pre_check_reads_the_contacts_too(tmp_path: Path) -> None:
    """A person renamed while the undo was stopped is a conflict at the resume's own
    pre-check, said on its line and priced by ``reread_calls`` (before: "0 changed", and
    counted "to delete")."""
    async with serve(SandboxConfig(time_scale=0.02, deals=0, seed=72)) as sb:
        source, rows = await _imported(sb, tmp_path, 4)
        undo, _ = await load_job(sb, tmp_path, "undo", undoer(source, contacts=True))
        person = int(rows["K-3"]["person_id"])
        sb.state.save("person", {**sb.state.persons.rows[person], "name": "Renamed"})
        priced = UndoJob().reread_calls(undo)
        assert priced["getPersons"] == 1 and priced["getOrganizations"] == 1, priced
        before = requests(sb)
        async with api_context(sb, tmp_path) as ctx:
            lines = await UndoJob(undo).before_resume(ctx, undo)
        assert delta(before, requests(sb)) == priced, (delta(before, requests(sb)), priced)
        assert any("1 changed since the undo was planned" in line
                   and f"{ROWS + 4 - 1} to delete" in line for line in lines), lines
        failed = {i.key: str(i.error) for i in undo.items(ItemState.FAILED)}
        assert f"person {person}" in failed and "'Renamed'" in failed[f"person {person}"]
        await run_job(sb, undo)
        assert not sb.state.persons.rows[person]["is_deleted"]
        undo.close()
        source.close()


@pytest.mark.anyio
async def test_force_reads_the_persons_of_its_organizations_together(tmp_path: Path) -> None:
    """`--force` checks the organizations it deletes for persons in one list read, not one
    ``GET persons?org_id=`` each (before: 4 calls for 4 organizations), and still keeps
    one a colleague's person belongs to."""
    async with serve(SandboxConfig(time_scale=0.02, deals=0, seed=73)) as sb:
        source, rows = await _imported(sb, tmp_path, 4)
        held = int(rows["K-2"]["org_id"])
        create_person(sb.state, {"name": "Colleague", "org_id": held})
        undo, plan = await load_job(sb, tmp_path, "undo",
                                    undoer(source, contacts=True, force=True))
        # the plan reads their persons now (one list read) and keeps the one held
        assert plan.actions["delete-org"] == 3, plan.actions
        before = requests(sb)
        await run_job(sb, undo)
        spent = delta(before, requests(sb))
        assert spent.get("getPersons") == 1, spent  # before: 4
        assert not sb.state.orgs.rows[held]["is_deleted"]
        assert sum(o["is_deleted"] for o in sb.state.orgs.rows.values()) == 3
        undo.close()
        source.close()


@pytest.mark.anyio
async def test_force_plan_prices_the_persons_reads_exactly(tmp_path: Path) -> None:
    """x35r1: `plan undo --force --contacts` priced one persons read per organization (20
    here) where the run read one list per batch, the cheaper of the two, which the plan
    could not know. Its plan reads the organizations' persons now (the cheaper way) and
    the run only those changed since, one call a batch: plan = run, and an organization a
    colleague's person joined before the plan, or after it, is still kept."""
    async with serve(SandboxConfig(time_scale=0.02, deals=0, seed=74)) as sb:
        source, rows = await _imported(sb, tmp_path, ROWS)
        held, joined = int(rows["K-2"]["org_id"]), int(rows["K-7"]["org_id"])
        create_person(sb.state, {"name": "Colleague", "org_id": held})
        undo, plan = await load_job(sb, tmp_path, "undo",
                                    undoer(source, contacts=True, force=True))
        assert plan.actions["delete-org"] == ROWS - 1, plan.actions  # held: kept at the plan
        create_person(sb.state, {"name": "Later", "org_id": joined})
        spent, priced = await run_priced(sb, undo, plan)
        priced["deleteOrganization"] -= 1  # the one a person joined after the plan: kept
        assert spent == {op: n for op, n in priced.items() if n}, (spent, dict(priced))
        assert spent["getPersons"] == 1, spent  # one batch of organizations; before: 20 priced
        kept = [i.key for i in undo.items() if (i.result or {}).get("action") == "kept"]
        assert kept == [f"org {joined}"], kept
        assert not sb.state.orgs.rows[held]["is_deleted"]
        assert sum(o["is_deleted"] for o in sb.state.orgs.rows.values()) == ROWS - 2
        undo.close()
        source.close()
