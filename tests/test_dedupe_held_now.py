"""A dedupe apply judges each group again right before it merges, on what the account holds
now beside the deals (x37r2 F2b, F2c: an apply of an older plan merged a pair whose org and
person had been renamed to catch-alls since — ``Privatkunden Ost``, ``Walk-in customer`` — and
a pair a reviewer marked keep-separate in a newer plan; the deals were untouched, so the
"changed since the plan" check passed). Such a group is held, named, nothing sent; a shared
org renamed to another real name is merged as planned. The names read are the plan's
(``getOrganizations`` / ``getPersons`` by ids), in the apply's printed plan."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import anyio
import orjson
import pytest
from typer.testing import CliRunner

from bulk.engine import Engine, EngineConfig
from bulk.sandbox import Sandbox, SandboxConfig, serve
from bulk.store import ItemState, JobStore
from jobs.dedupe.held_now import names_calls
from jobs.dedupe.index import remember_config, remember_keep_separate
from jobs.kinds import kind_for
from jobs.rechecks import recheck_calls
from pdbulk.cli import app
from tests.dedupe_job_support import deal, load_apply, org, plan, resume, seed_account
from tests.update_support import (
    cli_args,
    delta,
    requests,
    run_job,
    run_priced,
    threaded_sandbox,
)

DAY = ("2026-11-03T10:00:00Z", "2026-11-03T10:04:00Z")


def _person(sb: Sandbox, name: str) -> int:
    tpl = dict(sb.state.table("person").rows[1])
    (pid,) = sb.state.load("person", [{k: v for k, v in tpl.items() if k != "id"}
                                      | {"name": name, "org_id": None}])
    return pid


def _rename(sb: Sandbox, kind: str, rid: int, name: str) -> None:
    row = sb.state.table(kind).rows[rid]
    sb.state.save(kind, {**row, "name": name, "update_time": sb.state.now_iso()})


def _results(store: JobStore) -> dict[int, dict[str, object]]:
    out = {}
    for i in store.items():
        result = i.result or i.payload.get("result") or {}
        out[int(i.payload.get("merge_id") or result["merged_id"])] = result
    return out


@pytest.mark.anyio
async def test_an_apply_holds_what_the_account_no_longer_matches(tmp_path: Path) -> None:
    async with serve(SandboxConfig(time_scale=0.02, deals=1, seed=48)) as sb:
        sb.state.save("deal", {**sb.state.deals.rows[1], "is_deleted": True})
        energy, parkett, renamed = (org(sb, "Consumers Energy"), org(sb, "Parkett Halle"),
                                    org(sb, "Mueller Holz"))
        sabine = _person(sb, "Sabine Kraus")
        pairs = {
            "org": [deal(sb, "Stromvertrag Gewerbe", energy, value=500, add=t, update=t)
                    for t in DAY],
            "person": [deal(sb, "Fahrradreparatur", None, value=90, add=t, update=t,
                            person_id=sabine) for t in DAY],
            "separate": [deal(sb, "Parkett Halle 3", parkett, value=700, add=t, update=t)
                         for t in DAY],
            "benign": [deal(sb, "Dielen Lieferung", renamed, value=300, add=t, update=t)
                       for t in DAY],
        }
        out = await plan(sb, tmp_path, tmp_path / "p1")
        planned = {frozenset(g.member_ids) for g in out.result.groups if g.band == "duplicate"}
        assert all(frozenset(ids) in planned for ids in pairs.values()), planned
        # since the plan: renames (no deal changes) and a reviewer's keep-separate
        _rename(sb, "organization", energy, "Privatkunden Ost")
        _rename(sb, "person", sabine, "Walk-in customer")
        _rename(sb, "organization", renamed, "Müller Holz GmbH")
        remember_keep_separate(tmp_path / "state", [pairs["separate"]])
        before = dict(sb.stats()["requests_by_operation"])
        store, _ = await load_apply(sb, tmp_path, tmp_path / "p1")
        after = dict(sb.stats()["requests_by_operation"])
        # three orgs and one person: read by id (1 token each), not listed (10 a call)
        made = delta(before, after)
        assert (made.get("getOrganization"), made.get("getPerson")) == (3, 1), made
        assert not made.get("getOrganizations") and not made.get("getPersons"), made
        await run_job(sb, store)
        got = _results(store)
        for what, needle in (("org", f"org {energy} renamed 'Privatkunden Ost' since the plan,"
                                     " a catch-all"),
                             ("person", f"person {sabine} renamed 'Walk-in customer' since the"
                                        " plan, a catch-all"),
                             ("separate", "were marked keep-separate since the plan")):
            merged_away = max(pairs[what])
            assert got[merged_away].get("action") == "skipped", (what, got[merged_away])
            assert needle in str(got[merged_away].get("reason")), (what, got[merged_away])
            assert not sb.state.deals.rows[merged_away].get("is_deleted"), what
        benign = got[max(pairs["benign"])]
        assert benign.get("action") == "merged", benign
        assert sum(1 for _ in store.items(ItemState.DONE)) == 1
        store.close()


def test_plan_dedupe_prices_the_names_read_the_run_makes(tmp_path: Path) -> None:
    """`pdbulk plan dedupe` counts the apply's read of the org and person names (two orgs:
    ``getOrganization`` by id, 1 token each) as the run spends it."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=1, seed=49)) as sb:
        seed_account(sb)
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        runner = CliRunner()
        args = cli_args(sb, tmp_path / "j")
        cost = runner.invoke(app, ["plan", "dedupe", "--json", *args], env=env)
        assert cost.exit_code == 0, cost.output
        priced = orjson.loads(cost.stdout)["tokens_by_operation"]
        before = requests(sb)
        ran = runner.invoke(app, ["dedupe", "run", "--json", "-o", str(tmp_path / "p"),
                                  *args], env=env)
        assert ran.exit_code == 0, ran.output
        spent = delta(before, requests(sb))
        # the plan's read (three orgs), the one before merging and the batch's re-check (the
        # groups' two each): by id
        assert spent.get("getOrganization") == 7, spent
        assert not spent.get("getOrganizations"), spent
        for op in ("getOrganization", "getOrganizations", "getPerson", "getPersons"):
            assert priced.get(op, 0) == spent.get(op, 0) * (10 if op.endswith("s") else 1), op


