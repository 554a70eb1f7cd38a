"""A create in doubt that the job's claims prove its own is the job's row after a
value-only edit of the mapping: counted created, with the values of the run that sent it
(x46r8 F3: an 80-row import killed, `title` edited, resumed — 2 in-doubt rows the killed
run had created failed "conflict: deal 225 carries key … its title is not this row's …
this job's create changed since, or another's deal", exit 3, though plan undo would
delete them and retry said `exists`)."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from bulk.sandbox import SandboxConfig
from bulk.sandbox.config import Faults
from bulk.store import ItemState, JobStore
from jobs.demo_data import write_demo_export
from pdbulk.cli import app
from tests.sandbox_helpers import ThreadedSandbox, kill_mid_run

TITLE = 'title = "{Company} \u2013 {Deal Name}"'  # the demo mapping's (an en dash)


def _key(deal: dict[str, Any], code: str) -> Any:
    """The deal's key (its custom field ``code``), None when it has none."""
    value = (deal.get("custom_fields") or {}).get(code)
    return value.get("value") if isinstance(value, dict) else value


def test_a_create_in_doubt_sent_before_a_mapping_edit_is_counted_created(
        tmp_path: Path) -> None:
    """An insert killed with creates in doubt (answers lost, some applied), the mapping's
    title edited; the resume counts each applied one created (a note says under the mapping
    before the edit), none a conflict, and no key has two deals."""
    export = write_demo_export(tmp_path / "in", rows=60, broken=0, unknown_stage=0)
    config = SandboxConfig(plan="ultimate", seed=5, faults=Faults(
        latency_ms=150.0, lost_response_rate=0.7, only_operations=frozenset({"addDeal"})))
    jobs = tmp_path / "jobs"
    export.mapping.write_text(export.mapping.read_text().replace('mode = "upsert"',
                                                                 'mode = "insert"'))
    with ThreadedSandbox(config) as box:
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": box.token}
        kill_mid_run(box, ["import", str(export.manifest), "-m", str(export.mapping),
                           "--url", box.url, "--plan", "ultimate", "--job-dir", str(jobs),
                           "--create-key-field"], operation="addDeal", applied=12, poll=0.01)
        (job,) = [p for p in jobs.iterdir() if p.is_dir()]
        key_field = next(code for code, f in box.state.fields.items()
                         if f["field_name"] == "Import source key")
        deals = [d for d in box.state.deals.rows.values() if not d["is_deleted"]]
        keyed = {_key(d, key_field) for d in deals}
        with JobStore.open(job, lock=False) as store:
            doubt = [i for i in store.items(ItemState.SENDING) if i.op == "create"]
            landed = {i.id for i in doubt if i.key in keyed}
        assert landed, [i.key for i in doubt]  # some creates in doubt were applied
        text = export.mapping.read_text()
        assert TITLE in text
        export.mapping.write_text(text.replace(TITLE, TITLE[:-1] + ' (edited)"'))
        box.set_faults(Faults())
        res = CliRunner().invoke(app, ["resume", job.name, "--job-dir", str(jobs)], env=env)
        assert "Traceback" not in res.output, res.output
        assert "this job's create changed since" not in res.output, res.output
        assert res.exit_code == 0, res.output
        with JobStore.open(job, lock=False) as store:
            for item in store.items():
                if item.id in landed:
                    assert item.state is ItemState.DONE, (item.state, item.error)
                    assert (item.result or {}).get("action") == "created", item.result
                    assert "before the mapping edit" in (item.result or {}).get("note", ""), item.result
        keys = Counter(_key(d, key_field) for d in box.state.deals.rows.values()
                       if not d["is_deleted"] and _key(d, key_field))
        assert max(keys.values()) == 1, keys.most_common(3)
