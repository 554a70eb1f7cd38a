"""How many times `pdbulk plan import` reads its manifest (issue 8): the decimal marks and
the contacts (each organization's addresses, each person's e-mails and phones) are learned
on one pass before the decide, not a pass each — two whole reads, not three — and the plan
is the one the two passes made."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from typer.testing import CliRunner

from bulk.sandbox import Sandbox, SandboxConfig
from pdbulk.cli import app
from tests.sandbox_helpers import ThreadedSandbox

TOKEN = "reads-token"
ENV = {"PIPEDRIVE_API_TOKEN": TOKEN}
MAPPING = """\
[import]
key_column = "id"
key_field = "Import source key"
mode = "upsert"
[defaults]
currency = "EUR"
[deal]
title = "title"
value = { column = "amount", decimal = "auto" }
pipeline = { default = "Sales" }
[person]
name = "person"
email = "email"
[organization]
name = "company"
address = "address"
"""
# "1.500" alone is ambiguous; "2,5" shows the column's decimal mark ",": 1500
ROWS = ("id,title,amount,person,email,company,address\n"
        "k1,Deal 1,\"2,5\",Ann Lee,ann@example.com,Acme,\"1 Main St, Springfield\"\n"
        "k2,Deal 2,1.500,Bob Poe,bob@example.com,Acme,\n"
        "k3,Deal 3,7,Ann Lee,ann@example.com,Globex,\n"
        "k4,Deal 4,1.2.3,Cy Dee,cy@example.com,Globex,\n")


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with ThreadedSandbox(SandboxConfig(plan="ultimate", auth="oauth", token=TOKEN, deals=0,
                                       seed=11)) as sb:
        yield sb


def _reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The rows each read of the manifest by the plan yielded, one entry per read."""
    import jobs.import_load as import_load

    reads: list[int] = []
    real = import_load.read_manifest

    def counted(*args: Any, **kwargs: Any) -> Iterator[Any]:
        reads.append(0)
        at = len(reads) - 1
        for row in real(*args, **kwargs):
            reads[at] += 1
            yield row
    monkeypatch.setattr(import_load, "read_manifest", counted)
    return reads


def test_plan_import_learns_marks_and_contacts_in_one_read(
        sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Marks and contacts from one read (was two), the decide a second: [4, 4]; the
    marks decided from the whole file ('1.500' is 1500), the bad row still failed, the
    organization's address learned from a row before the one that leaves it blank."""
    manifest, mapping = tmp_path / "in.csv", tmp_path / "m.toml"
    manifest.write_text(ROWS)
    mapping.write_text(MAPPING)
    reads = _reads(monkeypatch)
    res = CliRunner().invoke(app, ["plan", "import", str(manifest), "--mapping", str(mapping),
                                   "--create-key-field", "--json", "--url", sandbox.url,
                                   "--plan", "ultimate", "--oauth"], env=ENV)
    assert res.exit_code == 3, res.output
    assert reads == [4, 4], reads
    plan = orjson.loads(res.stdout)
    assert [r["row"] for r in plan["failed_rows"]] == [5], plan["failed_rows"]
    assert "1.2.3" in plan["failed_rows"][0]["reason"], plan["failed_rows"]
