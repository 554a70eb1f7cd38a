"""f32e: the local merge record (``jobs.merged_deals``, ``merged-deals.jsonl``) keeps two
companies that share one base URL (``https://api.pipedrive.com`` is every company's)
apart. Each entry a run writes names its token's key in the state folder
(``bulk.token_key``: a keyed digest, never the token), and a run reads only its own
token's entries (or, on a shared coordinator, its company's). Before, every entry of the
URL was read: an import of company B took company A's merge of a deal id B also has."""

from __future__ import annotations

import dataclasses
import hashlib
import stat
from pathlib import Path

import pytest

from bulk.claims import STATE_ENV
from bulk.coordinator import fingerprint
from bulk.sandbox import Sandbox, SandboxConfig, serve
from bulk.store import JobStore
from bulk.token_key import bind_token, token_key
from bulk.transport import AiohttpTransport, Request, Response
from jobs.api import merge_deals, run_job
from jobs.merged_deals import FILE, known, record, survivors
from tests.import_support import engine_config, read_csv

URL = "https://api.pipedrive.com"
TOKEN_A, TOKEN_B = "company-a-token-0123456789", "company-b-token-9876543210"
MAPPING = """
version = 1
[import]
key_column = "id"
mode = "upsert"
[deal]
title = "title"
"""


@pytest.fixture(autouse=True)
def _unbound() -> object:
    yield
    bind_token(None)


def test_a_token_reads_its_own_merges_and_none_of_another_company(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two tokens on one URL: each reads its own merge and not the other's; an entry that
    names no token (written before, or outside a run) is read by both; the record holds
    a keyed digest of each token, never the token nor its plain or fixed-label digest,
    and the state folder's secret is 0600."""
    monkeypatch.setenv(STATE_ENV, str(tmp_path / "state"))
    bind_token(TOKEN_A)
    record(URL, [(210, 208)], "merge-a", applied=True)
    bind_token(TOKEN_B)
    record(URL, [(310, 308)], "merge-b", applied=True)
    bind_token(None)
    record(URL, [(410, 408)], "merge-before", applied=True)  # as an earlier version wrote
    assert sorted(survivors(URL)) == [210, 310, 410]  # outside a run: the whole record
    bind_token(TOKEN_B)
    assert sorted(survivors(URL)) == [310, 410]
    assert known(URL) == (2, 2)
    bind_token(TOKEN_A)
    assert sorted(survivors(URL)) == [210, 410]
    key_a = token_key()
    assert key_a is not None and len(key_a) == 32
    text = (tmp_path / "state" / FILE).read_text()
    for secret in (TOKEN_A, TOKEN_B):
        for shown in (secret, fingerprint(secret), hashlib.sha256(secret.encode()).hexdigest()):
            assert shown not in text
    assert key_a in text
    key_file = tmp_path / "state" / "claims.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    # another state folder (another secret): another key for the same token
    monkeypatch.setenv(STATE_ENV, str(tmp_path / "other"))
    assert token_key() not in (None, key_a)


class _Behind:
    """A transport that sends every request to ``target`` while the engine's base URL is
    ``shown``: company B behind company A's URL, as every company is behind
    api.pipedrive.com."""

    def __init__(self, shown: str, target: str) -> None:
        self._inner, self._shown, self._target = AiohttpTransport(), shown, target

    async def send(self, request: Request) -> Response:
        assert request.url.startswith(self._shown)
        return await self._inner.send(dataclasses.replace(
            request, url=self._target + request.url[len(self._shown):]))

    async def aclose(self) -> None:
        await self._inner.aclose()


async def _import(sb: Sandbox, tmp_path: Path, keys: list[str], job_id: str, *,
                  behind: Sandbox | None = None) -> dict[str, dict[str, str]]:
    """Import deals ``keys`` into ``behind`` (else ``sb``) through ``sb``'s URL, with the
    token of the account it reaches: succeeded.csv by key."""
    from jobs.import_load import import_job
    from jobs.import_rows import ImportSettings
    from jobs.importing import ImportJob
    from jobs.mapping import Mapping

    manifest, mapping = tmp_path / f"{job_id}.csv", tmp_path / "m.toml"
    mapping.write_text(MAPPING)
    manifest.write_text("id,title\n" + "".join(f"{k},Deal {k}\n" for k in keys))
    settings = ImportSettings(manifest=str(manifest), mapping=str(mapping), mode="upsert",
                              create_key_field=True)
    cfg = engine_config(sb, tmp_path / f"jobs-{job_id[0]}")  # a company's job root
    store = JobStore.create(tmp_path / f"jobs-{job_id[0]}" / job_id, job_id=job_id, kind="import",
                            config={"engine": cfg.to_json(), "import": settings.to_json()})
    try:
        kind = ImportJob(store, settings, "")
        target = behind or sb
        result = await import_job(store, kind, Mapping.load(mapping), cfg, target.token,
                                  say=lambda line: None,
                                  transport=_Behind(sb.url, behind.url) if behind else None)
        store.set_status("finished")
        kind.after_run(store, result)
        return {r["key"]: r for r in read_csv(store.directory / "succeeded.csv")}
    finally:
        store.close()


@pytest.mark.anyio
async def test_an_import_of_company_b_never_takes_company_as_merge(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Company A merges its deal 2 into deal 1 through this state folder; company B, on the
    same URL, has deals 1 and 2 too, and its deal 2 (key B2) is deleted by hand. B's next
    import makes B2's deal again, as for any deleted deal; before, it took A's merge for
    B's and reported B2 merged into B's deal 1."""
    monkeypatch.setenv(STATE_ENV, str(tmp_path / "state"))
    fast = {"time_scale": 0.02, "deals": 0, "seed": 3}
    async with serve(SandboxConfig(token=TOKEN_A, **fast)) as a, \
            serve(SandboxConfig(token=TOKEN_B, **fast)) as b:
        made_a = await _import(a, tmp_path, ["A1", "A2"], "a1")
        ids_a = {k: int(r["deal_id"]) for k, r in made_a.items()}
        pairs = tmp_path / "pairs.csv"
        pairs.write_text(f"merge_id,survivor_id\n{ids_a['A2']},{ids_a['A1']}\n")
        merged = await run_job(engine_config(a, tmp_path / "jobs-a"), TOKEN_A,
                               merge_deals(pairs))
        assert merged.status == "finished" and merged.counts == {"done": 1}, merged

        made_b = await _import(a, tmp_path, ["B1", "B2"], "b1", behind=b)
        ids_b = {k: int(r["deal_id"]) for k, r in made_b.items()}
        assert set(ids_b.values()) == set(ids_a.values())  # the same ids in both companies
        # B's deal of the id A merged away, deleted by hand
        gone = next(k for k, i in ids_b.items() if i == ids_a["A2"])
        kept = next(k for k in ids_b if k != gone)
        b.state.save("deal", {**b.state.deals.rows[ids_b[gone]], "is_deleted": True})
        again = await _import(a, tmp_path, ["B1", "B2"], "b2", behind=b)
        live_b = {d["title"] for d in b.state.deals.rows.values() if not d["is_deleted"]}
    assert again[gone]["action"] == "created", again[gone]
    assert again[kept]["action"] == "unchanged", again[kept]
    assert live_b == {"Deal B1", "Deal B2"}
