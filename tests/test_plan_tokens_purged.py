"""A re-import with the state folder of an earlier import spends exactly its plan, whatever
became of the records that import made (x45r3 F5): the account reset (every record and the
key field gone, as a new account), the deals and persons purged (Pipedrive's 30 days after
their delete: in no deleted list), or in the trash; and from a fresh state folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from bulk.sandbox import Sandbox, SandboxConfig
from tests.sandbox_helpers import ThreadedSandbox
from tests.test_plan_tokens import TOKEN, cli, engine, spent

MAPPING = """[import]
key_column = "key"
[deal]
title = "title"
[person]
name = "name"
email = "mail"
"""
ROWS = 12


def _purge(sb: Sandbox, kind: str) -> None:
    """Every ``kind`` record gone from the account, as Pipedrive's purge 30 days after a
    delete leaves it: no id answers, no list (deleted ones included) holds it."""
    table = sb.state.table(kind)
    for rid in list(table.rows):
        sb.state.search.settle(kind, rid, None)
    table.restore({"next_id": table.next_id, "rows": [], "deleted_at": {}})


def _trash(sb: Sandbox, kind: str) -> None:
    """Every ``kind`` record deleted (in the trash: ``status=deleted`` lists it)."""
    for row in list(sb.state.table(kind).rows.values()):
        sb.state.save(kind, {**row, "is_deleted": True,
                             "update_time": "2031-01-01T00:00:00Z"})


def _plan_and_run(sb: Sandbox, tmp: Path, jobs: Path, manifest: Path,
                  mapping: Path) -> tuple[dict[str, Any], int, dict[str, int]]:
    """(the plan's JSON, the tokens the sandbox counted for the import after it, the
    sandbox's calls by operation for that import)."""
    planned = cli(sb, jobs, "plan", "import", str(manifest), "-m", str(mapping),
                  "--create-key-field", "--json", "--failed-csv", str(tmp / "pf.csv"),
                  *engine(sb, jobs)[:5])
    assert planned.exit_code == 0, planned.output
    before, at = dict(sb.stats()["requests_by_operation"]), spent(sb)
    ran = cli(sb, jobs, "import", str(manifest), "-m", str(mapping), "--create-key-field",
              *engine(sb, jobs))
    assert ran.exit_code == 0, ran.output
    after = sb.stats()["requests_by_operation"]
    calls = {op: n - before.get(op, 0) for op, n in after.items() if n - before.get(op, 0)}
    return orjson.loads(planned.stdout), spent(sb) - at, calls


@pytest.mark.parametrize("wipe", ["reset", "purged", "trash"])
def test_a_re_import_after_its_records_went_spends_its_plan(
        wipe: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Import 12 rows (a deal and a person each, the key field made), then the records go
    (``wipe``), then plan and import the file again with the same state folder: the plan's
    tokens are the sandbox's count (before the fix, after a reset: 12 getDeal and 12
    getPerson over the plan, the claims of the first import read under the key field the
    reset account made again with the same code); then from a fresh state folder."""
    state, jobs, mapping = tmp_path / "state", tmp_path / "jobs", tmp_path / "m.toml"
    monkeypatch.setenv("PDBULK_STATE_DIR", str(state))
    mapping.write_text(MAPPING)
    manifest = tmp_path / "f.csv"
    manifest.write_text("key,title,name,mail\n" + "".join(
        f"K{i},deal {i},,p{i}@x{i}.example\n" for i in range(ROWS)))
    with ThreadedSandbox(SandboxConfig(plan="ultimate", auth="oauth", token=TOKEN, deals=3,
                                       seed=45)) as sb:
        first = cli(sb, jobs, "import", str(manifest), "-m", str(mapping),
                    "--create-key-field", *engine(sb, jobs))
        assert first.exit_code == 0, first.output
        if wipe == "reset":
            sb.reset()
        else:
            for kind in ("deal", "person"):
                (_purge if wipe == "purged" else _trash)(sb, kind)
        plan, counted, calls = _plan_and_run(sb, tmp_path, jobs, manifest, mapping)
        assert plan["tokens"] == counted, (plan["calls"], calls)
        assert calls.get("addDeal") == ROWS, calls  # every row made again
        monkeypatch.setenv("PDBULK_STATE_DIR", str(tmp_path / "fresh"))
        if wipe == "reset":
            sb.reset()
        plan, counted, calls = _plan_and_run(sb, tmp_path, tmp_path / "jobs2", manifest,
                                             mapping)
        assert plan["tokens"] == counted, (plan["calls"], calls)
