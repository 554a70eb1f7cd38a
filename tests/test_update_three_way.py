"""`pdbulk update` of a full export compares three values per field, as the upsert import
does (``jobs.last_written``): what this state folder last wrote or last found the row and
the deal agreeing on (a plan, an import, an update), the deal now and the row — a field
the file did not change since but a colleague did in Pipedrive is kept, not sent; a field
changed on both sides takes the file's value with a note (x46r3 F1: a colleague's new
title and owner, made between `plan update` and `update`, were overwritten by the
export's stale values of columns the user never changed)."""

from __future__ import annotations

import csv
import os
import urllib.request
from pathlib import Path
from typing import Any

import orjson
from typer.testing import CliRunner

from bulk.sandbox import Sandbox, SandboxConfig
from pdbulk.cli import app
from tests.import_support import read_csv
from tests.update_support import cli_args, threaded_sandbox

MAPPING = """
version = 1
[update]
id_column = "Deal - ID"
[defaults]
currency = "USD"
[deal]
title = "Deal - Title"
owner = "Deal - Owner"
value = "Deal - Value"
"""
DEALS = (3, 4, 5)


def _http(sb: Sandbox, method: str, deal_id: int, body: dict[str, Any] | None = None
          ) -> dict[str, Any]:
    """Deal ``deal_id`` over HTTP (GET), or a colleague's edit of it (PATCH): not this tool."""
    ask = urllib.request.Request(
        f"{sb.url}/api/v2/deals/{deal_id}", method=method,
        data=None if body is None else orjson.dumps(body),
        headers={"x-api-token": sb.token, "content-type": "application/json"})
    with urllib.request.urlopen(ask, timeout=10) as answer:
        return dict(orjson.loads(answer.read())["data"])


def _owner_name(sb: Sandbox, user_id: int) -> str:
    return str(sb.state.users[user_id]["name"])


