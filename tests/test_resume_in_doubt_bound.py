"""The plan of a resume after a kill -9 with creates in flight: each create in doubt is
counted as an ``addDeal`` sent again, and the reconcile sends none for those it finds made.
The plan line says its tokens are an upper bound and by how much (f32g: it said "tokens:
T" and the run spent 5 tokens less per create the reconcile found)."""

from __future__ import annotations

import os
import re
from pathlib import Path

from typer.testing import CliRunner

from bulk.sandbox import SandboxConfig
from bulk.sandbox.config import Faults
from bulk.store import ItemState, JobStore
from jobs.demo_data import write_demo_export
from pdbulk.cli import app
from tests.sandbox_helpers import ThreadedSandbox, kill_mid_run
from tests.test_import import charged, deals_by_key

PLAN = re.compile(r"^plan: (.*); calls at most: .*; tokens: ([\d,]+)$", re.M)


def tokens(sb: object) -> int:
    return int(sb.stats()["tokens_spent"])  # type: ignore[attr-defined]


def test_the_resume_plan_after_a_kill_says_how_far_over_its_in_doubt_creates_may_be(
        tmp_path: Path) -> None:
    """An import killed (SIGKILL) once 6 creates were applied, half of the creates' answers
    lost (applied, in doubt): the resume's first plan line says ``tokens: T at most: K
    writes in doubt (addDeal; ...) ... up to 5K fewer``; the run spends no more than T, and
    no less than T less that bound: 5 tokens less for each create the reconcile found."""
    export = write_demo_export(tmp_path / "in", rows=40, broken=0, unknown_stage=0)
    config = SandboxConfig(plan="ultimate", seed=5, faults=Faults(
        latency_ms=150.0, lost_response_rate=0.5, only_operations=frozenset({"addDeal"})))
    jobs = tmp_path / "jobs"
    with ThreadedSandbox(config) as sb:
        kill_mid_run(sb, ["import", str(export.manifest), "-m", str(export.mapping),
                          "--url", sb.url, "--plan", "ultimate", "--job-dir", str(jobs),
                          "--create-key-field"],
                     operation="addDeal", applied=6, poll=0.01)
        (job,) = [p for p in jobs.iterdir() if p.is_dir()]
        with JobStore.open(job, lock=False) as store:
            doubt = [str(i.key) for i in store.items(ItemState.SENDING) if i.op == "create"]
        made = [k for k in doubt if k in deals_by_key(sb)]
        assert doubt and made, (doubt, made)
        sb.set_faults(Faults())  # the resume's answers all come (faults of its own: F3 note)
        before, by_op = tokens(sb), charged(sb)
        res = CliRunner().invoke(app, ["resume", job.name, "--job-dir", str(jobs)],
                                 env={**os.environ, "PIPEDRIVE_API_TOKEN": sb.token})
        spent = tokens(sb) - before
        spent_ops = charged(sb) - by_op
    assert res.exit_code == 0, res.output
    match = PLAN.search(res.output)
    assert match is not None, res.output
    said, planned = match[1], int(match[2].replace(",", ""))
    bound = 5 * len(doubt)
    assert (f", {len(doubt)} of them in doubt (left in flight; each counted as its addDeal "
            "sent again, though the reconcile sends none for those it finds made: the tokens "
            f"below are at most, up to {bound:,} fewer)") in said, said
    # over by 5 tokens for each create the reconcile found made (20 of 40 here: 100 of
    # the 200 said), and by nothing else
    assert planned - bound <= spent <= planned, (spent, planned, dict(spent_ops), res.output)
    assert planned - spent == 5 * (len(doubt) - spent_ops["addDeal"]), (planned, spent_ops)
