"""A column's decimal mark is one decision from the whole file (issue 10, residual fault 1):
`plan import`, `import` and `retry` read an ambiguous cell ('2.000') the same way wherever
it stands, and refuse it when no cell of its column shows the mark."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from typer.testing import CliRunner

from bulk.sandbox import Sandbox, SandboxConfig
from pdbulk.cli import app
from tests.import_support import read_csv, sandbox_deals
from tests.sandbox_helpers import ThreadedSandbox

TOKEN = "marks-token"
ENV = {"PIPEDRIVE_API_TOKEN": TOKEN}
MAPPING = """\
[import]
key_column = "id"
key_field = "Import source key"
mode = "upsert"
[defaults]
currency = "EUR"
[deal]
title = "title"
value = "amount"
pipeline = { default = "Sales" }
[deal.stage]
column = "stage"
"""


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with ThreadedSandbox(SandboxConfig(plan="ultimate", auth="oauth", token=TOKEN, deals=0,
                                       seed=11)) as sb:
        yield sb


def _run(sb: Sandbox, *args: str) -> Any:
    return CliRunner().invoke(app, [*args, "--url", sb.url, "--plan", "ultimate", "--oauth"],
                              env=ENV)


def _plan_and_import(sb: Sandbox, tmp: Path, manifest: Path, mapping: Path
                     ) -> tuple[dict[int, str], dict[int, str], Path]:
    """(plan's failed rows, the import's failed rows: row -> reason, the job's folder)."""
    common = [str(manifest), "--mapping", str(mapping), "--create-key-field"]
    res = _run(sb, "plan", "import", *common, "--json", "--failed-csv",
               str(tmp / f"plan-{manifest.stem}.csv"))
    assert res.exit_code == 3, res.output
    planned = {r["row"]: r["reason"] for r in orjson.loads(res.stdout)["failed_rows"]}
    jobs = tmp / f"jobs-{manifest.stem}"
    res = _run(sb, "import", *common, "--job-dir", str(jobs))
    assert res.exit_code == 3, res.output
    job = next(jobs.iterdir())
    failed = {int(r["row"]): r["reason"] for r in read_csv(job / "failed.csv")}
    return planned, failed, job


def _values(sb: Sandbox) -> dict[str, Any]:
    return {d["title"]: d["value"] for d in sandbox_deals(sb)}


def test_an_ambiguous_cell_before_the_evidence_reads_by_it_in_plan_import_and_retry(
        sandbox: Sandbox, tmp_path: Path) -> None:
    """'2.000' comes before the column's '1.234,56': it is 2000 (was 2.0, and '1.234,56'
    then failed); the failed row '1.500' (unknown stage), retried after the mapping is
    fixed and the manifest is gone, reads 1500 from the decision the job stored."""
    manifest, mapping = tmp_path / "deals.csv", tmp_path / "m.toml"
    manifest.write_text('id,title,amount,stage\n'
                        'k0,Before,2.000,Qualified\n'
                        'k1,Held,1.500,Nope\n'
                        'k2,Evidence,"1.234,56",Qualified\n')
    mapping.write_text(MAPPING)
    planned, failed, job = _plan_and_import(sandbox, tmp_path, manifest, mapping)
    assert planned == failed and list(failed) == [3] and "Nope" in failed[3]  # line 3
    assert _values(sandbox) == {"Before": 2000, "Evidence": 1234.56}
    mapping.write_text(MAPPING + 'map = { "Nope" = "Qualified" }\n')
    manifest.unlink()  # the retry reads the stored decision, not the file
    res = CliRunner().invoke(app, ["retry", job.name, "--job-dir", str(job.parent)], env=ENV)
    assert res.exit_code == 0, res.output
    assert _values(sandbox) == {"Before": 2000, "Evidence": 1234.56, "Held": 1500}


def test_an_ambiguous_cell_without_evidence_fails_its_row_in_plan_and_import(
        sandbox: Sandbox, tmp_path: Path) -> None:
    """No cell of the column shows its mark: '1,500' fails its row (plan and import say
    the same), never read as 1500 or 1.5; the other rows import."""
    manifest, mapping = tmp_path / "us.csv", tmp_path / "m.toml"
    manifest.write_text('id,title,amount,stage\n'
                        'k5,Unclear,"1,500",Qualified\n'
                        'k6,Whole,7,Qualified\n')
    mapping.write_text(MAPPING)
    planned, failed, _ = _plan_and_import(sandbox, tmp_path, manifest, mapping)
    assert planned == failed and list(failed) == [2]  # line 2
    assert failed[2].startswith("ambiguous number '1,500': set decimal = \",\" or \".\"")
    assert _values(sandbox) == {"Whole": 7}


def test_a_contested_column_stops_plan_and_import_before_anything_is_sent(
        sandbox: Sandbox, tmp_path: Path) -> None:
    """Twenty US amounts '1,000' … '20,000' and one '0,5' (v10r9 S4): the column's ','
    would read the twenty as 1 … 20 (1000x too small). plan and import stop with exit 1
    naming the column, a cell of each reading with its row, and the fix — no key field
    created, no deal; decimal = "." then imports them as thousands."""
    manifest, mapping = tmp_path / "us.csv", tmp_path / "m.toml"
    rows = [f'u{n},Deal {n},"{n},000",Qualified' for n in range(1, 21)]
    manifest.write_text("id,title,amount,stage\n" + "\n".join(rows)
                        + '\nu99,Typed by a colleague,"0,5",Qualified\n')
    mapping.write_text(MAPPING.replace('mode = "upsert"\n', ""))
    fields = len(sandbox.state.fields)
    common = [str(manifest), "--mapping", str(mapping), "--create-key-field"]
    for command in (["plan", "import", *common, "--failed-csv", str(tmp_path / "p.csv")],
                    ["import", *common, "--job-dir", str(tmp_path / "jobs")]):
        res = _run(sandbox, *command)
        assert res.exit_code == 1, res.output
        assert "the decimal mark of column 'amount' is contested: '0,5' (row 22)" in res.output
        said = " ".join(res.output.split())
        assert "20 cells such as '1,000' (row 2) read as 1 by it or as 1000 by '.'" in said
        assert """decimal = "," if '1,000' is 1, decimal = "." if it is 1000""" in said
    assert len(sandbox.state.fields) == fields and _values(sandbox) == {}
    mapping.write_text(MAPPING.replace('mode = "upsert"\n', "").replace(
        'value = "amount"', 'value = { column = "amount", decimal = "." }'))
    res = _run(sandbox, "import", *common, "--job-dir", str(tmp_path / "jobs2"))
    assert res.exit_code == 3, res.output  # '0,5' fails its row under "."
    assert _values(sandbox) == {f"Deal {n}": n * 1000 for n in range(1, 21)}
