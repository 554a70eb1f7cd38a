"""A plan reads the persons' names (``getPersons`` by ids, 10 tokens a call of 100) so a
person named as no one (``Walk-in customer``, ``Unknown``) is a catch-all, and counts those
reads in its reads line as the server counts them (f34e 2: two same-title deals the same
day on ``Walk-in customer`` with no org were merged; names were not read)."""

from __future__ import annotations

from pathlib import Path

import anyio

import jobs
from bulk.sandbox import Sandbox, SandboxConfig
from tests.dedupe_job_support import deal, seed_account
from tests.import_support import engine_config
from tests.sandbox_helpers import threaded_sandbox


def _person(sb: Sandbox, name: str) -> int:
    tpl = dict(sb.state.table("person").rows[1])
    (pid,) = sb.state.load("person", [{k: v for k, v in tpl.items() if k != "id"}
                                      | {"name": name, "org_id": None}])
    return pid


def test_a_walk_in_person_is_read_by_name_and_the_reads_are_counted(tmp_path: Path) -> None:
    """Two ``Fahrradreparatur`` deals 2 h apart on person ``Walk-in customer`` (no org) are a
    review group naming the catch-all; the same pair on ``Anna Berg`` merges; the plan's
    reads (getPerson by id among them) add up to the tokens the sandbox counted."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=1, seed=43)) as sb:
        seed_account(sb)
        walk_in, anna = _person(sb, "Walk-in customer"), _person(sb, "Anna Berg")
        for person in (walk_in, anna):
            for add in ("2026-11-03T10:00:00Z", "2026-11-03T12:00:00Z"):
                deal(sb, "Fahrradreparatur", None, value=90, add=add, update=add,
                     person_id=person)
        before = sb.stats()["tokens_spent"]
        cfg = engine_config(sb, tmp_path / "j")
        plan = anyio.run(lambda: jobs.plan_dedupe(cfg, sb.token, tmp_path / "plan"))
        spent = sb.stats()["tokens_spent"] - before
        assert "getPerson" in plan.reads, plan.reads  # two persons: by id, 1 token each
        assert sum(t for _, t in plan.reads.values()) == spent, (plan.reads, spent)
        deals = sb.state.deals.rows.values()
        ids = {p: {d["id"] for d in deals if d.get("person_id") == p and not d["is_deleted"]}
               for p in (walk_in, anna)}
        groups = {frozenset(g.member_ids): g for g in plan.outcome.result.groups}
        walk = groups[frozenset(ids[walk_in])]
        assert walk.band == "review"
        assert any("catch-all" in r and "'Walk-in customer'" in r for r in walk.reasons)
        assert groups[frozenset(ids[anna])].band == "duplicate"


def test_the_nightly_index_keeps_the_persons_name() -> None:
    """An index row keeps the person's name (its 20th cell), so a ``--since-last`` plan knows
    the names of the deals it does not read again; a row written before has none."""
    from datetime import UTC, datetime

    from jobs.dedupe.index import DealIndex, compact_row, from_compact_row
    from jobs.dedupe.model import DealRecord

    r = DealRecord(id=5, title="Fahrradreparatur", status="open", person_id=8800,
                   person_name="Walk-in customer", add_time=datetime(2026, 11, 3, tzinfo=UTC))
    assert from_compact_row(compact_row(r)) == r
    assert from_compact_row(compact_row(r)[:19]).person_name is None
    assert DealIndex({5: r}, None).person_names() == {8800: "Walk-in customer"}
