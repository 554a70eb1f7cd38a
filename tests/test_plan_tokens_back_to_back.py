"""An import right after other writes to the account spends exactly its plan (x47r3 F1):
the end-of-run check for doubles (jobs.doubles) lists the deals changed since the job's
load less RECONCILE_MARGIN, one getDeals page per 500, so deals an earlier import (or a
colleague, an update, a merge) wrote in that margin before the plan add pages. Before the
fix the plan priced only the job's own writes: plan 170 / server 180 after 499 keyed deals
imported back to back."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import orjson
import pytest

from bulk.sandbox import Sandbox, SandboxConfig
from tests.sandbox_helpers import ThreadedSandbox
from tests.test_plan_tokens import TOKEN, cli, engine, spent

MAPPING = """[import]
key_column = "key"
mode = "{mode}"
[deal]
title = "title"
"""


def _seeded(sb: Sandbox, tmp: Path, mapping: Path) -> tuple[dict[str, Any], str]:
    """Import one keyed deal (the key field made); that deal and the key field's code."""
    first = tmp / "first.csv"
    first.write_text("key,title\nseed,Seed deal\n")
    ran = cli(sb, tmp / "jobs", "import", str(first), "-m", str(mapping),
              "--create-key-field", *engine(sb, tmp / "jobs"))
    assert ran.exit_code == 0, ran.output
    seed = next(d for d in sb.state.deals.rows.values() if d["title"] == "Seed deal")
    code = next(c for c, v in (seed.get("custom_fields") or {}).items() if v == "seed")
    return copy.deepcopy(seed), code


def _written_just_now(sb: Sandbox, seed: dict[str, Any], code: str, n: int) -> None:
    """``n`` keyed deals written moments ago (an earlier import's, a colleague's)."""
    for i in range(n):
        deal = copy.deepcopy(seed)
        deal["id"] = sb.state.deals.take_id()
        deal["title"] = f"Earlier {i}"
        deal["custom_fields"][code] = f"E{i}"
        deal["add_time"] = deal["update_time"] = sb.state.now_iso()
        sb.state.save("deal", deal)


@pytest.mark.parametrize(("mode", "earlier"), [("insert", 495), ("upsert", 495),
                                               ("upsert", 475)])
def test_import_after_recent_writes_spends_its_plan(tmp_path: Path, mode: str,
                                                    earlier: int) -> None:
    """``earlier`` keyed deals written just before the plan (and the first import's one),
    then an import of 20 new keys (and, upserting, 10 of the earlier renamed): with 495 the
    run's doubles check reads 2 pages of getDeals (516 deals changed since its load less
    the margin), and the plan says so (before: 1); with 475, 496 deals: one page — the
    10 renamed deals, changed lately and written by the job, are counted once."""
    jobs, mapping = tmp_path / "jobs", tmp_path / "m.toml"
    mapping.write_text(MAPPING.format(mode=mode))
    with ThreadedSandbox(SandboxConfig(plan="ultimate", auth="oauth", token=TOKEN, deals=0,
                                       seed=47)) as sb:
        seed, code = _seeded(sb, tmp_path, mapping)
        _written_just_now(sb, seed, code, earlier)
        more = tmp_path / "b.csv"
        more.write_text("key,title\n" + "".join(f"B{i},Deal B{i}\n" for i in range(20))
                        + ("".join(f"E{i},Renamed {i}\n" for i in range(10))
                           if mode == "upsert" else ""))
        calls, sent = _planned_and_run(sb, jobs, more, mapping, "getDeals")
        assert sent == calls["getDeals"], calls


def test_import_after_recent_persons_spends_its_plan(tmp_path: Path) -> None:
    """495 persons made just before the plan (an earlier import's, a colleague's), then an
    import making 20 more: the contact check lists 516 persons changed since its load less
    the margin, 2 pages of getPersons, and the plan says so (before: 1)."""
    jobs, mapping = tmp_path / "jobs", tmp_path / "m.toml"
    mapping.write_text(MAPPING.format(mode="insert") + '[person]\nname = "person"\n'
                       'email = "email"\n')
    with ThreadedSandbox(SandboxConfig(plan="ultimate", auth="oauth", token=TOKEN, deals=0,
                                       seed=48)) as sb:
        first = tmp_path / "first.csv"
        first.write_text("key,title,person,email\nseed,Seed deal,Pat Seed,seed@x.example\n")
        ran = cli(sb, jobs, "import", str(first), "-m", str(mapping), "--create-key-field",
                  *engine(sb, jobs))
        assert ran.exit_code == 0, ran.output
        pat = next(p for p in sb.state.persons.rows.values() if p["name"] == "Pat Seed")
        for i in range(495):
            person = copy.deepcopy(pat)
            person["id"] = sb.state.persons.take_id()
            person["name"] = f"Earlier {i}"
            person["emails"] = [{"value": f"e{i}@x.example", "primary": True, "label": "work"}]
            person["add_time"] = person["update_time"] = sb.state.now_iso()
            sb.state.save("person", person)
        more = tmp_path / "b.csv"
        more.write_text("key,title,person,email\n" + "".join(
            f"B{i},Deal B{i},Pat B{i},b{i}@x.example\n" for i in range(20)))
        calls, sent = _planned_and_run(sb, jobs, more, mapping, "getPersons")
        assert sent == calls["getPersons"], calls


