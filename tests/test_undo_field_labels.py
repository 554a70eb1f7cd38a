"""x18r1 7 / x18r4 5: `pdbulk undo` named custom fields by their 40-character key ("a3f9…:
…"): it never read the account's deal fields. Now the undo plan reads them once (one
getDealFields, priced in the plan) and every message of the undo names them by label."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from bulk.sandbox import Sandbox, SandboxConfig
from bulk.store import JobStore
from jobs.deals import drifted, in_flight, stored_labels
from pdbulk.cli import app
from tests.import_support import read_csv
from tests.test_update import write_csv
from tests.update_support import cli_args, deal, threaded_sandbox

MAPPING = """
version = 1
[update]
id_column = "Deal"
[custom_fields]
"Discount" = "Source"
"""


def _code(sb: Sandbox, name: str) -> str:
    return next(str(f["field_code"]) for f in sb.state.fields.values()
                if f["field_name"] == name)


def _run(sb: Sandbox, *args: str) -> Any:
    res = CliRunner().invoke(app, list(args), env={**os.environ,
                                                   "PIPEDRIVE_API_TOKEN": sb.token})
    assert "Traceback" not in res.output and sb.token not in res.output, res.output
    return res


def test_undo_names_a_custom_field_a_colleague_edited_by_its_label(tmp_path: Path) -> None:
    """The conflict, the restored rows' fields and the plan all say "Discount", never the
    field's key; the plan's tokens stay what the undo spends (its field read included)."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=40, seed=35)) as sb:
        jobs = tmp_path / "jobs"
        code = _code(sb, "Discount")
        ids = sorted(i for i, d in sb.state.deals.rows.items()
                     if d["status"] == "open" and not d["is_deleted"]
                     and not d.get("is_archived"))[:3]
        manifest = write_csv(tmp_path / "rows.csv", [{"Deal": i, "Source": f"{n + 5}.5"}
                                                     for n, i in enumerate(ids)])
        (tmp_path / "map.toml").write_text(MAPPING)
        done = _run(sb, "update", str(manifest), "-m", str(tmp_path / "map.toml"), "--yes",
                    *cli_args(sb, jobs))
        assert done.exit_code == 0, done.output
        (job,) = jobs.iterdir()
        with JobStore.open(job, lock=False) as update:  # the update's own conflicts too
            assert stored_labels(update) == {code: "Discount"}
        edited = ids[0]  # a colleague sets the field the job wrote to another value
        sb.state.save("deal", {**deal(sb, edited),
                               "custom_fields": {**(deal(sb, edited)["custom_fields"] or {}),
                                                 code: 99.25},
                               "update_time": "2031-01-01T00:00:00Z"})
        before = int(sb.stats()["tokens_spent"])
        undone = _run(sb, "undo", job.name, "--yes", *cli_args(sb, jobs))
        assert undone.exit_code == 3, undone.output
        spent = int(sb.stats()["tokens_spent"]) - before
        assert code not in undone.output, undone.output
        undo_dir = next(p for p in jobs.iterdir() if "undo" in p.name)
        (conflict,) = read_csv(undo_dir / "failed.csv")
        assert "Discount" in conflict["reason"] and code not in conflict["reason"], conflict
        restored = read_csv(undo_dir / "succeeded.csv")
        assert restored and all(r["fields"] == "Discount" for r in restored), restored
        planned = re.findall(r"^tokens: ([\d,]+) —", undone.output, re.M)
        assert planned and int(planned[0].replace(",", "")) == spent, undone.output


def test_drift_messages_name_custom_fields_by_label() -> None:
    """``drifted`` / ``in_flight`` (the update's and undo's conflicts) take the labels; a
    field gone from the account keeps its key."""
    image = {"fields": {}, "custom_fields": {"a" * 40: "Event", "b" * 40: 1}}
    now = {"custom_fields": {"a" * 40: "Referral", "b" * 40: 2}}
    text = drifted(now, image, {}, {"a" * 40: "Lead source"})
    assert text.startswith("Lead source: 'Event' then") and "b" * 40 in text
    _, detail = in_flight(now, image, {"custom_fields": {"a" * 40: "Partner"}},
                          labels={"a" * 40: "Lead source"})
    assert "Lead source" in detail and "a" * 40 not in detail
