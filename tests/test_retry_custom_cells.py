"""A retry of rows that failed on a cell no account change can fix (a custom number field's
'abc', a custom date field's '31.02.2025', a person's e-mail 'p2@@x') spends 0 tokens, as for
the deal's own amount and dates (x44r10 F6: 85 tokens of catalog reads to fail them again);
a row whose stage name the account lacked still reads the catalog (the stage may exist now)
and the plan's note on those tokens says so."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

from bulk.sandbox import Sandbox
from bulk.store import ItemState, JobStore
from tests.test_plan_tokens import TOKEN, cli, engine, sb, spent  # noqa: F401 - sb is a fixture

MAPPING = """version = 1
[import]
key_column = "key"
mode = "upsert"
[deal]
title = "title"
stage = "stage"
[custom_fields]
Budget = "budget"
Starts = "starts"
[person]
name = "name"
email = "email"
"""


def _add_field(sb: Sandbox, name: str, ftype: str) -> None:  # noqa: F811
    req = urllib.request.Request(f"{sb.url}/api/v2/dealFields", method="POST",
                                 data=json.dumps({"field_name": name,
                                                  "field_type": ftype}).encode(),
                                 headers={"authorization": f"Bearer {TOKEN}",
                                          "content-type": "application/json"})
    with urllib.request.urlopen(req) as answer:
        assert answer.status < 300


def _import(sb: Sandbox, tmp_path: Path, rows: str) -> tuple[Path, Path]:  # noqa: F811
    _add_field(sb, "Budget", "double")
    _add_field(sb, "Starts", "date")
    jobs, mapping, manifest = tmp_path / "jobs", tmp_path / "m.toml", tmp_path / "in.csv"
    mapping.write_text(MAPPING)
    manifest.write_text("key,title,stage,budget,starts,name,email\n" + rows)
    first = cli(sb, jobs, "import", str(manifest), "--mapping", str(mapping),
                "--create-key-field", *engine(sb, jobs))
    assert first.exit_code == 3, first.output
    (job,) = jobs.iterdir()
    return jobs, job


def test_custom_cells_failing_again_spend_nothing(sb: Sandbox, tmp_path: Path) -> None:  # noqa: F811
    jobs, job = _import(sb, tmp_path, "k0,Deal 0,Qualified,abc,,P 0,\n"
                                      "k1,Deal 1,Qualified,5,31.02.2025,P 1,\n"
                                      "k2,Deal 2,Qualified,5,,P 2,p2@@x\n")
    before = spent(sb)
    retried = cli(sb, jobs, "retry", job.name, "--job-dir", str(jobs))
    assert retried.exit_code == 3, retried.output
    assert spent(sb) == before, retried.output
    assert "would fail on their own cells again" in retried.output
    for column in ("budget", "starts", "email"):
        assert f"column {column!r}" in retried.output, retried.output
    with JobStore.open(job, lock=False) as store:
        assert len(list(store.items(ItemState.FAILED))) == 3


def test_an_unknown_stage_reads_the_catalog_and_says_why(sb: Sandbox,  # noqa: F811
                                                         tmp_path: Path) -> None:
    jobs, job = _import(sb, tmp_path, "k0,Deal 0,Nowhere,5,,P 0,\n")
    retried = cli(sb, jobs, "retry", job.name, "--job-dir", str(jobs))
    assert retried.exit_code == 3, retried.output
    said = " ".join(retried.output.split())
    assert "the account's stages" in said and "may exist now" in said, retried.output


def test_a_stage_created_since_is_mapped_by_the_retry(sb: Sandbox,  # noqa: F811
                                                      tmp_path: Path) -> None:
    """The catalog read is what lets the retry map a stage the user created since."""
    jobs, job = _import(sb, tmp_path, "k0,Deal 0,Nowhere,5,,P 0,\n")
    first = next(iter(sb.state.stages.values()))
    new_id = max(sb.state.stages) + 1
    sb.state.stages[new_id] = {**first, "id": new_id, "name": "Nowhere", "order_nr": 99}
    retried = cli(sb, jobs, "retry", job.name, "--job-dir", str(jobs))
    assert retried.exit_code == 0, retried.output
    with JobStore.open(job, lock=False) as store:
        assert not list(store.items(ItemState.FAILED))
