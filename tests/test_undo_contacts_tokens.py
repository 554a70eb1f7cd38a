"""f24a 1: `pdbulk undo --contacts` of an import spent ~90 % of its tokens on reads: right
before each 3-token person / organization delete it read the deals and the archived deals
filtered by that contact (10 + 20 tokens), and an organization's persons (10 more). The
carrier check is one read per re-check batch now (what changed since the plan, and what
this run left), priced by the plan, and stays safe."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulk.operations import get_operation
from bulk.sandbox import SandboxConfig, serve
from bulk.sandbox.contacts import create_person
from bulk.store import ItemState
from tests.import_support import import_once, read_csv
from tests.test_undo import CONTACTS_MAPPING, someone_edits, undoer
from tests.update_support import delta, load_job, requests, run_job, run_priced

ROWS = 60
ORGS = 20


def _tokens(calls: dict[str, int]) -> int:
    return sum(get_operation(op).token_cost * n for op, n in calls.items())


@pytest.mark.anyio
async def test_undo_contacts_checks_carriers_once_a_batch_and_the_plan_prices_it(
        tmp_path: Path) -> None:
    """Undo --contacts of a 60-row import (60 persons, 20 organizations) deletes every deal,
    person and organization with at most ~4 reads per re-check batch — not 2 reads per
    contact plus one per organization (before: 82 getDeals + 80 getArchivedDeals + 20
    getPersons, 2,620 tokens of reads of 3,040; now 120 of 540) — and the plan prices
    the run's calls exactly."""
    async with serve(SandboxConfig(time_scale=0.02, deals=0, seed=53)) as sb:
        manifest = tmp_path / "in.csv"
        manifest.write_text("id,title,person,email,org\n" + "".join(
            f"K-{i},Deal {i},Person {i},p{i}@x.example,Org {i % ORGS}\n" for i in range(ROWS)))
        mapping = tmp_path / "map.toml"
        mapping.write_text(CONTACTS_MAPPING)
        source, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping)
        undo, plan = await load_job(sb, tmp_path, "undo", undoer(source, contacts=True))
        assert plan.actions["delete-person"] == ROWS and plan.actions["delete-org"] == ORGS
        spent, priced = await run_priced(sb, undo, plan)
        assert undo.counts()[ItemState.DONE] == ROWS + ROWS + ORGS, undo.counts()
        assert all(p["is_deleted"] for p in sb.state.persons.rows.values())
        assert all(o["is_deleted"] for o in sb.state.orgs.rows.values())
        reads = {op: n for op, n in spent.items() if op.startswith("get")}
        # before: getDeals 82, getArchivedDeals 80, getPersons 20 (2,620 tokens)
        assert _tokens(reads) <= 200, spent
        assert spent == {op: n for op, n in priced.items() if n}, (spent, dict(priced))
        undo.close()
        source.close()


@pytest.mark.anyio
async def test_undo_contacts_keeps_contacts_a_deal_gained_while_it_ran(tmp_path: Path) -> None:
    """Safety, with the batched check: a colleague links an older deal to one imported
    person and another to one imported organization after the plan (no resume, no
    prompt): both are kept, with that deal named; everything else goes."""
    async with serve(SandboxConfig(time_scale=0.02, deals=3, seed=54)) as sb:
        older = sorted(d["id"] for d in sb.state.deals.rows.values() if not d["is_deleted"])
        manifest = tmp_path / "in.csv"
        manifest.write_text("id,title,person,email,org\n" + "".join(
            f"K-{i},Deal {i},Person {i},p{i}@x.example,Org {i}\n" for i in range(6)))
        mapping = tmp_path / "map.toml"
        mapping.write_text(CONTACTS_MAPPING)
        source, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping)
        rows = {r["key"]: r for r in read_csv(source.directory / "succeeded.csv")}
        undo, plan = await load_job(sb, tmp_path, "undo", undoer(source, contacts=True))
        assert plan.actions["delete-person"] == 6 and plan.actions["delete-org"] == 6
        person, org = int(rows["K-1"]["person_id"]), int(rows["K-4"]["org_id"])
        someone_edits(sb, older[0], person_id=person)
        # an archived deal of a colleague's, linked to an organization (the archived list)
        someone_edits(sb, older[1], org_id=org, is_archived=True)
        await run_job(sb, undo)
        assert not sb.state.persons.rows[person]["is_deleted"]
        assert not sb.state.orgs.rows[org]["is_deleted"]
        # Person 1's organization holds a person this undo keeps: kept with it
        assert not sb.state.orgs.rows[int(rows["K-1"]["org_id"])]["is_deleted"]
        for key in ("K-0", "K-2", "K-3", "K-5"):
            assert sb.state.persons.rows[int(rows[key]["person_id"])]["is_deleted"], key
        for key in ("K-0", "K-2", "K-3", "K-5"):
            assert sb.state.orgs.rows[int(rows[key]["org_id"])]["is_deleted"], key
        kept = {(i.op, i.result.get("carries_deal"), i.result.get("holds_person"))
                for i in undo.items() if (i.result or {}).get("action") == "kept"}
        assert kept == {("delete-person", older[0], None), ("delete-org", older[1], None),
                        ("delete-org", None, person)}, kept
        undo.close()
        source.close()


