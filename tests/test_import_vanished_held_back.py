"""A row whose person / organization vanished mid-run (a colleague's delete) is resolved
again to a create whose claim another live run holds (it makes the record again at once):
the row is held back, and the batch it comes round in waits for that holder and reads
the record it made — never held back for good (x46r11 F2: two imports at once,
``--workers 32``, the file's organizations deleted as sending began; 17-18 rows left
pending, "no progress in 5 sweeps", exit 4: the batch's re-check waited for the keys of
the rows' payloads as stored — an organization by id — not the key resolved again)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import anyio
import pytest

from bulk.claims import Claim, acquire, holder_id
from bulk.claims_open import LocalClaims
from bulk.sandbox import SandboxConfig, serve
from bulk.store import ItemState, JobStore
from jobs.account import org_key
from jobs.contact_keys import person_email_key
from jobs.import_resolve import contact_claim_name
from tests.import_support import (
    UPSERT_CONTACTS_HEADER,
    api_context,
    deal_links,
    engine_config,
    upsert_contacts_mapping,
    upsert_files,
)

pytestmark = pytest.mark.anyio
ORG, PERSON, EMAIL = "Org1 Ltd", "Pat Lee", "pat@ex.com"
ROWS = [(f"R{n:02d}", f"Deal {n}", "100", PERSON, EMAIL, ORG) for n in range(12)]
_TABLE = {"org": "organization", "person": "person"}


def _live(sb: Any, kind: str, name: str) -> list[int]:
    return [r["id"] for r in sb.state.table(_TABLE[kind]).rows.values()
            if r["name"] == name and not r["is_deleted"]]


@pytest.mark.parametrize("found", [True, False], ids=["found", "made"])
@pytest.mark.parametrize("gone", [("org",), ("person",), ("person", "org")])
async def test_a_row_resolved_again_to_a_key_another_run_holds_settles(
        tmp_path: Path, sleeper: int, gone: tuple[str, ...], found: bool) -> None:
    """Org1 Ltd (and / or Pat Lee) — the colleague's, found in the account at the load, or
    made by this run's first row — is deleted once 3 rows are done, and another live run
    claims its create at that moment; it makes it again once this run's next row was held
    back for it. Every row succeeds, the rows after the delete on the other run's record,
    none made again by this run (before, found: the 9 rows after the delete left pending,
    "no progress in 5 sweeps", stopped)."""
    from jobs.import_load import import_job
    from jobs.import_rows import ImportSettings
    from jobs.importing import ImportJob
    from jobs.mapping import Mapping

    async with serve(SandboxConfig(time_scale=0.02, deals=0, seed=5)) as sb:
        org = person = 0  # (made: this run's, read once made)
        if found:
            async with api_context(sb, tmp_path / "colleague") as ctx:
                org = int((await ctx.call("addOrganization", json={"name": ORG})).data["id"])
                person = int((await ctx.call("addPerson", json={
                    "name": PERSON, "emails": [{"value": EMAIL, "primary": True}],
                    "org_id": org})).data["id"])
        manifest, mapping = upsert_files(tmp_path, UPSERT_CONTACTS_HEADER, ROWS,
                                         upsert_contacts_mapping(), "f.csv")
        settings = ImportSettings(manifest=str(manifest), mapping=str(mapping),
                                  mode="insert", create_key_field=True)
        config = engine_config(sb, tmp_path / "jobs", max_workers=1)
        store = JobStore.create(tmp_path / "jobs" / "job", job_id="job", kind="import",
                                config={"engine": config.to_json(),
                                        "import": settings.to_json()})
        kind = ImportJob(store, settings, "")
        execute, done = kind.execute, []
        holder = LocalClaims(holder=holder_id(sleeper))  # the other run
        held: dict[str, Claim] = {}
        remade: dict[str, int] = {}

        async def other_run_claims() -> None:
            nonlocal org, person
            if kind.claims is not None:  # this run's own releases, written (made)
                await kind.claims.flush()
            org, person = _live(sb, "org", ORG)[0], _live(sb, "person", PERSON)[0]
            keys = {"org": str(org_key(ORG)), "person": person_email_key(EMAIL)}
            for name, rid in (("org", org), ("person", person)):
                if name in gone:
                    row = sb.state.table(_TABLE[name]).rows[rid]
                    sb.state.save(_TABLE[name], {**row, "is_deleted": True})
            for name in gone:
                got = await acquire(holder, contact_claim_name(name, kind.key_code,
                                                                keys[name]))
                assert isinstance(got, Claim), got
                held[name] = got

        async def other_run_makes() -> None:
            async with api_context(sb, tmp_path / "other") as ctx:
                for name in ("org", "person"):
                    if name not in held:
                        continue
                    body: dict[str, Any] = {"name": ORG} if name == "org" else {
                        "name": PERSON, "emails": [{"value": EMAIL, "primary": True}],
                        "org_id": remade.get("org", org)}
                    op = "addOrganization" if name == "org" else "addPerson"
                    remade[name] = int((await ctx.call(op, json=body)).data["id"])
                    await holder.release(held.pop(name), {"id": remade[name], "job": "other",
                                                          "at": time.time()})

        async def hooked(ctx: Any, item: Any) -> Any:
            out = await execute(ctx, item)
            done.append(item.key)
            if len(done) == 3:
                await other_run_claims()
            elif held and out.state is ItemState.PENDING:  # held back: now it is made
                await other_run_makes()
            return out

        kind.execute = hooked  # type: ignore[method-assign]
        try:
            with anyio.fail_after(60):
                result = await import_job(store, kind, Mapping.load(mapping), config,
                                          sb.token)
            rows = {i.key: i for i in store.items()}
        finally:
            store.close()
            await holder.aclose()
        assert not result.stopped, result.stopped
        assert all(i.state is ItemState.DONE for i in rows.values()), [
            (i.key, i.state, i.error) for i in rows.values() if i.state is not ItemState.DONE]
        assert set(remade) == set(gone), remade
        for name in ("org", "person"):  # made once, by the other run: none by this one
            assert _live(sb, name, ORG if name == "org" else PERSON) == \
                [remade.get(name, org if name == "org" else person)], name
        later = [deal_links(sb, int((rows[f"R{n:02d}"].result or {})["deal_id"]))
                 for n in range(3, 12)]
        want = (remade.get("person", person), remade.get("org", org))
        assert all(links == want for links in later), (later, want)
