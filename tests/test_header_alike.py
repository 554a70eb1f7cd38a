"""Two header names the same but for case and spaces (``Email`` and ``email ``, a CSV
header's spaces trimmed): the plan says which one the mapping reads and that the other is
not read (x43r4 F7: both accepted, one silently unused). Not a refusal: pdbulk's own
failed-rows files put ``key`` beside a file's own ``Key`` (their retries must read), and
a mapping naming one exactly is not a guess."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bulk.manifest import header
from bulk.sandbox import Sandbox, SandboxConfig
from jobs.import_checks import alike_note
from pdbulk.cli import app
from tests.sandbox_helpers import ThreadedSandbox

TOKEN = "alike-token"
ENV = {"PIPEDRIVE_API_TOKEN": TOKEN}


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with ThreadedSandbox(SandboxConfig(plan="ultimate", auth="oauth", token=TOKEN, deals=0,
                                       seed=5)) as sb:
        yield sb


def test_the_plan_says_which_of_two_alike_columns_is_read(sandbox: Sandbox,
                                                          tmp_path: Path) -> None:
    path = tmp_path / "alike.csv"
    path.write_text("Key,Deal,Email,Name,email \nK1,One,a@x.example,Ann,b@x.example\n")
    mapping = tmp_path / "map.toml"
    mapping.write_text('version = 1\n[import]\nkey_column = "Key"\nkey_field = "Import source '
                       'key"\n[deal]\ntitle = "Deal"\npipeline = { default = "Sales" }\n'
                       'stage = { default = "Qualified" }\n[person]\nname = "Name"\n'
                       'email = "Email"\n')
    res = CliRunner().invoke(app, ["plan", "import", str(path), "--mapping", str(mapping),
                                   "--create-key-field", "--url", sandbox.url, "--plan",
                                   "ultimate", "--oauth"], env=ENV)
    assert res.exit_code == 0, res.output
    said = " ".join(res.output.split())
    assert ("the mapping reads 'Email' (column C); column E 'email', the same name but for "
            "case and spaces, is not read") in said, res.output


def test_none_for_distinct_names_and_for_pdbulk_s_own_report_columns(tmp_path: Path) -> None:
    """``key`` (a failed-rows file's own) beside ``Key`` says nothing; nor do other names."""
    path = tmp_path / "failed.csv"
    path.write_text("row,key,reason,Key,Deal\n2,K1,bad,K1,One\n")
    assert alike_note(header(path), ["Key", "Deal"]) is None
    assert alike_note(["Key", "Deal", "Email"], ["Key", "Email"]) is None
