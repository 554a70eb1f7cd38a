"""Whatever the mix and order of a key's rows — the first row's copies (byte-identical or
spelled otherwise), rows failing another check (an amount ``12abc``, an e-mail ``nobody``,
an unknown stage), rows writing other values — one job never plans, nor makes, two deals of
one source key: insert and upsert, any number of workers, a resume of a job stopped after
its load, and a ``retry`` of its failed rows once the mapping is fixed (x41r2 F-dbl: good /
bad / good made two deals of 57 keys in 100; the third row was decided as a first)."""

from __future__ import annotations

import collections
import random
from pathlib import Path

import pytest

from bulk.sandbox import Sandbox, SandboxConfig, serve
from bulk.store import ItemState
from tests.import_support import (
    import_once,
    import_stopped_before_sending,
    loaded_import,
    read_csv,
    sandbox_deals,
)
from tests.sandbox_helpers import ThreadedSandbox
from tests.test_plan_tokens import TOKEN, cli, engine

pytestmark = pytest.mark.anyio
MAPPING = """\
[import]
key_column = "id"
mode = "{mode}"
[defaults]
currency = "EUR"
[deal]
title = "title"
value = "amount"
pipeline = {{ default = "Sales" }}
[deal.stage]
column = "stage"
[deal.stage.map]
"Qualified" = "Qualified"
"qualified" = "Qualified"
{extra}
[person]
name = "person"
email = "email"
"""
HEADER = "id,title,amount,stage,person,email"
# a key's rows, by letter: its first row's record, spelled as it is or otherwise; rows
# failing one check; rows writing other values; a part of the record (cells left empty)
ROWS = {
    "g": ("T", "100", "Qualified", "Ann", "ann@example.org"),
    "s": ("T", "100.00", "qualified", "Ann", "ANN@example.org"),
    "a": ("T", "12abc", "Qualified", "Ann", "ann@example.org"),
    "e": ("T", "100", "Qualified", "Ann", "nobody"),
    "u": ("T", "100", "Nowhere", "Ann", "ann@example.org"),
    "o": ("T other", "100", "Qualified", "Ann", "ann@example.org"),
    "f": ("T", "100", "Qualified", "Ann", "bea@example.org"),
    "p": ("T", "100", "", "", ""),
}


def mixes(seed: int, keys: int) -> list[str]:
    """``keys`` generated mixes of 2-5 rows (letters of ``ROWS``), the x41r2 ones first."""
    rnd = random.Random(seed)
    fixed = ["gag", "geg", "gug", "gas", "ggeg", "egg", "ugs", "aggo", "egf", "efg", "ufsg"]
    return fixed + ["".join(rnd.choice("gsaeuofp") for _ in range(rnd.randint(2, 5)))
                    for _ in range(keys - len(fixed))]


def write_file(path: Path, keys: list[str], *, spread: bool) -> None:
    """The rows of each mix: adjacent, or (``spread``) every key's n-th rows together."""
    rows = [(n, k, ROWS[ch]) for k, mix in enumerate(keys) for n, ch in enumerate(mix)]
    if spread:
        rows.sort(key=lambda r: r[0])
    path.write_text("\n".join([HEADER, *(",".join((f"K{k}", *cells)) for _, k, cells in rows)])
                    + "\n")


@pytest.mark.parametrize("mode", ["insert", "upsert"])
@pytest.mark.parametrize(("seed", "spread"), [(1, False), (2, True), (3, False)])
async def test_no_mix_of_a_keys_rows_plans_two_creates(tmp_path: Path, mode: str, seed: int,
                                                       spread: bool) -> None:
    """60 generated mixes (the x41r2 ones and random ones): each key has at most one row
    to create, the other rows a duplicate of it, held, or failed."""
    keys = mixes(seed, 60)
    write_file(tmp_path / "f.csv", keys, spread=spread)
    (tmp_path / "m.toml").write_text(MAPPING.format(mode=mode, extra=""))
    async with serve(SandboxConfig(deals=0, time_scale=0.02, seed=7)) as sb:
        store, _ = await import_stopped_before_sending(sb, tmp_path / "jobs", tmp_path / "f.csv",
                                                       tmp_path / "m.toml", mode=mode)
        creates = collections.Counter(i.key for i in store.items()
                                      if i.op == "create" and i.state is ItemState.PENDING)
        store.close()
    doubled = {keys[int(k[1:])]: n for k, n in creates.items() if n > 1}
    assert not doubled, doubled
    # a key whose rows are all its first row's copies is created once
    assert all(creates[f"K{k}"] == 1 for k, mix in enumerate(keys) if set(mix) <= {"g", "s"})


def _deals_by_key(sb: Sandbox) -> collections.Counter[str]:
    return collections.Counter(str(v) for d in sandbox_deals(sb)
                               for v in (d.get("custom_fields") or {}).values()
                               if isinstance(v, str))  # (the key field's: no other)


