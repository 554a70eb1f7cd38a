"""A person the import made, merged by a colleague into a person of another name before
any deal of the job linked it (mid-run, or between a stop and the resume), is found again
by its e-mail in the survivor, as a fresh import finds it (x38r1 F1): never made again."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bulk.errors import BudgetExhausted
from bulk.sandbox import Sandbox, SandboxConfig, serve
from bulk.sandbox.merge import merge
from bulk.store import JobStore
from tests.import_support import (
    UPSERT_FAST,
    CallsThrough,
    Execute,
    deal_links,
    read_csv,
    resume_job,
    upsert_hooked,
)

pytestmark = pytest.mark.anyio
ROWS = [("R1", "Deal one", "100", "Yan Kopie", "yan@copy.example", "Hooli"),
        ("R2", "Deal two", "200", "Yan Kopie", "yan@copy.example", "Hooli")]


def _kai(sb: Sandbox) -> int:
    """Kai O'Brien, a person of the account before the import (kai@ex.com)."""
    old = "2025-01-02T03:04:05Z"  # long before the job: no list of those added since finds it
    (pid,) = sb.state.load("person", [{
        "name": "Kai O'Brien", "first_name": "Kai", "last_name": "O'Brien",
        "emails": [{"value": "kai@ex.com", "primary": True, "label": "work"}],
        "phones": [], "org_id": None, "owner_id": 1, "visible_to": 3, "custom_fields": {},
        "label_ids": [], "add_time": old, "update_time": old, "is_deleted": False}])
    return pid


def _persons(sb: Sandbox, email: str) -> list[int]:
    return [p["id"] for p in sb.state.table("person").rows.values() if not p["is_deleted"]
            and any(e["value"] == email for e in p.get("emails") or ())]


async def _run(sb: Sandbox, tmp: Path, kai: int, *, stop: bool,
               colleague: Callable[[], None] | None = None) -> JobStore:
    """The import of ``ROWS`` at one worker; right before R1's addDeal a colleague merges
    the person R1 made into Kai (or does ``colleague()``); with ``stop`` the run stops
    there (a --max-tokens cap)."""
    done: list[bool] = []

    class Ctx(CallsThrough):
        async def call(self, op: str, *a: Any, **kw: Any) -> Any:
            if op == "addDeal" and not done:
                done.append(True)
                if colleague is not None:
                    colleague()
                else:
                    (made,) = _persons(sb, "yan@copy.example")
                    merge(sb.state, "person", made, {"merge_with_id": kai})
                if stop:
                    raise BudgetExhausted("the job's cap is spent", cap=1, needs="addDeal")
            return await self._ctx.call(op, *a, **kw)

    def hook(kind: Any, execute: Execute) -> Execute:
        async def wrapped(ctx: Any, item: Any) -> Any:
            return await execute(Ctx(ctx), item)
        return wrapped

    return await upsert_hooked(sb, tmp, ROWS, hook)


@pytest.mark.parametrize("stop", [False, True], ids=["mid-run", "resume"])
async def test_a_made_person_merged_before_its_deal_is_found_by_email(
        tmp_path: Path, stop: bool) -> None:
    """Both deals link Kai (who holds yan@copy.example since the merge); no second Yan
    made; the note says merged, not deleted (before: person made again with the same
    e-mail, both deals linked to the copy, the note "deleted since")."""
    async with serve(SandboxConfig(**UPSERT_FAST)) as sb:
        kai = _kai(sb)
        store = await _run(sb, tmp_path, kai, stop=stop)
        directory = store.directory
        if stop:
            store.close()
            store, _ = await resume_job(sb, directory, reread=True)
        try:
            assert not read_csv(directory / "failed.csv")
            rows = {r["key"]: r for r in read_csv(directory / "succeeded.csv")}
            assert _persons(sb, "yan@copy.example") == [kai], rows
            assert [deal_links(sb, int(rows[k]["deal_id"]))[0] for k in ("R1", "R2")] \
                == [kai, kai], rows
            assert "deleted" not in rows["R1"]["note"], rows["R1"]
        finally:
            store.close()


