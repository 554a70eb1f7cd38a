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


def test_a_file_no_row_of_which_maps_makes_no_key_field(sb: Sandbox, tmp_path: Path) -> None:
    """x36r3: with ``--create-key-field`` on an account without the key field, the plan
    and the run of 12 bad rows made the field and read the deals for the key check (55
    tokens here, the tester's 65): now neither makes a field nor reads a deal, the plan
    and the run say the field is not created, and both spend the catalog's 20 tokens."""
    jobs, mapping = tmp_path / "jobs", tmp_path / "m.toml"
    mapping.write_text(MAPPING)
    bad = _bad(tmp_path / "bad.csv", 12)
    lists, before = _lists(sb), spent(sb)
    planned = cli(sb, jobs, "plan", "import", str(bad), "-m", str(mapping), "--json",
                  "--create-key-field", *engine(sb, jobs)[:5])
    plan = orjson.loads(planned.stdout)
    assert _lists(sb) == lists, plan
    assert spent(sb) - before == plan["tokens"] == 20, plan
    assert "addDealField" not in plan["calls"], plan["calls"]
    assert any("is not created: no row can be sent" in n for n in plan["notes"]), plan
    before = spent(sb)
    ran = cli(sb, jobs, "import", str(bad), "-m", str(mapping), "--create-key-field",
              *engine(sb, jobs))
    assert "is not created: no row can be sent" in ran.output, ran.output
    assert "created the deal field" not in ran.output, ran.output
    seen = sb.stats()["requests_by_operation"]
    assert _lists(sb) == lists and not seen.get("addDealField"), ran.output
    assert spent(sb) - before == plan["tokens"], ran.output
    good = _bad(tmp_path / "good.csv", 0, good=2)  # a row that maps: the field is made
    ran = cli(sb, jobs, "import", str(good), "-m", str(mapping), "--create-key-field",
              *engine(sb, jobs))
    assert ran.exit_code == 0 and "created the deal field" in ran.output, ran.output


def test_a_file_whose_rows_are_all_held_makes_no_key_field(sb: Sandbox,
                                                           tmp_path: Path) -> None:
    """The same for a failed-rows file every row of which is held (its hold cell filled):
    nothing can be sent, so ``--create-key-field`` makes no field and reads no deal
    (before: both, 55 tokens planned); plan = run = the catalog's 20 tokens."""
    jobs, mapping = tmp_path / "jobs", tmp_path / "m.toml"
    mapping.write_text(MAPPING)
    held = tmp_path / "held.csv"
    held.write_text("row,_key,reason,status,column,hold,key,title,amount,person,email\n"
                    "2,k1,dup,,key,duplicate-key,k1,One,10,Pat 1,pat1@example.com\n"
                    "3,k1,dup,,key,duplicate-key,k1,Two,20,Pat 1,pat1@example.com\n")
    before = spent(sb)
    planned = cli(sb, jobs, "plan", "import", str(held), "-m", str(mapping), "--json",
                  "--create-key-field", *engine(sb, jobs)[:5])
    plan = orjson.loads(planned.stdout)
    assert spent(sb) - before == plan["tokens"] == 20, plan
    assert any("is not created: no row can be sent" in n for n in plan["notes"]), plan
    before = spent(sb)
    ran = cli(sb, jobs, "import", str(held), "-m", str(mapping), "--create-key-field",
              *engine(sb, jobs))
    assert "is not created: no row can be sent" in ran.output, ran.output
    assert not sb.stats()["requests_by_operation"].get("addDealField"), ran.output
    assert spent(sb) - before == plan["tokens"], ran.output
