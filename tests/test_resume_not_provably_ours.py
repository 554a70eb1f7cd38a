"""A resume's reconcile never claims another's write (x51r7 F1): rows left in doubt by a
kill whose deal is as the write wants it are the job's only where the ledger shows as
many writes that may have left; else they are settled ``unchanged`` (tallied "as wanted,
not by this job") and the job's undo leaves them alone. The kill is simulated as
``tests.test_inflight_conflicts`` does (``mark_sending``), with the killed run's ledger
figure written as its writer leaves it (``bulk.ledger``: charged before a call leaves)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bulk.ledger import HELD, META_IN_DOUBT
from bulk.sandbox import Sandbox, SandboxConfig
from bulk.store import ItemState, JobStore
from tests.sandbox_helpers import ThreadedSandbox
from tests.test_inflight_conflicts import SALES_OPEN, by_key, cli, deal, load_move, patch
from tests.update_support import cli_args

NEGOTIATIONS = 5  # Sales' "Negotiations Started", seed 41


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    with ThreadedSandbox(SandboxConfig(time_scale=0.05, deals=30, seed=41)) as box:
        yield box


def killed(jobs: Path, job_id: str, update_tokens: int) -> None:
    """Job ``job_id`` as a kill -9 leaves it: every pending row handed out (SENDING), and
    its run's ledger figure in doubt holding ``update_tokens`` of updateDeal (the writes
    that may have left with no answer, 5 tokens each) besides its reads."""
    began = time.time() - 1.0
    with JobStore.open(jobs / job_id) as store:
        store.meta_put(f"{META_IN_DOUBT}:dead0000beef{HELD}{began:.3f}",
                       {"getDeals": 10, **({"updateDeal": update_tokens}
                                           if update_tokens else {})})
        store.mark_sending([i.id for i in store.items(ItemState.PENDING)], began + 0.5)
        store.set_status("running")


def stages(sb: Sandbox) -> list[int]:
    return [deal(sb, i)["stage_id"] for i in SALES_OPEN]


def test_rows_the_ledger_shows_never_sent_are_not_claimed_and_their_undo_leaves_them(
        sb: Sandbox, tmp_path: Path) -> None:
    """x51r7 F1 (repro_f1.sh): move-stage A killed with 3 rows in doubt, the ledger showing
    no write left; job B (another --job-dir) makes the same move; A's resume said "3 moved"
    and its undo moved B's 3 deals back. Now: "3 as wanted, not by this job", nothing sent,
    and A's undo restores none of them."""
    jobs_a, jobs_b = tmp_path / "jA", tmp_path / "jB"
    load_move(sb, tmp_path, jobs_a, SALES_OPEN, "Negotiations Started", "open")
    killed(jobs_a, "mv", 0)
    load_move(sb, tmp_path, jobs_b, SALES_OPEN, "Negotiations Started", "open")
    assert cli(sb, "resume", "mv", "--job-dir", str(jobs_b)).exit_code == 0  # job B
    assert stages(sb) == [NEGOTIATIONS] * 3
    before = sb.stats()["writes_applied"].get("updateDeal", 0)

    resumed = cli(sb, "resume", "mv", "--job-dir", str(jobs_a))
    assert resumed.exit_code == 0, resumed.output
    assert "3 as wanted, not by this job" in resumed.output, resumed.output
    assert "moved" not in resumed.output.split("rows:")[1].split("\n")[0], resumed.output
    assert sb.stats()["writes_applied"].get("updateDeal", 0) == before
    for state, _, result in by_key(jobs_a, "mv").values():
        assert state is ItemState.SKIPPED and result["action"] == "unchanged", result
        assert "at most 0 write(s) that left with no answer for the 3 row(s)" \
            in result["note"], result

    undone = cli(sb, "undo", "mv", "--yes", *cli_args(sb, jobs_a))
    assert "Traceback" not in undone.output
    assert stages(sb) == [NEGOTIATIONS] * 3, undone.output  # B's moves stay
    assert sb.stats()["writes_applied"].get("updateDeal", 0) == before, undone.output
    # x52r8 F5: the undo's lines say how many rows it left and why
    assert "3 row(s) of job mv left as they are: its resume found their deals already as " \
        "the rows want but not provably by this job" in undone.output, undone.output


def test_more_rows_as_wanted_than_writes_that_may_have_left_claims_none(
        sb: Sandbox, tmp_path: Path) -> None:
    """Run 2 of the repro: at most 1 write left (5 tokens of updateDeal in doubt), 3 rows
    found as wanted (a colleague moved the deals by hand after the kill): which one, if
    any, is the job's cannot be told, so none is claimed."""
    jobs = tmp_path / "jobs"
    load_move(sb, tmp_path, jobs, SALES_OPEN, "Negotiations Started", "open")
    killed(jobs, "mv", 5)
    for deal_id in SALES_OPEN:
        patch(sb, deal_id, {"stage_id": NEGOTIATIONS})
    resumed = cli(sb, "resume", "mv", "--job-dir", str(jobs))
    assert resumed.exit_code == 0, resumed.output
    assert "3 as wanted, not by this job" in resumed.output, resumed.output
    assert {r["action"] for _, _, r in by_key(jobs, "mv").values()} == {"unchanged"}


