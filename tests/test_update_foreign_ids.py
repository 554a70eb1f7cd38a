"""An update by id whose rows mostly name a deal of an unrelated title AND another amount,
stage, owner or contact (a Pipedrive export of ANOTHER account: x47r3 F5, 40 of 40
unrelated deals' title, value and currency changed, unsaid) warns first in its plan; a
whole export (an unrelated title and two other fields) is refused without --yes; a file of
renames alone, or a few such rows, is not warned of (the rule:
``jobs.foreign_ids``; its labelled scenarios: tests/test_foreign_ids_oracle.py)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import orjson
from typer.testing import CliRunner

from bulk.sandbox import SandboxConfig
from jobs.foreign_ids import ForeignIds
from pdbulk.cli import app
from tests.update_support import cli_args, threaded_sandbox

MAPPING = ('version = 1\n[update]\nid_column = "id"\n[deal]\ntitle = "Title"\n'
           'currency = "Currency"\nowner = "Owner"\n')


def test_the_tally_wants_an_unrelated_title_and_another_field_on_most_rows() -> None:
    deal = {"title": "Acme - Pilot", "currency": "EUR", "owner_id": 1}
    tally = ForeignIds()
    for row in range(1, 5):  # renamed, its owner as it is: an update like any other
        tally.see(row, deal, {"title": f"New {row}", "currency": "eur", "owner_id": 1})
    for row in range(13, 17):  # renamed and moved to a new owner: a re-organization
        tally.see(row, deal, {"title": f"2027: Acme - Pilot {row}", "owner_id": 2})
    tally.see(5, deal, {"title": "ACME  - pilot", "currency": "USD"})  # the same title
    tally.see(6, None, {"title": "x", "currency": "USD"})  # no deal: not compared
    assert (tally.compared, tally.foreign, tally.warning()) == (9, 0, None)
    for row in range(7, 13):
        tally.see(row, deal, {"title": f"Other {row}", "currency": "USD", "owner_id": 2})
    assert (tally.compared, tally.foreign) == (15, 6)  # 6 of 15: not most
    assert tally.warning() is None
    for row in range(17, 21):
        tally.see(row, deal, {"title": f"Other {row}", "currency": "USD", "owner_id": 2})
    assert (tally.compared, tally.foreign) == (19, 10)
    warning = tally.warning()
    assert warning is not None and warning.startswith(
        "WARNING: foreign ids? 10 of 19 rows name a deal of an unrelated title and other "
        "differing fields (amount 10, owner 10, title 10) — row 7: 'Other 7' vs its deal "
        "'Acme - Pilot'; row 8: 'Other 8' vs its deal 'Acme - Pilot'; row 9: ")
    few = ForeignIds()
    for row in range(2):
        few.see(row, deal, {"title": "Other", "owner_id": 2, "currency": "USD"})
    assert few.warning() is None  # two rows tell nothing


def test_update_is_refused_without_yes_when_the_plan_warns(tmp_path: Path) -> None:
    with threaded_sandbox(SandboxConfig(seed=7, deals=12, time_scale=0.02)) as sb:
        deals = sorted(sb.state.deals.rows.values(), key=lambda d: d["id"])[:6]
        other = {"EUR": "USD"}
        lines = ["id,Title,Currency,Owner"] + [
            f"{d['id']},Foreign deal {n},{other.get(d['currency'], 'EUR')},"
            "tom.becker@sandbox-company.example"
            for n, d in enumerate(deals)]
        (tmp_path / "u.csv").write_text("\n".join(lines) + "\n")
        (tmp_path / "u.toml").write_text(MAPPING)
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token,
               "PDBULK_STATE_DIR": str(tmp_path / "state"), "COLUMNS": "400"}
        args = [str(tmp_path / "u.csv"), "--mapping", str(tmp_path / "u.toml"),
                *cli_args(sb, tmp_path / "jobs")]
        plan = CliRunner().invoke(app, ["plan", "update", *args], env=env)
        assert plan.exit_code == 0, plan.output
        flat = re.sub(r"\s+", " ", plan.output)
        assert "WARNING: foreign ids? 6 of 6 rows" in flat, plan.output
        run = CliRunner().invoke(app, ["update", *args], env=env)
        titles = {d["id"]: d["title"] for d in sb.state.deals.rows.values()}
        assert run.exit_code == 1, run.output
        flat = re.sub(r"\s+", " ", run.output)
        assert "foreign ids? see the plan" in flat, run.output
        # x48r7 F3: the plan that says why is shown first (it printed the refusal alone)
        assert flat.index("WARNING: foreign ids? 6 of 6 rows") < flat.index("rows by action") \
            < flat.index("not started"), run.output
        as_json = CliRunner().invoke(app, ["update", *args, "--json"], env=env)
        said = orjson.loads(next(line for line in as_json.stdout.splitlines()
                                 if line.startswith("{")))
        assert as_json.exit_code == 1 and said["status"] == "error", as_json.output
        assert said["exit_code"] == 1 and "not started" in said["error"]
        assert said["notes"][0].startswith("WARNING: foreign ids? 6 of 6 rows"), said
        assert said["foreign_ids"] == {"warns": True, "refuses": True, "count": 6,  # F4
                                       "compared": 6,
                                       "rows": [2, 3, 4, 5, 6], "groups": said[
                                           "foreign_ids"]["groups"]}
        assert said["foreign_ids"]["groups"]["title"] == 6
        titles = {d["id"]: d["title"] for d in sb.state.deals.rows.values()}
        assert all(titles[d["id"]] == d["title"] for d in deals)  # nothing sent
        done = CliRunner().invoke(app, ["update", *args, "--yes"], env=env)
        assert done.exit_code == 0, done.output
        assert {sb.state.deals.rows[d["id"]]["title"] for d in deals} == {
            f"Foreign deal {n}" for n in range(6)}


def test_a_stage_stands_for_the_pipeline_and_the_value_tells_a_deal() -> None:
    """x47r10 F1: another account's export (title, value, stage, owner differing) went
    unwarned — its stage column left the pipeline uncompared, the value was not compared;
    a rename (keeping the old title) with a new value, and a value written as 40000.0,
    are not foreign."""
    deal = {"title": "Acme - Pilot", "value": 40000, "stage_id": 3, "pipeline_id": 1,
            "owner_id": 1, "currency": "EUR"}
    tally = ForeignIds()
    for row in range(1, 4):  # renamed and revalued: an update like any other
        tally.see(row, deal, {"title": f"Acme - Pilot {row}", "value": 50000.0})
    tally.see(4, deal, {"title": "New 4", "value": "40000.0", "stage_id": 3})  # same value
    assert tally.foreign == 0
    for row in range(5, 10):  # title, value and stage (another pipeline's) differ
        tally.see(row, deal, {"title": f"Foreign {row}", "value": 900, "stage_id": 17})
    assert (tally.compared, tally.foreign) == (9, 5)
    assert tally.warning() is not None
    moved = ForeignIds()
    for row in range(4):  # a pipeline given: its stage is not counted again
        moved.see(row, deal, {"title": f"Moved {row}", "pipeline_id": 2, "stage_id": 17})
    assert moved.foreign == 4 and moved.fields == {"stage": 4, "title": 4}


def test_another_accounts_title_value_export_is_warned_own_renames_are_not(
        tmp_path: Path) -> None:
    """x48r2 F2: another account's export with Title, Value, Currency (one currency in
    both) went unwarned and ``update`` wrote 40 of 40 unrelated deals; F3: a rename with a
    re-value in EUR was refused, and so was a rename beside a colleague's changes the plan
    keeps (counted as the row's)."""
    from bulk.clock import SystemClock
    from bulk.sandbox.state import Account

    mapping = ('version = 1\n[update]\nid_column = "id"\n[deal]\ntitle = "Title"\n'
               'value = "Value"\ncurrency = "Currency"\n')
    (tmp_path / "u.toml").write_text(mapping)
    there = Account(SandboxConfig(deals=12, seed=8, company_id=4250), SystemClock())
    with threaded_sandbox(SandboxConfig(seed=7, deals=12, time_scale=0.02)) as sb:
        here = {d["id"]: dict(d) for d in sb.state.deals.rows.values() if d["id"] <= 8}

        def plan(name: str, lines: list[str], *extra: str, state: str = "state",
                 command: tuple[str, ...] = ("plan", "update")) -> tuple[int, str]:
            (tmp_path / name).write_text("\n".join(["id,Title,Value,Currency", *lines]) + "\n")
            env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token,
                   "PDBULK_STATE_DIR": str(tmp_path / state), "COLUMNS": "400"}
            out = CliRunner().invoke(app, [*command, str(tmp_path / name), "--mapping",
                                           str(tmp_path / "u.toml"), *extra,
                                           *cli_args(sb, tmp_path / "jobs")], env=env)
            return out.exit_code, re.sub(r"\s+", " ", out.output)
        foreign = [f"{i},{there.deals.rows[i]['title']},{there.deals.rows[i]['value']},"
                   f"{here[i]['currency']}" for i in here]
        code, out = plan("other.csv", foreign)
        assert code == 0 and "WARNING: foreign ids? 7 of 8 rows" in out, out  # 1 title the same
        # a title and one field (the amount): warned of, and run — a rename and a new value
        # of this account's deals read the same; the whole export (owner, stage too) is
        # refused (test_update_is_refused_without_yes_when_the_plan_warns)
        code, out = plan("other.csv", foreign, command=("update",))
        assert code == 0 and "WARNING: foreign ids? 7 of 8 rows" in out, out
        assert "the update runs" in out and "pdbulk undo JOB" in out, out
        assert all(sb.state.deals.rows[i]["title"] == there.deals.rows[i]["title"]
                   for i in here if there.deals.rows[i]["title"] != here[i]["title"])
        for i, d in here.items():  # this account's deals again, for what follows
            sb.state.deals.rows[i].update(title=d["title"], value=d["value"])
        eur = [f"{i},{d['title']} (EU),{round(d['value'] * 0.92)},EUR" for i, d in here.items()]
        code, out = plan("eur.csv", eur, state="eur")
        assert code == 0 and "foreign ids" not in out, out
        own = [f"{i},{d['title']},{d['value']},{d['currency']}" for i, d in here.items()]
        assert plan("own.csv", own, state="kept")[0] == 0  # the file's values: a base
        for i in here:  # a colleague re-values every deal since
            sb.state.deals.rows[i]["value"] = here[i]["value"] + 5000
        renamed = [f"{i},{d['title']} (2027),{d['value']},{d['currency']}"
                   for i, d in here.items()]
        code, out = plan("renamed.csv", renamed, state="kept")
        assert code == 0 and "foreign ids" not in out and "kept (not sent" in out, out
        retitled = [f"{i},Renewal {chr(64 + i)},{d['value']},{d['currency']}"
                    for i, d in here.items()]  # a new naming scheme: the value is kept
        code, out = plan("retitled.csv", retitled, state="kept")
        assert code == 0 and "foreign ids" not in out and "kept (not sent" in out, out