@pytest.mark.anyio
async def test_undo_contacts_plan_reads_the_persons_of_its_organizations_in_one_list(
        tmp_path: Path) -> None:
    """x34r4 F4: the plan of undo --contacts read the persons once per organization it
    deletes (``GET persons?org_id=``, 10 tokens each: 20 organizations, 20 calls; 1,000,
    ~10,000 tokens). One list read of the persons (10 tokens per 500) answers for them all
    when it is cheaper; an organization holding a colleague's person is still kept."""
    async with serve(SandboxConfig(time_scale=0.02, deals=0, seed=55)) as sb:
        manifest = tmp_path / "in.csv"
        manifest.write_text("id,title,person,email,org\n" + "".join(
            f"K-{i},Deal {i},Person {i},p{i}@x.example,Org {i % ORGS}\n" for i in range(ROWS)))
        mapping = tmp_path / "map.toml"
        mapping.write_text(CONTACTS_MAPPING)
        source, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping)
        rows = {r["key"]: r for r in read_csv(source.directory / "succeeded.csv")}
        held = int(rows["K-3"]["org_id"])
        create_person(sb.state, {"name": "Colleague", "org_id": held})
        before = requests(sb)
        undo, plan = await load_job(sb, tmp_path, "undo", undoer(source, contacts=True))
        spent = delta(before, requests(sb))
        assert plan.actions["delete-org"] == ORGS - 1, plan.actions
        assert any(i.key == f"org {held}" and "holds person 'Colleague'" in str(i.error)
                   for i in undo.items(ItemState.FAILED)), list(undo.items(ItemState.FAILED))
        # before: 21 (1 by ids + 20 per organization); now 1 by ids + 1 list page
        assert spent["getPersons"] == 2, spent
        undo.close()
        source.close()


@pytest.mark.anyio
async def test_undo_contacts_costs_the_same_per_contact_at_any_workers(tmp_path: Path) -> None:
    """x35r1 F6: the contact deletes' re-check batches shrank with the workers (16 at 1-2
    workers, 40 at 8 and more on Growth), and each batch reads the deals and archived
    deals changed since (30 tokens): ~25 % more tokens a contact at 1-2 workers. Their
    batches are one window's burst at any workers now: at 1 and at 4 workers the contacts'
    reads are the same, and each run spends exactly what its plan priced."""
    rows, orgs = 80, 20
    reads: dict[int, dict[str, int]] = {}
    for workers in (1, 4):
        async with serve(SandboxConfig(time_scale=0.02, deals=0, seed=56)) as sb:
            root = tmp_path / f"w{workers}"
            root.mkdir()
            manifest = root / "in.csv"
            manifest.write_text("id,title,person,email,org\n" + "".join(
                f"K-{i},Deal {i},Person {i},p{i}@x.example,Org {i % orgs}\n"
                for i in range(rows)))
            mapping = root / "map.toml"
            mapping.write_text(CONTACTS_MAPPING)
            source, _, _ = await import_once(sb, root / "jobs", manifest, mapping)
            undo, plan = await load_job(sb, root, "undo", undoer(source, contacts=True),
                                        max_workers=workers)
            spent, priced = await run_priced(sb, undo, plan)
            assert undo.counts()[ItemState.DONE] == rows + rows + orgs, undo.counts()
            assert spent == {op: n for op, n in priced.items() if n}, (workers, spent)
            reads[workers] = {op: spent.get(op, 0) for op in (
                "getArchivedDeals", "getPersons", "getPerson", "getOrganization")}
            undo.close()
            source.close()
    # one batch of 40 (Growth's burst) per 40 persons, then per 40 organizations; before:
    # 5 + 2 batches at 1 worker (16 a batch), 3 + 1 at 4 (32), 210 tokens against 90
    assert reads[1] == reads[4] == {"getArchivedDeals": 3, "getPersons": 1, "getPerson": rows,
                                    "getOrganization": orgs}, reads
