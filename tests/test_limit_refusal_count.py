"""A move-stage refused by ``--limit`` says how many deals it counted (w56r1 F4: "more
than 337 deals match ..." said no figure, though it had read them): every one read when
the listing reached its last page, "at least N" when it stopped early, and the rows a
manifest names."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulk.errors import InputError
from bulk.sandbox import SandboxConfig, serve
from jobs.selection import DealQuery
from jobs.stages import DealSource, MoveTarget
from tests.test_stages import mover
from tests.update_support import load_job


def _open_in(sb: object, pipeline_id: int) -> int:
    return sum(1 for d in sb.state.deals.rows.values()  # type: ignore[attr-defined]
               if not d["is_deleted"] and not d["is_archived"] and d["status"] == "open"
               and d["pipeline_id"] == pipeline_id)


@pytest.mark.anyio
@pytest.mark.parametrize(("deals", "limit"), [(300, 10), (300, 57), (2000, 10)])
async def test_the_limit_refusal_names_the_count_read(tmp_path: Path, deals: int,
                                                      limit: int) -> None:
    """One page (500) read whole: its exact count; stopped after a full page of more
    (over 500 match): "at least 500"."""
    async with serve(SandboxConfig(time_scale=0.02, deals=deals, seed=14)) as sb:
        matching = _open_in(sb, 1)
        assert (matching > 500) == (deals > 1000), matching  # both branches taken
        source = DealSource(query=DealQuery(pipeline="Sales", status="open"), limit=limit)
        with pytest.raises(InputError) as caught:
            await load_job(sb, tmp_path, "move-stage", mover(source, MoveTarget("Qualified")))
        said = caught.value.reason
        assert said.startswith(f"more than {limit:,} deals match"), said
        counted = (f": {matching:,} read (--limit {limit:,})" if matching <= 500 else
                   ": at least 500 read before the listing stopped")
        assert counted in said, (matching, said)


@pytest.mark.anyio
async def test_a_manifest_over_the_limit_names_its_rows(tmp_path: Path) -> None:
    """A manifest naming 12 deals at --limit 5: "12 named"."""
    async with serve(SandboxConfig(time_scale=0.02, deals=50, seed=14)) as sb:
        ids = sorted(sb.state.deals.rows)[:12]
        manifest = tmp_path / "m.csv"
        manifest.write_text("deal_id\n" + "".join(f"{i}\n" for i in ids))
        source = DealSource(manifest=manifest, limit=5)
        with pytest.raises(InputError) as caught:
            await load_job(sb, tmp_path, "move-stage", mover(source, MoveTarget("Qualified")))
        assert "more than 5 deals are named in the manifest: 12 named (--limit 5)" in \
            caught.value.reason, caught.value.reason


@pytest.mark.anyio
async def test_a_deal_named_twice_counts_once_against_the_limit(tmp_path: Path) -> None:
    """v57r1 F5: a manifest naming 8 deals in 9 rows (one twice, one with its id spelled
    ``013``-style) at --limit 8 is not refused; at --limit 7 it is, naming 8 deals."""
    async with serve(SandboxConfig(time_scale=0.02, deals=50, seed=14)) as sb:
        ids = sorted(sb.state.deals.rows)[:8]
        manifest = tmp_path / "m.csv"
        manifest.write_text("deal_id\n" + "".join(f"{i}\n" for i in ids) + f"0{ids[3]}\n")
        store, _prep = await load_job(sb, tmp_path, "move-stage", mover(
            DealSource(manifest=manifest, limit=8), MoveTarget("Qualified")))
        store.close()
        with pytest.raises(InputError) as caught:
            await load_job(sb, tmp_path / "b", "move-stage",
                           mover(DealSource(manifest=manifest, limit=7), MoveTarget("Qualified")))
        assert "more than 7 deals are named in the manifest: 8 named (--limit 7)" in \
            caught.value.reason, caught.value.reason
