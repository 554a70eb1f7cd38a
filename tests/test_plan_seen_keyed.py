"""What a load saw in Pipedrive (``jobs.plan_seen``) is kept keyed with the state folder's
secret (x48r2 F4: ``sha256(value)[:16]`` unkeyed, so amounts, owner and stage ids and
currencies came back by brute force in under a second); a sighting an older pdbulk kept
unkeyed is read as none: never a false "changed in Pipedrive since the plan"."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import orjson

from bulk.claims import state_dir
from bulk.sandbox import SandboxConfig
from jobs.last_written import digest
from jobs.plan_seen import FILE, KEYED
from tests.test_update_three_way import _http, _succeeded
from tests.test_update_three_way_plan_saw import MAPPING, _cli
from tests.update_support import threaded_sandbox


def _rows() -> list[tuple[int, str, str]]:
    with sqlite3.connect(state_dir() / FILE) as conn:
        return [(int(d), str(f), str(s)) for d, f, s in conn.execute(
            "SELECT deal, field, digest FROM seen")]


def test_a_sighting_is_keyed_and_an_unkeyed_one_is_none(tmp_path: Path) -> None:
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=8, seed=7)) as sb:
        (tmp_path / "map.toml").write_text(MAPPING)
        deal = _http(sb, "GET", 3)
        pipeline = [s for s in sorted(sb.state.stages)
                    if sb.state.stages[s]["pipeline_id"] == deal["pipeline_id"]]
        wanted = next(s for s in pipeline if s != deal["stage_id"])
        name = str(sb.state.stages[wanted]["name"])
        (tmp_path / "f.csv").write_text(
            f'Deal ID,Title,Stage\n3,"{deal["title"]}",'
            f'"{sb.state.pipelines[deal["pipeline_id"]]["name"]} > {name}"\n')
        planned = _cli(sb, tmp_path, "plan", "update", str(tmp_path / "f.csv"))
        assert planned.exit_code == 0, planned.output  # type: ignore[attr-defined]
        rows = _rows()
        assert [(d, f) for d, f, _ in rows] == [(3, "stage_id")], rows
        sign = rows[0][2]
        # x48r2's brute force: the digests of every id under 200,000
        tried = {hashlib.sha256(orjson.dumps(i)).hexdigest()[:16] for i in range(200_000)}
        assert sign.startswith(KEYED) and sign[len(KEYED):] not in tried, sign
        assert digest(deal["stage_id"]) in tried and digest(deal["stage_id"]) != sign
        with sqlite3.connect(state_dir() / FILE) as conn:  # as an older pdbulk kept it
            conn.execute("UPDATE seen SET digest = ?", (digest(deal["stage_id"]),))
        done = _cli(sb, tmp_path, "update", str(tmp_path / "f.csv"), "--yes")
        assert done.exit_code == 0, done.output  # type: ignore[attr-defined]
        assert _http(sb, "GET", 3)["stage_id"] == wanted
        note = _succeeded(tmp_path)["3"].get("note") or ""
        assert "since the plan" not in note, note
        assert "written over a change" not in done.output  # type: ignore[attr-defined]
