"""Two header names the same but for case and spaces (``Email`` and ``email ``, a CSV
header's spaces trimmed) of which the mapping reads one: refused before any job or call,
naming the header's row and both columns' positions (x43r4 F7: both accepted, one silently
unused; then a plan note, which an unattended import never shows). Not refused: a mapping
reading each by its exact spelling, or neither; pdbulk's own failed-rows columns (``key``
beside a file's own ``Key``, which their retries must read)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bulk.manifest import header
from bulk.sandbox import Sandbox, SandboxConfig
from jobs.import_checks import alike_problem
from pdbulk.cli import app
from tests.sandbox_helpers import ThreadedSandbox

TOKEN = "alike-token"
ENV = {"PIPEDRIVE_API_TOKEN": TOKEN}


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with ThreadedSandbox(SandboxConfig(plan="ultimate", auth="oauth", token=TOKEN, deals=0,
                                       seed=5)) as sb:
        yield sb


MAPPING = ('version = 1\n[import]\nkey_column = "Key"\nkey_field = "Import source key"\n'
           '[deal]\ntitle = "Deal"\npipeline = { default = "Sales" }\n'
           'stage = { default = "Qualified" }\n[person]\nname = "Name"\n')


def _plan(sandbox: Sandbox, tmp_path: Path, person: str) -> tuple[int, str]:
    path = tmp_path / "alike.csv"
    path.write_text("Key,Deal,Email,Name,email \nK1,One,a@x.example,Ann,b@x.example\n")
    mapping = tmp_path / "map.toml"
    mapping.write_text(MAPPING + person)
    res = CliRunner().invoke(app, ["plan", "import", str(path), "--mapping", str(mapping),
                                   "--create-key-field", "--url", sandbox.url, "--plan",
                                   "ultimate", "--oauth"], env=ENV)
    return res.exit_code, " ".join(res.output.split())


def test_a_mapping_reading_one_of_two_alike_columns_is_refused(sandbox: Sandbox,
                                                               tmp_path: Path) -> None:
    before = sum(sandbox.stats()["tokens_by_operation"].values())
    code, said = _plan(sandbox, tmp_path, 'email = "Email"\n')
    assert code == 1, said
    assert ("columns 3 (C) 'Email' and 5 (E) 'email' of the header (row 1) are one name but "
            "for case and spaces, and the mapping reads 'Email' only: 'email' would go "
            "unused") in said, said
    assert "Traceback" not in said
    assert sum(sandbox.stats()["tokens_by_operation"].values()) == before  # no call


@pytest.mark.parametrize("person", ['email = "Email"\nphone = "email"\n', ""])
def test_each_read_by_its_spelling_or_neither_read_plans(sandbox: Sandbox, tmp_path: Path,
                                                         person: str) -> None:
    code, said = _plan(sandbox, tmp_path, person)
    assert code in (0, 3), said
    assert "one name but for case" not in said, said


def test_none_for_distinct_names_and_for_pdbulk_s_own_report_columns(tmp_path: Path) -> None:
    """``key`` (a failed-rows file's own) beside ``Key`` says nothing; nor do other names."""
    path = tmp_path / "failed.csv"
    path.write_text("row,key,reason,Key,Deal\n2,K1,bad,K1,One\n")
    assert alike_problem(header(path), ["Key", "Deal"]) is None
    assert alike_problem(["Key", "Deal", "Email"], ["Key", "Email"]) is None
    assert "(row 4)" in (alike_problem(["Key", "EMAIL", "email"], ["email"], 4) or "")
