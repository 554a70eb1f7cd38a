"""An upsert over deals an earlier pdbulk wrote — its record of the deal's links has no
digest of the cells that named them — reads the record the safe way: the deal's person /
organization, still the one this state folder wrote, is kept when the row's cells find no
record of the account (a colleague corrected the e-mail or renamed the organization), not
resolved into a copy (before: 1 person and 1 organization created, the deals moved onto
them); cells that find another record of the account relink as before."""

from __future__ import annotations

from pathlib import Path

import pytest

import jobs.import_rows
from bulk.sandbox import SandboxConfig, serve
from tests.test_upsert_corrected_contacts import (
    FAST,
    ROWS,
    WRITES,
    _calls,
    _correct,
    _files,
    _import,
    _links,
    _plan,
)

pytestmark = pytest.mark.anyio


async def _old_night(sb: object, tmp: Path, manifest: Path, mapping: Path,
                     monkeypatch: pytest.MonkeyPatch) -> dict[str, dict[str, str]]:
    """Night 1 as a pdbulk before the cells' digests wrote it: links, no cells."""
    with monkeypatch.context() as patched:
        patched.setattr(jobs.import_rows, "_cells", lambda mapped: {})
        return await _import(sb, tmp, manifest, mapping, "night-1")  # type: ignore[arg-type]


async def test_an_old_record_creates_no_copy(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Ann's e-mail corrected and Org1 renamed after an old night 1: the unchanged file
    creates no person or organization and moves no deal (before: 1 + 1 created, R1 and R3
    relinked); the plan counts none; the rows' note says why."""
    async with serve(SandboxConfig(**FAST)) as sb:
        manifest, mapping = _files(tmp_path, ROWS)
        first = await _old_night(sb, tmp_path, manifest, mapping, monkeypatch)
        r1, r3 = int(first["R1"]["deal_id"]), int(first["R3"]["deal_id"])
        before = _links(sb, r1)
        await _correct(sb, tmp_path, *before, email="ann.lee@ex1.com",
                       org_name="Org1 Renamed GmbH")
        _, counts = await _plan(sb, tmp_path / "plan", manifest, mapping)
        assert (counts.persons_new, counts.orgs_new, counts.update) == (0, 0, 0), counts
        sent = _calls(sb, *WRITES)
        rows = await _import(sb, tmp_path, manifest, mapping, "night-2")
        assert _calls(sb, *WRITES) == sent
        assert _links(sb, r1) == before and _links(sb, r3) == before
        assert {rows[k]["action"] for k in ("R1", "R2", "R3")} == {"unchanged"}, rows
        assert "the deal's person and organization kept, not created" in rows["R1"]["note"]


async def test_an_old_record_relinks_to_a_record_the_cells_find(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """After an old night 1, the file names Bob (a person of the account) for R1: R1 is
    relinked to Bob as before, nothing created."""
    async with serve(SandboxConfig(**FAST)) as sb:
        manifest, mapping = _files(tmp_path, ROWS)
        first = await _old_night(sb, tmp_path, manifest, mapping, monkeypatch)
        r1, r2 = int(first["R1"]["deal_id"]), int(first["R2"]["deal_id"])
        bob = _links(sb, r2)
        manifest, _ = _files(tmp_path, [("R1", "Deal one", "100", "Bob Roe", "bob@ex2.com",
                                         "Org2 Ltd"), *ROWS[1:]], "night2.csv")
        sent = _calls(sb, *WRITES)
        rows = await _import(sb, tmp_path, manifest, mapping, "night-2")
        now = _calls(sb, *WRITES)
        assert (now["addPerson"], now["addOrganization"]) == (sent["addPerson"],
                                                              sent["addOrganization"])
        assert _links(sb, r1) == bob and rows["R1"]["action"] == "updated", rows["R1"]
