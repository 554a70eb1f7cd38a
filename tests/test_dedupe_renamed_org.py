"""An organization renamed after the nightly index was built, to or from a catch-all name
(``Privatkunden``), is judged by the name it has now on the next ``--since-last`` plan, not
by the index's: the plan reads the organizations changed since the index's time
(``getOrganizations?updated_since=``, 10 tokens a page of 500, in its reads line, so
``pdbulk plan dedupe --since-last`` prices it too) and their deals are compared again
(f36e 3: before, the index's name stood until a full plan — a same-day pair at the renamed
catch-all merged, the one at the renamed customer never proposed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulk.sandbox import Sandbox, SandboxConfig, serve
from tests.dedupe_job_support import deal, org, plan

DAY = ("2026-11-03T10:00:00Z", "2026-11-03T12:00:00Z")


def _rename(sb: Sandbox, org_id: int, name: str) -> None:
    row = sb.state.table("organization").rows[org_id]
    sb.state.save("organization", {**row, "name": name, "update_time": sb.state.now_iso()})


def _band(out: object, ids: set[int]) -> str | None:
    groups = {frozenset(g.member_ids): g.band for g in out.result.groups}  # type: ignore[attr-defined]
    return groups.get(frozenset(ids))


@pytest.mark.anyio
async def test_an_org_renamed_since_the_index_is_judged_by_its_name_now(tmp_path: Path) -> None:
    async with serve(SandboxConfig(time_scale=0.02, deals=1, seed=43)) as sb:
        sb.state.save("deal", {**sb.state.deals.rows[1], "is_deleted": True})
        kaul, private = org(sb, "Kaul Fahrradbau GmbH"), org(sb, "Privatkunden")
        ids = {o: {deal(sb, title, o, value=90, add=t, update=t) for t in DAY}
               for o, title in ((kaul, "Fahrradreparatur"), (private, "Küchenmontage"))}
        first = await plan(sb, tmp_path, tmp_path / "p1", since_last=True)
        assert _band(first, ids[kaul]) == "duplicate"
        assert _band(first, ids[private]) == "review"
        assert first.index is not None
        first.index.save(tmp_path / "state")  # as the night's apply installs it
        _rename(sb, kaul, "Privatkunden Nord")  # the customer's record became a catch-all
        _rename(sb, private, "Diaz Küchen GmbH")  # ... and the catch-all a customer
        before = dict(sb.stats()["requests_by_operation"])
        night = await plan(sb, tmp_path, tmp_path / "p2", since_last=True)
        made = sb.stats()["requests_by_operation"]
        assert made.get("getOrganizations", 0) - before.get("getOrganizations", 0) == 1, made
        assert _band(night, ids[kaul]) == "review", night.result.groups
        assert _band(night, ids[private]) == "duplicate", night.result.groups
        assert night.index is not None
        names = night.index.org_names()
        assert names[kaul] == "Privatkunden Nord" and names[private] == "Diaz Küchen GmbH", names
