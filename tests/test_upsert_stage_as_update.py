"""An import upsert's row of no pipeline whose key finds a deal reads its stage cell as
``pdbulk update`` does (x51r10 F1, F2): every cell in the deal's own pipeline, an entry
naming a pipeline for that pipeline's deals only, a stage of another pipeline by its name
alone failing the row, only a ``Pipeline > Stage`` cell moving the deal; the plan says the
moves and the reopens. Before: the starter's TODO example ``"Demo" = "Sales > Demo"`` moved
3 of 3 SMB / Renewals deals of their own ``Demo`` / ``Negotiation`` / ``Intake`` into Sales,
Enterprise and SMB, and ``Closing`` / ``Won`` / ``Closed Won`` / ``Won Back`` (one other
pipeline's stage each) moved 4 of 4 deals, the plan saying only ``upsert: N deals to
update``. A row that creates its deal keeps the import's rules."""

from __future__ import annotations

import copy
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from bulk.sandbox import Sandbox, SandboxConfig
from pdbulk.cli import app
from tests.import_support import sandbox_deals
from tests.sandbox_helpers import ThreadedSandbox

TOKEN = "upsert-stage-as-update-token"
_LOCAL = urllib.request.build_opener(urllib.request.ProxyHandler({}))
ENV = {"PIPEDRIVE_API_TOKEN": TOKEN}
FAST = ["--plan", "ultimate", "--oauth"]
# x51r10's account: stage ids 1..16 in this order
PIPELINES = {1: ("Sales", ("Lead", "Demo", "Proposal", "Won")),
             2: ("Enterprise", ("Lead", "Qualified", "Negotiation", "Closed Won")),
             3: ("SMB", ("Intake", "Demo", "Lost", "Closing")),
             4: ("Renewals \u203a EMEA", ("Intake", "Negotiation", "Won Back", "lost"))}
INSERT = """\
version = 1
[import]
key_column = "Ref"
key_field = "Import source key"
mode = "insert"
[deal]
title = "Deal Name"
pipeline = "Pipeline"
status = "Status"
[deal.stage]
column = "Stage"
"""
UPSERT = """\
version = 1
[import]
key_column = "Ref"
key_field = "Import source key"
mode = "upsert"
[deal]
title = "Deal Name"
[deal.stage]
column = "Stage"
[deal.stage.map]
"""


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with ThreadedSandbox(SandboxConfig(plan="ultimate", auth="oauth", token=TOKEN, deals=0,
                                       seed=51)) as sb:
        acct = sb.state
        pipeline, stage = next(iter(acct.pipelines.values())), next(iter(acct.stages.values()))
        acct.pipelines.clear()
        acct.stages.clear()
        sid = 0
        for pid, (name, stages) in PIPELINES.items():
            acct.pipelines[pid] = {**copy.deepcopy(pipeline), "id": pid, "name": name,
                                   "order_nr": pid - 1}
            for order, called in enumerate(stages, 1):
                sid += 1
                acct.stages[sid] = {**copy.deepcopy(stage), "id": sid, "name": called,
                                    "order_nr": order, "pipeline_id": pid}
        yield sb


def _run(sb: Sandbox, tmp: Path, name: str, text: str, mapping: str,
         *, plan: bool = False) -> Any:
    manifest, toml = tmp / f"{name}.csv", tmp / f"{name}.toml"
    manifest.write_text(text, encoding="utf-8")
    toml.write_text(mapping, encoding="utf-8")
    env = {**ENV, "PDBULK_STATE_DIR": str(tmp / "state")}
    args = ["plan", "import"] if plan else ["import"]
    return CliRunner().invoke(app, [*args, str(manifest), "--mapping", str(toml),
                                    "--create-key-field", "--url", sb.url,
                                    *([] if plan else ["--json", "--job-dir",
                                                       str(tmp / f"jobs-{name}")]),
                                    *FAST], env=env)


def _where(sb: Sandbox) -> dict[str, tuple[str, str, str]]:
    names = {p["id"]: p["name"] for p in sb.state.pipelines.values()}
    stages = {s["id"]: s["name"] for s in sb.state.stages.values()}
    return {d["title"]: (names[d["pipeline_id"]], stages[d["stage_id"]], d["status"])
            for d in sandbox_deals(sb)}


def _insert(sb: Sandbox, tmp: Path, rows: str) -> dict[str, tuple[str, str, str]]:
    made = _run(sb, tmp, "made", "Ref,Deal Name,Pipeline,Stage,Status\n" + rows, INSERT)
    assert made.exit_code == 0, made.output
    return _where(sb)