@pytest.mark.anyio
async def test_a_resume_holds_a_pair_whose_org_became_a_catch_all(tmp_path: Path) -> None:
    """x37r2 F2: night 1's job killed before its merges; a colleague renames the org of a
    pair ``Privatkunden Nord``; the resume holds the pair (it merged it), reading the names
    its plan priced (``resume_calls``)."""
    async with serve(SandboxConfig(time_scale=0.02, deals=1, seed=50)) as sb:
        sb.state.save("deal", {**sb.state.deals.rows[1], "is_deleted": True})
        energy, other = org(sb, "Consumers Energy"), org(sb, "Lindqvist Bau")
        held = [deal(sb, "Stromvertrag Gewerbe", energy, value=500, add=t, update=t)
                for t in DAY]
        kept = [deal(sb, "Dachsanierung", other, value=800, add=t, update=t) for t in DAY]
        await plan(sb, tmp_path, tmp_path / "p1")
        store, _ = await load_apply(sb, tmp_path, tmp_path / "p1")  # then killed
        _rename(sb, "organization", energy, "Privatkunden Nord")
        config = EngineConfig.from_json(store.config["engine"])
        kind = kind_for(store)
        priced = Counter(kind.resume_calls(store))  # type: ignore[attr-defined]
        priced.update(recheck_calls(store, kind, config.max_workers,
                                    (ItemState.PENDING, ItemState.SENDING),
                                    burst=config.limits().burst))
        before = dict(sb.stats()["requests_by_operation"])
        with anyio.fail_after(60):
            async with Engine.open(config, sb.token, store=store) as eng:
                await kind.before_resume(eng.ctx, store)  # type: ignore[attr-defined]
                await eng.run(kind)
        spent = delta(before, dict(sb.stats()["requests_by_operation"]))
        # the two orgs' names before anything is sent, then at the batch's re-check the one
        # of the pair still to send (the plan, not knowing the other is held, counts both)
        assert spent.get("getOrganization") == 3 and priced.get("getOrganization") == 4, spent
        got = _results(store)
        assert got[max(held)].get("action") == "skipped", got[max(held)]
        assert (f"held now: org {energy} renamed 'Privatkunden Nord' since the plan, a "
                "catch-all") in str(got[max(held)].get("reason"))
        assert not sb.state.deals.rows[max(held)].get("is_deleted")
        assert got[max(kept)].get("action") == "merged", got[max(kept)]
        store.close()


