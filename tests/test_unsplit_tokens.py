"""A job whose runs an earlier pdbulk made kept no per-run record of its tokens in doubt
(``spend_in_doubt:<run>``): a kill -9 of such a run left its credit charged ahead and its
calls in flight counted as charged. ``pdbulk status`` and summary.json say those tokens'
split (charged / in doubt) is not known, instead of a figure that looks exact; a resume
by this version keeps saying so for them, and splits its own."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from bulk.sandbox import Sandbox, SandboxConfig
from bulk.store import JobStore
from pdbulk.cli import app
from tests.sandbox_helpers import ThreadedSandbox

EARLIER = "spent by runs of an earlier pdbulk, which kept no record of what was in doubt"


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    with ThreadedSandbox(SandboxConfig(plan="ultimate", deals=30, seed=7, time_scale=0.05)) as box:
        yield box


def as_an_earlier_version_left_it(job: Path) -> int:
    """The job's per-run in-doubt records taken out (an earlier pdbulk wrote none): its
    ledger total."""
    with sqlite3.connect(job / "job.sqlite") as conn:
        conn.execute("DELETE FROM kv WHERE key LIKE 'spend_in_doubt%'")
    with JobStore.open(job, lock=False) as store:
        return sum(t for t, _ in store.spend_by_operation().values())


def test_an_earlier_versions_tokens_are_said_to_be_of_unknown_split(sb: Sandbox,
                                                                     tmp_path: Path) -> None:
    """An update stopped at its cap by "an earlier version" (its records taken out):
    status says its 60 tokens' split is not known (was: "tokens: 60", as if exact); the
    resume (this version) finishes it, and status, --json and summary.json say those 60
    apart from the resume's own, split."""
    env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
    (tmp_path / "m.toml").write_text('[update]\nid_column = "deal_id"\n[deal]\n'
                                      'probability = "p"\n')
    (tmp_path / "u.csv").write_text("deal_id,p\n" + "".join(f"{i},42\n" for i in range(1, 21)))
    jobs = tmp_path / "jobs"
    first = CliRunner().invoke(app, ["update", str(tmp_path / "u.csv"), "--mapping",
                                     str(tmp_path / "m.toml"), "--yes", "--url", sb.url,
                                     "--plan", "ultimate", "--max-tokens", "60",
                                     "--job-dir", str(jobs)], env=env)
    assert "Traceback" not in first.output, first.output
    (job,) = [p for p in jobs.iterdir() if p.is_dir()]
    earlier = as_an_earlier_version_left_it(job)
    assert earlier > 0
    status = CliRunner().invoke(app, ["status", job.name, "--job-dir", str(jobs)])
    assert f"; {earlier:,} of them {EARLIER}" in status.output, status.output
    info = orjson.loads(CliRunner().invoke(
        app, ["status", job.name, "--json", "--job-dir", str(jobs)]).stdout)
    assert info["tokens_split_unknown"] == earlier

    resumed = CliRunner().invoke(app, ["resume", job.name, "--max-tokens", "1000",
                                       "--job-dir", str(jobs)], env=env)
    assert resumed.exit_code == 0, resumed.output
    with JobStore.open(job, lock=False) as store:
        total = sum(t for t, _ in store.spend_by_operation().values())
    assert total > earlier
    summary = orjson.loads((job / "summary.json").read_bytes())
    assert summary["tokens_split_unknown"] == earlier
    assert f"{earlier:,} of them {EARLIER}" in resumed.output, resumed.output
    status = CliRunner().invoke(app, ["status", job.name, "--job-dir", str(jobs)])
    assert f"; {earlier:,} of them {EARLIER}" in status.output, status.output


def test_a_job_of_this_version_has_no_unknown_split(sb: Sandbox, tmp_path: Path) -> None:
    """Every run keeps its record: nothing is said of an earlier pdbulk."""
    env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
    (tmp_path / "m.toml").write_text('[update]\nid_column = "deal_id"\n[deal]\n'
                                      'probability = "p"\n')
    (tmp_path / "u.csv").write_text("deal_id,p\n1,42\n2,42\n")
    jobs = tmp_path / "jobs"
    res = CliRunner().invoke(app, ["update", str(tmp_path / "u.csv"), "--mapping",
                                   str(tmp_path / "m.toml"), "--yes", "--url", sb.url,
                                   "--plan", "ultimate", "--job-dir", str(jobs)], env=env)
    assert res.exit_code == 0, res.output
    (job,) = [p for p in jobs.iterdir() if p.is_dir()]
    assert orjson.loads((job / "summary.json").read_bytes())["tokens_split_unknown"] == 0
    status = CliRunner().invoke(app, ["status", job.name, "--job-dir", str(jobs)])
    assert "earlier pdbulk" not in status.output + res.output
