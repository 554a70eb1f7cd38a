"""An update's load reads this state folder's record (``jobs.last_written``: a SQLite
primary-key read per deal, ~10 µs) off the event loop, a page of deals at a time in a
worker thread, by deal id and by source key alike, and still keeps a colleague's edit.
Before (f47i): each read ran on the loop, 2,000 reads (17-22 ms) on a 2,000-deal plan."""

from __future__ import annotations

import asyncio
import csv
import os
from collections import Counter
from pathlib import Path
from typing import Any
from unittest import mock

import orjson
import pytest
from typer.testing import CliRunner

from bulk.sandbox import SandboxConfig
from jobs.last_written import LastWritten
from pdbulk.cli import app
from tests.update_support import cli_args, threaded_sandbox

BY = {"id": ('id_column = "Deal"', "Deal"),
      "key": ('key_column = "Key"\nkey_field = "External ID"', "Key")}


@pytest.mark.parametrize("by", sorted(BY))
def test_the_record_is_read_off_the_loop_and_an_edit_still_kept(tmp_path: Path,
                                                                 by: str) -> None:
    """Two plans of one export of 30 deals (titles as they are, amounts +1): the first
    records the titles agreed on; a colleague retitles a deal; the second plan keeps that
    title (its note says 1 field of 1 deal kept), and no read of the record ran on the
    event loop (before: 30 of them did)."""
    section, column = BY[by]
    (tmp_path / "m.toml").write_text(f'version = 1\n[update]\n{section}\n'
                                     '[defaults]\ncurrency = "USD"\n'
                                     '[deal]\ntitle = "Title"\nvalue = "Amount"\n')
    reads: Counter[str] = Counter()
    of = LastWritten.of

    def counted(self: LastWritten, deal_id: int, **kw: Any) -> dict[str, str]:
        try:
            asyncio.get_running_loop()
            reads["on the loop"] += 1
        except RuntimeError:
            reads["off the loop"] += 1
        return of(self, deal_id, **kw)

    with threaded_sandbox(SandboxConfig(time_scale=0.02, deals=30, seed=6)) as sb:
        code = next(f["field_code"] for f in sb.state.fields.values()
                    if f["field_name"] == "External ID")
        deals = [d for _, d in sorted(sb.state.deals.rows.items())
                 if not d["is_deleted"] and d["status"] == "open" and not d["is_archived"]
                 and (d.get("custom_fields") or {}).get(code)]
        with open(tmp_path / "rows.csv", "w", newline="") as f:
            out = csv.writer(f)
            out.writerow([column, "Title", "Amount"])
            for d in deals:
                out.writerow([d["id"] if by == "id" else d["custom_fields"][code], d["title"],
                              (d["value"] or 0) + 1])
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        args = ["plan", "update", str(tmp_path / "rows.csv"), "-m", str(tmp_path / "m.toml"),
                "--json", *cli_args(sb, tmp_path / "jobs")]
        first = CliRunner().invoke(app, args, env=env)
        assert first.exit_code == 0, first.output
        edited = deals[3]["id"]
        sb.state.deals.rows[edited] = {**sb.state.deals.rows[edited], "title": "colleague's"}
        with mock.patch.object(LastWritten, "of", counted):
            second = CliRunner().invoke(app, args, env=env)
        assert second.exit_code == 0, second.output
        notes = " ".join(orjson.loads(second.stdout).get("notes") or [])
        assert "1 field of 1 deal changed in Pipedrive" in notes, notes
        assert reads == {"off the loop": len(deals)}, reads
