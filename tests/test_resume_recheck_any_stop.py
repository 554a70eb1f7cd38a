"""A resume or a retry checks what the stored bodies it sends again name — custom fields,
options, stages, pipelines, owners — against the account first, whatever ended the job's
last run, and refuses in one line naming what is gone, nothing sent (f46d, after x45r4 F1:
the check ran only on the resume of a job stopped by writes refused alike; a retry of
the refused rows, or the resume of a job stopped by its --max-tokens or killed, whose
field was deleted meanwhile, sent the deleted code again: 10 more refused writes each
time). The check's reads are in the plan, and the plan equals what the server counts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio

from bulk.sandbox import Sandbox
from bulk.store import ItemState, JobStore, NewItem, Outcome
from tests.test_plan_tokens import cli, engine, resume_tokens, sb, spent  # noqa: F401
from tests.update_support import delta, load_job, requests

BIG = ["--max-tokens", "5000"]
MAPPING = """[update]
id_column = "deal_id"
[deal]
title = "title"
[custom_fields]
"Discount" = "disc"
"""
# getDealFields 10 alone: the bodies name a custom field, no stage, pipeline or owner
# (x46r5 F5: 20, the stages and pipelines read too)
CHECK_TOKENS = 10
STAGES_TOKENS = 5  # a move's bodies name a stage: getStages alone


def _ids(sb: Sandbox, n: int) -> list[int]:  # noqa: F811
    return sorted(d["id"] for d in sb.state.deals.rows.values()
                  if not d["is_deleted"] and not d["is_archived"])[:n]


def _files(sb: Sandbox, tmp_path: Path, n: int = 30) -> tuple[Path, Path]:  # noqa: F811
    mapping, manifest = tmp_path / "u.toml", tmp_path / "u.csv"
    mapping.write_text(MAPPING)
    manifest.write_text("deal_id,title,disc\n" + "".join(
        f'{i},"{sb.state.deals.rows[i]["title"]} (renamed {i})",{i}\n'  # (x48r7 F1: an
        for i in _ids(sb, n)))  # unrelated title beside a new value reads as foreign ids)
    return mapping, manifest


def _delete_field(sb: Sandbox, name: str) -> None:  # noqa: F811
    (code,) = [c for c, f in sb.state.fields.items() if f["field_name"] == name]
    del sb.state.fields[code]


def _counts(job: Path) -> tuple[str, dict[ItemState, int]]:
    with JobStore.open(job, lock=False) as store:
        return store.status, dict(store.counts())


def _cap_stopped(sb: Sandbox, tmp_path: Path) -> tuple[Path, Path]:  # noqa: F811
    """(job root, job folder) of an update setting 'Discount' on 30 deals, stopped by its
    --max-tokens part-way (exit 4)."""
    jobs = tmp_path / "jobs"
    mapping, manifest = _files(sb, tmp_path)
    ran = cli(sb, jobs, "update", str(manifest), "-m", str(mapping), "--max-tokens", "80",
              *engine(sb, jobs))
    assert ran.exit_code == 4, ran.output
    (job,) = jobs.iterdir()
    return jobs, job


def test_resume_after_a_cap_stop_refuses_a_field_deleted_since(sb: Sandbox,  # noqa: F811
                                                                tmp_path: Path) -> None:
    """Stopped by its cap, 'Discount' deleted since: the resume refuses naming it, no
    updateDeal sent, only the check's reads, which its plan line priced; the job as it
    was (before: the pending rows sent with the deleted code, 10 refused, exit 4)."""
    jobs, job = _cap_stopped(sb, tmp_path)
    status, counts = _counts(job)
    assert status == "stopped" and counts[ItemState.PENDING] > 10, counts
    _delete_field(sb, "Discount")
    before, calls = spent(sb), requests(sb)
    resumed = cli(sb, jobs, "resume", job.name, "--job-dir", str(jobs), *BIG)
    assert resumed.exit_code == 1, resumed.output
    assert "'Discount' no longer exists" in resumed.output, resumed.output
    assert "updateDeal" not in delta(calls, requests(sb)), resumed.output
    assert spent(sb) - before == resume_tokens(resumed.output) == CHECK_TOKENS, resumed.output
    assert _counts(job) == (status, counts)


def test_resume_after_a_cap_stop_unchanged_account_goes_on(sb: Sandbox,  # noqa: F811
                                                           tmp_path: Path) -> None:
    """Nothing deleted: the check passes and the resume's plan, the check counted, equals
    what the server counts."""
    jobs, job = _cap_stopped(sb, tmp_path)
    before = spent(sb)
    resumed = cli(sb, jobs, "resume", job.name, "--job-dir", str(jobs), *BIG)
    assert resumed.exit_code == 0, resumed.output
    assert "getDealFields 1" in resumed.output, resumed.output
    assert spent(sb) - before == resume_tokens(resumed.output), resumed.output
    assert _counts(job)[1].get(ItemState.DONE) == 30


def test_resume_after_a_cap_stop_refuses_a_cap_below_the_check(sb: Sandbox,  # noqa: F811
                                                               tmp_path: Path) -> None:
    """A cap that cannot pay the check's reads and a write: refused before any read."""
    jobs, job = _cap_stopped(sb, tmp_path)
    before = spent(sb)
    resumed = cli(sb, jobs, "resume", job.name, "--job-dir", str(jobs), "--max-tokens", "12")
    assert resumed.exit_code == 4, resumed.output
    assert spent(sb) == before, resumed.output
    assert "nothing was read or sent" in resumed.output, resumed.output


