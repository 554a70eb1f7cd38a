"""What the undo says of a link the job wrote that was merged away since is what happened
(x40r6 F1, F4). A name-only person of the import merged into a colleague's person, then its
deal's organization merged a second later: the person's trace (by the deals moved in its
second) finds nothing, as the later merge moved the deal again — the deal is left, a
conflict (no guess), and its reason names that later merge, not an A→B→C chain that never
happened. A colleague's organization the import found by name is not "(the job's)"."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulk.sandbox import SandboxConfig, serve
from bulk.sandbox.contacts import create_org, create_person
from bulk.sandbox.merge import merge
from tests.test_undo import undoer
from tests.test_undo_merged_org import _later
from tests.test_undo_merges_one_second import _Frozen, _import, _one_second
from tests.update_support import load_job, run_job

CHAIN = "(A into B, then B into C)"


@pytest.mark.anyio
async def test_a_person_merged_then_its_deals_org_merged_is_worded_as_it_happened(
        tmp_path: Path) -> None:
    """Person 1 (a name alone) merged into Hugo, Org One into Acme two seconds later: A-1
    is left (a conflict, as before), its reason names the organization's merge that moved
    the deal again, no chain; the rest of the import is undone."""
    async with serve(SandboxConfig(time_scale=0.02, deals=0, seed=71)) as sb:
        source, rows = await _import(sb, tmp_path, email=False)
        hugo = create_person(sb.state, {"name": "Hugo"})["id"]
        acme = create_org(sb.state, {"name": "Acme"})["id"]
        p1, one = int(rows["A-1"]["person_id"]), int(rows["A-1"]["org_id"])
        with _one_second(sb):
            merge(sb.state, "person", p1, {"merge_with_id": hugo})
            sb.state.clock = _Frozen(sb.state.clock.clock, 4.0)
            merge(sb.state, "organization", one, {"merge_with_id": acme})
        undo, plan = await load_job(sb, tmp_path, "undo", undoer(source, contacts=True))
        (reason,) = [i.error for i in plan.items if i.error]
        assert reason is not None and reason.startswith("conflict:"), reason
        assert CHAIN not in reason, reason
        assert f"its person {p1} (the job's) is gone since" in reason, reason
        assert "the deal changed again at" in reason and f"when its organization {one} " \
            f"was merged into organization {acme}" in reason, reason
        assert f"nothing ties person {p1} to person {hugo} the deal names now" in reason
        await run_job(sb, undo)
        left = [k for k, r in rows.items()
                if not sb.state.deals.rows[int(r["deal_id"])]["is_deleted"]]
        assert left == ["A-1"], left  # safe: no guess
        assert sb.state.deals.rows[int(rows["A-1"]["deal_id"])]["person_id"] == hugo
        undo.close()
        source.close()


@pytest.mark.anyio
async def test_a_person_deleted_with_the_deal_untouched_since_is_no_chain(
        tmp_path: Path) -> None:
    """Person 1 (a name alone) deleted, the deal then put on Hugo by a colleague in that
    same second: nothing traces it; the reason rules a later merge out (the deal has not
    changed since), not "A into B, then B into C"."""
    async with serve(SandboxConfig(time_scale=0.02, deals=0, seed=72)) as sb:
        source, rows = await _import(sb, tmp_path, email=False)
        hugo = create_person(sb.state, {"name": "Hugo"})["id"]
        p1, deal = int(rows["A-1"]["person_id"]), int(rows["A-1"]["deal_id"])
        with _later(sb, 2.0):
            persons, deals = sb.state.persons.rows, sb.state.deals.rows
            sb.state.save("person", {**persons[p1], "is_deleted": True,
                                     "update_time": sb.state.now_iso()})
            sb.state.save("deal", {**deals[deal], "person_id": hugo,
                                   "update_time": sb.state.now_iso()})
        undo, plan = await load_job(sb, tmp_path, "undo", undoer(source))
        (reason,) = [i.error for i in plan.items if i.error]
        assert reason is not None and CHAIN not in reason, reason
        assert f"its person {p1} (the job's) is gone since" in reason, reason
        assert "the deal has not changed since that second" in reason, reason
        undo.close()
        source.close()


@pytest.mark.anyio
async def test_a_colleagues_org_the_import_linked_is_not_called_the_jobs(
        tmp_path: Path) -> None:
    """Org One is a colleague's, found by name by the import; merged into Globex since: the
    deals' notes call it a colleague's the job linked, and the import's own Org Two stays
    "(the job's)"."""
    async with serve(SandboxConfig(time_scale=0.02, deals=0, seed=73)) as sb:
        theirs = create_org(sb.state, {"name": "Org One"})["id"]
        source, rows = await _import(sb, tmp_path)
        assert int(rows["A-1"]["org_id"]) == theirs
        globex = create_org(sb.state, {"name": "Globex"})["id"]
        two = int(rows["A-3"]["org_id"])
        with _later(sb, 2.0):
            merge(sb.state, "organization", theirs, {"merge_with_id": globex})
        with _later(sb, 4.0):
            merge(sb.state, "organization", two, {"merge_with_id": globex})
        undo, plan = await load_job(sb, tmp_path, "undo", undoer(source))
        notes = {i.key: str(i.payload.get("note")) for i in plan.items if i.key}
        assert f"its organization {theirs} (a colleague's, which the job linked) was merged " \
            f"into organization {globex} since" in notes["A-1"], notes
        assert f"its organization {two} (the job's) was merged into organization {globex}" \
            in notes["A-3"], notes
        undo.close()
        source.close()
