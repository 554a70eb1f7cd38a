"""A retry whose failed rows would fail on their own cells again (the same mapping, the
same stored cells, a column no account change bears on: an amount) says so and spends 0
tokens, exit 3, the job as it was (x42r5 F5: 140 tokens on the account's lists and a
re-read to fail 3 rows again); a row failing on the account (an unknown stage) is still
retried, and so is one whose mapping changed since."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulk.sandbox import Sandbox
from bulk.store import ItemState, JobStore
from tests.test_plan_tokens import cli, engine, sb, spent  # noqa: F401 - sb is a fixture

MAPPING = """version = 1
[import]
key_column = "key"
mode = "upsert"
[defaults]
currency = "EUR"
[deal]
title = "{{title}}"
value = "{value}"
[person]
name = "name"
"""


def _failed_on_amounts(sb: Sandbox, tmp_path: Path) -> tuple[Path, Path, Path]:  # noqa: F811
    """(job root, job folder, mapping) of an import whose 3 rows fail on 'bad' amounts."""
    jobs, mapping, manifest = tmp_path / "jobs", tmp_path / "m.toml", tmp_path / "in.csv"
    mapping.write_text(MAPPING.format(value="amount"))
    manifest.write_text("key,title,amount,other,name\n" + "".join(
        f"k{i},Deal {i},bad,{i + 5},P {i}\n" for i in range(3)))
    first = cli(sb, jobs, "import", str(manifest), "--mapping", str(mapping),
                "--create-key-field", *engine(sb, jobs))
    assert first.exit_code == 3, first.output
    (job,) = jobs.iterdir()
    return jobs, job, mapping


def test_rows_failing_on_their_own_cells_again_spend_nothing(sb: Sandbox,  # noqa: F811
                                                             tmp_path: Path) -> None:
    """0 tokens, exit 3, a line naming the rows, the column and what helps; rows still
    failed."""
    jobs, job, _ = _failed_on_amounts(sb, tmp_path)
    before = spent(sb)
    retried = cli(sb, jobs, "retry", job.name, "--job-dir", str(jobs))
    assert retried.exit_code == 3, retried.output
    assert spent(sb) == before
    assert "would fail on their own cells again" in retried.output
    assert "row 2, column 'amount': not an amount: 'bad'" in retried.output
    assert "no token spent" in retried.output and "back to pending" not in retried.output
    with JobStore.open(job, lock=False) as store:
        assert len(list(store.items(ItemState.FAILED))) == 3


def test_a_changed_mapping_is_retried(sb: Sandbox, tmp_path: Path) -> None:  # noqa: F811
    """The mapping now reads another column for the amount: the rows are sent."""
    jobs, job, mapping = _failed_on_amounts(sb, tmp_path)
    mapping.write_text(MAPPING.format(value="other"))
    retried = cli(sb, jobs, "retry", job.name, "--job-dir", str(jobs))
    assert retried.exit_code == 0, retried.output
    assert "3 failed items back to pending" in retried.output


AUTO = MAPPING.replace('currency = "EUR"', 'currency = "USD"\ndecimal = "auto"')
DATED = MAPPING.replace('[person]', 'expected_close_date = "closes"\n[person]')


@pytest.mark.parametrize(("mapping", "rows", "said"), [
    # x44r7 F2: "ambiguous number" spent 50-70 tokens to fail the row again
    (AUTO.format(value="amount"),
     'k0,Deal 0,"$12,500.00",P 0\nk1,Deal 1,"$3,000",P 1\nk2,Deal 2,"€1.234,50",P 2\n',
     "row 3, column 'amount': ambiguous number '$3,000'"),
    (MAPPING.format(value="amount"), "k0,Deal 0,1e400,P 0\n", "column 'amount': "),
    (MAPPING.format(value="amount"), "k0,Deal 0,12345678901234567890,P 0\n",
     "number too large"),
    (DATED.format(value="amount"), "k0,Deal 0,5,P 0,2024-02-30\n", "column 'closes'"),
    (MAPPING.format(value="amount"), "k0,Deal 0,5,P 0,extra,more\n", "row 2"),
], ids=["ambiguous-number", "not-finite", "too-large", "no-such-day", "misaligned"])
def test_every_own_cell_reason_spends_nothing(sb: Sandbox, tmp_path: Path,  # noqa: F811
                                              mapping: str, rows: str, said: str) -> None:
    """Whatever the reason a cell (or the row against its header) was refused, the same
    mapping refuses it again: 0 tokens, exit 3, the rows still failed."""
    jobs, map_file, manifest = tmp_path / "jobs", tmp_path / "m.toml", tmp_path / "in.csv"
    map_file.write_text(mapping)
    header = "key,title,amount,name" + (",closes" if "closes" in mapping else "")
    manifest.write_text(header + "\n" + rows, encoding="utf-8")
    first = cli(sb, jobs, "import", str(manifest), "--mapping", str(map_file),
                "--create-key-field", *engine(sb, jobs))
    assert first.exit_code == 3, first.output
    (job,) = jobs.iterdir()
    with JobStore.open(job, lock=False) as store:
        failed = len(list(store.items(ItemState.FAILED)))
    before = spent(sb)
    retried = cli(sb, jobs, "retry", job.name, "--job-dir", str(jobs))
    assert retried.exit_code == 3, retried.output
    assert "would fail on their own cells again" in retried.output, retried.output
    assert said in retried.output
    assert spent(sb) == before
    with JobStore.open(job, lock=False) as store:
        assert len(list(store.items(ItemState.FAILED))) == failed