def test_an_entry_naming_a_pipeline_moves_no_deal_of_another(
        sandbox: Sandbox, tmp_path: Path) -> None:
    """F1: the starter's TODO example, followed: every deal stays where it is."""
    before = _insert(sandbox, tmp_path, "K1,D1,SMB,Demo,open\nK2,D2,SMB,Demo,won\n"
                     "K3,D3,Sales,Demo,open\nK4,D4,Renewals \u203a EMEA,Negotiation,open\n")
    mapping = UPSERT + '"Demo" = "Sales > Demo"\n"Negotiation" = "Enterprise > Negotiation"\n'
    rows = "Ref,Deal Name,Stage\nK1,D1,Demo\nK2,D2,Demo\nK3,D3,Demo\nK4,D4,Negotiation\n"
    planned = _run(sandbox, tmp_path, "p", rows, mapping, plan=True)
    said = " ".join(planned.output.split())
    assert planned.exit_code == 0, said
    assert "to another pipeline" not in said, said
    ran = _run(sandbox, tmp_path, "u", rows, mapping)
    assert ran.exit_code == 0, ran.output
    assert _where(sandbox) == before


def test_a_stage_of_another_pipeline_by_its_name_alone_fails_the_row(
        sandbox: Sandbox, tmp_path: Path) -> None:
    """F2: as ``pdbulk update`` reads the same cells; a ``Pipeline > Stage`` cell moves
    its deal and the plan counts it; a create keeps the import's rules."""
    before = _insert(sandbox, tmp_path, "K1,D1,Sales,Demo,open\nK2,D2,Enterprise,Negotiation,"
                     "won\nK3,D3,SMB,Demo,open\nK4,D4,Enterprise,Lead,open\n"
                     "K5,D5,Sales,Lead,open\n")
    rows = ("Ref,Deal Name,Stage\nK1,D1,Closing\nK2,D2,Won\nK3,D3,Closed Won\n"
            "K4,D4,Won Back\nK5,D5,Enterprise \u203a Qualified\nK6,D6,Closing\n")
    planned = _run(sandbox, tmp_path, "p", rows, UPSERT, plan=True)
    said = " ".join(planned.output.split())
    assert "moves 1 deal(s) to another pipeline" in said, said
    ran = _run(sandbox, tmp_path, "u", rows, UPSERT)
    assert ran.exit_code == 3, ran.output  # rows failed
    assert "1 to update (1 moved to another pipeline)" in " ".join(ran.output.split())
    after = _where(sandbox)
    for title in ("D1", "D2", "D3", "D4"):  # (D2: 'Won' on a won Enterprise deal, no
        assert after[title] == before[title], (title, after[title])  # status map: fails)
    assert after["D5"] == ("Enterprise", "Qualified", "open")
    assert after["D6"] == ("SMB", "Closing", "open")  # a create: the import's rules
    failed = next((tmp_path / "jobs-u").glob("*/failed.csv")).read_text(encoding="utf-8")
    for key in ("K1", "K2", "K3", "K4"):
        assert key in failed, failed
    assert "K5" not in failed and "K6" not in failed, failed


def test_the_plan_counts_reopens_of_an_upsert(sandbox: Sandbox, tmp_path: Path) -> None:
    """An upsert's reopen is said as the update's is ("*" = "open" of a status column)."""
    _insert(sandbox, tmp_path, "K1,D1,Sales,Demo,won\nK2,D2,SMB,Demo,lost\n")
    mapping = UPSERT.replace('title = "Deal Name"\n',
                             'title = "Deal Name"\nstatus = "Status"\n')
    rows = "Ref,Deal Name,Stage,Status\nK1,D1,Demo,open\nK2,D2,Demo,lost\n"
    planned = _run(sandbox, tmp_path, "p", rows, mapping, plan=True)
    said = " ".join(planned.output.split())
    assert "reopens 1 won / lost deal(s)" in said, said


def test_a_status_read_from_the_stage_column_keeps_a_found_deals_own(
        sandbox: Sandbox, tmp_path: Path) -> None:
    """As the update's (x51r4 F2): a cell naming a stage of the deal's pipeline says no
    status, so a won deal found stays won (the import's rule, open, reopened it); a
    create of that cell is open."""
    _insert(sandbox, tmp_path, "K1,D1,Sales,Lead,won\nK2,D2,SMB,Intake,open\n")
    mapping = UPSERT.replace('title = "Deal Name"\n',
                             'title = "Deal Name"\nstatus = { column = "Stage" }\n')
    rows = "Ref,Deal Name,Stage\nK1,D1,Demo\nK2,D2,Closed Lost\nK3,D3,Proposal\n"
    planned = _run(sandbox, tmp_path, "p", rows, mapping, plan=True)
    said = " ".join(planned.output.split())
    assert "reopens" not in said, said
    ran = _run(sandbox, tmp_path, "u", rows, mapping)
    assert ran.exit_code == 0, ran.output
    after = _where(sandbox)
    assert after["D1"] == ("Sales", "Demo", "won"), after
    assert after["D2"] == ("SMB", "Intake", "lost"), after  # closed where it is
    assert after["D3"][2] == "open", after