def _export(sb: Sandbox, path: Path, *, titles: dict[int, str] | None = None) -> Path:
    """A full export of ``DEALS`` (id, title, owner by name, value), its value changed by
    the user (+10); ``titles``: titles the user changed too."""
    with open(path, "w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["Deal - ID", "Deal - Title", "Deal - Owner", "Deal - Value"])
        for deal_id in DEALS:
            d = _http(sb, "GET", deal_id)
            out.writerow([deal_id, (titles or {}).get(deal_id, d["title"]),
                          _owner_name(sb, d["owner_id"]), d["value"] + 10])
    return path


def _cli(sb: Sandbox, tmp_path: Path, *args: str) -> Any:
    env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
    return CliRunner().invoke(app, [*args, "--mapping", str(tmp_path / "map.toml"),
                                    *cli_args(sb, tmp_path / "jobs")], env=env)


def _succeeded(tmp_path: Path) -> dict[str, dict[str, str]]:
    job = max((tmp_path / "jobs").iterdir(), key=lambda p: p.stat().st_mtime)
    return {r["key"]: r for r in read_csv(job / "succeeded.csv")}


def test_a_colleagues_edit_between_plan_update_and_update_is_kept(tmp_path: Path) -> None:
    """x46r3 F1: the plan found title and owner as the file has them; a colleague renames
    deal 3 and gives deal 4 another owner; the update keeps both (not sent, said on the
    row) and writes the value the user changed."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=8, seed=7)) as sb:
        (tmp_path / "map.toml").write_text(MAPPING)
        manifest = _export(sb, tmp_path / "export.csv")
        values = {d: _http(sb, "GET", d)["value"] for d in DEALS}
        planned = _cli(sb, tmp_path, "plan", "update", str(manifest), "--json")
        assert planned.exit_code == 0, planned.output
        assert orjson.loads(planned.output)["changed_fields"] == {"value": 3}
        _http(sb, "PATCH", 3, {"title": "Renamed by a colleague"})
        owner = _http(sb, "GET", 4)["owner_id"]
        other = next(u for u in sorted(sb.state.users) if u != owner)
        _http(sb, "PATCH", 4, {"owner_id": other})
        done = _cli(sb, tmp_path, "update", str(manifest), "--yes")
        assert done.exit_code == 0, done.output
        assert _http(sb, "GET", 3)["title"] == "Renamed by a colleague"
        assert _http(sb, "GET", 4)["owner_id"] == other
        assert all(_http(sb, "GET", d)["value"] == values[d] + 10 for d in DEALS)
        rows = _succeeded(tmp_path)
        assert "kept" in rows["3"]["note"] and "title" in rows["3"]["note"], rows["3"]
        assert "not sent" in rows["4"]["note"] and "kept Pipedrive's owner:" in rows["4"]["note"], rows["4"]
        assert rows["3"]["fields"] == "value" and rows["5"]["note"] == "", rows


def test_a_field_changed_in_the_file_and_in_pipedrive_takes_the_files_value(
        tmp_path: Path) -> None:
    """Changed on both sides since the plan found them agreeing: the file's title is
    written (an instruction), its note naming the colleague's value it replaced."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=8, seed=7)) as sb:
        (tmp_path / "map.toml").write_text(MAPPING)
        manifest = _export(sb, tmp_path / "export.csv")
        planned = _cli(sb, tmp_path, "plan", "update", str(manifest))
        assert planned.exit_code == 0, planned.output
        _http(sb, "PATCH", 3, {"title": "Colleague's title"})
        _export(sb, manifest, titles={3: "The file's title"})  # the user edits the file
        done = _cli(sb, tmp_path, "update", str(manifest), "--yes")
        assert done.exit_code == 0, done.output
        assert _http(sb, "GET", 3)["title"] == "The file's title"
        note = _succeeded(tmp_path)["3"]["note"]
        assert "both" in note and "Colleague's title" in note, note


def test_without_an_earlier_plan_or_write_the_file_wins(tmp_path: Path) -> None:
    """No plan, import or update of this state folder saw the deals: the file's values are
    written over a colleague's (today's rule, said in the README)."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=8, seed=7)) as sb:
        (tmp_path / "map.toml").write_text(MAPPING)
        manifest = _export(sb, tmp_path / "export.csv")
        title = _http(sb, "GET", 3)["title"]
        _http(sb, "PATCH", 3, {"title": "Renamed by a colleague"})
        done = _cli(sb, tmp_path, "update", str(manifest), "--yes")
        assert done.exit_code == 0, done.output
        assert _http(sb, "GET", 3)["title"] == title


def test_undo_of_an_update_forgets_what_it_wrote(tmp_path: Path) -> None:
    """An update writes the value; its undo puts the old value back and forgets the write:
    the same file's next update writes the value again (not "kept from Pipedrive"), and a
    colleague's later title edit is still kept (the agreement stays)."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=8, seed=7)) as sb:
        (tmp_path / "map.toml").write_text(MAPPING)
        manifest = _export(sb, tmp_path / "export.csv")
        values = {d: _http(sb, "GET", d)["value"] for d in DEALS}
        done = _cli(sb, tmp_path, "update", str(manifest), "--yes")
        assert done.exit_code == 0, done.output
        (job,) = (tmp_path / "jobs").iterdir()
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        undone = CliRunner().invoke(app, ["undo", job.name, "--yes",
                                          *cli_args(sb, tmp_path / "jobs")], env=env)
        assert undone.exit_code == 0, undone.output
        assert all(_http(sb, "GET", d)["value"] == values[d] for d in DEALS)
        _http(sb, "PATCH", 3, {"title": "Renamed by a colleague"})
        again = _cli(sb, tmp_path, "update", str(manifest), "--yes")
        assert again.exit_code == 0, again.output
        assert all(_http(sb, "GET", d)["value"] == values[d] + 10 for d in DEALS)
        assert _http(sb, "GET", 3)["title"] == "Renamed by a colleague"


def test_an_amount_and_a_currency_changed_on_two_sides_are_written_whole(
        tmp_path: Path) -> None:
    """Field groups as the upsert decides them (x34r1 F1): the file's new amount and a
    colleague's new currency are one group changed on both sides: the file's amount and
    currency are written together, said on the row, never the file's amount in the
    colleague's currency."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=8, seed=7)) as sb:
        (tmp_path / "map.toml").write_text(MAPPING + 'currency = "Deal - Currency"\n')
        d = _http(sb, "GET", 3)
        manifest = tmp_path / "export.csv"
        manifest.write_text("Deal - ID,Deal - Title,Deal - Owner,Deal - Value,Deal - Currency\n"
                            f"3,{d['title']},{_owner_name(sb, d['owner_id'])},"
                            f"{d['value'] + 10},{d['currency']}\n")
        planned = _cli(sb, tmp_path, "plan", "update", str(manifest))
        assert planned.exit_code == 0, planned.output
        other = "EUR" if d["currency"] != "EUR" else "USD"
        _http(sb, "PATCH", 3, {"currency": other})
        done = _cli(sb, tmp_path, "update", str(manifest), "--yes")
        assert done.exit_code == 0, done.output
        now = _http(sb, "GET", 3)
        assert (now["value"], now["currency"]) == (d["value"] + 10, d["currency"])
        note = _succeeded(tmp_path)["3"]["note"]
        assert "an amount with its currency" in note, note


def test_an_observed_agreement_never_replaces_a_later_write() -> None:
    """``last_written.observe`` records a load's agreements; a field this folder wrote
    after the observation keeps that write as its base (the later one wins)."""
    from jobs import last_written

    url = "https://observe.example"
    assert last_written.observe(url, [(7, {"title": "a" * 16, "value": "b" * 16})],
                                at=100.0) == 2
    assert last_written.observe(url, [], at=50.0) == 0
    last_written.observe(url, [(7, {"title": "c" * 16})], at=50.0)  # older: left
    record = last_written.LastWritten.open(url)
    assert record is not None
    try:
        assert record.of(7) == {"title": "a" * 16, "value": "b" * 16}
    finally:
        record.close()
