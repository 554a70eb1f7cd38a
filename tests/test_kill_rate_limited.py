"""An import's 429s through kill -9s (w57r1 F3): each 429 is in the job folder's journal as
it comes (``bulk.limited``), so a killed run's entry counts its own and summary.json's
``rate_limited`` is the sandbox's count (before: the sandbox sent 8, the summary said 1,
the killed runs' entries ``rate_limited: None``)."""

from __future__ import annotations

import os
from pathlib import Path

import orjson
from typer.testing import CliRunner

from bulk.limited import by_process
from bulk.sandbox import SandboxConfig
from bulk.sandbox.config import Faults
from pdbulk.cli import app
from tests.sandbox_helpers import ThreadedSandbox, kill_mid_run

N = 150
KILLS = (40, 90)  # addDeal writes the sandbox applied before each kill


def test_a_killed_imports_429s_are_all_in_its_summary(tmp_path: Path) -> None:
    """Storms (every call 429 for the last 0.3 s of every 1 s) through an import killed
    twice and resumed to its end: the runs' ``rate_limited`` add up to the sandbox's
    count, each killed entry counting its own (a number, not None)."""
    config = SandboxConfig(plan="ultimate", deals=0, seed=5,
                           faults=Faults(latency_ms=20.0, storm_every=1.0, storm_length=0.3))
    manifest = tmp_path / "in.csv"
    manifest.write_text("id,title\n" + "".join(f"k{i},Deal {i}\n" for i in range(N)))
    mapping = tmp_path / "m.toml"
    mapping.write_text('version = 1\n[import]\nkey_column = "id"\n[deal]\ntitle = "title"\n')
    jobs = tmp_path / "jobs"
    with ThreadedSandbox(config) as sb:
        argv = ["import", str(manifest), "-m", str(mapping), "--mode", "insert",
                "--create-key-field", "--url", sb.url, "--plan", "ultimate", "--job-dir",
                str(jobs)]
        limited: list[int] = []
        for applied in KILLS:
            kill_mid_run(sb, argv, operation="addDeal", applied=applied, poll=0.002,
                         within=60.0)
            limited.append(int(sb.stats()["rate_limited"]))
            (job,) = [p for p in jobs.iterdir() if p.is_dir()]
            argv = ["resume", job.name, "--job-dir", str(jobs)]
        done = CliRunner().invoke(app, argv, env={**os.environ,
                                                  "PIPEDRIVE_API_TOKEN": sb.token})
        assert done.exit_code == 0 and "Traceback" not in done.output, done.output
        server = int(sb.stats()["rate_limited"])
    assert limited[0] > 0, limited  # the first killed run got 429s
    assert sum(by_process(job).values()) == server, (by_process(job), server)
    data = orjson.loads((job / "summary.json").read_bytes())
    runs = data["runs"]
    assert len(runs) == 3 and all(isinstance(r["rate_limited"], int) for r in runs), runs
    assert runs[0]["rate_limited"] == limited[0], (runs, limited)
    assert data["rate_limited"] == server == sum(r["rate_limited"] for r in runs), (
        data["rate_limited"], server, runs)
    assert sb.token not in (job / "job.limited").read_text()
