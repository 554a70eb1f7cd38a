"""After an undo, the state folder's record of what this folder wrote (``jobs.last_written``)
holds, for each field the undo put back or left, what it held BEFORE the undone job — the
job's before-image — not the undone job's own write (x50r5 F1: import Tier=Gold, update
Tier=Silver, a colleague sets Bronze, the undo keeps Bronze; the same, unchanged import file
then wrote Gold over Bronze, "changed both in Pipedrive and in the file": the base was still
the undone update's Silver; 121 of 121 colleague edits overwritten). Every field kind the
import writes, a conflict the undo kept and a field it put back alike."""

from __future__ import annotations

import re
import urllib.request
from pathlib import Path
from typing import Any

import orjson

from bulk.sandbox import Sandbox, SandboxConfig
from jobs.last_written import UNKNOWN, three_way
from tests.sandbox_helpers import ThreadedSandbox
from tests.test_plan_tokens import TOKEN, cli, engine

CONFIG = SandboxConfig(plan="ultimate", auth="oauth", token=TOKEN, deals=0, seed=5)
IMPORT = """version = 1
[import]
key_column = "Ref"
key_field = "Import source key"
mode = "upsert"
[defaults]
decimal = "."
[deal]
title = "Title"
[custom_fields]
"Lead source" = "Source"
"Products of interest" = "Products"
"Contract value" = "Contract"
"Renewal date" = "Renewal"
"External ID" = "External"
"Discount" = "Discount"
"""
UPDATE = """version = 1
[update]
id_column = "Deal"
[defaults]
decimal = "."
[custom_fields]
"Lead source" = "Source"
"Products of interest" = "Products"
"Contract value" = "Contract"
"Renewal date" = "Renewal"
"External ID" = "External"
"Discount" = "Discount"
"""
HEAD = "Source,Products,Contract,Renewal,External,Discount"
IMPORTED = "Website,CRM;Support,USD 5000,2027-01-15,EXT-1,5"
UPDATED = "Referral,Analytics,USD 7000,2027-03-01,EXT-2,7"
# what a colleague sets afterwards: (field, value in Pipedrive's shape; options by label)
THEIRS: dict[str, Any] = {"Lead source": "Event", "Products of interest": ["Training"],
                          "Contract value": {"value": 5000, "currency": "SEK"},
                          "Renewal date": "2028-08-08", "External ID": "THEIRS",
                          "Discount": 9}
KEYS = ("K1", "K2", "K3")


def _codes(sb: Sandbox) -> dict[str, dict[str, Any]]:
    return {f["field_name"]: f for f in sb.state.fields.values() if f.get("field_name")}


def _patch(sb: Sandbox, deal_id: int, fields: dict[str, Any]) -> None:
    """A colleague's edit in Pipedrive (over HTTP: not this tool); options by label."""
    codes, custom = _codes(sb), {}
    for name, value in fields.items():
        field = codes[name]
        ids = {o["label"]: o["id"] for o in field.get("options") or ()}
        custom[field["field_code"]] = ([ids[v] for v in value] if isinstance(value, list)
                                       else ids.get(value, value) if ids else value)
    ask = urllib.request.Request(
        f"{sb.url}/api/v2/deals/{deal_id}", method="PATCH",
        data=orjson.dumps({"custom_fields": custom}),
        headers={"authorization": f"Bearer {sb.token}", "content-type": "application/json"})
    with urllib.request.urlopen(ask, timeout=10) as answer:
        assert answer.status == 200


def _custom(sb: Sandbox) -> dict[str, dict[str, Any]]:
    """Each live deal's custom fields by key, by field name, options as labels."""
    codes = _codes(sb)
    key = codes["Import source key"]["field_code"]
    out = {}
    for d in sb.state.deals.rows.values():
        if d["is_deleted"]:
            continue
        row = {}
        for name in THEIRS:
            field = codes[name]
            labels = {o["id"]: o["label"] for o in field.get("options") or ()}
            value = d["custom_fields"].get(field["field_code"])
            row[name] = (sorted(labels[v] for v in value) if isinstance(value, list)
                         else labels.get(value, value) if labels else value)
        out[str(d["custom_fields"][key])] = row
    return out


def _run(sb: Sandbox, jobs: Path, *args: str) -> str:
    done = cli(sb, jobs, *args, *engine(sb, jobs))
    assert done.exit_code in (0, 3), done.output
    return str(done.output)