def test_as_many_writes_that_may_have_left_as_rows_as_wanted_keeps_them_the_jobs(
        sb: Sandbox, tmp_path: Path) -> None:
    """Where the ledger shows the writes may have left (3 in doubt, 3 rows as wanted) and
    nothing else tells, the rule stays: the job's, "moved", and its undo puts them back."""
    jobs = tmp_path / "jobs"
    load_move(sb, tmp_path, jobs, SALES_OPEN, "Negotiations Started", "open")
    killed(jobs, "mv", 15)
    for deal_id in SALES_OPEN:  # its own writes, applied before the kill
        patch(sb, deal_id, {"stage_id": NEGOTIATIONS})
    resumed = cli(sb, "resume", "mv", "--job-dir", str(jobs))
    assert resumed.exit_code == 0, resumed.output
    assert "3 moved" in resumed.output, resumed.output
    assert all(r["action"] == "moved" for _, _, r in by_key(jobs, "mv").values())
    assert cli(sb, "undo", "mv", "--yes", *cli_args(sb, jobs)).exit_code == 0
    assert stages(sb) == [4, 4, 4]


def test_an_upserts_update_rows_in_doubt_are_not_claimed_past_the_ledger(
        sb: Sandbox, tmp_path: Path) -> None:
    """The import's update rows follow the same rule: an upsert killed with k1..k3's
    PATCHes handed out, the ledger showing none left; a colleague set the very amounts by
    hand. The resume claimed all three "updated" (and the undo would put 100 back over the
    colleague's work); now "as wanted, not by this job", and its undo leaves them."""
    from tests.import_support import loaded_import, read_csv
    from tests.test_inflight_conflicts import IMPORT_MAPPING, edit

    jobs = tmp_path / "jobs"
    mapping = tmp_path / "m.toml"
    mapping.write_text(IMPORT_MAPPING)
    first = tmp_path / "a.csv"
    first.write_text("key,title,amount\nk1,One,100\nk2,Two,100\nk3,Three,100\n")
    assert cli(sb, "import", str(first), "-m", str(mapping), "--create-key-field",
               *cli_args(sb, jobs)).exit_code == 0
    (made,) = [p for p in jobs.iterdir() if p.is_dir()]
    ids = {r["key"]: int(r["deal_id"]) for r in read_csv(made / "succeeded.csv")}
    second = tmp_path / "b.csv"
    second.write_text("key,title,amount\nk1,One,5100\nk2,Two,5200\nk3,Three,5300\n")
    job = loaded_import(sb, jobs, second, mapping)
    killed(jobs, job, 0)
    for key, value in (("k1", 5100), ("k2", 5200), ("k3", 5300)):
        edit(sb, ids[key], when="2031-01-01T00:00:00Z", value=value)  # the colleague
    before = sb.stats()["writes_applied"].get("updateDeal", 0)

    resumed = cli(sb, "resume", job, "--job-dir", str(jobs))
    assert resumed.exit_code == 0, resumed.output
    assert "3 as wanted, not by this job" in resumed.output, resumed.output
    assert sb.stats()["writes_applied"].get("updateDeal", 0) == before
    for state, _, result in by_key(jobs, job).values():
        assert state is ItemState.SKIPPED and result["action"] == "unchanged", result
    cli(sb, "undo", job, "--yes", *cli_args(sb, jobs))
    assert [deal(sb, ids[k])["value"] for k in ("k1", "k2", "k3")] == [5100, 5200, 5300]


def test_a_deal_as_wanted_since_before_the_write_could_leave_is_not_claimed(
        sb: Sandbox, tmp_path: Path) -> None:
    """The ledger covers the rows (3 writes may have left), but one deal last changed
    before its write was handed out (more than the 120 s allowed for clocks): that change
    is not the job's, whatever the ledger says. The other two stay "moved"."""
    from tests.test_inflight_conflicts import edit

    jobs = tmp_path / "jobs"
    load_move(sb, tmp_path, jobs, SALES_OPEN, "Negotiations Started", "open")
    killed(jobs, "mv", 15)
    first, *rest = SALES_OPEN
    edit(sb, first, when="2020-01-01T00:00:00Z", stage_id=NEGOTIATIONS)
    for deal_id in rest:
        patch(sb, deal_id, {"stage_id": NEGOTIATIONS})
    resumed = cli(sb, "resume", "mv", "--job-dir", str(jobs))
    assert resumed.exit_code == 0, resumed.output
    assert "rows: 3 — 1 as wanted, not by this job, 2 moved;" in resumed.output, resumed.output
    items = by_key(jobs, "mv")
    assert "it last changed at 2020-01-01T00:00:00Z, before this job's write could have " \
        "left" in items[str(first)][2]["note"], items[str(first)]


def test_the_undos_last_lines_say_the_rows_it_left_not_provably_the_jobs(
        sb: Sandbox, tmp_path: Path) -> None:
    """x52r8 F5: an undo of a 120-row job said only "undone: 114 deals"; the 6 deals its
    resume found as wanted, not provably by it, still held those values, said nowhere in
    its lines. Here 2 of 3 rows so (a colleague's same move, at most 1 write left), the
    third moved by the resume: the undo puts 1 back and its last lines name the 2 left."""
    jobs = tmp_path / "jobs"
    load_move(sb, tmp_path, jobs, SALES_OPEN, "Negotiations Started", "open")
    killed(jobs, "mv", 5)
    for deal_id in SALES_OPEN[:2]:
        patch(sb, deal_id, {"stage_id": NEGOTIATIONS})
    resumed = cli(sb, "resume", "mv", "--job-dir", str(jobs))
    assert "2 as wanted, not by this job" in resumed.output, resumed.output
    undone = cli(sb, "undo", "mv", "--yes", *cli_args(sb, jobs))
    assert undone.exit_code == 0, undone.output
    tail = undone.output.split("rows: 1 — 1 restored")[-1]  # the run's last lines
    assert "2 row(s) of job mv left as they are" in tail, undone.output
    assert stages(sb) == [NEGOTIATIONS, NEGOTIATIONS, 4], undone.output
