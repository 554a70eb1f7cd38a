"""The plan of a resume whose creates in doubt have claims naming deals gone since (an
earlier import's, deleted by a colleague, not by an undo of this folder) prices the read
of each such deal before its create is sent again, as it prices the pending creates'
(f43b: a resume planned getDeal 161 and spent 205, the 44 creates in doubt)."""

from __future__ import annotations

import os
import re
from pathlib import Path

from typer.testing import CliRunner

from bulk.sandbox import SandboxConfig
from bulk.sandbox.config import Faults
from pdbulk.cli import app
from tests.sandbox_helpers import ThreadedSandbox, kill_mid_run
from tests.test_plan_tokens import TOKEN, cli, engine
from tests.test_plan_tokens_after_undo import MAPPING, _job, _rows
from tests.test_resume_all_in_doubt_plan import PLAN, _settled


def test_a_resume_prices_the_named_deal_reads_of_its_creates_in_doubt(
        tmp_path: Path) -> None:
    """Import 120 rows (insert); a colleague deletes every deal; an upsert of the file is
    killed -9 with a batch of creates in flight (each read its claim's gone deal first),
    then resumed: the getDeal its plan lines price is at least what it reads (before
    the fix: the pending creates' only, the batch in doubt's reads not counted)."""
    jobs, mapping = tmp_path / "jobs", tmp_path / "m.toml"
    mapping.write_text(MAPPING.replace("[person]\nname = \"person\"\nemail = \"email\"\n"
                                       "[organization]\nname = \"org\"\n", ""))
    first = _rows(tmp_path / "a.csv", "A", 120)
    with ThreadedSandbox(SandboxConfig(plan="ultimate", auth="oauth", token=TOKEN, deals=0,
                                       seed=14)) as sb:
        ran = cli(sb, jobs, "import", str(first), "-m", str(mapping), "--create-key-field",
                  *engine(sb, jobs))
        assert ran.exit_code == 0, ran.output
        for deal in list(sb.state.deals.rows.values()):  # a colleague's delete, by hand
            sb.state.save("deal", {**deal, "is_deleted": True,
                                   "update_time": "2031-01-01T00:00:00Z"})
        before_jobs = {p.name for p in jobs.iterdir()}
        sb.set_faults(Faults(latency_ms=400.0, only_operations=frozenset({"addDeal"})))
        kill_mid_run(sb, ["import", str(first), "-m", str(mapping), "--mode", "upsert",
                          *engine(sb, jobs)], operation="addDeal",
                     applied=sb.stats()["writes_applied"].get("addDeal", 0) + 4)
        job = _job(jobs, before_jobs)
        sb.set_faults(Faults())
        before = _settled(sb)
        res = CliRunner().invoke(app, ["resume", job, "--job-dir", str(jobs)],
                                 env={**os.environ, "PIPEDRIVE_API_TOKEN": TOKEN})
        after = _settled(sb)
    assert res.exit_code == 0, res.output
    plans = PLAN.findall(res.output)
    assert len(plans) == 2, res.output
    assert "in doubt" in res.output, res.output
    read = after["getDeal"] - before["getDeal"]
    for said, _tokens in plans:
        planned = int(dict(re.findall(r"(\w+) ([\d,]+)", said)).get("getDeal", "0")
                      .replace(",", ""))
        assert planned >= read, (said, read, res.output)
