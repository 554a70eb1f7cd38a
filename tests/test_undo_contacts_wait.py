"""f23i 1: a resumed `undo --contacts` sat at 3,889 / 8,400 for minutes, sending nothing: its
deal deletes in doubt are reconciled only after a pass, and each of the 4,391 contact
deletes of that pass, told to wait for them, walked every item of the store first. A
contact delete that waits costs no store read of its own now (one per batch)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bulk.sandbox import SandboxConfig, serve
from bulk.store import ItemState, JobStore
from tests.import_support import import_once
from tests.test_undo import CONTACTS_MAPPING, undoer
from tests.update_support import load_job, run_job

ROWS = 60


@pytest.mark.anyio
async def test_contact_deletes_waiting_for_deals_in_doubt_read_the_store_once_a_batch(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An undo --contacts resumed with deal deletes in doubt finishes, deleting every
    deal, person and organization, with the store read a bounded number of times: not
    once per waiting contact delete per pass (quadratic in the job's size)."""
    async with serve(SandboxConfig(time_scale=0.02, deals=0, seed=47)) as sb:
        manifest = tmp_path / "in.csv"
        manifest.write_text("id,title,person,email,org\n" + "".join(
            f"K-{i},Deal {i},Person {i},p{i}@x.example,Org {i % 6}\n" for i in range(ROWS)))
        mapping = tmp_path / "map.toml"
        mapping.write_text(CONTACTS_MAPPING)
        source, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping)
        undo, plan = await load_job(sb, tmp_path, "undo", undoer(source, contacts=True))
        assert plan.actions["delete-person"] == ROWS and plan.actions["delete-org"] == 6
        # a killed run: the last deal deletes handed out, in doubt (not sent)
        deals = [i.id for i in undo.items(ItemState.PENDING) if i.op == "delete"]
        undo.mark_sending(deals[-5:], 0.0)
        reads = 0
        real = JobStore._query

        def counted(self: JobStore, what: str, *args: Any, **kw: Any) -> Any:
            nonlocal reads
            reads += 1
            return real(self, what, *args, **kw)

        monkeypatch.setattr(JobStore, "_query", counted)
        await run_job(sb, undo)
        monkeypatch.undo()
        assert undo.counts()[ItemState.DONE] == ROWS + ROWS + 6, undo.counts()
        assert all(p["is_deleted"] for p in sb.state.persons.rows.values())
        assert all(o["is_deleted"] for o in sb.state.orgs.rows.values())
        # fixed: ~60 reads (batches, passes, the result files); each waiting contact
        # walking the items: 66 contacts x 2 states x pages, every pass: 301
        assert reads < 2 * (ROWS + 6), reads
        undo.close()
        source.close()
