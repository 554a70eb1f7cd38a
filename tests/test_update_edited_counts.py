"""An update's three-way comparison, as its results say it: summary.json's
``load.edited_kept`` / ``edited_rows`` / ``edited_both`` and the end line's "N fields kept
from Pipedrive" (x46r6 F2: the upsert's summary had them, the update's not), and a kept
group of fields named as a group, by what Pipedrive changed in it (x46r6 F3: "kept
Pipedrive's lost_reason, status" when only the reason changed; "stage_id" alone when the
deal moved pipeline)."""

from __future__ import annotations

from pathlib import Path

import orjson

from bulk.sandbox import SandboxConfig
from jobs.last_written import digest, three_way
from jobs.update_edits import row_note
from tests.test_update_three_way import MAPPING, _cli, _export, _http, _succeeded, threaded_sandbox


def _note(existing: dict[str, object], changes: dict[str, object],
          base: dict[str, object]) -> str:
    decided = three_way(existing, changes, {k: digest(v) for k, v in base.items()})
    return str(row_note(decided, {}))


def test_a_kept_status_group_names_what_pipedrive_changed_in_it() -> None:
    """Only the lost reason changed in Pipedrive: 'status with its lost reason', not
    'lost_reason, status'; the status changed: 'status with its reason and times'."""
    note = _note({"status": "lost", "lost_reason": "Colleague's reason"},
                 {"lost_reason": "Price", "status": "lost"},
                 {"status": "lost", "lost_reason": "Price"})
    assert note.startswith("kept Pipedrive's status with its lost reason:"), note
    note = _note({"status": "won", "lost_reason": None},
                 {"lost_reason": "Price", "status": "lost"},
                 {"status": "lost", "lost_reason": "Price"})
    assert note.startswith("kept Pipedrive's status with its reason and times:"), note


def test_a_kept_stage_names_its_pipeline() -> None:
    """The deal moved to another pipeline in Pipedrive, the file's stage unchanged: 'stage
    with its pipeline', not 'stage_id' alone; another field kept beside it by name."""
    note = _note({"stage_id": 7, "pipeline_id": 2, "title": "Colleague's"},
                 {"stage_id": 3, "title": "Old"},
                 {"stage_id": 3, "pipeline_id": 1, "title": "Old"})
    assert note.startswith("kept Pipedrive's stage with its pipeline, title:"), note


def test_the_summary_and_the_end_line_count_the_fields_kept_and_written_over(
        tmp_path: Path) -> None:
    """Deal 3 renamed and deal 4 given another owner by a colleague (kept), deal 5's title
    changed on both sides (the file's written): summary.json's load says 2 kept of 2 deals,
    1 on both sides; the end line '2 fields kept from Pipedrive'."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=8, seed=7)) as sb:
        (tmp_path / "map.toml").write_text(MAPPING)
        manifest = _export(sb, tmp_path / "export.csv")
        assert _cli(sb, tmp_path, "plan", "update", str(manifest)).exit_code == 0
        _http(sb, "PATCH", 3, {"title": "Renamed by a colleague"})
        owner = _http(sb, "GET", 4)["owner_id"]
        _http(sb, "PATCH", 4, {"owner_id": next(u for u in sorted(sb.state.users)
                                                if u != owner)})
        _http(sb, "PATCH", 5, {"title": "Colleague's title"})
        lines = manifest.read_text().splitlines(keepends=True)  # the user edits deal 5's
        manifest.write_text("".join(  # title in the file, nothing else
            line.replace(line.split(",")[1], "The file's title", 1) if line.startswith("5,")
            else line for line in lines))
        assert "The file's title" in manifest.read_text()
        done = _cli(sb, tmp_path, "update", str(manifest), "--yes")
        assert done.exit_code == 0, done.output
        job = max((tmp_path / "jobs").iterdir(), key=lambda p: p.stat().st_mtime)
        load = orjson.loads((job / "summary.json").read_bytes())["load"]
        assert _succeeded(tmp_path)["4"]["note"].startswith("kept Pipedrive's owner:")
    assert (load["edited_kept"], load["edited_rows"], load["edited_both"]) == (2, 2, 1), load
    assert ("3 updated; 2 fields kept from Pipedrive; 1 field written over a change made "
            "there too; 0 failed") in done.output, done.output
