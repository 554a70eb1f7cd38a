"""End to end, with a real SIGKILL (issue 9, F2): an ``update`` job killed with writes in
flight, half of those deals changed by a colleague meanwhile; ``pdbulk resume`` keeps every
colleague value and accounts for every row. (``scripts/crash_inflight.py`` runs the
bounded loop over update, move-stage, upsert and undo.)"""

from __future__ import annotations

import os
from pathlib import Path

from typer.testing import CliRunner

from bulk.sandbox import SandboxConfig
from bulk.sandbox.config import Faults
from bulk.store import ItemState, JobStore
from pdbulk.cli import app
from tests.sandbox_helpers import ThreadedSandbox, kill_mid_run
from tests.update_support import deal

N = 30


def test_sigkill_with_writes_in_flight_then_a_colleague_then_resume(tmp_path: Path) -> None:
    """SIGKILL after a few writes (each write answered in 150 ms: most of the 30 are in flight);
    a colleague sets value 4242 on half of the in-flight deals; resume: those keep 4242
    (failed as conflicts), the others end at 777, nothing pending or in doubt."""
    config = SandboxConfig(plan="ultimate", deals=N + 5, seed=12,
                           faults=Faults(latency_ms=150.0,
                                         only_operations=frozenset({"updateDeal"})))
    with ThreadedSandbox(config) as sb:
        manifest = tmp_path / "u.csv"
        manifest.write_text("deal_id,amount\n" + "".join(f"{i},777\n" for i in range(1, N + 1)))
        mapping = tmp_path / "u.toml"
        mapping.write_text('[update]\nid_column = "deal_id"\n[defaults]\ncurrency = "USD"\n'
                           '[deal]\nvalue = "amount"\n')
        jobs = tmp_path / "jobs"
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        kill_mid_run(sb, ["update", str(manifest), "-m", str(mapping), "--yes", "--url", sb.url,
                          "--plan", "ultimate", "--job-dir", str(jobs)],
                     operation="updateDeal", applied=2, poll=0.01)
        (job,) = [p for p in jobs.iterdir() if p.is_dir()]
        with JobStore.open(job, lock=False) as store:
            flying = [int(i.payload["deal_id"]) for i in store.items(ItemState.SENDING)]
        assert len(flying) >= 4, flying
        colleague = flying[::2]
        for deal_id in colleague:
            sb.state.save("deal", {**deal(sb, deal_id), "value": 4242,
                                   "update_time": "2031-01-01T00:00:00Z"})

        resumed = CliRunner().invoke(app, ["resume", job.name, "--job-dir", str(jobs)],
                                     env=env)
        assert resumed.exit_code == 3, resumed.output
        assert all(deal(sb, i)["value"] == 4242 for i in colleague)
        others = set(range(1, N + 1)) - set(colleague)
        assert all(deal(sb, i)["value"] == 777 for i in others)
        with JobStore.open(job, lock=False) as store:
            counts = store.counts()
            failed = {int(i.payload["deal_id"]): i.error or ""
                      for i in store.items(ItemState.FAILED)}
        assert counts[ItemState.PENDING] == counts[ItemState.SENDING] == 0
        assert set(failed) == set(colleague)
        assert all("conflict" in e for e in failed.values())
