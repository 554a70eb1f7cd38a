"""The command init-mapping advises at its end works on the account it read: with
``--create-key-field`` when the account has no key field yet (x22r2: the advice printed
exited 1, "pass --create-key-field")."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bulk.sandbox import Sandbox, SandboxConfig
from pdbulk.cli import app
from tests.sandbox_helpers import ThreadedSandbox

TOKEN = "init-advice-token"
FAST = ["--plan", "ultimate", "--oauth"]


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with ThreadedSandbox(SandboxConfig(plan="ultimate", auth="oauth", token=TOKEN, deals=3,
                                       seed=3)) as sb:
        yield sb


@pytest.mark.parametrize(("key_field", "flag"), [("External ID", False),
                                                 ("Legacy CRM id", True)])
def test_the_advised_plan_runs(sandbox: Sandbox, tmp_path: Path, key_field: str,
                               flag: bool) -> None:
    """The advised `pdbulk plan import` names --create-key-field exactly when the key
    field is missing, and run as printed it plans (exit 0), writing nothing."""
    manifest = tmp_path / "deals.csv"
    manifest.write_text("Record ID,Deal Name,Amount\nr1,Globex,100\nr2,Initech,200\n")
    drafted = tmp_path / "mapping.toml"
    env = {"PIPEDRIVE_API_TOKEN": TOKEN}
    res = CliRunner().invoke(app, ["init-mapping", str(manifest), "-o", str(drafted),
                                   "--key-field", key_field, "--url", sandbox.url, *FAST],
                             env=env)
    assert res.exit_code == 0, res.output
    advice = re.search(r"`(pdbulk plan import [^`]*)`", res.output)
    assert advice is not None, res.output
    assert ("--create-key-field" in advice.group(1)) is flag, res.output
    args = shlex.split(advice.group(1))[1:]
    plan = CliRunner().invoke(app, [*args, "--url", sandbox.url, *FAST, "--failed-csv",
                                    str(tmp_path / "pf.csv")], env=env)
    assert plan.exit_code == 0, plan.output
    assert sandbox.stats()["writes_applied"] == {}
