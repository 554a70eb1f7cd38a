"""Two merges in one second (x40r1 F1): a record with no e-mail or phone of its own to
trace it by — every organization, a person with a name alone — is traced by what its merge
moved in its second; two merges at once made that ambiguous, and `undo --contacts` left the
job's deals (and the import's persons) as conflicts: "deal 77 changed since the job wrote
it (org_id: job's organization 17, now organization 16)", 8 of 12. The job's own records
say which went where: the deals it wrote on each, the persons the import made on each —
where those moved in that second is where that record went. What stays ambiguous (its own
records name two survivors) is still no trace."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from bulk.sandbox import Sandbox, SandboxConfig, serve
from bulk.sandbox.contacts import create_org, create_person
from bulk.sandbox.merge import merge
from tests.import_support import import_once, read_csv
from tests.test_undo import undoer
from tests.update_support import load_job, run_job


class _Frozen:
    """The sandbox's clock, its wall fixed ``ahead`` seconds on (whole second + 0.2): the
    writes made under it fall in one second, a later one than the import's."""

    def __init__(self, clock: Any, ahead: float) -> None:
        self.clock = clock
        self.at = float(int(clock.wall() + ahead)) + 0.2

    def now(self) -> float:
        return float(self.clock.now())

    def wall(self) -> float:
        return self.at

    async def sleep(self, seconds: float) -> None:
        await self.clock.sleep(seconds)


class _Ahead(_Frozen):
    def wall(self) -> float:
        return float(self.clock.wall()) + 4.0


@contextmanager
def _one_second(sb: Sandbox, ahead: float = 2.0) -> Iterator[None]:
    """Writes in one second, ``ahead`` on; every write after it later still."""
    real = sb.state.clock
    sb.state.clock = _Frozen(real, ahead)
    try:
        yield
    finally:
        sb.state.clock = _Ahead(real, 0.0)


async def _import(sb: Sandbox, tmp_path: Path, email: bool = True) -> tuple[Any, dict[str, Any]]:
    """Six rows, two per organization (Org One: A-1, A-2; Org Two: A-3, A-4; Org Three:
    A-5, A-6), each with its own person (an e-mail, or a name alone): the store and the
    rows by key."""
    orgs = ["Org One", "Org One", "Org Two", "Org Two", "Org Three", "Org Three"]
    manifest = tmp_path / "in.csv"
    manifest.write_text("id,title,person,email,org\n" + "".join(
        f"A-{n},Deal {n},Person {n},{f'p{n}@x.example' if email else ''},{org}\n"
        for n, org in enumerate(orgs, 1)))
    mapping = tmp_path / "map.toml"
    mapping.write_text('version = 1\n[import]\nkey_column = "id"\n[deal]\ntitle = "title"\n'
                       '[person]\nname = "person"\nemail = "email"\n'
                       '[organization]\nname = "org"\n')
    source, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping)
    return source, {r["key"]: r for r in read_csv(source.directory / "succeeded.csv")}


@pytest.mark.anyio
@pytest.mark.parametrize("spaced", [False, True])
async def test_two_org_merges_in_one_second_leave_no_deal_or_person_conflict(
        tmp_path: Path, spaced: bool) -> None:
    """Org One merged into Acme and Org Two into Globex in one second (or two seconds
    apart): the plan traces each by the job's deals and the import's persons on it, the
    undo deletes every deal and person (before, in one second: 4 of 6 deals and 4 persons
    conflicts); Org Three, not merged, goes too."""
    async with serve(SandboxConfig(time_scale=0.02, deals=0, seed=51)) as sb:
        source, rows = await _import(sb, tmp_path)
        acme = create_org(sb.state, {"name": "Acme"})["id"]
        globex = create_org(sb.state, {"name": "Globex"})["id"]
        one, two = int(rows["A-1"]["org_id"]), int(rows["A-3"]["org_id"])
        with _one_second(sb):
            merge(sb.state, "organization", one, {"merge_with_id": acme})
            if spaced:
                sb.state.clock = _Frozen(sb.state.clock.clock, 4.0)
            merge(sb.state, "organization", two, {"merge_with_id": globex})
        assert sb.state.deals.rows[int(rows["A-1"]["deal_id"])]["org_id"] == acme
        undo, plan = await load_job(sb, tmp_path, "undo", undoer(source, contacts=True))
        failed = [i.error for i in plan.items if i.error]
        assert not failed, failed
        await run_job(sb, undo)
        for key, row in rows.items():
            assert sb.state.deals.rows[int(row["deal_id"])]["is_deleted"], key
            assert sb.state.persons.rows[int(row["person_id"])]["is_deleted"], key
        assert not sb.state.orgs.rows[acme]["is_deleted"]
        assert sb.state.orgs.rows[int(rows["A-5"]["org_id"])]["is_deleted"]
        undo.close()
        source.close()


@pytest.mark.anyio
@pytest.mark.parametrize("spaced", [False, True])
async def test_two_name_only_person_merges_in_one_second_are_traced_by_the_jobs_deals(
        tmp_path: Path, spaced: bool) -> None:
    """Person 1 and Person 3 (a name alone) merged into two colleagues' persons in one
    second: the plan deletes the job's deals (before: conflicts, "person_id: job's person
    …, now person …")."""
    async with serve(SandboxConfig(time_scale=0.02, deals=0, seed=52)) as sb:
        source, rows = await _import(sb, tmp_path, email=False)
        hugo = create_person(sb.state, {"name": "Hugo"})["id"]
        felix = create_person(sb.state, {"name": "Felix"})["id"]
        p1, p3 = int(rows["A-1"]["person_id"]), int(rows["A-3"]["person_id"])
        with _one_second(sb):
            merge(sb.state, "person", p1, {"merge_with_id": hugo})
            if spaced:
                sb.state.clock = _Frozen(sb.state.clock.clock, 4.0)
            merge(sb.state, "person", p3, {"merge_with_id": felix})
        assert sb.state.deals.rows[int(rows["A-3"]["deal_id"])]["person_id"] == felix
        undo, plan = await load_job(sb, tmp_path, "undo", undoer(source, contacts=True))
        failed = [i.error for i in plan.items if i.error and "deal" in i.key]
        assert not [i.error for i in plan.items if i.error and i.op == "delete"], failed
        await run_job(sb, undo)
        for key, row in rows.items():
            assert sb.state.deals.rows[int(row["deal_id"])]["is_deleted"], key
        assert not sb.state.persons.rows[hugo]["is_deleted"]
        undo.close()
        source.close()


def test_records_known_on_it_that_name_two_survivors_are_no_trace() -> None:
    """Of two merges in one second, the record whose own deals now name two survivors (one
    moved by an edit besides), or a record that is no candidate, is not traced: no guess."""
    from jobs.undo.merged import _own
    moved = [{"id": 1, "org_id": 16}, {"id": 2, "org_id": 16}, {"id": 3, "org_id": 2},
             {"id": 4, "org_id": None}]
    assert _own(moved, {1, 2}, {16, 2}, "org_id") == 16
    assert _own(moved, {3}, {16, 2}, "org_id") == 2
    assert _own(moved, {1, 3}, {16, 2}, "org_id") is None  # two survivors
    assert _own(moved, {1, 4}, {16, 2}, "org_id") is None  # one unlinked
    assert _own(moved, {1}, {2}, "org_id") is None  # no candidate
    assert _own(moved, {9}, {16, 2}, "org_id") is None  # none of them moved then
