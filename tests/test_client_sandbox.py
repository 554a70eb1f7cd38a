"""The client against the sandbox in-process: real HTTP, real envelopes, real errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulk.client import PipedriveClient
from bulk.errors import NotFound, RateLimited, Unauthorized, ValidationRejected
from bulk.sandbox import SandboxConfig, serve


@pytest.mark.anyio
async def test_create_page_patch_merge_round_trip() -> None:
    """Create, list with cursors (every id once), patch, merge: v1 and v2 from one origin."""
    async with serve(SandboxConfig(time_scale=0.02, deals=1234)) as sb:
        async with PipedriveClient(sb.url, sb.token) as client:
            made = await client.call("addDeal", json={"title": "Client test", "value": 5})
            ids: list[int] = []
            async for page in client.paginate("getDeals", limit=500):
                ids += [d["id"] for d in page.data]
            assert len(ids) == len(set(ids)) == 1235 and made.data["id"] in ids
            patched = await client.call("updateDeal", path={"id": made.data["id"]},
                                        json={"value": 7})
            assert patched.data["value"] == 7 and patched.rate.limit == 40
            merged = await client.call("mergeDeals", path={"id": ids[0]},
                                       json={"merge_with_id": made.data["id"]})
            assert merged.data["merge_what_id"] == ids[0]
            assert merged.data["id"] == made.data["id"]


@pytest.mark.anyio
async def test_errors_map_to_the_tree() -> None:
    """401 bad token, 400 strict validation, 404 missing deal, 429 with a reset to wait."""
    async with serve(SandboxConfig(time_scale=0.05, burst=3)) as sb:
        async with PipedriveClient(sb.url, "wrong-token") as bad:
            with pytest.raises(Unauthorized):
                await bad.call("getDeals")
        async with PipedriveClient(sb.url, sb.token) as client:
            with pytest.raises(ValidationRejected, match="Validation failed"):
                await client.call("addDeal", json={"title": "x", "value": "12"})
            with pytest.raises(NotFound):
                await client.call("getDeal", path={"id": 999_999})
            with pytest.raises(RateLimited) as info:
                for _ in range(10):
                    await client.call("getDeals", params={"limit": 1})
            assert info.value.reset_after is not None and info.value.reset_after > 0
            assert sb.token not in str(info.value)


@pytest.mark.anyio
async def test_the_sandbox_pages_v1_users(tmp_path: Path) -> None:
    """v1 ``GET /users`` pages by start / limit as Pipedrive's v1 lists do (x12r1: the
    sandbox served one page, so a reader of only the first page passed every test)."""
    from jobs.account import all_users
    from tests.import_support import api_context

    async with serve(SandboxConfig(users=150, time_scale=0.02)) as sb:
        async with api_context(sb, tmp_path) as ctx:
            first = await ctx.call("getUsers", params={"start": 0, "limit": 100})
            assert len(first.data) == 100 and first.next_start == 100
            last = await ctx.call("getUsers", params={"start": 100, "limit": 100})
            assert len(last.data) == 50 and last.next_start is None
            assert len({u["id"] for u in await all_users(ctx)}) == 150