@pytest.mark.anyio
async def test_an_apply_holds_a_group_the_config_in_force_no_longer_merges(
        tmp_path: Path) -> None:
    """A duplicate threshold raised since the plan (the state's config.toml, kept by the
    last run or plan given one): a group scoring below it is held, not merged."""
    async with serve(SandboxConfig(time_scale=0.02, deals=1, seed=51)) as sb:
        acme = seed_account(sb)["orgs"]["acme"]
        # a copy with a typo, no value, 10 h later: a duplicate below 1.0 (the web pair scored
        # 0.92 for its two values before x45r2 F1; two amounts are review now)
        deal(sb, "Acme Corp - website redesing", acme, value=0, add="2026-11-01T20:05:00Z")
        out = await plan(sb, tmp_path, tmp_path / "p1")
        dup = [g for g in out.result.groups if g.band == "duplicate"]
        assert dup and min(g.score for g in dup) < 0.99
        toml = tmp_path / "strict.toml"
        toml.write_text("duplicate_threshold = 0.99\nreview_threshold = 0.70\n")
        remember_config(tmp_path / "state", toml)
        store, _ = await load_apply(sb, tmp_path, tmp_path / "p1")
        got = _results(store)
        low = [g for g in dup if g.score < 0.99]
        for g in low:
            r = got[g.merged_ids[0]]
            assert r.get("action") == "skipped", r
            assert "held now: the duplicate threshold is 0.99" in str(r.get("reason")), r
        store.close()


def test_names_are_read_by_id_where_that_costs_fewer_tokens() -> None:
    """1 to 9 records cost 1 token each by id (getOrganization / getPerson), fewer than a
    list call by ids (10 tokens for up to 100); from 10 on, the list."""
    assert names_calls(1, 0) == {"getOrganization": 1}
    assert names_calls(9, 3) == {"getOrganization": 9, "getPerson": 3}
    assert names_calls(10, 250) == {"getOrganizations": 1, "getPersons": 3}
    assert names_calls(0, 0) == {}


@pytest.mark.anyio
async def test_a_batch_holds_a_pair_whose_org_became_a_catch_all_during_the_run(
        tmp_path: Path) -> None:
    """An org renamed ``Privatkunden Süd`` after the apply judged its groups (a colleague,
    while the run merges): the batch's re-check reads the names again (by id, as priced:
    ``recheck_calls``) and holds the pair; before, the run merged it."""
    async with serve(SandboxConfig(time_scale=0.02, deals=1, seed=52)) as sb:
        sb.state.save("deal", {**sb.state.deals.rows[1], "is_deleted": True})
        energy, other = org(sb, "Consumers Energy"), org(sb, "Lindqvist Bau")
        held = [deal(sb, "Stromvertrag Gewerbe", energy, value=500, add=t, update=t)
                for t in DAY]
        kept = [deal(sb, "Dachsanierung", other, value=800, add=t, update=t) for t in DAY]
        await plan(sb, tmp_path, tmp_path / "p1")
        store, prep = await load_apply(sb, tmp_path, tmp_path / "p1")
        _rename(sb, "organization", energy, "Privatkunden Süd")  # after the apply's check
        spent, priced = await run_priced(sb, store, prep)
        assert spent.get("getOrganization") == priced.get("getOrganization") == 2, spent
        got = _results(store)
        assert got[max(held)].get("action") == "skipped", got[max(held)]
        assert (f"held now: org {energy} renamed 'Privatkunden Süd' since the plan, a "
                "catch-all") in str(got[max(held)].get("reason"))
        assert not sb.state.deals.rows[max(held)].get("is_deleted")
        assert got[max(kept)].get("action") == "merged", got[max(kept)]
        store.close()


@pytest.mark.anyio
async def test_a_merge_in_flight_at_a_kill_is_judged_again_before_it_is_sent_again(
        tmp_path: Path) -> None:
    """A merge in flight at a kill (never applied) whose org is renamed ``Walk-in
    customers`` before the resume: the reconcile finds it not applied, and it is judged
    on the names now like any pending merge — held, not sent again (before: merged)."""
    async with serve(SandboxConfig(time_scale=0.02, deals=1, seed=53)) as sb:
        sb.state.save("deal", {**sb.state.deals.rows[1], "is_deleted": True})
        energy = org(sb, "Consumers Energy")
        held = [deal(sb, "Stromvertrag Gewerbe", energy, value=500, add=t, update=t)
                for t in DAY]
        await plan(sb, tmp_path, tmp_path / "p1")
        store, _ = await load_apply(sb, tmp_path, tmp_path / "p1")
        (item,) = store.items(ItemState.PENDING)
        store.mark_sending([item.id], 0.0)  # the kill -9: in flight, never applied
        _rename(sb, "organization", energy, "Walk-in customers")
        await resume(sb, store)
        got = _results(store)
        assert got[max(held)].get("action") == "skipped", got[max(held)]
        assert (f"held now: org {energy} renamed 'Walk-in customers' since the plan, a "
                "catch-all") in str(got[max(held)].get("reason"))
        assert not sb.state.deals.rows[max(held)].get("is_deleted")
        store.close()