def _unkeyed_just_now(sb: Sandbox, n: int) -> None:
    """``n`` deals (no source key: no key field yet) written moments ago: a colleague's."""
    deal = copy.deepcopy(next(d for d in sb.state.deals.rows.values() if not d["is_deleted"]))
    for i in range(n):
        sb.state.save("deal", {**copy.deepcopy(deal), "id": sb.state.deals.take_id(),
                               "title": f"Colleague {i}", "custom_fields": {},
                               "add_time": sb.state.now_iso(),
                               "update_time": sb.state.now_iso()})


@pytest.mark.parametrize("mode", ["insert", "upsert"])
def test_import_creating_its_key_field_after_recent_writes_spends_its_plan(
        tmp_path: Path, mode: str) -> None:
    """495 deals written just before the plan on an account without the key field, then
    an import of 20 rows with --create-key-field: the doubles check lists 515 deals changed
    since the load less the margin, 2 pages of getDeals, and the plan prices them (x51r4
    F4: the plan read no deals, the key field being missing, and priced 1: plan 1,995 /
    server 2,005 after 320 deals loaded)."""
    jobs, mapping = tmp_path / "jobs", tmp_path / "m.toml"
    mapping.write_text(MAPPING.format(mode=mode))
    with ThreadedSandbox(SandboxConfig(plan="ultimate", auth="oauth", token=TOKEN, deals=5,
                                       seed=51)) as sb:
        _unkeyed_just_now(sb, 495)
        more = tmp_path / "b.csv"
        more.write_text("key,title\n" + "".join(f"B{i},Deal B{i}\n" for i in range(20)))
        calls, sent = _planned_and_run(sb, jobs, more, mapping, "getDeals", "--create-key-field")
        assert sent == calls["getDeals"] == 3, calls  # the load's 1


def test_insert_whose_key_read_is_given_up_prices_the_recent_deals(tmp_path: Path) -> None:
    """600 keyed deals written just before the plan, then an insert of 2 new keys: its read
    of the keyed deals is given up after 1 page (``KEY_LIST_SHARE``), so the plan saw no
    deal's change, yet the doubles check lists 602, 2 pages of getDeals: the plan prices
    them (before: 1)."""
    jobs, mapping = tmp_path / "jobs", tmp_path / "m.toml"
    mapping.write_text(MAPPING.format(mode="insert"))
    with ThreadedSandbox(SandboxConfig(plan="ultimate", auth="oauth", token=TOKEN, deals=0,
                                       seed=52)) as sb:
        seed, code = _seeded(sb, tmp_path, mapping)
        _written_just_now(sb, seed, code, 600)
        more = tmp_path / "b.csv"
        more.write_text("key,title\nB0,Deal B0\nB1,Deal B1\n")
        calls, sent = _planned_and_run(sb, jobs, more, mapping, "getDeals")
        assert sent == calls["getDeals"], calls


def _planned_and_run(sb: Sandbox, jobs: Path, manifest: Path, mapping: Path, op: str,
                     *extra: str) -> tuple[dict[str, int], int]:
    """``plan import --json`` then ``import`` of ``manifest`` (``extra`` options to both):
    (the plan's calls, the import's calls of ``op`` by the sandbox's count); asserts both
    succeed and the import spent the plan's tokens."""
    planned = cli(sb, jobs, "plan", "import", str(manifest), "-m", str(mapping), "--json",
                  *extra, *engine(sb, jobs)[:5])
    assert planned.exit_code == 0, planned.output
    plan = orjson.loads(planned.stdout)
    before = dict(sb.stats()["requests_by_operation"])
    at = spent(sb)
    ran = cli(sb, jobs, "import", str(manifest), "-m", str(mapping), *extra, *engine(sb, jobs))
    assert ran.exit_code == 0, ran.output
    sent = sb.stats()["requests_by_operation"].get(op, 0) - before.get(op, 0)
    assert spent(sb) - at == plan["tokens"], (plan["calls"], ran.output)
    return plan["calls"], sent
