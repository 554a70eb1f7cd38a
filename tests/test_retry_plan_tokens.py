"""A retry's plan counts what the retry reads: rows mapped again pull the catalog and the
indexes before the plan is printed, and its "calls at most … tokens" line names them (x31r1
7: "tokens: 70", then 90 spent; a note said those pulls were not counted)."""

from __future__ import annotations

import re
from pathlib import Path

from bulk.sandbox import Sandbox
from tests.mappings import deal_mapping
from tests.test_plan_tokens import cli, engine, sb, spent  # noqa: F401 - sb is a fixture

# the mapping other retry tests write (``MAPPING.format(extra=...)``: lines added to its
# stage map, the last table), as ``deal_mapping`` writes it
MAPPING = (deal_mapping(stage_map={"a": "Qualified"}).replace("{", "{{").replace("}", "}}")
           + "{extra}")


def failed_on_a_stage_then_mapped(sb: Sandbox, tmp_path: Path, *, rows: int, failing: int,  # noqa: F811
                                  other: str) -> tuple[Path, Path]:
    """(the job root, the job's folder) of an import of ``rows`` rows whose first
    ``failing`` name the unmapped stage ``zz`` (the others ``other``), exit 3; the mapping
    then maps ``zz`` (a user who fixed it and will ``retry``)."""
    jobs, mapping, manifest = tmp_path / "jobs", tmp_path / "m.toml", tmp_path / "in.csv"
    mapping.write_text(deal_mapping(stage_map={"a": "Qualified"}))
    manifest.write_text("key,title,stage\n" + "".join(
        f"k{i},Deal {i},{'zz' if i < failing else other}\n" for i in range(rows)))
    first = cli(sb, jobs, "import", str(manifest), "--mapping", str(mapping),
                "--create-key-field", *engine(sb, jobs))
    assert first.exit_code == 3, first.output
    (job,) = jobs.iterdir()
    mapping.write_text(deal_mapping(stage_map={"a": "Qualified", "zz": "Contact Made"}))
    return jobs, job


def test_a_retry_of_rows_mapped_again_plans_what_it_spends(sb: Sandbox,  # noqa: F811
                                                           tmp_path: Path) -> None:
    """3 rows fail on an unknown stage; the mapping learns it; `retry`: each plan line's
    tokens are what the retry spends (the catalog and index pulls included)."""
    jobs, job = failed_on_a_stage_then_mapped(sb, tmp_path, rows=10, failing=3,
                                               other="a")
    before = spent(sb)
    retried = cli(sb, jobs, "retry", job.name, "--job-dir", str(jobs))
    assert retried.exit_code == 0, retried.output
    said = [int(n.replace(",", "")) for n in re.findall(r"^plan.*tokens: ([\d,]+)$",
                                                         retried.output, re.M)]
    assert said and set(said) == {spent(sb) - before}, retried.output
    assert "the catalog and the indexes are pulled again" not in retried.output
    assert "the catalog and the indexes of the rows mapped again" in retried.output


def test_a_retry_prices_a_repeated_keys_later_row_once(sb: Sandbox,  # noqa: F811
                                                       tmp_path: Path) -> None:
    """Two rows of one key, the same cells, both failing on an unknown stage, and a third
    row; the mapping learns the stage; `retry`: its first ("at most") plan line prices 2
    addDeal, not 3 — the later row of the key is its first row's duplicate and sends
    nothing (f41b 5: "addDeal 3", 85 tokens planned, 80 spent) — and every plan line's
    tokens are what the retry spends."""
    jobs, mapping, manifest = tmp_path / "jobs", tmp_path / "m.toml", tmp_path / "in.csv"
    mapping.write_text(deal_mapping(stage_map={"a": "Qualified"}))
    manifest.write_text("key,title,stage\n" + "".join(f"k{i},Deal {i},a\n" for i in range(4))
                        + "k7,Deal 7,zz\nk7,Deal 7,zz\nk8,Deal 8,zz\n")
    first = cli(sb, jobs, "import", str(manifest), "--mapping", str(mapping),
                "--create-key-field", *engine(sb, jobs))
    assert first.exit_code == 3, first.output
    (job,) = jobs.iterdir()
    mapping.write_text(deal_mapping(stage_map={"a": "Qualified", "zz": "Contact Made"}))
    before = spent(sb)
    retried = cli(sb, jobs, "retry", job.name, "--job-dir", str(jobs))
    assert retried.exit_code == 0, retried.output
    assert "created 6, duplicate 1" in retried.output, retried.output
    heads = re.findall(r"^plan.*calls at most: (.*); tokens: ([\d,]+)$", retried.output, re.M)
    assert len(heads) == 2, retried.output
    assert all("addDeal 2," in calls for calls, _ in heads), heads
    assert {int(t.replace(",", "")) for _, t in heads} == {spent(sb) - before}, retried.output
    assert "repeats an earlier row of the same key" in retried.output
