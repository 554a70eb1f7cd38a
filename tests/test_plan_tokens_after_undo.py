"""An upsert after pdbulk's own `undo --contacts` reads none of the deals, persons and
organizations that undo deleted (x42r7 F3), still reads one a colleague deleted, and
spends exactly its plan."""

from __future__ import annotations

import re
from pathlib import Path

import orjson

from bulk.sandbox import Sandbox, SandboxConfig
from tests.import_support import loaded_import
from tests.sandbox_helpers import ThreadedSandbox
from tests.test_plan_tokens import TOKEN, cli, engine, resume_tokens, spent

MAPPING = """[import]
key_column = "key"
mode = "insert"
[deal]
title = "title"
[person]
name = "person"
email = "email"
[organization]
name = "org"
"""


def _rows(path: Path, prefix: str, n: int) -> Path:
    path.write_text("key,title,person,email,org\n" + "".join(
        f"{prefix}-{i},T {prefix}{i},Pat {prefix}{i},p{prefix}{i}@x.example,Org {prefix}{i}\n"
        for i in range(n)))
    return path


def _job(jobs: Path, before: set[str]) -> str:
    return next(p.name for p in jobs.iterdir() if p.name not in before)


def imported_and_undone(sb: Sandbox, jobs: Path, manifest: Path, mapping: Path) -> None:
    """Import ``manifest`` (insert, the key field made), then `undo --contacts` it."""
    ran = cli(sb, jobs, "import", str(manifest), "-m", str(mapping), "--create-key-field",
              *engine(sb, jobs))
    assert ran.exit_code == 0, ran.output
    undone = cli(sb, jobs, "undo", _job(jobs, set()), "--contacts", "--yes", *engine(sb, jobs))
    assert undone.exit_code == 0, undone.output


def test_an_upsert_after_undo_contacts_reads_nothing_the_undo_deleted(tmp_path: Path) -> None:
    """Import 20 rows (insert), `undo --contacts`, import 3 more rows (B) and a colleague
    deletes B-0's deal by hand; then an upsert of both files: before the fix it read the
    20 undone deals, 20 persons and 20 organizations by id (60 getDeal / getPerson /
    getOrganization, 1 token each); now only B-0's deal, whose delete pdbulk did not make
    (its key's claim names it), and the run spends exactly what its plan said."""
    jobs, mapping = tmp_path / "jobs", tmp_path / "m.toml"
    mapping.write_text(MAPPING)
    first, more = _rows(tmp_path / "a.csv", "A", 20), _rows(tmp_path / "b.csv", "B", 3)
    with ThreadedSandbox(SandboxConfig(plan="ultimate", auth="oauth", token=TOKEN, deals=5,
                                       seed=11)) as sb:
        imported_and_undone(sb, jobs, first, mapping)
        ran = cli(sb, jobs, "import", str(more), "-m", str(mapping), *engine(sb, jobs))
        assert ran.exit_code == 0, ran.output
        b0 = next(d for d in sb.state.deals.rows.values()
                  if d["title"] == "TB0" or d["title"] == "T B0")
        sb.state.save("deal", {**b0, "is_deleted": True, "update_time": "2031-01-01T00:00:00Z"})

        both = tmp_path / "both.csv"
        both.write_text(first.read_text() + "".join(more.read_text().splitlines(True)[1:]))
        planned = cli(sb, jobs, "plan", "import", str(both), "-m", str(mapping), "--mode",
                      "upsert", "--json", "--failed-csv", str(tmp_path / "pf.csv"),
                      *engine(sb, jobs)[:5])
        assert planned.exit_code == 0, planned.output
        plan = orjson.loads(planned.stdout)
        calls = plan["calls"]
        assert calls.get("getDeal", 0) == 1, calls  # B-0's, deleted by a colleague
        assert calls.get("getPerson", 0) == calls.get("getOrganization", 0) == 0, calls
        before = dict(sb.stats()["requests_by_operation"])
        at = spent(sb)
        ran = cli(sb, jobs, "import", str(both), "-m", str(mapping), "--mode", "upsert",
                  *engine(sb, jobs))
        assert ran.exit_code == 0, ran.output
        after = sb.stats()["requests_by_operation"]
        read = {op: after.get(op, 0) - before.get(op, 0)
                for op in ("getDeal", "getPerson", "getOrganization")}
        assert read == {"getDeal": 1, "getPerson": 0, "getOrganization": 0}, read
        assert spent(sb) - at == plan["tokens"], ran.output


def test_a_resumed_upsert_after_undo_contacts_spends_its_plan(tmp_path: Path) -> None:
    """The same upsert loaded and stopped before its first write, then resumed: its plan
    prices no read of what the undo deleted (before the fix: 20 getDeal, plan and run),
    and the resume spends exactly what its last plan line says."""
    jobs, mapping = tmp_path / "jobs", tmp_path / "m.toml"
    mapping.write_text(MAPPING)
    first = _rows(tmp_path / "a.csv", "A", 20)
    with ThreadedSandbox(SandboxConfig(plan="ultimate", auth="oauth", token=TOKEN, deals=5,
                                       seed=12)) as sb:
        imported_and_undone(sb, jobs, first, mapping)
        loaded = loaded_import(sb, jobs, first, mapping, auth="oauth")
        before = dict(sb.stats()["requests_by_operation"])
        at = spent(sb)
        resumed = cli(sb, jobs, "resume", loaded, "--job-dir", str(jobs))
        assert resumed.exit_code == 0, resumed.output
        after = sb.stats()["requests_by_operation"]
        read = {op: after.get(op, 0) - before.get(op, 0)
                for op in ("getDeal", "getPerson", "getOrganization")}
        assert read == {"getDeal": 0, "getPerson": 0, "getOrganization": 0}, read
        assert not re.search(r"\bgetDeal \d", resumed.output), resumed.output
        assert spent(sb) - at == resume_tokens(resumed.output), resumed.output
