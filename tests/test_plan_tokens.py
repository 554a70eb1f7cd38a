"""Every call a run makes is priced in its plan: the plan's tokens equal the tokens the
sandbox counted, for import (upsert), update and move-stage, first run and resume / retry
(the re-read of the deals after the prompt and on resume included)."""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import orjson
import pytest
from typer.testing import CliRunner

from bulk.sandbox import Sandbox, SandboxConfig
from bulk.store import ItemState, JobStore
from jobs.selection import DealQuery
from jobs.stages import DealSource, MoveTarget, move_catalog, prepare_move
from pdbulk.cli import app
from tests.import_support import loaded_import
from tests.sandbox_helpers import ThreadedSandbox
from tests.update_support import at_terminal, load_job

TOKEN = "plan-tokens-token-0123"
FAST = ["--plan", "ultimate", "--oauth"]
MAPPING = """[import]
key_column = "key"
mode = "upsert"
[deal]
title = "title"
value = "amount"
[person]
name = "person"
email = "email"
"""
UPDATE_MAPPING = """[update]
id_column = "deal_id"
[deal]
title = "title"
"""


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    with ThreadedSandbox(SandboxConfig(plan="ultimate", auth="oauth", token=TOKEN, deals=60,
                                       seed=9)) as box:
        yield box


def renames(sb: Sandbox, ids: list[int], word: str) -> str:
    """A ``deal_id,title`` file renaming ``ids`` to their title and ``word``: a rename
    keeping the old title (an unrelated title alone reads as foreign ids, x48r7 F1)."""
    return "deal_id,title\n" + "".join(
        f'{i},"{sb.state.deals.rows[i]["title"]} ({word} {i})"\n' for i in ids)


def spent(sb: Sandbox) -> int:
    return int(sb.stats()["tokens_spent"])


def cli(sb: Sandbox, jobs: Path, *args: str, input: str | None = None) -> Any:
    """The command in-process; an ``input`` is typed at its prompt, as at a terminal."""
    with at_terminal() if input is not None else contextlib.nullcontext():
        res = CliRunner().invoke(app, [*args], input=input,
                                 env={**os.environ, "PIPEDRIVE_API_TOKEN": TOKEN})
    assert "Traceback" not in res.output, res.output
    return res


def engine(sb: Sandbox, jobs: Path) -> list[str]:
    return ["--url", sb.url, *FAST, "--job-dir", str(jobs)]


def plan_tokens(output: str) -> int:
    """The tokens a first run's printed plan (its table) names."""
    found = re.findall(r"^tokens: ([\d,]+) —", output, re.M)
    assert found, output
    return int(found[0].replace(",", ""))


def resume_tokens(output: str) -> int:
    """The tokens a resume's last plan line names (the one after its re-read)."""
    found = re.findall(r"^plan.*tokens: ([\d,]+)$", output, re.M)
    assert found, output
    return int(found[-1].replace(",", ""))


def table_calls(output: str) -> dict[str, int]:
    """The calls by operation of a run's printed plan table (its first)."""
    table = output.split("tokens:")[0]
    return {m.group(1): int(m.group(2).replace(",", "")) for m in re.finditer(
        r"^\W*([a-zA-Z]+)\s*│\s*([\d,]+)\s*│", table, re.M) if m.group(1) != "total"}


def reread_note(plan: dict[str, Any]) -> int:
    """The tokens of the re-read after the prompt a plan names in its note (kept out of
    its total: the twin cannot know whether the run will ask)."""
    found = [int(m.group(1).replace(",", "")) for n in plan["notes"]
             if (m := re.search(r"read again after the answer: ([\d,]+) tokens more", n))]
    assert len(found) == 1, plan["notes"]
    assert not any("counts the re-read" in n for n in plan["notes"]), plan["notes"]
    return found[0]


