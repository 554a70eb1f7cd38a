"""A person a colleague adds and links a deal to while the import reads the account (after
the persons were listed, before the deals were) is not taken for a deleted contact: it is
read by id (1 token) and the colleague's link stands as a relink made there, which the
file's unchanged cells keep (f36a 5; before: the row's note said the person was deleted
and its cells were resolved again — a deal with no record of its link was moved back to
the old person)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
import pytest

from bulk.sandbox import SandboxConfig, serve
from tests.import_support import api_context
from tests.test_upsert_corrected_contacts import FAST, ROWS, _calls, _files, _import, _links

pytestmark = pytest.mark.anyio


async def test_a_person_added_during_the_listing_is_not_taken_for_deleted(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Night 2's persons are listed, then the colleague adds Ann's new record and moves R1's
    deal onto it, then the deals are listed: R1 is unchanged, its deal stays on the new
    person, one getPerson read; a person the deals do not name costs nothing."""
    import jobs.import_rows as import_rows

    async with serve(SandboxConfig(**FAST)) as sb:
        manifest, mapping = _files(tmp_path, ROWS[:2])
        first = await _import(sb, tmp_path, manifest, mapping, "night-1")
        deal = int(first["R1"]["deal_id"])
        listed, done = import_rows.index_persons, anyio.Event()
        moved: list[int] = []

        async def persons_then_colleague(ctx: Any, *more: Any, **kw: Any) -> Any:
            out = await listed(ctx, *more, **kw)
            async with api_context(sb, tmp_path / "colleague") as other:
                new = (await other.call("addPerson", json={"name": "Ann Lee", "emails": [
                    {"value": "ann.lee@new.com", "primary": True, "label": "work"}]})).data
                await other.call("updateDeal", path={"id": deal}, json={"person_id": new["id"]})
            moved.append(int(new["id"]))
            done.set()
            return out

        deals_listed = import_rows.index_deals_by_key

        async def deals_after(*args: Any, **kwargs: Any) -> Any:
            await done.wait()
            return await deals_listed(*args, **kwargs)

        monkeypatch.setattr(import_rows, "index_persons", persons_then_colleague)
        monkeypatch.setattr(import_rows, "index_deals_by_key", deals_after)
        before = _calls(sb, "updateDeal", "addPerson", "getPerson")
        rows = await _import(sb, tmp_path, manifest, mapping, "night-2")
        now = _calls(sb, "updateDeal", "addPerson", "getPerson")
        assert _links(sb, deal)[0] == moved[0], rows
        assert rows["R1"]["action"] == "unchanged", rows
        assert "deleted" not in rows["R1"]["note"], rows["R1"]  # before: "person 3 was deleted"
        # the colleague's addPerson and updateDeal; this import's one getPerson
        assert {op: now[op] - before[op] for op in now} == {
            "updateDeal": 1, "addPerson": 1, "getPerson": 1}, rows