@pytest.mark.parametrize("mode", ["insert", "upsert"])
@pytest.mark.parametrize("workers", ["1", "8"])
def test_no_mix_makes_two_deals_in_a_run_a_resume_or_a_retry(tmp_path: Path, mode: str,
                                                              workers: str) -> None:
    """A file of generated mixes imported (1 or 8 workers), the same file by a job
    stopped after its load and resumed, then that job's failed rows retried with the
    unknown stage mapped: every key carries at most one deal, at every step."""
    keys = mixes(5, 40)
    manifest, mapping = tmp_path / "f.csv", tmp_path / "m.toml"
    write_file(manifest, keys, spread=False)
    mapping.write_text(MAPPING.format(mode=mode, extra=""))
    with ThreadedSandbox(SandboxConfig(plan="ultimate", auth="oauth", token=TOKEN, deals=0,
                                       seed=9)) as sb:
        jobs = tmp_path / "jobs"
        run = cli(sb, jobs, "import", str(manifest), "--mapping", str(mapping),
                  "--create-key-field", "--workers", workers, "--yes", *engine(sb, jobs))
        assert run.exit_code in (0, 3), run.output
        made = _deals_by_key(sb)
        assert max(made.values()) == 1, {keys[int(k[1:])]: n for k, n in made.items() if n > 1}
        (job,) = jobs.iterdir()
        done = read_csv(job / "succeeded.csv")
        assert collections.Counter(r["key"] for r in done if r["action"] == "created") == made
        mapping.write_text(MAPPING.format(mode=mode, extra='"Nowhere" = "Contact Made"'))
        retried = cli(sb, jobs, "retry", job.name, "--yes", "--job-dir", str(jobs))
        assert retried.exit_code in (0, 3), retried.output
        made = _deals_by_key(sb)
        assert max(made.values()) == 1, {keys[int(k[1:])]: n for k, n in made.items() if n > 1}


@pytest.mark.parametrize("mode", ["insert", "upsert"])
def test_no_mix_makes_two_deals_in_a_resume_after_the_load(tmp_path: Path, mode: str) -> None:
    """A job stopped right after its load (a kill there), resumed with 4 workers: every
    key carries at most one deal, and again after a retry of its failed rows."""
    keys = mixes(6, 40)
    manifest, mapping = tmp_path / "f.csv", tmp_path / "m.toml"
    write_file(manifest, keys, spread=True)
    mapping.write_text(MAPPING.format(mode=mode, extra=""))
    with ThreadedSandbox(SandboxConfig(plan="ultimate", auth="oauth", token=TOKEN, deals=0,
                                       seed=9)) as sb:
        jobs = tmp_path / "jobs"
        (tmp_path / "z.csv").write_text(f"{HEADER}\nZ0,{','.join(ROWS['g'])}\n")
        first = cli(sb, jobs, "import", str(tmp_path / "z.csv"), "--mapping", str(mapping),
                    "--create-key-field", "--yes", *engine(sb, jobs))  # (the key field)
        assert first.exit_code == 0, first.output
        job = loaded_import(sb, jobs, manifest, mapping, mode=mode, max_workers=4,
                            auth="oauth")
        resumed = cli(sb, jobs, "resume", job, "--job-dir", str(jobs))
        assert resumed.exit_code in (0, 3), resumed.output
        made = _deals_by_key(sb)
        assert made and max(made.values()) == 1, {keys[int(k[1:])]: n for k, n in made.items()
                                                  if n > 1}
        mapping.write_text(MAPPING.format(mode=mode, extra='"Nowhere" = "Contact Made"'))
        retried = cli(sb, jobs, "retry", job, "--yes", "--job-dir", str(jobs))
        assert retried.exit_code in (0, 3), retried.output
        made = _deals_by_key(sb)
        assert max(made.values()) == 1, {keys[int(k[1:])]: n for k, n in made.items() if n > 1}


@pytest.mark.parametrize("mode", ["insert", "upsert"])
def test_a_retry_judges_a_row_beside_the_row_that_made_its_keys_deal(tmp_path: Path,
                                                                      mode: str) -> None:
    """x41r2 F-retry: a key's first row made its deal (stage Qualified), its second failed
    on an unknown stage; the mapping then maps that stage to another one and ``retry``
    overwrote the deal's stage ("updated", 16/16). The retried row is judged beside the
    row that made the deal, as a first run would: another stage is held (duplicate-key,
    naming that row), the same stage is its duplicate; no deal changes."""
    manifest, mapping = tmp_path / "f.csv", tmp_path / "m.toml"
    manifest.write_text(f"{HEADER}\nK1,T,100,Qualified,Ann,ann@example.org\n"
                        "K1,T,100,Verhandlung,Ann,ann@example.org\n"
                        "K2,U,100,Qualified,Bo,bo@example.org\n"
                        "K2,U,100,Angebot,Bo,bo@example.org\n")
    mapping.write_text(MAPPING.format(mode=mode, extra=""))
    with ThreadedSandbox(SandboxConfig(plan="ultimate", auth="oauth", token=TOKEN, deals=0,
                                       seed=9)) as sb:
        jobs = tmp_path / "jobs"
        run = cli(sb, jobs, "import", str(manifest), "--mapping", str(mapping),
                  "--create-key-field", "--yes", *engine(sb, jobs))
        assert run.exit_code == 3, run.output
        (job,) = jobs.iterdir()
        assert sorted(r["row"] for r in read_csv(job / "failed.csv")) == ["3", "5"]
        stages = {d["id"]: d["stage_id"] for d in sandbox_deals(sb)}
        # K1's other row now maps to another stage; K2's is the same stage spelled otherwise
        mapping.write_text(MAPPING.format(mode=mode, extra='"Verhandlung" = "Contact Made"\n'
                                                           '"Angebot" = "Qualified"'))
        retried = cli(sb, jobs, "retry", job.name, "--yes", "--job-dir", str(jobs))
        failed = {r["row"]: r for r in read_csv(job / "failed.csv")}
        assert list(failed) == ["3"], (failed, retried.output)
        assert failed["3"]["hold"] == "duplicate-key", failed
        assert "row 2 has it too" in failed["3"]["reason"], failed
        assert {d["id"]: d["stage_id"] for d in sandbox_deals(sb)} == stages
        assert len(stages) == 2
        done = {r["row"]: r for r in read_csv(job / "succeeded.csv")}
        assert done["5"]["action"] == "duplicate" and "row 4" in done["5"]["note"], done


