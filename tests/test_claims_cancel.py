"""A cancelled import gives its claims back, in doubt where a create may have left, and a
run that waits for another live run's claim says so and counts it (x20r3 F2)."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from typing import Any

import anyio
import pytest

from bulk.claims import Claim, acquire, state_dir
from bulk.claims_local import LocalClaims
from bulk.sandbox import SandboxConfig, serve
from bulk.store import JobStore
from tests.import_support import engine_config, import_once, resume_job, sandbox_deals

pytestmark = pytest.mark.anyio

FAST = {"time_scale": 0.02, "seed": 5}
MAPPING = """
version = 1
[import]
key_column = "id"
mode = "upsert"
[deal]
title = "title"
[person]
name = "contact"
email = "email"
"""


class _HeldCreates:
    """A transport that holds every deal create back (the call is in flight, its answer
    not in); ``two_held`` is set once two are."""

    def __init__(self) -> None:
        from bulk.transport import AiohttpTransport

        self.inner = AiohttpTransport()
        self.waiting = 0
        self.two_held, self.never = anyio.Event(), anyio.Event()

    async def send(self, request: Any) -> Any:
        if request.method == "POST" and request.url.split("?")[0].endswith("/api/v2/deals"):
            self.waiting += 1
            if self.waiting >= 2:
                self.two_held.set()
            await self.never.wait()
        return await self.inner.send(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def _claims_rows() -> list[tuple[str | None, str | None]]:
    with sqlite3.connect(state_dir() / "claims.sqlite3") as conn:
        return list(conn.execute("SELECT holder, outcome FROM claims"))


def _named_claims_rows() -> list[tuple[str, str | None, str | None]]:
    with sqlite3.connect(state_dir() / "claims.sqlite3") as conn:
        return list(conn.execute("SELECT name, holder, outcome FROM claims"))


async def test_a_cancelled_import_gives_its_claims_back_in_doubt(tmp_path: Path) -> None:
    """An import cancelled (a timeout around ``import_job``) while its deal creates are in
    flight leaves no claim held — those creates' claims are released in doubt, the rest
    plainly — and a resume in the same live process runs at once (no wait for a lease)
    and creates each key once."""
    from jobs.import_load import import_job
    from jobs.import_rows import ImportSettings
    from jobs.importing import ImportJob
    from jobs.mapping import Mapping

    manifest, mapping = tmp_path / "in.csv", tmp_path / "m.toml"
    manifest.write_text("id,title,contact,email\n" + "".join(
        f"k{i},Deal {i},P {i},p{i}@example.com\n" for i in range(12)))
    mapping.write_text(MAPPING)
    async with serve(SandboxConfig(deals=0, **FAST)) as sb:
        settings = ImportSettings(manifest=str(manifest), mapping=str(mapping), mode="upsert",
                                  create_key_field=True)
        cfg = engine_config(sb, tmp_path / "jobs")
        store = JobStore.create(tmp_path / "jobs" / "a", job_id="a", kind="import",
                                config={"engine": cfg.to_json(), "import": settings.to_json()})
        kind = ImportJob(store, settings, "")
        transport = _HeldCreates()
        with anyio.move_on_after(20) as scope:
            async with anyio.create_task_group() as tg:
                async def cancel_when_held() -> None:
                    await transport.two_held.wait()
                    tg.cancel_scope.cancel()

                tg.start_soon(cancel_when_held)
                await import_job(store, kind, Mapping.load(mapping), cfg, sb.token,
                                 say=lambda line: None, transport=transport)
        assert not scope.cancelled_caught  # cancelled by the task, not the bound
        store.close()
        rows = _claims_rows()
        assert rows and all(holder is None for holder, _ in rows), rows
        assert sum('"in_doubt"' in (outcome or "") for _, outcome in rows) >= 2
        with anyio.fail_after(30):  # no wait for the cancelled job's 300 s lease
            resumed, result = await resume_job(sb, tmp_path / "jobs" / "a")
        assert result.error is None and not result.stopped
        resumed.close()
        assert len(sandbox_deals(sb)) == 12


async def test_a_wait_for_a_live_holder_is_told_and_counted(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A create whose key another live run holds waits for it: the run says which process
    and job it waits for and for how long at most, and counts the wait."""
    from jobs.importing import claim_name

    mapping = tmp_path / "m.toml"
    mapping.write_text('version = 1\n[import]\nkey_column = "id"\n[deal]\ntitle = "title"\n')
    (tmp_path / "a.csv").write_text("id,title\nk0,Deal 0\n")
    (tmp_path / "b.csv").write_text("id,title\nk1,Deal 1\n")
    async with serve(SandboxConfig(deals=0, **FAST)) as sb:
        first, _, _ = await import_once(sb, tmp_path / "jobs", tmp_path / "a.csv", mapping,
                                        job_id="first")  # makes the key field
        first.close()
        code = next(f["field_code"] for f in sb.state.fields.values()
                    if f["field_name"] == "Import source key")
        other = LocalClaims()  # another job of this process, live
        got = await acquire(other, claim_name(code, "k1"), 1.0, tag="job-x")
        assert isinstance(got, Claim)
        caplog.set_level(logging.WARNING, logger="pdbulk")
        with anyio.fail_after(30):
            store, result, kind = await import_once(sb, tmp_path / "jobs", tmp_path / "b.csv",
                                                    mapping, job_id="second")
        other.close()
        store.close()
    assert result.error is None
    assert kind.claim_waits == 1
    told = [r.getMessage() for r in caplog.records if "waiting up to" in r.getMessage()]
    assert told and "job job-x" in told[0] and "process " in told[0], told