def write_rows(path: Path, rows: list[tuple[str, str, int, str]]) -> Path:
    lines = ["key,title,amount,person,email"]
    lines += [f"{k},{t},{a},{p},{p.lower().replace(' ', '.')}@example.com" for k, t, a, p in rows]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_import_upsert_plan_prices_first_run_and_resume(sb: Sandbox, tmp_path: Path) -> None:
    """plan import == import (creates, updates, persons, the list pulls); a loaded upsert
    resumed later prints a plan whose tokens equal what the resume spends (its re-read of
    the pending updates included)."""
    jobs = tmp_path / "jobs"
    mapping = tmp_path / "m.toml"
    mapping.write_text(MAPPING)
    first = write_rows(tmp_path / "a.csv", [(f"k{i}", f"Deal {i}", 100 + i, f"Pat {i % 7}")
                                           for i in range(30)])
    planned = cli(sb, jobs, "plan", "import", str(first), "-m", str(mapping),
                  "--create-key-field", "--json", "--failed-csv", str(tmp_path / "pf.csv"),
                  *engine(sb, jobs)[:5])
    assert planned.exit_code == 0, planned.output
    before = spent(sb)
    ran = cli(sb, jobs, "import", str(first), "-m", str(mapping), "--create-key-field",
              *engine(sb, jobs))
    assert ran.exit_code == 0, ran.output
    assert spent(sb) - before == orjson.loads(planned.stdout)["tokens"]

    # upsert: 10 titles change, 10 new rows (new persons too), 20 unchanged
    second = write_rows(tmp_path / "b.csv",
                        [(f"k{i}", f"Deal {i}{' v2' if i < 10 else ''}", 100 + i, f"Pat {i % 7}")
                         for i in range(30)]
                        + [(f"n{i}", f"New {i}", 5, f"Sam {i % 4}") for i in range(10)])
    planned = cli(sb, jobs, "plan", "import", str(second), "-m", str(mapping), "--json",
                  "--failed-csv", str(tmp_path / "pf.csv"), *engine(sb, jobs)[:5])
    assert planned.exit_code == 0, planned.output
    plan = orjson.loads(planned.stdout)
    assert plan["calls"]["updateDeal"] == 10 and plan["calls"]["addDeal"] == 10
    before = spent(sb)
    ran = cli(sb, jobs, "import", str(second), "-m", str(mapping), *engine(sb, jobs))
    assert ran.exit_code == 0, ran.output
    assert spent(sb) - before == plan["tokens"]

    # loaded, then stopped before anything was sent (a crash after the load); resumed later
    third = write_rows(tmp_path / "c.csv",
                       [(f"k{i}", f"Deal {i} v3", 100 + i, f"Pat {i % 7}") for i in range(12)]
                       + [(f"m{i}", f"More {i}", 7, f"Kim {i % 3}") for i in range(6)])
    job = loaded_import(sb, jobs, third, mapping, auth="oauth")
    with JobStore.open(jobs / job, lock=False) as store:
        assert store.counts()[ItemState.PENDING] == 18
    before = spent(sb)
    resumed = cli(sb, jobs, "resume", job, "--job-dir", str(jobs))
    assert resumed.exit_code == 0, resumed.output
    # the re-read of the 12 updates, and the scan for deals given the 6 creates' keys since
    # and the re-check before the send, and the end-of-run check for doubles (jobs.doubles)
    assert "getDeals 4" in resumed.output, resumed.output
    assert spent(sb) - before == resume_tokens(resumed.output), resumed.output


@pytest.mark.parametrize("mode", ["insert", "upsert"])
def test_the_resume_of_an_import_cut_short_while_loading_prices_its_load(
        sb: Sandbox, tmp_path: Path, mode: str) -> None:
    """A kill -9 while an import loads (status "loading", part of its items stored): its
    resume loads it again — the catalog and the indexes pulled before any plan line — and
    each plan line it prints names the tokens the whole resume spends (x29r2 F4: 70
    tokens were spent before the plan, which did not count them)."""
    from bulk.store import NewItem
    from jobs.import_rows import ImportSettings
    from tests.import_support import engine_config

    jobs = tmp_path / "jobs"
    mapping = tmp_path / "m.toml"
    mapping.write_text(MAPPING)
    rows = write_rows(tmp_path / "a.csv", [(f"c{i}", f"Cut {i}", 10 + i, f"Lee {i % 5}")
                                           for i in range(20)])
    settings = ImportSettings(manifest=str(rows), mapping=str(mapping), mode=mode,
                              create_key_field=True)
    cfg = engine_config(sb, jobs, auth="oauth")
    store = JobStore.create(jobs / "cut", job_id="cut", kind="import",
                            config={"engine": cfg.to_json(), "import": settings.to_json()})
    store.set_status("loading")
    store.add_items([NewItem(row=1, key="c0", op="create", payload={"title": "half"})])
    store.close()
    before = spent(sb)
    resumed = cli(sb, jobs, "resume", "cut", "--job-dir", str(jobs))
    assert resumed.exit_code == 0, resumed.output
    assert "loading it again" in resumed.output, resumed.output
    said = [int(n.replace(",", "")) for n in re.findall(r"^plan.*tokens: ([\d,]+)$",
                                                         resumed.output, re.M)]
    assert said and set(said) == {spent(sb) - before}, resumed.output


