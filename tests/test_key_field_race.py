"""Two imports creating the key field at the same instant from two state folders (no
shared claims) end on one field: the lowest field code wins, the other run deletes its own
field before writing anything to it (``jobs.account._converged``)."""

from __future__ import annotations

from pathlib import Path

import anyio
import pytest

from bulk.claims_local import LocalClaims
from bulk.sandbox import Faults, SandboxConfig, serve
from jobs.account import ensure_key_field, load_catalog
from tests.import_support import api_context

pytestmark = pytest.mark.anyio

LABEL = "Source key"


@pytest.mark.parametrize("trial", range(5))
async def test_two_state_folders_creating_the_key_field_at_once_keep_one(
        tmp_path: Path, trial: int) -> None:
    """Two runs racing (each its own claims file, as two state folders; five seeds): the
    trial ends with one field labelled LABEL, the one both runs use (was two fields, each
    run writing its own: 5 of 5 trials)."""
    async with serve(SandboxConfig(time_scale=0.02, seed=trial)) as sb:
        # each create takes 10 clock s (0.2 s): the other run pulls the fields meanwhile
        sb.set_faults(Faults(latency_ms=10_000, only_operations=frozenset({"addDealField"})))
        codes: list[str] = []

        async def run(name: str) -> None:
            claims = LocalClaims(tmp_path / f"{trial}-{name}" / "claims.sqlite3")
            try:
                async with api_context(sb, tmp_path / f"{trial}-{name}-jobs") as ctx:
                    catalog = await load_catalog(ctx)
                    code, catalog = await ensure_key_field(ctx, catalog, LABEL, create=True,
                                                           claims=claims)
                    assert catalog.field(LABEL, custom=True).code == code
                    codes.append(code)
            finally:
                claims.close()

        async with anyio.create_task_group() as tg:
            tg.start_soon(run, "a")
            tg.start_soon(run, "b")
        named = [f["field_code"] for f in sb.state.fields.values()
                 if f["field_name"] == LABEL]
        assert len(named) == 1, (trial, named, codes)
        assert codes == [named[0], named[0]], (trial, named, codes)
        ops = sb.stats()["requests_by_operation"]
        assert ops["addDealField"] == 2 and ops["deleteDealField"] == 1, ops
