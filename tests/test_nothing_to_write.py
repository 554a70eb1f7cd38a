"""A file none of whose rows can be written spends only what its job needs (f31c): a
failed-rows file whose every row is held (its `hold` cell filled) pulls no index of
persons, organizations or deals — nothing is matched against them — and says so; its
plan prices exactly what the import spends."""

from __future__ import annotations

import csv
import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from typer.testing import CliRunner

from bulk.sandbox import Sandbox, SandboxConfig
from pdbulk.cli import app
from tests.sandbox_helpers import ThreadedSandbox

TOKEN = "nothing-to-write-token"
MAPPING = """[import]
key_column = "key"
key_field = "Import source key"
mode = "upsert"
[deal]
title = "title"
value = "amount"
[person]
name = "person"
email = "email"
[organization]
name = "company"
"""


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    with ThreadedSandbox(SandboxConfig(plan="ultimate", auth="oauth", token=TOKEN, deals=20,
                                       seed=5)) as box:
        yield box


def cli(*args: str) -> Any:
    res = CliRunner().invoke(app, list(args), env={**os.environ, "PIPEDRIVE_API_TOKEN": TOKEN})
    assert "Traceback" not in res.output, res.output
    return res


def made(sb: Sandbox) -> Counter[str]:
    return Counter(sb.stats()["requests_by_operation"])


def test_a_failed_file_whose_rows_are_all_held_pulls_no_index(sb: Sandbox,
                                                             tmp_path: Path) -> None:
    """Two rows give one key other values (an upsert holds both, `duplicate-key`); their
    failed.csv imported as it is holds both again and sends nothing: no persons,
    organizations or deals list is read (it read all four, 50 tokens of 70), and
    `plan import` says the same tokens as the import spends."""
    jobs = tmp_path / "jobs"
    mapping = tmp_path / "m.toml"
    mapping.write_text(MAPPING)
    source = tmp_path / "a.csv"
    source.write_text("key,title,amount,person,email,company\n"
                      "k1,First,10,Ann Lee,ann@example.com,Acme\n"
                      "k1,Other,20,Ann Lee,ann@example.com,Acme\n"
                      "k2,Fine,30,Bo Kim,bo@example.com,Globex\n")
    engine = ["--url", sb.url, "--plan", "ultimate", "--oauth", "--job-dir", str(jobs)]
    first = cli("import", str(source), "-m", str(mapping), "--create-key-field", *engine)
    assert first.exit_code == 3, first.output
    (job,) = list(jobs.iterdir())
    failed = job / "failed.csv"
    with failed.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 2 and all(r["hold"] == "duplicate-key" for r in rows), rows

    planned = cli("plan", "import", str(failed), "-m", str(mapping), "--json",
                  "--failed-csv", str(tmp_path / "pf.csv"), *engine[:5])
    assert planned.exit_code == 3, planned.output  # every row fails
    plan = orjson.loads(planned.stdout)
    before = made(sb)
    spent = sb.stats()["tokens_spent"]
    again = cli("import", str(failed), "-m", str(mapping), *engine)
    assert again.exit_code == 3, again.output
    calls = made(sb) - before
    assert not {"getPersons", "getOrganizations", "getDeals", "getArchivedDeals"} & set(calls), \
        calls
    assert not any(op.startswith(("add", "update")) for op in calls), calls
    assert sb.stats()["tokens_spent"] - spent == plan["tokens"], (plan["calls"], calls)
    assert dict(calls) == plan["calls"], (plan["calls"], calls)
    assert "every row is held" in again.output, again.output
    assert any("every row is held" in n for n in plan["notes"]), plan["notes"]



def test_a_merge_file_of_refused_pairs_reads_nothing(sb: Sandbox, tmp_path: Path) -> None:
    """A pairs file whose every pair is refused before the account can tell anything (a
    deal merged with itself, an id that is no number) reads no deal: 0 tokens, as its plan
    says (it read the self-merged deal: 10 tokens for nothing)."""
    jobs = tmp_path / "jobs"
    deal = min(d["id"] for d in sb.state.deals.rows.values() if not d["is_deleted"])
    pairs = tmp_path / "pairs.csv"
    pairs.write_text(f"merge_id,survivor_id\n{deal},{deal}\nabc,{deal}\n")
    engine = ["--url", sb.url, "--plan", "ultimate", "--oauth", "--job-dir", str(jobs)]
    planned = cli("plan", "merge", str(pairs), "--json", *engine)
    assert planned.exit_code == 3, planned.output
    before = sb.stats()["tokens_spent"]
    ran = cli("merge", str(pairs), "--yes", *engine)
    assert ran.exit_code == 3, ran.output
    assert sb.stats()["tokens_spent"] - before == 0 == orjson.loads(planned.stdout)["tokens"]
    assert "cannot be merged with itself" in (next(jobs.iterdir()) / "failed.csv").read_text()
