"""Two messages that sent the user the wrong way (x32r4, low): an API token given with
``--oauth`` was told "check the API token and --url" (the token was fine: it was sent as
an OAuth access token); an update row naming a deal a merge made here took away said only
"no deal with id '10'", where the merge record names the deal that carries it now."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bulk.client import PipedriveClient
from bulk.errors import Unauthorized
from bulk.sandbox import SandboxConfig, serve
from jobs import merged_deals
from jobs.account import load_catalog
from jobs.updating import UpdateMapping, prepare_update
from pdbulk.options import describe
from tests.import_support import api_context, read_csv
from tests.update_support import load_job, run_job

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("auth", ["oauth", "api_token"])
async def test_a_refused_token_sent_with_oauth_names_oauth(auth: Any) -> None:
    async with serve(SandboxConfig(time_scale=0.02, deals=0, seed=1)) as sb:
        token = sb.token if auth == "oauth" else "not-the-token"
        async with PipedriveClient(sb.url, token, auth=auth) as client:
            with pytest.raises(Unauthorized) as info:
                await client.call("getPipelines")
    said = describe(info.value)
    assert said.startswith("authentication failed: 401")
    assert ("run without --oauth" in said) is (auth == "oauth"), said
    assert sb.token not in said or auth == "api_token"


# the shape of openapi-v1.yaml's example access token (not a real one)
OAUTH_LIKE = "v1u:AQIBAHj+LzTNK1yuuuaLqifzhWb9crUNKTpk4FlQ9rjnXqp/6AErhI98==:RIDnTOIXo8QirT3D"


@pytest.mark.parametrize("token", [OAUTH_LIKE, "0123456789abcdef0123456789abcdef01234567"])
async def test_an_oauth_token_sent_as_an_api_token_is_told_to_use_oauth(token: str) -> None:
    """x52r7 F3: an OAuth account's access token run without --oauth was told only "check
    the API token and --url". A token with an OAuth access token's shape (a colon) is told
    to run with --oauth; an API token's (40 hex) is not; neither is ever printed."""
    async with serve(SandboxConfig(time_scale=0.02, deals=0, seed=1, auth="oauth",
                                   token=OAUTH_LIKE)) as sb:
        async with PipedriveClient(sb.url, token, auth="api_token") as client:
            with pytest.raises(Unauthorized) as info:
                await client.call("getPipelines")
    said = describe(info.value)
    assert said.startswith("authentication failed: 401"), said
    assert ("run with --oauth" in said) is (token == OAUTH_LIKE), said
    assert "run without --oauth" not in said and "check the API token and --url" in said
    assert token not in said and token not in repr(info.value) and token not in str(info.value)


async def test_an_update_of_a_deal_merged_here_names_its_survivor(tmp_path: Path) -> None:
    async with serve(SandboxConfig(time_scale=0.02, deals=20, seed=5)) as sb:
        away, survivor, other = sorted(sb.state.deals.rows)[:3]
        async with api_context(sb, tmp_path / "ctx") as ctx:
            await ctx.call("mergeDeals", path={"id": away}, json={"merge_with_id": survivor})
        merged_deals.record(sb.url, [(away, survivor)], "merge-1", applied=True)
        manifest = tmp_path / "rows.csv"
        manifest.write_text(f"Deal,Title\n{away},A\n99999,B\n{other},C\n")
        (tmp_path / "map.toml").write_text('[update]\nid_column = "Deal"\n[deal]\ntitle = "Title"\n')
        umap = UpdateMapping.load(tmp_path / "map.toml")

        async def build(s: Any) -> Any:
            return await prepare_update(s.ctx, manifest, umap, await load_catalog(s.ctx),
                                        base_url=s.config.base_url)
        store, _ = await load_job(sb, tmp_path, "update", build)
        await run_job(sb, store)
        rows = {r["key"]: r for r in read_csv(store.directory / "failed.csv")}
        store.close()
    assert rows[str(away)]["reason"] == (
        f"no deal with id '{away}': a merge made here (job merge-1) took it into deal "
        f"{survivor}; name that deal to update it"), rows
    assert rows[str(away)]["column"] == "Deal"
    assert rows["99999"]["reason"] == "no deal with id '99999' (missing, deleted or archived)"
