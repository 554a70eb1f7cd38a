"""Helpers (no tests) for the dedupe job tests: an account with known duplicates, seeded
straight into a sandbox's state, and the plan/apply flows run in-process."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path
from typing import Any

from bulk.engine import Engine, EngineConfig
from bulk.sandbox import Sandbox
from bulk.store import JobStore
from jobs.dedupe.apply import ApplyOptions, prepare_apply
from jobs.dedupe.config import DedupeConfig
from jobs.dedupe.job import PlanOutcome, make_plan
from tests.import_support import engine_config
from tests.update_support import load_job

PAST = "2026-11-01T10:00:00Z"


def org(sb: Sandbox, name: str) -> int:
    tpl = dict(sb.state.table("organization").rows[1])
    (oid,) = sb.state.load("organization", [{k: v for k, v in tpl.items() if k != "id"}
                                            | {"name": name}])
    return oid


def deal(sb: Sandbox, title: str, org_id: int | None, *, value: float = 1000.0,
         add: str = PAST, update: str = PAST, **extra: Any) -> int:
    tpl = dict(sb.state.deals.rows[1])
    row = {k: v for k, v in tpl.items() if k != "id"} | {
        "title": title, "org_id": org_id, "person_id": None, "value": value,
        "add_time": add, "update_time": update, "stage_id": tpl["stage_id"],
        "custom_fields": {}, "is_deleted": False, "status": "open", **extra}
    (did,) = sb.state.load("deal", [row])
    return did


def filler_title(i: int) -> str:
    h = hashlib.sha256(str(i).encode()).hexdigest()
    return f"{h[:7]} {h[7:13]} {h[13:18]}"


def seed_account(sb: Sandbox, fillers: int = 0) -> dict[str, Any]:
    """Two duplicate groups, hard negatives, ``fillers`` distinct deals. Deal 1 (the
    sandbox's own) is deleted so only these deals are live."""
    acme, globex, initech = org(sb, "Acme Corp"), org(sb, "Globex GmbH"), org(sb, "Initech")
    ids = {
        "web": deal(sb, "Website redesign", acme, value=1000,
                    add="2026-11-01T10:00:00Z"),
        "web_copy": deal(sb, "ACME Corp \u2013 Website redesign", acme, value=1000.01,
                         add="2026-11-01T10:03:00Z"),
        "ren": deal(sb, "Annual renewal 2025", globex, value=800,
                    add="2026-11-02T09:00:00Z"),
        "ren_copy": deal(sb, "annual renewal 2025", globex, value=0,
                         add="2026-11-02T09:02:00Z"),
        "ren_2024": deal(sb, "Annual renewal 2024", globex, value=800,
                         add="2025-11-02T09:00:00Z"),
        "phase1": deal(sb, "Phase 1 rollout", initech, value=300),
        "phase2": deal(sb, "Phase 2 rollout", initech, value=300),
    }
    for i in range(fillers):
        deal(sb, filler_title(i), None, value=float(i))
    sb.state.save("deal", {**sb.state.deals.rows[1], "is_deleted": True})
    return {"ids": ids, "orgs": {"acme": acme, "globex": globex, "initech": initech}}


async def plan(sb: Sandbox, root: Path, out: Path, config: DedupeConfig | None = None, *,
               since_last: bool = False) -> PlanOutcome:
    """`pdbulk dedupe plan` in-process (a throwaway store for the engine's ledger)."""
    cfg: EngineConfig = engine_config(sb, root / "jobs")
    root.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 (test setup)
    store = JobStore.create(root / f"plan-{out.name}", job_id="plan", kind="dedupe", config={})
    try:
        async with Engine.open(cfg, sb.token, store=store) as s:
            return await make_plan(s.ctx, config or DedupeConfig.default(), out,
                                   state_dir=root / "state", since_last=since_last)
    finally:
        store.close()


async def load_apply(sb: Sandbox, root: Path, plan_dir: Path,
                     options: ApplyOptions = ApplyOptions(), job_id: str = "dedupe-job"
                     ) -> tuple[JobStore, Any]:
    async def build(s: Any) -> Any:
        return await prepare_apply(s.ctx, plan_dir, options, state_dir=root / "state")
    return await load_job(sb, root / "jobs", "dedupe", build, job_id=job_id)


def seed_pairs(sb: Sandbox, groups: int) -> None:
    """``groups`` orgs each with two copies of one deal added a minute apart (one duplicate
    pair a group), the sandbox's own deal 1 deleted: the two-host tests' account."""
    for g in range(groups):
        company = org(sb, f"Firma {g} GmbH")
        for i in range(2):
            deal(sb, f"Projekt {g} Anlage", company, value=1000 + g,
                 add=f"2026-11-2{g}T12:0{i}:00Z", update=f"2026-11-2{g}T12:0{i}:00Z")
    sb.state.save("deal", {**sb.state.deals.rows[1], "is_deleted": True})


async def two_hosts(sb: Sandbox, tmp: Path, monkeypatch: Any) -> tuple[JobStore, JobStore]:
    """One plan (``tmp/p1``) loaded as the jobs ``dedupe-a`` and ``dedupe-b`` of two hosts,
    each with its own state folder (``PDBULK_STATE_DIR`` = ``tmp/state-a`` / ``-b``, set
    through ``monkeypatch`` as each loads)."""
    await plan(sb, tmp / "a", tmp / "p1")
    stores = []
    for host in ("a", "b"):
        monkeypatch.setenv("PDBULK_STATE_DIR", str(tmp / f"state-{host}"))
        store, _ = await load_apply(sb, tmp / host, tmp / "p1", job_id=f"dedupe-{host}")
        stores.append(store)
    return stores[0], stores[1]


async def resume(sb: Sandbox, store: JobStore, within: float = 60.0) -> None:
    """``store``'s job resumed in-process: its kind's ``before_resume``, then its run."""
    import anyio

    from jobs.kinds import kind_for

    config = EngineConfig.from_json(store.config["engine"])
    kind = kind_for(store)
    with anyio.fail_after(within):
        async with Engine.open(config, sb.token, store=store) as eng:
            await kind.before_resume(eng.ctx, store)  # type: ignore[attr-defined]
            await eng.run(kind)


def keep_separate(plan_dir: Path, group_id: str | None = None) -> None:
    """Decide keep-separate in ``plan_dir``'s groups.csv, as a reviewer edits it: every
    group, or only ``group_id``."""
    path = plan_dir / "groups.csv"
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    for r in rows:
        if group_id is None or r["group_id"] == group_id:
            r["decision"] = "keep-separate"
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


__all__ = ["PAST", "deal", "filler_title", "keep_separate", "load_apply", "org", "plan",
           "resume", "seed_account", "seed_pairs", "two_hosts"]


def two_titles_bands(a: str, b: str, *, org: str, person: str, value: float
                     ) -> tuple[list[tuple[str, set[int]]], list[tuple[str, tuple[str, ...]]]]:
    """``find_duplicates`` of two open deals titled ``a`` and ``b`` on one org and person
    (``org``, ``person`` by name), of one ``value`` (EUR), added 30 minutes apart: the
    groups as (band, member ids), and their (band, reasons) for a failing assert's message."""
    from datetime import UTC, datetime, timedelta

    from jobs.dedupe.matching import find_duplicates
    from jobs.dedupe.model import DealRecord

    now = datetime(2026, 12, 2, 9, tzinfo=UTC)
    later = now + timedelta(minutes=30)
    base: dict[str, Any] = {
        "status": "open", "org_id": 7, "org_name": org, "person_id": 9, "person_name": person,
        "value": value, "currency": "EUR", "pipeline_id": 1, "stage_id": 1, "stage_order": 1,
        "owner_id": 1}
    deals = [DealRecord(id=1, title=a, add_time=now, update_time=now, **base),
             DealRecord(id=2, title=b, add_time=later, update_time=later, **base)]
    groups = find_duplicates(deals, DedupeConfig.default()).groups
    return ([(g.band, set(g.member_ids)) for g in groups], [(g.band, g.reasons) for g in groups])
