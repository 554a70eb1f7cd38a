"""A stage column of won / lost values (HubSpot's closedwon / closedlost, "Closed - Won",
"Lost"): init-mapping's starter reads the deal's status from it, and a plan whose stage map
sends such values to a stage with no status mapped says so (x18r2 3)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

import jobs.transforms as tf
from bulk.sandbox import Sandbox, SandboxConfig
from jobs.mapping import Mapping
from pdbulk.cli import app
from tests.import_support import sandbox_deals
from tests.sandbox_helpers import ThreadedSandbox

TOKEN = "closed-stages-token"
FAST = ["--plan", "ultimate", "--oauth"]
ENV = {"PIPEDRIVE_API_TOKEN": TOKEN}
CSV = ("Record ID,Deal Name,Deal Stage,Amount\n"
       "HS-1,Won one,closedwon,10\nHS-2,Lost one,closedlost,20\n"
       "HS-3,Open one,qualifiedtobuy,30\nHS-4,Won two,closedwon,40\n")


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with ThreadedSandbox(SandboxConfig(plan="ultimate", auth="oauth", token=TOKEN, deals=0,
                                       seed=7)) as sb:
        yield sb


@pytest.mark.parametrize(("value", "status"), [
    ("closedwon", "won"), ("closedlost", "lost"), ("Closed Won", "won"),
    ("Closed - Lost", "lost"), ("Won", "won"), ("LOST", "lost"), ("closed_won", "won"),
    ("Deal lost", "lost"), ("Gewonnen", "won"), ("qualifiedtobuy", None), ("Closed", None),
    ("open", None), ("Won't buy", None), ("won/lost", None), ("Negotiation", None),
])
def test_closed_status_reads_won_and_lost_words(value: str, status: str | None) -> None:
    """The won / lost words a CRM writes in a stage value; none when it says neither or both."""
    assert tf.closed_status(value) == status


def test_init_mapping_reads_the_status_from_a_stage_column_of_won_lost_values(
        sandbox: Sandbox, tmp_path: Path) -> None:
    """x18r2 3: the starter listed closedwon / closedlost only as stage TODOs and left
    `# status = ""` commented out: followed, every won and lost deal was imported open,
    exit 0. It maps the status from the stage column (won / lost, the rest open), says so,
    and leaves those values in the last stage without asking; imported, they are closed."""
    manifest = tmp_path / "hs.csv"
    manifest.write_text(CSV)
    res = CliRunner().invoke(app, ["init-mapping", str(manifest), "--url", sandbox.url, *FAST],
                             env=ENV)
    assert res.exit_code == 0, res.output
    text = res.stdout
    assert ('status = { column = "Deal Stage", map = { "closedwon" = "won", '
            '"closedlost" = "lost", "*" = "open" } }') in text
    assert "its won / lost values ('closedwon' won, 'closedlost' lost) close the deal" in text
    assert '# "closedwon" = ""' not in text and '# "closedlost" = ""' not in text
    assert '"closedwon" = "Negotiations Started"  # won (see status)' in text
    # the one real stage left to decide
    resolved = text.replace('# "qualifiedtobuy" = ""', '"qualifiedtobuy" = "Qualified"')
    resolved = "\n".join(line for line in resolved.splitlines() if "TODO" not in line)
    spec = Mapping.loads(resolved).spec
    assert spec.deal.status is not None and spec.deal.status.column == "Deal Stage"
    mapping = tmp_path / "m.toml"
    mapping.write_text(resolved.replace('# currency = "USD"', 'currency = "USD"'))
    plan = CliRunner().invoke(app, ["plan", "import", str(manifest), "--mapping", str(mapping),
                                    "--create-key-field", "--url", sandbox.url, *FAST], env=ENV)
    assert plan.exit_code == 0, plan.output
    assert "no status is mapped" not in plan.output
    res = CliRunner().invoke(app, ["import", str(manifest), "--mapping", str(mapping),
                                   "--create-key-field", "--url", sandbox.url, *FAST,
                                   "--job-dir", str(tmp_path / "jobs")], env=ENV)
    assert res.exit_code == 0, res.output
    assert sorted((d["title"], d["status"]) for d in sandbox_deals(sandbox)) == [
        ("Lost one", "lost"), ("Open one", "open"), ("Won one", "won"), ("Won two", "won")]


def test_a_plan_says_won_lost_stages_without_a_status_are_imported_open(
        sandbox: Sandbox, tmp_path: Path) -> None:
    """x18r2 3: a mapping whose stage map sends closedwon / closedlost to a stage and maps
    no status imported those deals open with no word; the plan names them (a note: they
    may be meant open)."""
    manifest, mapping = tmp_path / "hs.csv", tmp_path / "m.toml"
    manifest.write_text(CSV)
    text = """version = 1
[import]
key_column = "Record ID"
[defaults]
currency = "USD"
[deal]
title = "Deal Name"
value = "Amount"
pipeline = { default = "Sales" }
[deal.stage]
column = "Deal Stage"
map = { "qualifiedtobuy" = "Qualified", "closedwon" = "Negotiations Started", \
"closedlost" = "Negotiations Started" }
"""
    mapping.write_text(text)
    res = CliRunner().invoke(app, ["plan", "import", str(manifest), "--mapping", str(mapping),
                                   "--create-key-field", "--url", sandbox.url, *FAST], env=ENV)
    assert res.exit_code == 0, res.output
    said = " ".join(res.output.split())  # the note is wrapped to the terminal's width
    assert ("note: deal.stage.map sends 'closedwon' (won?), 'closedlost' (lost?) to a stage, "
            "and no status is mapped: those deals are imported open") in said
    assert 'add status = { column = "Deal Stage"' in said
    # the import run says it too (x50r4: the run printed none of the plan's reading notes)
    ran = CliRunner().invoke(app, ["import", str(manifest), "--mapping", str(mapping),
                                   "--create-key-field", "--url", sandbox.url,
                                   "--job-dir", str(tmp_path / "jobs"), *FAST], env=ENV)
    assert ran.exit_code == 0, ran.output
    assert "to a stage, and no status is mapped" in " ".join(ran.output.split()), ran.output
    with_status = text.replace('value = "Amount"\n', 'value = "Amount"\nstatus = { column = '
                               '"Deal Stage", map = { "closedwon" = "won", "closedlost" = '
                               '"lost", "*" = "open" } }\n')
    mapping.write_text(with_status)
    res = CliRunner().invoke(app, ["plan", "import", str(manifest), "--mapping", str(mapping),
                                   "--create-key-field", "--url", sandbox.url, *FAST], env=ENV)
    assert res.exit_code == 0 and "no status is mapped" not in res.output, res.output
