"""x39r2 F5: a deal's link that moved because a colleague merged the linked person away is
no edit made in Pipedrive: the next upsert of the unchanged file keeps it (the survivor)
without saying "changed in Pipedrive ... kept" and without counting it in edited_kept
(before: 224 such links counted, beside 2 real edits; undo already judges it so)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulk.sandbox import SandboxConfig, serve
from bulk.sandbox.merge import merge
from tests.import_support import api_context
from tests.test_upsert_corrected_contacts import FAST, ROWS, _files, _import, _links

pytestmark = pytest.mark.anyio


async def test_a_link_a_merge_moved_is_not_an_edit_kept(tmp_path: Path) -> None:
    async with serve(SandboxConfig(**FAST)) as sb:
        manifest, mapping = _files(tmp_path, ROWS[:2])
        first = await _import(sb, tmp_path, manifest, mapping, "night-1")
        deal = int(first["R1"]["deal_id"])
        ann = _links(sb, deal)[0]
        async with api_context(sb, tmp_path / "colleague") as ctx:
            survivor = (await ctx.call("addPerson", json={"name": "Ann Leigh", "emails": [
                {"value": "ann.lee@crm.com", "primary": True, "label": "work"}]})).data
        merge(sb.state, "person", ann, {"merge_with_id": survivor["id"]})
        rows = await _import(sb, tmp_path, manifest, mapping, "night-2")
        assert _links(sb, deal)[0] == survivor["id"]  # kept on the survivor
        assert "changed in Pipedrive" not in rows["R1"].get("note", ""), rows["R1"]