def test_update_plan_prices_first_run_resume_and_retry(sb: Sandbox, tmp_path: Path) -> None:
    """plan update == update; a loaded update resumed later, and a retry of rows that failed,
    print a plan whose tokens equal what they spend."""
    jobs = tmp_path / "jobs"
    mapping = tmp_path / "u.toml"
    mapping.write_text(UPDATE_MAPPING)
    ids = sorted(d["id"] for d in sb.state.deals.rows.values() if not d["is_deleted"])[:25]
    manifest = tmp_path / "u.csv"
    manifest.write_text(renames(sb, ids, "Renamed"))
    planned = cli(sb, jobs, "plan", "update", str(manifest), "-m", str(mapping), "--json",
                  *engine(sb, jobs))
    assert planned.exit_code == 0, planned.output
    before = spent(sb)
    ran = cli(sb, jobs, "update", str(manifest), "-m", str(mapping), *engine(sb, jobs))
    assert ran.exit_code == 0, ran.output
    assert spent(sb) - before == orjson.loads(planned.stdout)["tokens"] == plan_tokens(ran.output)

    # loaded, resumed later (a crash after the load); 3 deals archived meanwhile fail at
    # the re-read; unarchived again by someone, then retried
    from jobs.account import load_catalog
    from jobs.updating import UpdateMapping, prepare_update

    manifest.write_text(renames(sb, ids, "Third"))

    async def load() -> None:
        async def build(s: Any) -> Any:
            return await prepare_update(s.ctx, manifest, UpdateMapping.load(mapping),
                                        await load_catalog(s.ctx))
        store, _ = await load_job(sb, jobs, "update", build, job_id="upd-later",
                                  auth="oauth")
        store.close()
    anyio.run(load)
    for i in ids[:3]:
        sb.state.deals.rows[i]["is_archived"] = True
    before = spent(sb)
    resumed = cli(sb, jobs, "resume", "upd-later", "--job-dir", str(jobs))
    assert resumed.exit_code == 3, resumed.output
    assert spent(sb) - before == resume_tokens(resumed.output), resumed.output
    # the re-read, the re-check right before the batch is sent, 3 gone: nothing sent to them
    assert spent(sb) - before == 10 + 10 + 22 * 5
    for i in ids[:3]:
        sb.state.deals.rows[i]["is_archived"] = False
    before = spent(sb)
    retried = cli(sb, jobs, "retry", "upd-later", "--job-dir", str(jobs))
    assert retried.exit_code == 0, retried.output
    assert spent(sb) - before == resume_tokens(retried.output) == 10 + 10 + 3 * 5, \
        retried.output


def test_move_stage_plan_prices_the_re_read_after_the_prompt(sb: Sandbox,
                                                              tmp_path: Path) -> None:
    """move-stage answered "y" re-reads its deals before sending: its own plan counts that
    re-read, `plan move-stage` names it in a note, out of its total (the run with --yes);
    with --yes there is none and the run says nothing of a prompt; a loaded move resumed later spends what
    its plan says."""
    jobs = tmp_path / "jobs"
    select = ["--pipeline", "Sales", "--stage", "Qualified", "--to-stage", "Contact Made"]
    moving = [d["id"] for d in sb.state.deals.rows.values()
              if not d["is_deleted"] and not d["is_archived"] and d["stage_id"] == 1]
    assert moving
    planned = cli(sb, jobs, "plan", "move-stage", *select, "--json", *engine(sb, jobs))
    assert planned.exit_code == 0, planned.output
    plan = orjson.loads(planned.stdout)
    before = spent(sb)
    ran = cli(sb, jobs, "move-stage", *select, *engine(sb, jobs), input="y\n")
    assert ran.exit_code == 0, ran.output
    assert spent(sb) - before == plan["tokens"] + reread_note(plan) == plan_tokens(ran.output), \
        ran.output
    assert "re-read" in ran.output

    back = ["--pipeline", "Sales", "--stage", "Contact Made", "--to-stage", "Qualified"]
    before = spent(sb)
    ran = cli(sb, jobs, "move-stage", *back, "--yes", *engine(sb, jobs))
    assert ran.exit_code == 0, ran.output
    assert spent(sb) - before == plan_tokens(ran.output), ran.output
    # x31r1: a run with --yes asks nothing, so nothing is said of a prompt's re-read
    assert "none with --yes" not in ran.output and "tokens more" not in ran.output

    source = DealSource(query=DealQuery(pipeline="Sales", stage="Qualified"))

    async def load() -> None:
        async def build(s: Any) -> Any:
            return await prepare_move(s.ctx, source, MoveTarget("Contact Made"),
                                      await move_catalog(s.ctx, source))
        store, _ = await load_job(sb, jobs, "move-stage", build, job_id="mv-later",
                                  auth="oauth")
        store.close()
    anyio.run(load)
    sb.state.deals.rows[moving[0]]["is_deleted"] = True  # deleted meanwhile: not sent to
    before = spent(sb)
    resumed = cli(sb, jobs, "resume", "mv-later", "--job-dir", str(jobs))
    assert resumed.exit_code == 3, resumed.output
    assert spent(sb) - before == resume_tokens(resumed.output), resumed.output


