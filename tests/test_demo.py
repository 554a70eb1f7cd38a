"""The demo (`make demo`) end to end, reduced: plan, import, summary, result files."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from jobs.demo_data import write_demo_export
from pdbulk import demo
from tests.import_support import read_csv


@pytest.mark.slow
def test_demo_runs_plan_then_import_and_points_at_the_files(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A 150-row demo on a fast plan: exit 0, the plan table, the summary, the four files."""
    monkeypatch.setenv("PIPEDRIVE_API_TOKEN", "unused")  # restored after the demo sets it
    out = tmp_path / "demo"
    assert demo.main(["--rows", "150", "--out", str(out), "--plan", "ultimate", "--oauth",
                      "--latency-ms", "2", "--jitter-ms", "1"]) == 0
    text = capsys.readouterr().out
    assert "$ pdbulk plan import" in text and "$ pdbulk import" in text
    assert "tokens each" in text and "persons created:" in text and "demo finished" in text
    job = next((out / "jobs").iterdir())
    summary = orjson.loads((job / "summary.json").read_bytes())
    bad = summary["load"]["bad"]
    total = 150 + 3  # and 3 deals entered twice in the source CRM (rows // 50)
    assert bad > 0 and summary["rows"] == {"total": total, "succeeded": total - bad,
                                           "failed": bad, "unprocessed": 0}
    assert len(read_csv(job / "succeeded.csv")) == total - bad
    assert f"result files in {job}" in text
    # the dedupe step: the deals the export carried twice (two source record ids: the demo's
    # dedupe.toml says the source key is no identifier here) are merged, one live deal each;
    # the look-alikes (different person or value, or their own External ID) wait in review
    review = out / "dedupe-plan" / "review.html"
    assert f"dedupe review page: {review}" in text and "<section" in review.read_text()
    (dedupe_job,) = (d for d in (out / "dedupe-jobs").iterdir() if d.name != "dedupe-state")
    merged = orjson.loads((dedupe_job / "summary.json").read_bytes())
    assert merged["actions"].get("merged", 0) >= 1, merged["actions"]  # of the 3 doubles
    assert merged["actions"].get("skipped", 0) > 0


def test_export_is_dirty_and_deterministic(tmp_path: Path) -> None:
    """Same seed, same bytes; the export has the dirt the demo promises."""
    a = write_demo_export(tmp_path / "a", rows=400, seed=3)
    b = write_demo_export(tmp_path / "b", rows=400, seed=3)
    assert a.manifest.read_bytes() == b.manifest.read_bytes()
    raw = a.manifest.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    rows = read_csv_sig(a.manifest)
    amounts = " ".join(r["Amount"] for r in rows)
    assert "$" in amounts and "€" in amounts and "\u00a0" in amounts
    dates = [r["Close Date"] for r in rows]
    assert any("/" in d for d in dates) and any("." in d for d in dates) and any(
        d.count("-") == 2 for d in dates)
    assert any("\n" in r["Description"] for r in rows)
    assert any(r["Deal Stage"] == "Legacy - On Hold" for r in rows)
    assert a.broken == 4 and a.unknown_stage == 2


def read_csv_sig(path: Path) -> list[dict[str, str]]:
    import csv

    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))