async def _acme(sb: Sandbox, tmp: Path) -> int:
    """Acme, an organization of the account before the import, changed long ago."""
    from tests.import_support import api_context

    async with api_context(sb, tmp / "ctx") as ctx:
        await ctx.call("addOrganization", json={"name": "Acme"})
    (oid,) = [o["id"] for o in sb.state.table("organization").rows.values()
              if o["name"] == "Acme"]
    row = sb.state.table("organization").rows[oid]
    sb.state.save("organization", {**row, "add_time": "2025-01-02T03:04:05Z",
                                   "update_time": "2025-01-02T03:04:05Z"})
    return int(oid)


@pytest.mark.parametrize("stop", [False, True], ids=["mid-run", "resume"])
async def test_a_made_org_merged_before_its_deal_is_found_by_its_person(
        tmp_path: Path, stop: bool) -> None:
    """The organization R1 made (Hooli) merged into Acme before R1's deal: no deal tells,
    no record answers its name; the person the job made with it, moved to Acme by the
    merge, tells the survivor: both deals on Acme, no Hooli made again (before: a copy)."""
    async with serve(SandboxConfig(**UPSERT_FAST)) as sb:
        acme = await _acme(sb, tmp_path)

        def colleague() -> None:
            (made,) = [o["id"] for o in sb.state.table("organization").rows.values()
                       if o["name"] == "Hooli" and not o["is_deleted"]]
            merge(sb.state, "organization", made, {"merge_with_id": acme})

        store = await _run(sb, tmp_path, 0, stop=stop, colleague=colleague)
        directory = store.directory
        if stop:
            store.close()
            store, _ = await resume_job(sb, directory, reread=True)
        try:
            assert not read_csv(directory / "failed.csv")
            rows = {r["key"]: r for r in read_csv(directory / "succeeded.csv")}
            assert [deal_links(sb, int(rows[k]["deal_id"]))[1] for k in ("R1", "R2")] \
                == [acme, acme], rows
            assert [o["id"] for o in sb.state.table("organization").rows.values()
                    if o["name"] == "Hooli" and not o["is_deleted"]] == [], rows
            assert "deleted" not in rows["R1"]["note"], rows["R1"]
        finally:
            store.close()


async def test_held_by_reads_since_its_last_read_and_drops_the_dead() -> None:
    """``Resolver.held_by``: the first read lists the persons changed since the job was
    created, a later one only those changed since the first (its answers kept); a record
    named dead is never answered again, so a survivor answers the key."""
    from types import SimpleNamespace

    from jobs.contact_keys import person_email_key
    from jobs.import_resolve import Resolver

    asked: list[str] = []
    pages = [[{"id": 5, "name": "Yan Kopie", "emails": [{"value": "yan@copy.example"}]}],
             [{"id": 9, "name": "Kai O'Brien",
               "emails": [{"value": "kai@ex.com"}, {"value": "yan@copy.example"}]}]]

    class Ctx:
        clock = SimpleNamespace(wall=lambda: 2_000_000.0)

        async def paginate(self, op: str, *, params: Any, limit: int) -> Any:
            asked.append(str(params["updated_since"]))
            yield SimpleNamespace(data=pages.pop(0))

    resolver = Resolver(None, loaded=lambda: 1_000_000.0)  # type: ignore[arg-type]
    key = person_email_key("yan@copy.example")
    assert (await resolver.held_by(Ctx(), "person", [key]))[0] == {key: 5}  # type: ignore[arg-type]
    assert (await resolver.held_by(Ctx(), "person", [key], (5,)))[0] == {key: 9}  # type: ignore[arg-type]
    assert asked[0] < asked[1], asked  # since the job's creation, then since the first read


PHONE_ROWS = [("R1", "Deal one", "100", "Yan Kopie", "+49 30 1234567", "Hooli"),
              ("R2", "Deal two", "200", "Yan Kopie", "+49 30 1234567", "Hooli")]


