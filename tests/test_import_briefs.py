"""An import's start-up (the plan before its first write, a resume's plan) reads its items
as ``Brief`` s the store narrows in SQL, never their payloads decoded and held (issue 8:
``ImportJob._items_now`` held every pending item decoded, ~8 KB each: a 200,000-row
import peaked at ~211 MB right before its first write)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import anyio
import pytest

import bulk.store.sqlite as store_sqlite
from bulk.sandbox import SandboxConfig, serve
from bulk.store import ItemState, JobStore, NewItem
from jobs import kind_for
from jobs.demo_data import write_demo_export
from jobs.import_resolve import refs_of
from jobs.importing.briefs import briefs
from tests.import_support import api_context, loaded_import
from tests.test_import_claims import KEY_FIELD

pytestmark = pytest.mark.anyio

_PERSON = {"kind": "person", "key": "e:a@x.example", "body": {"name": "A"}}
_ORG = {"kind": "org", "key": "n:acme", "body": {"name": "Acme"}}
PAYLOADS: list[dict[str, Any]] = [
    {"deal": {"title": "a"}, "person": _PERSON, "org": _ORG},
    {"deal": {"title": "b"}, "person": {**_PERSON, "org": _ORG}},
    {"deal": {"title": "c"}, "person": {"id": 7}, "org": {"id": 3}},
    {"deal": {"title": "d"}, "org": {**_ORG, "org": {"kind": "org", "key": 12}}},
    {"changes": {"title": "e", "is_archived": False}, "deal_id": 12},
    {"changes": {"title": "f", "is_archived": True}, "deal_id": "12"},
    {"changes": {"title": "g"}, "deal_id": 13, "person": {"key": None, "kind": "person"}},
    {"changes": None, "deal_id": 14},
    {"Record ID": "k", "column": "Amount"},  # a row that failed its checks: mapped again
    *({"deal": {}, "duplicate": d} for d in ("", "key k", True, False, 0, 1, 0.0, None,
                                             {}, {"a": 1}, [], [0])),
]


def test_a_brief_says_what_the_payload_says(tmp_path: Path) -> None:
    """Each fact of a ``Brief`` is the one the start-up's readers took from the decoded
    payload: its duplicate mark as Python reads it true, a mapped deal or changes, an
    update's changes and deal id, an unarchive, and ``refs_of``'s references in order."""
    store = JobStore.create(tmp_path / "j", job_id="j", kind="import", config={})
    store.add_items(NewItem(row=n, key=f"k{n}", op="update" if "changes" in p else "create",
                            payload=p) for n, p in enumerate(PAYLOADS))
    got = list(briefs(store, ItemState.PENDING))
    items = list(store.items(ItemState.PENDING))
    assert [b.id for b in got] == [i.id for i in items]
    for brief, item in zip(got, items, strict=True):
        p = item.payload
        assert brief.duplicate == bool(p.get("duplicate")), p
        assert brief.mapped == ("deal" in p or "changes" in p), p
        assert brief.patch == isinstance(p.get("changes"), dict), p
        assert brief.deal_id == p.get("deal_id"), p
        assert brief.unarchive == ((p.get("changes") or {}).get("is_archived") is False), p
        assert list(brief.refs) == [(str(r["kind"]), str(r["key"])) for r in refs_of(p)], p
        assert (brief.key, brief.op, brief.row) == (item.key, item.op, item.row)
    store.close()


async def test_the_plan_before_the_first_write_decodes_no_item(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A loaded import's plan right before its first write (``resume_calls`` less the
    re-read, ``recheck_calls``: ``jobs.import_load.loaded_plan``) and a resume's
    (``reread_calls``, ``in_doubt_writes``, ``unpriced``) decode no item's payload — 0 of
    the job's rows, where the memo decoded and held every pending one — and price the
    same calls every time it is asked."""
    export = write_demo_export(tmp_path / "in", rows=300, broken=0, unknown_stage=0)
    async with serve(SandboxConfig(deals=0, time_scale=0.02, seed=7)) as sb:
        async with api_context(sb, tmp_path / "ctx") as ctx:
            await ctx.call("addDealField", json={"field_name": KEY_FIELD,
                                                  "field_type": "varchar"})
        job = await anyio.to_thread.run_sync(lambda: loaded_import(
            sb, tmp_path / "jobs", export.manifest, export.mapping, mode="insert"))
    store = JobStore.open(tmp_path / "jobs" / job)
    kind = kind_for(store)
    assert store.counts()[ItemState.PENDING] >= 250
    decoded = Counter[str]()
    real = store_sqlite._item

    def counting(r: Any) -> Any:
        decoded["items"] += 1
        return real(r)

    monkeypatch.setattr(store_sqlite, "_item", counting)
    first = [kind.resume_calls(store), kind.reread_calls(store),
             kind.recheck_calls(store, 40), kind.in_doubt_writes(store), kind.unpriced(store)]
    again = [kind.resume_calls(store), kind.reread_calls(store),
             kind.recheck_calls(store, 40), kind.in_doubt_writes(store), kind.unpriced(store)]
    assert decoded["items"] == 0, f"{decoded['items']} items decoded"
    assert first == again
    assert 0 < first[0].get("addDeal", 0) <= store.counts()[ItemState.PENDING]
    assert first[0].get("addPerson", 0) > 0
    store.close()