def test_move_stage_by_key_plan_prices_every_page_of_the_keys_scan(tmp_path: Path) -> None:
    """A move-stage by source key answered "y" pulls every deal changed since the job began
    (less 120 s), keyed or not, 500 a page, to find its keys on a second deal: with 505
    deals changed just before (an import), that is two pages of getDeals, and the plan
    counts both (it counted one: the run spent 10 tokens over its plan and `plan
    move-stage`)."""
    jobs = tmp_path / "jobs"
    with ThreadedSandbox(SandboxConfig(plan="ultimate", auth="oauth", token=TOKEN, deals=505,
                                       seed=9)) as sb:
        now = sb.state.now_iso()
        for deal in list(sb.state.deals.rows.values()):  # as if imported a minute ago
            sb.state.save("deal", {**deal, "update_time": now, "is_archived": False,
                                   "is_deleted": False})
        manifest = tmp_path / "keys.csv"
        manifest.write_text("Key\n" + "".join(f"SEED-{i:06d}\n" for i in range(1, 21)))
        move = ["move-stage", "--manifest", str(manifest), "--key-column", "Key",
                "--key-field", "External ID", "--to-stage", "Needs Defined",
                "--to-pipeline", "Partnerships"]
        planned = cli(sb, jobs, "plan", *move, "--json", *engine(sb, jobs))
        assert planned.exit_code == 0, planned.output
        plan = orjson.loads(planned.stdout)
        before = dict(sb.stats()["requests_by_operation"])
        spent_before = spent(sb)
        ran = cli(sb, jobs, *move, *engine(sb, jobs), input="y\n")
        assert ran.exit_code == 0, ran.output
        assert "re-read" in ran.output
        made = {op: n - before.get(op, 0)
                for op, n in sb.stats()["requests_by_operation"].items()
                if n - before.get(op, 0)}
        # the run's own plan counts the re-read after the "y"; `plan move-stage` names it
        assert made == table_calls(ran.output), (made, ran.output)
        assert spent(sb) - spent_before == plan["tokens"] + reread_note(plan) \
            == plan_tokens(ran.output), ran.output


def test_merge_and_undo_plans_price_the_re_read_after_the_prompt(sb: Sandbox,
                                                                 tmp_path: Path) -> None:
    """merge and undo answered "y" spend what their own plan said (the re-read of the deals
    after the answer included), and what `plan merge` / `plan undo` said with the re-read
    its note names."""
    jobs = tmp_path / "jobs"
    ids = sorted(d["id"] for d in sb.state.deals.rows.values()
                 if not d["is_deleted"] and not d["is_archived"])
    mapping = tmp_path / "u.toml"
    mapping.write_text(UPDATE_MAPPING)
    manifest = tmp_path / "u.csv"
    manifest.write_text(renames(sb, ids[:12], "Undo me"))
    ran = cli(sb, jobs, "update", str(manifest), "-m", str(mapping), *engine(sb, jobs))
    assert ran.exit_code == 0, ran.output
    (update_job,) = [p.name for p in jobs.iterdir()]
    planned = cli(sb, jobs, "plan", "undo", update_job, "--json", *engine(sb, jobs))
    assert planned.exit_code == 0, planned.output
    before = spent(sb)
    ran = cli(sb, jobs, "undo", update_job, *engine(sb, jobs), input="y\n")
    assert ran.exit_code == 0, ran.output
    plan = orjson.loads(planned.stdout)
    assert spent(sb) - before == plan["tokens"] + reread_note(plan) == plan_tokens(ran.output)

    pairs = tmp_path / "pairs.csv"
    pairs.write_text("merge_id,survivor_id\n" + "".join(
        f"{a},{b}\n" for a, b in zip(ids[20:26:2], ids[21:27:2], strict=True)))
    planned = cli(sb, jobs, "plan", "merge", str(pairs), "--json", *engine(sb, jobs))
    assert planned.exit_code == 0, planned.output
    before = spent(sb)
    ran = cli(sb, jobs, "merge", str(pairs), *engine(sb, jobs), input="y\n")
    assert ran.exit_code == 0, ran.output
    plan = orjson.loads(planned.stdout)
    assert spent(sb) - before == plan["tokens"] + reread_note(plan) == plan_tokens(ran.output)


