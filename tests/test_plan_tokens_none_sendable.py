"""A file no row of which maps (every row fails for what its cells hold) makes neither
``plan import`` nor the import read a person, an organization or a deal: only the
pipelines, stages and fields the mapping needs to tell the rows bad (x35r1: 70 tokens,
50 of them list reads, for a plan that could send nothing), and the plan's tokens are
still the run's; a file one row of which maps indexes as before."""

from __future__ import annotations

from pathlib import Path

import orjson

from bulk.sandbox import Sandbox
from tests.test_plan_tokens import MAPPING, cli, engine, sb, spent, write_rows

__all__ = ["sb"]  # the fixture
LISTS = ("getPersons", "getOrganizations", "getDeals", "getArchivedDeals")


def _lists(sb: Sandbox) -> dict[str, int]:
    seen = sb.stats()["requests_by_operation"]
    return {op: int(seen.get(op, 0)) for op in LISTS}


def _bad(path: Path, rows: int, *, good: int = 0) -> Path:
    lines = ["key,title,amount,person,email"]
    lines += [f"b{i},Bad {i},lots,Pat {i},pat{i}@example.com" for i in range(rows)]
    lines += [f"g{i},Good {i},5,Pat {i},pat{i}@example.com" for i in range(good)]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_a_file_no_row_of_which_maps_reads_no_index(sb: Sandbox, tmp_path: Path) -> None:
    """Plan and run of 12 rows whose amounts are no numbers: no list read, the plan's
    tokens (the catalog's 20) equal the run's, each row failed; a file with one good row
    more indexes the persons and the deals as before."""
    jobs, mapping = tmp_path / "jobs", tmp_path / "m.toml"
    mapping.write_text(MAPPING)
    first = write_rows(tmp_path / "a.csv", [("k1", "Deal 1", 100, "Pat 1")])
    assert cli(sb, jobs, "import", str(first), "-m", str(mapping), "--create-key-field",
               *engine(sb, jobs)).exit_code == 0
    bad = _bad(tmp_path / "bad.csv", 12)
    lists, before = _lists(sb), spent(sb)
    planned = cli(sb, jobs, "plan", "import", str(bad), "-m", str(mapping), "--json",
                  "--failed-csv", str(tmp_path / "pf.csv"), *engine(sb, jobs)[:5])
    plan = orjson.loads(planned.stdout)
    assert _lists(sb) == lists, plan
    assert spent(sb) - before == plan["tokens"] == 20, plan
    assert any("no row of the file maps" in n for n in plan["notes"]), plan["notes"]
    before = spent(sb)
    ran = cli(sb, jobs, "import", str(bad), "-m", str(mapping), *engine(sb, jobs))
    assert "failed: 12" in ran.output or "12 failed" in ran.output, ran.output
    assert _lists(sb) == lists, ran.output
    assert spent(sb) - before == plan["tokens"], ran.output

    mixed = _bad(tmp_path / "mixed.csv", 12, good=1)
    planned = cli(sb, jobs, "plan", "import", str(mixed), "-m", str(mapping), "--json",
                  *engine(sb, jobs)[:5])
    assert _lists(sb)["getPersons"] == lists["getPersons"] + 1, planned.stdout
    assert _lists(sb)["getDeals"] > lists["getDeals"], planned.stdout