def test_retry_refuses_rows_naming_a_field_deleted_since(sb: Sandbox,  # noqa: F811
                                                         tmp_path: Path) -> None:
    """'Discount' deleted between the load and the run: stopped after 10 refusals; the
    resume refuses (x45r4 F1), and so now does the retry of the 10 refused rows (before:
    put back and sent again, 10 more refused, exit 4), the job as it was."""
    from bulk.repeated import REPEATS_TO_STOP
    from jobs.account import load_catalog
    from jobs.updating import UpdateMapping, prepare_update
    from tests.update_support import run_job

    jobs = tmp_path / "jobs"
    mapping, manifest = _files(sb, tmp_path)

    async def stopped() -> None:
        async def build(s: Any) -> Any:
            return await prepare_update(s.ctx, manifest, UpdateMapping.load(mapping),
                                        await load_catalog(s.ctx))
        store, _ = await load_job(sb, jobs, "update", build, job_id="upd", max_workers=1,
                                  auth="oauth")
        _delete_field(sb, "Discount")
        result = await run_job(sb, store)
        assert result.stopped, result
        store.close()
    anyio.run(stopped)
    job = jobs / "upd"
    status, counts = _counts(job)
    assert counts[ItemState.FAILED] == REPEATS_TO_STOP, counts
    before, calls = spent(sb), requests(sb)
    retried = cli(sb, jobs, "retry", "upd", "--job-dir", str(jobs), *BIG)
    assert retried.exit_code == 1, retried.output
    assert "'Discount' no longer exists" in retried.output, retried.output
    assert "retry" in retried.output.split("'Discount'")[1], retried.output
    assert "updateDeal" not in delta(calls, requests(sb)), retried.output
    assert spent(sb) - before == resume_tokens(retried.output) == CHECK_TOKENS
    assert _counts(job) == (status, counts)


def test_move_stage_resume_after_a_kill_refuses_a_stage_deleted_since(
        sb: Sandbox, tmp_path: Path) -> None:  # noqa: F811
    """A move loaded, its process killed before it sent anything (left "running"), its
    target stage deleted since: the resume names the stage, nothing sent."""
    from jobs.selection import DealQuery
    from jobs.stages import DealSource, MoveTarget, move_catalog, prepare_move

    jobs = tmp_path / "jobs"

    async def loaded() -> None:
        source = DealSource(query=DealQuery(pipeline="Sales", stage="Qualified"))

        async def build(s: Any) -> Any:
            return await prepare_move(s.ctx, source, MoveTarget("Contact Made"),
                                      await move_catalog(s.ctx, source))
        store, _ = await load_job(sb, jobs, "move-stage", build, job_id="mv", auth="oauth")
        store.set_status("running")  # killed: no process holds it
        store.close()
    anyio.run(loaded)
    counts = _counts(jobs / "mv")[1]
    assert counts[ItemState.PENDING], counts
    del sb.state.stages[2]  # Sales' 'Contact Made', where the move goes
    before, calls = spent(sb), requests(sb)
    resumed = cli(sb, jobs, "resume", "mv", "--job-dir", str(jobs), *BIG)
    assert resumed.exit_code == 1, resumed.output
    assert "Contact Made' no longer exists" in resumed.output, resumed.output  # Sales'
    assert "stage 'Sales" in resumed.output, resumed.output
    assert "updateDeal" not in delta(calls, requests(sb)), resumed.output
    assert spent(sb) - before == resume_tokens(resumed.output) == STAGES_TOKENS
    assert "the account's stages read again" in resumed.output, resumed.output
    assert "getDealFields" not in delta(calls, requests(sb)), resumed.output


