"""A job's token figures after a real kill -9 (five of them, each run resumed and killed
again): what pdbulk says was charged is never above what the server charged, and the
server's charge never above pdbulk's charged + in doubt (the calls charged ahead and the
calls in flight at the kill are in doubt, not charged), the sandbox's counter the oracle.
And no looser than what the job cannot know: once every row is done, the PATCHes in doubt
are those never charged (credit never used for a send) and those charged whose write
never applied (cut off by the kill before the server read the body): each PATCH a
resume's reconcile found applied came off (f34d: 355 in doubt where the gap was 105)."""

from __future__ import annotations

import os
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from bulk.ledger import tokens_in_doubt
from bulk.sandbox import SandboxConfig
from bulk.sandbox.config import Faults
from bulk.store import ItemState, JobStore
from pdbulk.cli import app
from tests.sandbox_helpers import ThreadedSandbox, kill_mid_run

N = 240
KILLS = (15, 55, 95, 135, 175)  # updateDeal writes the sandbox applied before each kill


def patches(job: Path) -> tuple[int, int]:
    """The job's ledger tokens of ``updateDeal`` and those of them in doubt."""
    with JobStore.open(job, lock=False) as store:
        return (store.spend_by_operation()["updateDeal"][0],
                tokens_in_doubt(store).get("updateDeal", 0))


def figures(job: Path) -> tuple[int, int]:
    """The job's ledger total and its tokens in doubt, as ``pdbulk status`` reads them."""
    with JobStore.open(job, lock=False) as store:
        total = sum(t for t, _ in store.spend_by_operation().values())
        return total, sum(tokens_in_doubt(store).values())


@pytest.mark.slow
def test_token_figures_stay_true_through_five_kills_and_resumes(tmp_path: Path) -> None:
    """Five SIGKILLs (an update, then four resumes), then a resume to the end: after each,
    charged (ledger - in doubt) ≤ the server's count ≤ charged + in doubt, and at the end
    (every row done) too. Before: 170 counted as charged where the server charged 150."""
    config = SandboxConfig(plan="ultimate", deals=N, seed=33,
                           faults=Faults(latency_ms=40.0, latency_jitter_ms=20.0,
                                         only_operations=frozenset({"updateDeal"})))
    manifest = tmp_path / "u.csv"
    manifest.write_text("deal_id,amount\n" + "".join(f"{i},777\n" for i in range(1, N + 1)))
    mapping = tmp_path / "u.toml"
    mapping.write_text('[update]\nid_column = "deal_id"\n[defaults]\ncurrency = "USD"\n'
                       '[deal]\nvalue = "amount"\n')
    jobs = tmp_path / "jobs"
    with ThreadedSandbox(config) as sb:
        seen: list[tuple[int, int, int]] = []
        argv = ["update", str(manifest), "-m", str(mapping), "--yes", "--url", sb.url,
                "--plan", "ultimate", "--job-dir", str(jobs)]
        for applied in KILLS:
            kill_mid_run(sb, argv, operation="updateDeal", applied=applied, poll=0.002)
            (job,) = [p for p in jobs.iterdir() if p.is_dir()]
            total, doubt = figures(job)
            server = int(sb.stats()["tokens_spent"])
            seen.append((total, doubt, server))
            assert total - doubt <= server <= total, seen
            argv = ["resume", job.name, "--job-dir", str(jobs)]  # the next run: a resume
        # the resume no kill cuts runs in this process (f39i: a start-up less, as f38f)
        done = CliRunner().invoke(app, argv, env={**os.environ,
                                                  "PIPEDRIVE_API_TOKEN": sb.token})
        assert done.exit_code == 0 and "Traceback" not in done.output, done.output
        total, doubt = figures(job)
        server = int(sb.stats()["tokens_spent"])
        assert total - doubt <= server <= total, (seen, total, doubt, server)
        with JobStore.open(job, lock=False) as store:
            assert store.counts()[ItemState.DONE] == N
        # the PATCHes in doubt: never charged (ledger - server) and charged, never applied
        counted, unsure = patches(job)
        stats = sb.stats()
        charged = int(stats["tokens_by_operation"]["updateDeal"])
        cut_off = charged - 5 * int(stats["writes_applied"]["updateDeal"])
        assert unsure == (counted - charged) + cut_off, (seen, counted, unsure, charged,
                                                         cut_off)
        info = orjson.loads(CliRunner().invoke(
            app, ["status", job.name, "--json", "--job-dir", str(jobs)]).stdout)
        assert (sum(info["tokens_by_operation"].values()), info["tokens_in_doubt"]) == (
            total, doubt)  # what pdbulk status says
    # the kills left something in doubt, said as such (not all of it charged)
    assert any(doubt > 0 for _, doubt, _ in seen), seen