def _by_phone(sb: Sandbox, digits: str) -> list[int]:
    return [p["id"] for p in sb.state.table("person").rows.values() if not p["is_deleted"]
            and any("".join(c for c in str(e["value"]) if c.isdigit()).endswith(digits)
                    for e in p.get("phones") or ())]


async def _run_phone(sb: Sandbox, tmp: Path, kai: int, *, stop: bool,
                     also: Callable[[], None] | None = None) -> JobStore:
    """``_run`` for ``PHONE_ROWS`` (a person by name and phone, no e-mail): right before
    R1's addDeal a colleague merges the person R1 made into Kai (and does ``also()``)."""
    done: list[bool] = []

    class Ctx(CallsThrough):
        async def call(self, op: str, *a: Any, **kw: Any) -> Any:
            if op == "addDeal" and not done:
                done.append(True)
                (made,) = [p for p in _by_phone(sb, "301234567") if p != kai]
                merge(sb.state, "person", made, {"merge_with_id": kai})
                if also is not None:
                    also()
                if stop:
                    raise BudgetExhausted("the job's cap is spent", cap=1, needs="addDeal")
            return await self._ctx.call(op, *a, **kw)

    def hook(kind: Any, execute: Execute) -> Execute:
        async def wrapped(ctx: Any, item: Any) -> Any:
            return await execute(Ctx(ctx), item)
        return wrapped

    return await upsert_hooked(sb, tmp, PHONE_ROWS, hook, phone=True)


@pytest.mark.parametrize("stop", [False, True], ids=["mid-run", "resume"])
async def test_a_made_person_of_a_phone_merged_before_its_deal_is_found_by_the_phone(
        tmp_path: Path, stop: bool) -> None:
    """A person made by name and phone (no e-mail), merged into Kai (another name) before
    any deal linked it: Kai, the one record changed since holding that phone (a merge
    unites phones), is its survivor: both deals link Kai, no second Yan (before: made
    again, its keys name+phone answered by no record of another name)."""
    async with serve(SandboxConfig(**UPSERT_FAST)) as sb:
        kai = _kai(sb)
        store = await _run_phone(sb, tmp_path, kai, stop=stop)
        directory = store.directory
        if stop:
            store.close()
            store, _ = await resume_job(sb, directory, reread=True)
        try:
            assert not read_csv(directory / "failed.csv")
            rows = {r["key"]: r for r in read_csv(directory / "succeeded.csv")}
            assert _by_phone(sb, "301234567") == [kai], rows
            assert [deal_links(sb, int(rows[k]["deal_id"]))[0] for k in ("R1", "R2")] \
                == [kai, kai], rows
            note = rows["R1"]["note"]
            assert "merged away since" in note and "deleted" not in note, rows["R1"]
            assert stop or "holds the phone" in note, note
        finally:
            store.close()


async def test_a_phone_two_records_hold_is_no_witness(tmp_path: Path) -> None:
    """The same merge, and a colleague's other person changed since holding that phone too
    (a shared line): no one survivor is told, the person is made again, never linked to
    one of the two by the phone alone."""
    async with serve(SandboxConfig(**UPSERT_FAST)) as sb:
        kai = _kai(sb)
        other: list[int] = []

        def colleague() -> None:
            import time

            now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
            (pid,) = sb.state.load("person", [{
                "name": "Ola Line", "first_name": "Ola", "last_name": "Line", "emails": [],
                "phones": [{"value": "+49 30 1234567", "primary": True, "label": "work"}],
                "org_id": None, "owner_id": 1, "visible_to": 3, "custom_fields": {},
                "label_ids": [], "add_time": now, "update_time": now,
                "is_deleted": False}])
            other.append(pid)

        store = await _run_phone(sb, tmp_path, kai, stop=False, also=colleague)
        try:
            assert not read_csv(store.directory / "failed.csv")
            rows = {r["key"]: r for r in read_csv(store.directory / "succeeded.csv")}
            links = {deal_links(sb, int(rows[k]["deal_id"]))[0] for k in ("R1", "R2")}
            assert len(links) == 1 and links.isdisjoint({kai, *other}), (links, rows)
        finally:
            store.close()
