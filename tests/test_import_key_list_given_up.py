"""An insert whose plan gave up listing the deals that carry a key (more than
``KEY_LIST_SHARE`` of its creates would pay: here 20 rows, 5 pages, 2,500 deals) still
never makes a second deal for a key this state folder made a deal for: the claim names
that deal and the create reads it first (``getDeal``), finds it carrying the key, and the
row is ``exists`` — on one machine, under a shared (Redis) coordinator, with
``--look-for-keys`` (listed then) and on a resume of a loaded job (f48q: f48k's harness
saw addDeal 20 for 10 such keys; its scratch tests ran outside ``tests/``, without the
private state folder, and runs on other sandboxes of the same seed — the same key field
code — had left claims for k0..k9 naming their own deals, which carry other keys here:
each was taken for gone and made again; tests/conftest.py gives each test its own)."""

from __future__ import annotations

import copy
from collections import Counter
from pathlib import Path

import orjson
import pytest

from bulk.coordinator import ENV_COORDINATOR
from bulk.sandbox import Sandbox, SandboxConfig
from jobs.account import deal_key
from tests.import_support import loaded_import
from tests.redis_helpers import RedisServer, redis_server
from tests.sandbox_helpers import ThreadedSandbox
from tests.test_plan_tokens import TOKEN, cli, engine

__all__ = ["redis_server"]

MAPPING = """[import]
key_column = "key"
mode = "insert"
[deal]
title = "title"
"""
OTHERS = 2_500  # a colleague's deals, written just before: past the 20 rows' 5 pages


def _colleague(sb: Sandbox, n: int) -> None:
    """``n`` deals without a key written straight into the account (no call charged)."""
    base = copy.deepcopy(next(d for d in sb.state.deals.rows.values() if not d["is_deleted"]))
    for i in range(n):
        deal = copy.deepcopy(base)
        deal.update(id=sb.state.deals.take_id(), title=f"Colleague {i}", custom_fields={},
                    person_id=None, org_id=None)
        deal["add_time"] = deal["update_time"] = sb.state.now_iso()
        sb.state.save("deal", deal)


def _keyed(sb: Sandbox) -> dict[str, list[int]]:
    """Source key → the live deals (archived too) that carry it."""
    code = list(sb.state.fields)[-1]  # the key field, made last (--create-key-field)
    out: dict[str, list[int]] = {}
    for d in sb.state.deals.rows.values():
        if not d["is_deleted"] and (key := deal_key(d, code)):
            out.setdefault(key, []).append(int(d["id"]))
    return out


def _ops(sb: Sandbox) -> Counter[str]:
    return Counter(sb.stats()["requests_by_operation"])


@pytest.mark.parametrize("way", ["local", "shared", "look-for-keys", "resume"])
def test_a_key_this_state_folder_made_a_deal_for_is_not_created_again(
        tmp_path: Path, way: str, request: pytest.FixtureRequest,
        monkeypatch: pytest.MonkeyPatch) -> None:
    if way == "shared":
        server: RedisServer = request.getfixturevalue("redis_server")
        monkeypatch.setenv(ENV_COORDINATOR, server.url)
    jobs = tmp_path / "jobs"
    mapping = tmp_path / "m.toml"
    mapping.write_text(MAPPING)
    first, again = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_text("key,title\n" + "".join(f"k{i},Deal {i}\n" for i in range(10)))
    again.write_text("key,title\n" + "".join(
        f"{'k' if i < 10 else 'n'}{i},Deal v2 {i}\n" for i in range(20)))
    with ThreadedSandbox(SandboxConfig(plan="ultimate", auth="oauth", token=TOKEN,
                                       deals=60, seed=9)) as sb:
        ran = cli(sb, jobs, "import", str(first), "-m", str(mapping), "--create-key-field",
                  *engine(sb, jobs))
        assert ran.exit_code == 0, ran.output
        made = _keyed(sb)
        assert sorted(made) == [f"k{i}" for i in range(10)]
        _colleague(sb, OTHERS)
        extra = ["--look-for-keys"] if way == "look-for-keys" else []
        before = _ops(sb)
        if way == "resume":
            job = loaded_import(sb, jobs, again, mapping, mode="insert", auth="oauth")
            ran = cli(sb, jobs, "resume", job, "--job-dir", str(jobs))
        else:
            planned = cli(sb, jobs, "plan", "import", str(again), "-m", str(mapping),
                          "--json", *extra, *engine(sb, jobs))
            assert planned.exit_code == 0, planned.output
            notes = " ".join(orjson.loads(planned.stdout)["notes"])
            assert ("were not listed" in notes) is (way != "look-for-keys"), notes
            calls = orjson.loads(planned.stdout)["calls"]
            before = _ops(sb)
            ran = cli(sb, jobs, "import", str(again), "-m", str(mapping), *extra,
                      *engine(sb, jobs))
        assert ran.exit_code == 0, ran.output
        sent = _ops(sb) - before
        now = _keyed(sb)
    assert "10 created, 10 exists" in ran.output, ran.output
    assert sent["addDeal"] == 10, sent
    if way in ("local", "shared"):  # each claimed key's deal read once, as the plan says
        assert sent["getDeal"] == calls["getDeal"] == 10, (sent, calls)
    assert {k: v for k, v in now.items() if len(v) > 1} == {}
    assert {k: now[k] for k in made} == made  # the first deals, still live, the only ones
    assert sorted(now) == sorted([*made, *(f"n{i}" for i in range(10, 20))])