def test_named_to_send_reads_a_merge_patch_and_a_retry_reads_failed_rows(
        tmp_path: Path) -> None:
    """What a dedupe apply's (or merge's) first merge of a group PATCHes the survivor with
    is checked as an update's changes; a retry's check counts the failed rows it puts
    back, a resume's only those pending or in flight."""
    from jobs.resume_account_now import named_to_send

    store = JobStore.create(tmp_path / "d", job_id="d", kind="dedupe", config={})
    try:
        store.add_items([
            NewItem(row=1, key="2->1", op="merge", payload={
                "merge_id": 2, "survivor_id": 1, "patch": {"custom_fields": {"c" * 40: 7},
                                                           "stage_id": 3}}),
            NewItem(row=2, key="4->3", op="merge", payload={
                "merge_id": 4, "survivor_id": 3, "changes": {"stage_id": 9}})])
        (second,) = [i for i in store.items(ItemState.PENDING) if i.key == "4->3"]
        store.mark_sending([second.id], 0.0)
        store.record([Outcome(second.id, ItemState.FAILED, error="refused")])
        resume = named_to_send(store)
        assert resume.fields == {"c" * 40: 1} and dict(resume.ids) == {("stage", 3): 1}
        retry = named_to_send(store, retry=True)
        assert dict(retry.ids) == {("stage", 3): 1, ("stage", 9): 1}
    finally:
        store.close()



def test_retry_refuses_a_cap_below_the_check(sb: Sandbox, tmp_path: Path) -> None:  # noqa: F811
    """A retry whose cap cannot pay the check's reads and a write: refused before any read,
    its failed rows left failed."""
    from jobs.account import load_catalog
    from jobs.updating import UpdateMapping, prepare_update

    jobs = tmp_path / "jobs"
    mapping, manifest = _files(sb, tmp_path, 5)

    async def loaded() -> None:
        async def build(s: Any) -> Any:
            return await prepare_update(s.ctx, manifest, UpdateMapping.load(mapping),
                                        await load_catalog(s.ctx))
        store, _ = await load_job(sb, jobs, "update", build, job_id="upd", auth="oauth")
        store.close()
    anyio.run(loaded)
    first = _ids(sb, 1)[0]
    sb.state.deals.rows[first]["is_archived"] = True  # its row fails at the resume
    job = jobs / "upd"
    ran = cli(sb, jobs, "resume", "upd", "--job-dir", str(jobs), *BIG)
    assert ran.exit_code == 3, ran.output
    sb.state.deals.rows[first]["is_archived"] = False
    state = _counts(job)
    before = spent(sb)
    retried = cli(sb, jobs, "retry", job.name, "--job-dir", str(jobs), "--max-tokens", "12")
    assert retried.exit_code == 4, retried.output
    assert "nothing was read or sent by this retry" in retried.output, retried.output
    assert spent(sb) == before and _counts(job) == state, retried.output


def test_retry_with_no_failed_rows_refused_says_none_stay_failed(sb: Sandbox,  # noqa: F811
                                                                 tmp_path: Path) -> None:
    """A retry of a job stopped by its cap, no row failed, refused for a field deleted
    since: it says nothing of failed rows (x46r5 F6: "its failed rows stay failed")."""
    jobs, job = _cap_stopped(sb, tmp_path)
    assert not _counts(job)[1].get(ItemState.FAILED)
    _delete_field(sb, "Discount")
    retried = cli(sb, jobs, "retry", job.name, "--job-dir", str(jobs), *BIG)
    assert retried.exit_code == 1, retried.output
    assert "'Discount' no longer exists" in retried.output, retried.output
    assert "failed rows" not in retried.output, retried.output
