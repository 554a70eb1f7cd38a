"""A row whose addresses belong to two or more different persons of the account is
ambiguous and fails naming them, in an import, a retry and a resume alike (x46r4 F1:
``Jane Roe,jane@roe.com`` / ``Jr New,jr@new.com`` / a bare ``jane@roe.com; jr@new.com``
— the import failed the bare row by the file's names, but ``pdbulk retry`` reads no
file: the row matched jane@roe.com's person and its deal went to Jane Roe, exit 0, 4 of
4). A named row whose name is one of those persons' stays that person's (x10r4 F4); a
row whose other addresses are no one's links the one person matched, as before."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from bulk.sandbox import SandboxConfig
from jobs.account import PersonIndex
from tests.sandbox_helpers import ThreadedSandbox
from tests.test_person_identity import decide_all, planner, rows_of
from tests.test_plan_tokens import TOKEN, cli, engine


def _account() -> PersonIndex:
    index = PersonIndex()
    index.add({"id": 1, "name": "Jane Roe", "emails": [{"value": "jane@roe.com"}]})
    index.add({"id": 2, "name": "Jr New", "emails": [{"value": "jr@new.com"}]})
    return index


def _decided(cell: dict[str, str]) -> Any:
    return decide_all(planner(_account()), rows_of([cell]))["K2"]


@pytest.mark.parametrize("email", ["jane@roe.com; jr@new.com", "jr@new.com; jane@roe.com"])
@pytest.mark.parametrize("name", ["", "J. Roe"])
def test_a_row_of_two_account_persons_addresses_fails_naming_both(name: str,
                                                                  email: str) -> None:
    got = _decided({"contact": name, "email": email})
    assert isinstance(got, str), got
    assert "jane@roe.com is person 1 'Jane Roe'" in got, got
    assert "jr@new.com is person 2 'Jr New'" in got, got


@pytest.mark.parametrize("email", ["jane@roe.com; jr@new.com", "jr@new.com; jane@roe.com"])
def test_a_named_row_stays_with_the_account_person_of_its_name(email: str) -> None:
    assert _decided({"contact": "Jane Roe", "email": email})["id"] == 1


@pytest.mark.parametrize("name", ["", "Jane Roe", "J. Roe"])
def test_other_addresses_no_one_has_link_the_one_person_matched(name: str) -> None:
    assert _decided({"contact": name, "email": "jane@roe.com; nobody@roe.com"})["id"] == 1


MAPPING = """[import]
key_column = "key"
mode = "insert"
[deal]
title = "title"
pipeline = { default = "Sales" }
[person]
name = "name"
email = "email"
"""


def test_a_retry_fails_the_row_the_import_failed(tmp_path: Path) -> None:
    """F1 end to end: the bare row fails in the import (the file's names) and again in
    the retry (the account's persons), its deal never created."""
    config = SandboxConfig(plan="ultimate", auth="oauth", token=TOKEN, seed=9, deals=0)
    with ThreadedSandbox(config) as box:
        jobs, mapping, manifest = tmp_path / "jobs", tmp_path / "m.toml", tmp_path / "in.csv"
        mapping.write_text(MAPPING)
        manifest.write_text("key,title,name,email\nP1,Jane deal,Jane Roe,jane@roe.com\n"
                            "P2,New deal,Jr New,jr@new.com\n"
                            'P3,Bare both,,"jane@roe.com; jr@new.com"\n')
        first = cli(box, jobs, "import", str(manifest), "--mapping", str(mapping),
                    "--create-key-field", *engine(box, jobs))
        assert first.exit_code == 3, first.output
        (job,) = jobs.iterdir()
        retried = cli(box, jobs, "retry", job.name, "--job-dir", str(jobs))
        assert retried.exit_code == 3, retried.output
        titles = sorted(str(d.get("title")) for d in box.state.deals.rows.values())
        assert titles == ["Jane deal", "New deal"], titles
        with (job / "failed.csv").open(encoding="utf-8") as file:
            (failed,) = list(csv.DictReader(file))
        assert "jane@roe.com is person" in failed["reason"], failed
        assert "jr@new.com is person" in failed["reason"], failed
