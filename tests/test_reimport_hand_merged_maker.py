"""An insert re-import names a deal's maker only when the record proves it: a deal a user made
by hand, which took a key through a merge done over HTTP (no merge record), is never "made by
job" the import killed holding that key's claim (x30r2 low 2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulk.claims_local import LocalClaims
from bulk.sandbox import SandboxConfig, serve
from tests.import_support import api_context, import_once

pytestmark = pytest.mark.anyio
FAST = {"time_scale": 0.02, "seed": 7}
MAPPING = ('[import]\nkey_column = "id"\n[deal]\ntitle = "title"\nvalue = "value"\n'
           'currency = "currency"\n')


async def test_a_hand_made_survivor_is_not_named_the_killed_imports(tmp_path: Path) -> None:
    """Before: 'made by job killed; not created again' for deal 1, typed by a user months
    before the import; now the note says it was there before the job was loaded."""
    from jobs.importing import claim_name

    manifest, mapping = tmp_path / "in.csv", tmp_path / "m.toml"
    manifest.write_text("id,title,value,currency\n" + "".join(
        f"k{i:02},Deal {i},{100 + i},EUR\n" for i in range(5)))
    mapping.write_text(MAPPING)
    async with serve(SandboxConfig(deals=0, **FAST)) as sb:
        async with api_context(sb, tmp_path / "ctx0") as ctx:
            res = await ctx.call("addDeal", json={"title": "by hand", "value": 5,
                                                  "currency": "EUR"})
            hand = int(res.data["id"])
        sb.state.deals.rows[hand]["add_time"] = "2026-01-05T10:00:00Z"
        first, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping,
                                        mode="insert", job_id="killed")
        made = next(int(i.result["deal_id"]) for i in first.items()
                    if i.key == "k00" and i.result)
        first.close()
        code = next(f["field_code"] for f in sb.state.fields.values()
                    if f["field_name"] == "Import source key")
        dead = LocalClaims()  # the import killed -9 holding k00's claim (again, a resume)
        await dead.acquire_many([claim_name(code, "k00")], tag="killed")
        dead.close()
        async with api_context(sb, tmp_path / "ctx") as ctx:  # a user's merge, over HTTP
            await ctx.call("mergeDeals", path={"id": made}, json={"merge_with_id": hand})
        again, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping,
                                        mode="insert", job_id="again",
                                        create_key_field=False)
        row = next(i for i in again.items() if i.key == "k00")
        again.close()
    assert (row.result or {}).get("deal_id") == hand, row
    note = str((row.result or {}).get("note"))
    assert "killed" not in note and "made by job" not in note, note
    assert "added before this job was loaded (2026-01-05T10:00:00Z" in note, note
