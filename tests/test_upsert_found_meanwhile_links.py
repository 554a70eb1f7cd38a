"""A create whose key's deal another run made meanwhile (found under the key's claim,
``jobs.importing.creates._exists``) upserts that deal by the same three-way rule as a row
the load found (``jobs.last_written``): a colleague's relinked person / organization is
kept when the file names the same ones this state folder last wrote (before: the row's
links were added to the PATCH whenever they differed, the relink overwritten), and what
the update writes becomes the base of the next night."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
import pytest

from bulk.claims import Claim, acquire, holder_id
from bulk.claims_open import LocalClaims
from bulk.sandbox import Sandbox, SandboxConfig, serve
from jobs.importing import claim_name
from tests.held_up import HeldUp
from tests.import_support import UPSERT_FAST, api_context, upserted
from tests.test_upsert_relinked_links import KEPT, ROWS, _files, _links, _patches, _relinked

pytestmark = pytest.mark.anyio
FAST = UPSERT_FAST


def _key_code(sb: Sandbox, deal_id: int, key: str) -> str:
    custom = sb.state.deals.rows[deal_id]["custom_fields"]
    return next(code for code, value in custom.items() if value == key)


async def _night_held(sb: Sandbox, tmp: Path, manifest: Path, mapping: Path, job_id: str,
                      deal_id: int, key: str, pid: int) -> dict[str, dict[str, str]]:
    """An upsert of ``manifest`` while another live run (``pid``) holds ``key``'s claim
    and its deal ``deal_id`` is not there yet when this run lists the account; the other
    run then releases the claim naming it: this run's row finds it under the claim."""
    code = _key_code(sb, deal_id, key)
    holder = LocalClaims(holder=holder_id(pid))
    claim = await acquire(holder, claim_name(code, key))
    assert isinstance(claim, Claim)
    deal = sb.state.deals.rows[deal_id]
    deal["is_deleted"] = True  # not listed by this run's load

    with pytest.MonkeyPatch.context() as patch:
        held_up = HeldUp(patch)

        async def release() -> None:
            await held_up.wait()  # the key's row held back: this run has listed the account
            deal["is_deleted"] = False
            await holder.release(claim, {"deal_id": deal_id})

        async with anyio.create_task_group() as tg:
            tg.start_soon(release)
            rows = await upserted(sb, tmp, manifest, mapping, job_id, create_key_field=False)
    return rows


async def test_a_deal_found_under_the_claim_keeps_a_colleagues_relink(
        tmp_path: Path, sleeper: int) -> None:
    """Night 1 makes R1's deal; a colleague relinks it to R2's person and organization;
    night 2 (the same file) finds the deal under R1's claim, released by another run: no
    updateDeal (before: 1, the file's links written back), the note names both links;
    night 3 keeps them too."""
    async with serve(SandboxConfig(**FAST)) as sb:
        manifest, mapping, r1, theirs = await _relinked(sb, tmp_path)
        sent = _patches(sb)
        second = await _night_held(sb, tmp_path, manifest, mapping, "night-2", r1, "R1",
                                   sleeper)
        assert second["R1"]["deal_id"] == str(r1), second["R1"]
        assert _links(sb, r1) == theirs
        assert _patches(sb) == sent, "the relink was written over"
        assert second["R1"]["action"] == "unchanged", second["R1"]
        assert KEPT in second["R1"]["note"] and "(person, organization)" in second["R1"]["note"]
        third = await _night_held(sb, tmp_path, manifest, mapping, "night-3", r1, "R1",
                                  sleeper)
        assert _links(sb, r1) == theirs and _patches(sb) == sent, third["R1"]


async def test_what_a_found_deals_update_writes_is_the_next_nights_base(
        tmp_path: Path, sleeper: int) -> None:
    """The file changes R1's title; night 2 finds R1's deal under its claim and writes the
    title. A colleague then edits the title; night 3 (the same file) keeps the colleague's
    title: the update's write is its base (before: not recorded, so the file's title was
    written again, the colleague's edit lost)."""
    async with serve(SandboxConfig(**FAST)) as sb:
        manifest, mapping = _files(tmp_path, ROWS)
        first = await upserted(sb, tmp_path, manifest, mapping, "night-1")
        r1 = int(first["R1"]["deal_id"])
        changed, _ = _files(tmp_path, [("R1", "Deal one renamed", *ROWS[0][2:]), *ROWS[1:]],
                            "night2.csv")
        second = await _night_held(sb, tmp_path, changed, mapping, "night-2", r1, "R1",
                                   sleeper)
        assert second["R1"]["action"] == "updated", second["R1"]
        assert sb.state.deals.rows[r1]["title"] == "Deal one renamed"
        async with api_context(sb, tmp_path / "colleague") as ctx:
            await ctx.call("updateDeal", path={"id": r1}, json={"title": "Colleague's"})
        third: dict[str, Any] = await upserted(sb, tmp_path, changed, mapping, "night-3")
        assert sb.state.deals.rows[r1]["title"] == "Colleague's", third["R1"]
        assert KEPT in third["R1"]["note"], third["R1"]