def test_every_kinds_plan_is_what_its_yes_run_spends(sb: Sandbox, tmp_path: Path) -> None:
    """`plan update`, `plan move-stage`, `plan merge` and `plan undo` each equal, to the
    token, what the sandbox charges the command run with --yes and the run's own plan;
    the re-read a "y" would add is in none of their totals, and those that ask name it in
    a note (f23a: `plan merge` said 208 tokens, its run and the sandbox 198)."""
    jobs = tmp_path / "jobs"
    ids = sorted(d["id"] for d in sb.state.deals.rows.values()
                 if not d["is_deleted"] and not d["is_archived"])
    mapping = tmp_path / "u.toml"
    mapping.write_text(UPDATE_MAPPING)
    manifest = tmp_path / "u.csv"
    manifest.write_text(renames(sb, ids[:12], "Yes run"))
    pairs = tmp_path / "pairs.csv"
    pairs.write_text("merge_id,survivor_id\n" + "".join(
        f"{a},{b}\n" for a, b in zip(ids[20:26:2], ids[21:27:2], strict=True)))
    commands: list[tuple[str, list[str]]] = [
        ("update", [str(manifest), "-m", str(mapping)]),
        ("undo", []),  # the update's job, once it ran
        ("move-stage", ["--pipeline", "Sales", "--stage", "Qualified", "--to-stage",
                        "Contact Made"]),
        ("merge", [str(pairs)]),
    ]
    for kind, args in commands:
        if kind == "undo":
            args = [next(p.name for p in jobs.iterdir() if "update" in p.name)]
        planned = cli(sb, jobs, "plan", kind, *args, "--json", *engine(sb, jobs))
        assert planned.exit_code == 0, planned.output
        plan = orjson.loads(planned.stdout)
        before = spent(sb)
        ran = cli(sb, jobs, kind, *args, "--yes", *engine(sb, jobs))
        assert ran.exit_code == 0, ran.output
        assert spent(sb) - before == plan["tokens"] == plan_tokens(ran.output), (
            kind, plan["calls"], ran.output)
        if kind == "update":  # it asks nothing: no re-read after an answer to name
            assert not any("after the answer" in n or "after the prompt" in n
                           for n in plan["notes"]), plan["notes"]
        else:
            assert reread_note(plan) > 0


@pytest.mark.parametrize("answer", ["--yes", "y"])
def test_dedupe_apply_spends_its_plan_whether_asked_or_not(tmp_path: Path,
                                                           answer: str) -> None:
    """`dedupe apply` reads its groups' deals before its question, none after the answer:
    answered "y" or run with --yes, the sandbox charges what the plan it printed said."""
    from tests.dedupe_job_support import seed_account
    from tests.update_support import cli_args

    with ThreadedSandbox(SandboxConfig(time_scale=0.05, deals=1, seed=43)) as box:
        seed_account(box)
        jobs = tmp_path / "j"
        args = cli_args(box, jobs)
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": box.token}
        made = CliRunner().invoke(app, ["dedupe", "plan", "-o", str(tmp_path / "p"), *args],
                                  env=env)
        assert made.exit_code == 0, made.output
        before = spent(box)
        extra = ["--yes"] if answer == "--yes" else []
        with at_terminal() if not extra else contextlib.nullcontext():
            ran = CliRunner().invoke(app, ["dedupe", "apply", str(tmp_path / "p"), *extra,
                                           *args], env=env, input=None if extra else "y\n")
        assert ran.exit_code == 0, ran.output
        assert "Traceback" not in ran.output
        assert spent(box) - before == plan_tokens(ran.output), ran.output


