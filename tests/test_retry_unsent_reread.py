"""A retry whose rows all fail again on the mapping as it is now (an unknown stage) sends
nothing, so it reads no deals to re-check them: no ``getDeals`` / ``getArchivedDeals``, no
"re-checked N pending create(s)" line, and its plan prices what it spends (x45r5 F5: 80
tokens = catalog 50 + getDeals 10 + getArchivedDeals 20 for 4 rows never sent)."""

from __future__ import annotations

import re
from pathlib import Path

from bulk.sandbox import Sandbox
from tests.test_plan_tokens import cli, engine, sb, spent  # noqa: F401 - sb is a fixture
from tests.test_retry_plan_tokens import MAPPING


def _reads(box: Sandbox) -> dict[str, int]:
    ops = box.stats()["tokens_by_operation"]
    return {op: int(ops.get(op, 0)) for op in ("getDeals", "getArchivedDeals")}


def test_a_retry_that_sends_nothing_reads_no_deals(sb: Sandbox,  # noqa: F811
                                                   tmp_path: Path) -> None:
    jobs, mapping, manifest = tmp_path / "jobs", tmp_path / "m.toml", tmp_path / "in.csv"
    mapping.write_text(MAPPING.format(extra=""))
    manifest.write_text("key,title,stage\n" + "".join(
        f"k{i},Deal {i},{'zz' if i < 4 else 'a'}\n" for i in range(6)))
    first = cli(sb, jobs, "import", str(manifest), "--mapping", str(mapping),
                "--create-key-field", *engine(sb, jobs))
    assert first.exit_code == 3, first.output
    (job,) = jobs.iterdir()
    before, reads = spent(sb), _reads(sb)
    retried = cli(sb, jobs, "retry", job.name, "--job-dir", str(jobs))
    assert "none maps; 4 still fail" in retried.output, retried.output
    assert _reads(sb) == reads, retried.output  # (was getDeals +10, getArchivedDeals +20)
    assert "re-checked" not in retried.output, retried.output
    planned = [int(n.replace(",", "")) for n in
               re.findall(r"^plan.*tokens: ([\d,]+)$", retried.output, re.M)]
    assert planned and set(planned) == {spent(sb) - before}, (planned, retried.output)
