"""f40a: an organization another run made (its claim names it) that a colleague merged
into one of another name was made again by this job — no look-up finds a survivor of
another name by the organization's name, and a name alone is never a witness. The merge
moved that organization's deals ("Merge (v1)", pipedrive/FACTS.md), and the deals the
other run made with it are known by id (each key's deal claim keeps its links as
created): two of them moved to one organization are a witness of the merge, and this
job's rows link that survivor, not a copy."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulk.sandbox import Sandbox, SandboxConfig, serve
from bulk.sandbox.merge import merge
from jobs.import_load import summary_lines
from tests.import_support import (
    UPSERT_FAST,
    deal_links,
    loaded_then_made_elsewhere,
    read_csv,
    resume_job,
)

pytestmark = pytest.mark.anyio
ROWS = [(f"K{n}", f"Deal {n}", "100", f"Person {n}", f"p{n}@ex.com", "Org Zero")
        for n in range(1, 4)]


def _orgs(sb: Sandbox, name: str) -> list[int]:
    return [o["id"] for o in sb.state.table("organization").rows.values()
            if o["name"] == name and not o["is_deleted"]]


@pytest.mark.parametrize("reread", [False, True])
async def test_another_runs_organization_merged_into_another_name_is_followed(
        tmp_path: Path, reread: bool) -> None:
    """Job A loaded; job B (the same file, another folder) made Org Zero and the deals; a
    colleague merged Org Zero into Zeta Holdings; A, resumed (with or without the
    re-read), links Zeta Holdings: no second Org Zero, the deals stay where the merge
    put them."""
    async with serve(SandboxConfig(**UPSERT_FAST)) as sb:
        directory, _ = await loaded_then_made_elsewhere(sb, tmp_path, ROWS)
        (zero,) = _orgs(sb, "Org Zero")
        (zeta,) = sb.state.load("organization", [{
            **{k: v for k, v in sb.state.table("organization").rows[zero].items()
               if k != "id"}, "name": "Zeta Holdings"}])
        merge(sb.state, "organization", zero, {"merge_with_id": zeta})
        store, _ = await resume_job(sb, directory, reread=reread)
        try:
            failed = read_csv(store.directory / "failed.csv")
            done = {r["key"]: r for r in read_csv(store.directory / "succeeded.csv")}
            assert _orgs(sb, "Org Zero") == [], done  # not made again
            assert not failed, failed
            assert {deal_links(sb, int(r["deal_id"]))[1] for r in done.values()} == {zeta}
            assert {r["org_id"] for r in done.values()} == {str(zeta)}, done
            if not reread:  # the reads, no plan's, are named where the spend is read
                lines = summary_lines(store, {"summary": store.directory / "summary.json"})
                assert any("read to find where persons / organizations other runs made"
                           in line for line in lines), lines
        finally:
            store.close()