@pytest.mark.parametrize("mode", ["insert", "upsert"])
async def test_a_row_failing_on_empty_cells_alone_is_a_part_of_the_first(tmp_path: Path,
                                                                        mode: str) -> None:
    """x41r2: a part row (title and amount, the other cells empty) after a full row of its
    key failed "the stage is empty" (13/13); an empty title between two equal rows held all
    three ("writes other values … title: (empty)"). An empty cell writes nothing: each is
    the first row's duplicate, one deal made, nothing held; a bad cell still fails."""
    g = ",".join(ROWS["g"])
    manifest = tmp_path / "f.csv"
    manifest.write_text(f"{HEADER}\nP1,{g}\nP1,T,100,,,\n"
                        f"E1,{g}\nE1,,100,Qualified,Ann,ann@example.org\nE1,{g}\n"
                        f"B1,{g}\nB1,T,100,Nowhere,,\n")
    (tmp_path / "m.toml").write_text(MAPPING.format(mode=mode, extra=""))
    async with serve(SandboxConfig(deals=0, time_scale=0.02, seed=7)) as sb:
        store, _, _ = await import_once(sb, tmp_path / "jobs", manifest, tmp_path / "m.toml",
                                        mode=mode)
        failed = {r["row"]: r for r in read_csv(store.directory / "failed.csv")}
        done = {r["row"]: r for r in read_csv(store.directory / "succeeded.csv")}
        store.close()
        assert _deals_by_key(sb) == {"P1": 1, "E1": 1, "B1": 1}
    assert [done[r]["action"] for r in ("3", "5", "6")] == ["duplicate"] * 3, (done, failed)
    assert "the same deal as row 2" in done["3"]["note"]
    assert "the same deal as row 4" in done["5"]["note"] and "row 4" in done["6"]["note"]
    # a stage no one knows is no empty cell: it fails as it did (never sent, not held)
    assert list(failed) == ["8"] and failed["8"]["reason"].startswith("no stage"), failed


async def test_a_double_this_job_made_itself_is_not_blamed_on_another_run(
        tmp_path: Path) -> None:
    """x41r2: the end-of-run check said two deals of a key one job made were "created at
    the same time by a run that did not share this one's claims (another state folder or
    machine)". A double whose other deal this job created too says so (a fault of
    pdbulk's); one another run made is worded as before."""
    from jobs import doubles
    from tests.import_support import api_context

    manifest = tmp_path / "f.csv"
    manifest.write_text(f"{HEADER}\nD1,{','.join(ROWS['g'])}\n")
    (tmp_path / "m.toml").write_text(MAPPING.format(mode="insert", extra=""))
    async with serve(SandboxConfig(deals=0, time_scale=0.02, seed=7)) as sb:
        store, _, kind = await import_once(sb, tmp_path / "jobs", manifest, tmp_path / "m.toml")
        (first,) = [d["id"] for d in sandbox_deals(sb)]
        async with api_context(sb, tmp_path / "ctx") as ctx:
            res = await ctx.call("addDeal", json={"title": "again", "custom_fields": {
                kind.key_code: "D1"}})
            second = int(res.data["id"])
            mine = await doubles.check_doubles(ctx, store, {first: "D1", second: "D1"},
                                               kind.key_code, None, fields=False)
            theirs = await doubles.check_doubles(ctx, store, {first: "D1"}, kind.key_code,
                                                 None, fields=False)
        store.close()
    note = doubles.doubled_note({"deal_id": first}, mine["deals"])
    assert note is not None and "which this job created as well" in note, note
    assert "another state folder" not in note
    line = doubles.doubles_line({"deals_doubled": 2, "deals_doubled_here": 2})
    assert line is not None and "no other run" in line and "another state" not in line
    note = doubles.doubled_note({"deal_id": first}, theirs["deals"])
    assert note is not None and "another state folder or machine" in note, note