def test_an_undone_updates_fields_get_the_imports_base_back(tmp_path: Path) -> None:
    """Import K1..K3; update every custom field kind on K1, K2; a colleague changes all of
    K1's (the undo keeps them: conflicts); the undo puts K2 back; a colleague then changes
    K2's too. The same, unchanged import file again keeps every colleague value (before:
    K1's written back over them as "changed on both sides", K2's as never written)."""
    jobs = tmp_path / "jobs"
    (tmp_path / "m.toml").write_text(IMPORT)
    (tmp_path / "u.toml").write_text(UPDATE)
    source = tmp_path / "import.csv"
    source.write_text(f"Ref,Title,{HEAD}\n" + "".join(
        f'{k},Deal {k},Website,CRM;Support,"USD 5000",2027-01-15,EXT-1,5\n' for k in KEYS))
    with ThreadedSandbox(CONFIG) as sb:
        _run(sb, jobs, "import", str(source), "-m", str(tmp_path / "m.toml"),
             "--create-key-field")
        imported = _custom(sb)
        ids = {k: d["id"] for k in KEYS for d in sb.state.deals.rows.values()
               if d["title"] == f"Deal {k}"}
        (tmp_path / "update.csv").write_text(
            f"Deal,{HEAD}\n" + "".join(f'{ids[k]},{UPDATED}\n' for k in ("K1", "K2")))
        updated = _run(sb, jobs, "update", str(tmp_path / "update.csv"), "-m",
                       str(tmp_path / "u.toml"), "--yes")
        job = re.findall(r"job (\S+-update-\w+)", updated)[0]
        assert (jobs / job).is_dir(), updated
        _patch(sb, ids["K1"], THEIRS)
        _run(sb, jobs, "undo", job, "--yes")
        after_undo = _custom(sb)
        assert after_undo["K2"] == imported["K2"], after_undo
        assert after_undo["K1"]["Lead source"] == "Event", after_undo
        _patch(sb, ids["K2"], THEIRS)
        again = _run(sb, jobs, "import", str(source), "-m", str(tmp_path / "m.toml"))
        after = _custom(sb)
    theirs = {**THEIRS, "Products of interest": ["Training"]}
    assert after["K1"] == theirs, (after, again)
    assert after["K2"] == theirs, (after, again)
    assert after["K3"] == imported["K3"], after
    assert "changed both in Pipedrive and in the file" not in again, again


def test_an_undone_imports_put_back_fields_get_the_nights_before_base(tmp_path: Path) -> None:
    """Night 1 imports K1..K3, night 2 (the same keys, every custom field changed) updates
    them; the undo of night 2 puts K1..K3 back; a colleague then edits K1. Night 1's file
    again keeps the colleague's values on K1 (before: the fields put back had no base, and
    night 1's values were written over the colleague's) and finds K2, K3 unchanged."""
    jobs = tmp_path / "jobs"
    (tmp_path / "m.toml").write_text(IMPORT)
    night1, night2 = tmp_path / "n1.csv", tmp_path / "n2.csv"
    night1.write_text(f"Ref,Title,{HEAD}\n" + "".join(
        f'{k},Deal {k},Website,CRM;Support,"USD 5000",2027-01-15,EXT-1,5\n' for k in KEYS))
    night2.write_text(f"Ref,Title,{HEAD}\n" + "".join(
        f'{k},Deal {k},Referral,Analytics,"USD 7000",2027-03-01,EXT-2,7\n' for k in KEYS))
    with ThreadedSandbox(CONFIG) as sb:
        _run(sb, jobs, "import", str(night1), "-m", str(tmp_path / "m.toml"),
             "--create-key-field")
        imported = _custom(sb)
        ids = {k: d["id"] for k in KEYS for d in sb.state.deals.rows.values()
               if d["title"] == f"Deal {k}"}
        second = _run(sb, jobs, "import", str(night2), "-m", str(tmp_path / "m.toml"))
        job = re.findall(r"job (\S+-import-\w+)", second)[0]
        _run(sb, jobs, "undo", job, "--yes")
        assert _custom(sb) == imported
        _patch(sb, ids["K1"], THEIRS)
        again = _run(sb, jobs, "import", str(night1), "-m", str(tmp_path / "m.toml"))
        after = _custom(sb)
    assert after["K1"] == THEIRS, (after, again)
    assert {k: after[k] for k in ("K2", "K3")} == {k: imported[k] for k in ("K2", "K3")}
    assert "changed both in Pipedrive and in the file" not in again, again


def test_a_base_not_known_keeps_pipedrives_value() -> None:
    """``last_written.UNKNOWN`` (an undo put back a field its before-image does not hold):
    the file's value reads as unchanged, Pipedrive's as changed — kept, never "changed on
    both sides"."""
    decided = three_way({"title": "Colleague's"}, {"title": "File's"}, {"title": UNKNOWN})
    assert decided.changes == {} and [f for f, _, _ in decided.kept] == ["title"], decided
    assert decided.both == ()
