"""x52r2's rows, planned and run: an import upsert whose key finds a deal writes what
``pdbulk update`` writes for the same rows, and fails the same rows (F1: ``Done`` of
``"Done" = "Sales > Won"`` failed ``unknown status 'Done'``; F2: ``Sales`` + ``Closed
Won`` on a Sales deal failed where the update closed it where it is). The unit grid is
``test_upsert_found_grid``; here the plan and the run of both commands on twin sandboxes."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from bulk.sandbox import Sandbox, SandboxConfig
from pdbulk.cli import app
from tests.import_support import sandbox_deals
from tests.sandbox_helpers import ThreadedSandbox

TOKEN = "upsert-found-run-token"
FAST = ["--plan", "ultimate", "--oauth"]
PIPELINES = {1: ("Sales", ("Lead", "Qualified", "Proposal", "Won")),
             2: ("Enterprise", ("Lead", "Qualified", "Negotiation", "Closed Won")),
             3: ("SMB", ("Intake", "Qualified", "Lost", "Closing")),
             4: ("Renewals", ("Intake", "Negotiation", "Won", "Closed Won"))}
INSERT = ('version = 1\n[import]\nkey_column = "Ref"\nkey_field = "Import source key"\n'
          'mode = "insert"\n[deal]\ntitle = "Deal Name"\npipeline = "Pipeline"\n'
          'status = "Status"\n[deal.stage]\ncolumn = "Stage"\n')
BASE = ("Ref,Deal Name,Pipeline,Stage,Status\nK1,D1,Sales,Qualified,lost\n"
        "K2,D2,Renewals,Won,open\nK3,D3,Sales,Lead,open\nK4,D4,Sales,Qualified,open\n"
        "K5,D5,Enterprise,Lead,won\nK6,D6,Sales,Lead,won\nK7,D7,Renewals,Intake,open\n"
        "K8,D8,Enterprise,Lead,lost\nK9,D9,SMB,Qualified,won\n")
BODY = ('[deal]\ntitle = "Deal Name"\npipeline = "Pipeline"\nlost_reason = "Why"\n'
        'won_time = "Won at"\n'
        'status = { column = "Stage", map = { "Closed Lost" = "lost" } }\n'
        '[deal.stage]\ncolumn = "Stage"\n[deal.stage.map]\n'
        '"Done" = "Sales > Won"\n"Late" = "Negotiation"\n"*" = "Qualified"\n')
UPSERT = ('version = 1\n[import]\nkey_column = "Ref"\nkey_field = "Import source key"\n'
          'mode = "upsert"\n' + BODY)
UPDATE = 'version = 1\n[update]\nkey_column = "Ref"\nkey_field = "Import source key"\n' + BODY
# K1: a lost deal's new lost reason, K6 a won deal's won time, each row leaving the status
# (the create's reading, open, failed both)
ROWS = ("Ref,Deal Name,Pipeline,Stage,Why,Won at\nK1,D1,,Done,Price,\nK2,D2,,Late,,\n"
        "K3,D3,,Foo,,\nK4,D4,Sales,Closed Won,,\nK5,D5,Enterprise,Closed Lost,,\n"
        "K6,D6,Sales,Proposal,,2025-01-02\nK7,D7,,Foo,,\nK8,D8,,Closed Won,Budget,\n"
        "K9,D9,,,,\n")
WHERE = {"D1": ("Sales", "Won", "lost"), "D2": ("Renewals", "Negotiation", "open"),
         "D3": ("Sales", "Qualified", "open"), "D4": ("Sales", "Qualified", "won"),
         "D5": ("Enterprise", "Qualified", "lost"),  # "*"'s stage, closed there
         "D6": ("Sales", "Proposal", "won"),
         "D7": ("Renewals", "Intake", "open"),  # K7: "*"'s Qualified, none in Renewals
         "D8": ("Enterprise", "Closed Won", "lost"),  # a stage of its own: still lost
         "D9": ("SMB", "Qualified", "won")}  # blank Stage and Pipeline: left (x52r12 F1)


def _sandbox() -> ThreadedSandbox:
    sb = ThreadedSandbox(SandboxConfig(plan="ultimate", auth="oauth", token=TOKEN, deals=0,
                                       seed=52))
    return sb


def _account(sb: Sandbox) -> None:
    acct = sb.state
    pipeline, stage = next(iter(acct.pipelines.values())), next(iter(acct.stages.values()))
    acct.pipelines.clear()
    acct.stages.clear()
    for pid, (name, stages) in PIPELINES.items():
        acct.pipelines[pid] = {**copy.deepcopy(pipeline), "id": pid, "name": name,
                               "order_nr": pid - 1}
        for order, called in enumerate(stages, 1):
            acct.stages[pid * 10 + order] = {**copy.deepcopy(stage), "id": pid * 10 + order,
                                             "name": called, "order_nr": order,
                                             "pipeline_id": pid}


@pytest.fixture
def twins() -> Iterator[tuple[Sandbox, Sandbox]]:
    with _sandbox() as one, _sandbox() as two:
        _account(one)
        _account(two)
        yield one, two


def _cli(sb: Sandbox, tmp: Path, name: str, args: list[str], text: str, mapping: str,
         *, plan: bool = False, create: bool = False) -> Any:
    manifest, toml = tmp / f"{name}.csv", tmp / f"{name}.toml"
    manifest.write_text(text, encoding="utf-8")
    toml.write_text(mapping, encoding="utf-8")
    env = {"PIPEDRIVE_API_TOKEN": TOKEN, "PDBULK_STATE_DIR": str(tmp / f"state-{name}")}
    return CliRunner().invoke(app, [*(["plan"] if plan else []), *args, str(manifest),
                                    "--mapping", str(toml), "--url", sb.url,
                                    *(["--create-key-field"] if create else []),
                                    *([] if plan else ["--json", "--job-dir",
                                                       str(tmp / f"jobs-{name}")]),
                                    *FAST], env=env)


def _where(sb: Sandbox) -> dict[str, tuple[str, str, str]]:
    names = {p["id"]: p["name"] for p in sb.state.pipelines.values()}
    stages = {s["id"]: s["name"] for s in sb.state.stages.values()}
    return {d["title"]: (names[d["pipeline_id"]], stages[d["stage_id"]], d["status"])
            for d in sandbox_deals(sb)}


def _failed(tmp: Path, name: str) -> set[str]:
    found = list((tmp / f"jobs-{name}").glob("*/failed.csv"))
    if not found:
        return set()
    lines = found[0].read_text(encoding="utf-8").splitlines()[1:]
    return {key for key in ("K1", "K2", "K3", "K4", "K5", "K6", "K7", "K8", "K9")
            if any(f",{key}," in f",{line}," for line in lines)}


def test_an_upsert_writes_and_fails_what_the_update_does(
        twins: tuple[Sandbox, Sandbox], tmp_path: Path) -> None:
    one, two = twins
    for sb, tmp in ((one, tmp_path / "a"), (two, tmp_path / "b")):
        tmp.mkdir()
        made = _cli(sb, tmp, "made", ["import"], BASE, INSERT, create=True)
        assert made.exit_code == 0, made.output
    planned = _cli(one, tmp_path / "a", "p", ["import"], ROWS, UPSERT, plan=True)
    said = " ".join(planned.output.split())
    assert "unknown status" not in said and "no stage named 'Closed Won'" not in said, said
    assert "7 deals to update" in said or "upsert: 7" in said, said
    upserted = _cli(one, tmp_path / "a", "u", ["import"], ROWS, UPSERT)
    updated = _cli(two, tmp_path / "b", "u", ["update"], ROWS, UPDATE)
    assert _where(one) == _where(two) == WHERE, (upserted.output, updated.output)
    assert _failed(tmp_path / "a", "u") == _failed(tmp_path / "b", "u") == {"K7"}
    reasons = [{d["title"]: d.get("lost_reason") for d in sandbox_deals(sb)}
               for sb in twins]
    assert [r["D1"] for r in reasons] == ["Price", "Price"], reasons
    # f52n: the update's blank-Pipeline row judged K8's reason by the word (won) before
    # placing the deal in its own stage Closed Won, still lost, and failed it
    assert [r["D8"] for r in reasons] == ["Budget", "Budget"], reasons
    won = [{d["title"]: d.get("won_time") for d in sandbox_deals(sb)}["D6"] for sb in twins]
    assert won[0] == won[1] and str(won[0]).startswith("2025-01-02"), won