@pytest.mark.parametrize("workers", ["1", "13"])
def test_plans_price_the_re_check_of_each_batch_exactly(sb: Sandbox, tmp_path: Path,
                                                          workers: str) -> None:
    """With --workers 1 the run re-reads its deals 16 at a time right before sending them
    (4 reads for 50 PATCHes), with 13 workers 100 at a time (1 read): `plan update`,
    the update's own plan, undo's and move-stage's (--yes) each equal what the run
    spends, re-check included."""
    jobs = tmp_path / "jobs"
    mapping = tmp_path / "u.toml"
    mapping.write_text(UPDATE_MAPPING)
    ids = sorted(d["id"] for d in sb.state.deals.rows.values()
                 if not d["is_deleted"] and not d["is_archived"])[:50]
    manifest = tmp_path / "u.csv"
    manifest.write_text(renames(sb, ids, "Checked"))
    run_args = [*engine(sb, jobs), "--workers", workers]
    planned = cli(sb, jobs, "plan", "update", str(manifest), "-m", str(mapping), "--json",
                  *run_args)
    assert planned.exit_code == 0, planned.output
    plan = orjson.loads(planned.stdout)
    reads = 4 if workers == "1" else 1
    assert plan["calls"]["getDeals"] == 1 + reads, plan["calls"]  # the load's read + checks
    before = spent(sb)
    ran = cli(sb, jobs, "update", str(manifest), "-m", str(mapping), *run_args)
    assert ran.exit_code == 0, ran.output
    assert spent(sb) - before == plan["tokens"] == plan_tokens(ran.output)
    job = next(p.name for p in jobs.iterdir() if "update" in p.name)
    before = spent(sb)
    undone = cli(sb, jobs, "undo", job, "--yes", *run_args)
    assert undone.exit_code == 0, undone.output
    assert spent(sb) - before == plan_tokens(undone.output), undone.output
    select = ["--pipeline", "Sales", "--stage", "Qualified", "--to-stage", "Contact Made"]
    planned = cli(sb, jobs, "plan", "move-stage", *select, "--json", *run_args)
    assert planned.exit_code == 0, planned.output
    before = spent(sb)
    moved = cli(sb, jobs, "move-stage", *select, "--yes", *run_args)
    assert moved.exit_code == 0, moved.output
    assert spent(sb) - before == plan_tokens(moved.output), moved.output
    # `plan move-stage` names the re-read after the prompt (10 tokens; --yes has none)
    assert orjson.loads(planned.stdout)["tokens"] == spent(sb) - before
    assert reread_note(orjson.loads(planned.stdout)) == 10


@pytest.mark.parametrize("workers", ["1", "13"])
def test_plan_import_takes_the_runs_workers_and_prices_its_re_checks(
        sb: Sandbox, tmp_path: Path, workers: str) -> None:
    """v9r8 medium: `plan import --workers 1` was refused (no such option), so the only plan
    of a --workers 1 upsert priced the re-check of its updates in batches of 100 while the
    run reads them 16 at a time (160 tokens short on 250 updates). Now plan import takes
    every engine option, and its tokens equal what the run spends."""
    jobs = tmp_path / "jobs"
    mapping = tmp_path / "m.toml"
    mapping.write_text(MAPPING)
    rows = [(f"w{i}", f"Deal {i}", 100 + i, f"Pat {i % 7}") for i in range(40)]
    seed = cli(sb, jobs, "import", str(write_rows(tmp_path / "a.csv", rows)), "-m",
               str(mapping), "--create-key-field", *engine(sb, jobs))
    assert seed.exit_code == 0, seed.output
    second = write_rows(tmp_path / "b.csv", [(k, f"{t} v2", v, p) for k, t, v, p in rows])
    args = [*engine(sb, jobs), "--workers", workers]
    planned = cli(sb, jobs, "plan", "import", str(second), "-m", str(mapping), "--json",
                  "--failed-csv", str(tmp_path / "pf.csv"), *args)
    assert planned.exit_code == 0, planned.output
    plan = orjson.loads(planned.stdout)
    assert plan["calls"]["updateDeal"] == 40
    before = spent(sb)
    ran = cli(sb, jobs, "import", str(second), "-m", str(mapping), *args)
    assert ran.exit_code == 0, ran.output
    assert spent(sb) - before == plan["tokens"], (plan["calls"], ran.output)
