"""x39r2 F2: two state folders on one Redis, a colleague merging: the run that waited for
the other run's claim on an organization went back to the dead one (organization 158,
merged into 115 of another name) three times and failed its rows "organization 158 not
found". A look-up this run made before the merge (its scan of those added since, shared
by the creates that need one) must never hand back a record this run has read gone."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from bulk.claims import Claim
from bulk.store import AsyncJobStore, JobStore
from jobs.account import org_key
from jobs.import_resolve import Resolver

pytestmark = pytest.mark.anyio


async def test_a_waiting_run_never_goes_back_to_an_org_merged_away(tmp_path: Path) -> None:
    """Run B loaded before the claims' state was born (a young Redis state: its creates
    share one scan of the organizations added since); the scan, taken before the merge,
    found "Initech" (made by run C). The colleague then merged Initech into "Globex Old".
    B's create of Initech, its claim released by C naming Initech, reads it gone: before,
    the shared scan gave Initech's id back (the rows sent there, refused 3 times); now
    the dead id is never taken, the create goes on (no witness of where it went: made
    again, the documented outcome)."""
    from bulk.sandbox import SandboxConfig, serve
    from bulk.sandbox.contacts import create_org
    from bulk.sandbox.merge import merge
    from tests.import_support import api_context

    key = org_key("Initech")
    assert key
    now = time.time()
    store = JobStore.create(tmp_path / "b", job_id="b", kind="import", config={})
    async with serve(SandboxConfig(deals=0, time_scale=0.02)) as sb:
        old = create_org(sb.state, {"name": "Globex Old"})
        made = create_org(sb.state, {"name": "Initech"})  # run C's create
        born = now - 30.0
        resolver = Resolver(AsyncJobStore(store), job_id="b", loaded=lambda: now - 40.0)
        resolver.started = now - 35.0
        resolver.batch_at = now - 5.0  # the batch these creates are of was prepared then
        # the scan B's creates shared, begun before the merge
        resolver._scans["org"] = (now - 160.0, now - 1.0, {key: int(made["id"])})
        merge(sb.state, "organization", int(made["id"]), {"merge_with_id": old["id"]})
        claim = Claim(f"org\x1fS\x1f{key}", "host-b:1:1", now + 60.0,
                      previous={"id": made["id"], "job": "c", "at": now - 2.0}, born=born)
        async with api_context(sb, tmp_path) as ctx:
            got = await resolver._created_meanwhile(ctx, claim, ("org", key),
                                                    {"name": "Initech"})
        assert got != made["id"]  # before: the dead organization again
    store.close()