CONTACTS_MAPPING = MAPPING + """
[organization]
name = "company"
"""


class _AnswersLost:
    """A transport that sends every create of one kind (``path``: ``/api/v2/persons``...)
    and holds its answer back (the create applied, its answer never seen); ``two_held``
    is set once two are."""

    def __init__(self, path: str) -> None:
        from bulk.transport import AiohttpTransport

        self.inner, self.path = AiohttpTransport(), path
        self.held = 0
        self.two_held, self.never = anyio.Event(), anyio.Event()

    async def send(self, request: Any) -> Any:
        response = await self.inner.send(request)
        if request.method == "POST" and request.url.split("?")[0].endswith(self.path):
            self.held += 1
            if self.held >= 2:
                self.two_held.set()
            await self.never.wait()
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


@pytest.mark.parametrize("kind", ["persons", "organizations"])
async def test_a_cancelled_person_or_org_create_is_released_in_doubt_and_found_on_resume(
        tmp_path: Path, kind: str) -> None:
    """f21c F2: an import cancelled once its person (or organization) creates were sent,
    their answers not seen, releases those claims in doubt (``_finish_anyway``: none
    held); the resume, in the same live process, looks each up and creates none twice —
    one person per e-mail, one organization per name, one deal per row (over HTTP)."""
    import aiohttp

    from jobs.import_load import import_job
    from jobs.import_rows import ImportSettings
    from jobs.importing import ImportJob
    from jobs.mapping import Mapping
    from tests.sandbox_helpers import Api, no_silent_retries

    manifest, mapping = tmp_path / "in.csv", tmp_path / "m.toml"
    manifest.write_text("id,title,contact,email,company\n" + "".join(
        f"k{i},Deal {i},P {i},p{i}@example.com,Company {i}\n" for i in range(8)))
    mapping.write_text(CONTACTS_MAPPING)
    async with serve(SandboxConfig(deals=0, **FAST)) as sb:
        settings = ImportSettings(manifest=str(manifest), mapping=str(mapping), mode="upsert",
                                  create_key_field=True)
        cfg = engine_config(sb, tmp_path / "jobs")
        store = JobStore.create(tmp_path / "jobs" / "a", job_id="a", kind="import",
                                config={"engine": cfg.to_json(), "import": settings.to_json()})
        transport = _AnswersLost(f"/api/v2/{kind}")
        with anyio.move_on_after(20) as scope:
            async with anyio.create_task_group() as tg:
                async def cancel_when_held() -> None:
                    await transport.two_held.wait()
                    tg.cancel_scope.cancel()

                tg.start_soon(cancel_when_held)
                await import_job(store, ImportJob(store, settings, ""), Mapping.load(mapping),
                                 cfg, sb.token, say=lambda line: None, transport=transport)
        assert not scope.cancelled_caught  # cancelled by the task, not the bound
        store.close()
        rows = _named_claims_rows()
        assert rows and all(holder is None for _, holder, _ in rows), [r for r in rows if r[1]]
        assert sum('"in_doubt"' in (outcome or "") for _, _, outcome in rows) >= 2, rows
        with anyio.fail_after(30):  # no wait for the cancelled job's 300 s lease
            resumed, result = await resume_job(sb, tmp_path / "jobs" / "a")
        assert result.error is None and not result.stopped
        resumed.close()
        async with aiohttp.ClientSession() as session:
            api = Api(sb, no_silent_retries(session))
            persons, _ = await api.all_pages("/api/v2/persons", limit=500)
            orgs, _ = await api.all_pages("/api/v2/organizations", limit=500)
            deals, _ = await api.all_pages("/api/v2/deals", limit=500)
        assert sorted(p["name"] for p in persons) == sorted(f"P {i}" for i in range(8))
        assert sorted(o["name"] for o in orgs) == sorted(f"Company {i}" for i in range(8))
        assert sorted(d["title"] for d in deals) == sorted(f"Deal {i}" for i in range(8))
