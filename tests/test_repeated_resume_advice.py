"""x45r4 F1 / F3: an update naming two custom fields, deleted in Pipedrive after its load.
F1: the run stopped after 10 refusals saying "fix the mapping, then resume", but the resume
sent the bodies mapped at the load again (the deleted fields' codes): 10 more refused, exit
4, at every resume. Now the resume checks what its pending rows name first and refuses in
one line, nothing sent, saying what works (a new job with the mapping fixed). F3: only one
of the two fields deleted, the rows naming one or the other in turn: each success restarted
the count, no stop, every row naming it refused (85 of 200). Now it stops after 10. The
sandbox on a short window (time_scale 0.02): no real sleep."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest

from bulk.errors import META_STOP, InputError
from bulk.repeated import REPEATS_TO_STOP, RepeatedRefusal, Repeats
from bulk.sandbox import Sandbox, SandboxConfig, serve
from bulk.store import ItemState
from jobs.account import load_catalog
from jobs.resume_verdict import verdict
from jobs.resuming import resume_job
from jobs.updating import UpdateMapping, prepare_update
from tests.update_support import delta, load_job, requests, run_job

MAPPING = """version = 1
[update]
id_column = "Deal"
[deal]
title = "Title"
[custom_fields]
"FA" = "A"
"FB" = "B"
"""


def _delete(sb: Sandbox, *names: str) -> None:
    fields = sb.state.fields
    for code in [c for c, f in fields.items() if f["field_name"] in names]:
        del fields[code]


async def _stopped(sb: Sandbox, tmp: Path, *deleted: str) -> tuple[Any, Any]:
    """40 deals updated, the rows setting the new text fields 'FA' and 'FB' in turn,
    ``deleted`` gone from the account between the load and the run (one worker): (store,
    result)."""
    path = tmp / "rows.csv"
    text = io.StringIO()
    out = csv.writer(text)
    out.writerow(["Deal", "Title", "A", "B"])
    for n in range(1, 41):
        out.writerow([n, f"T-{n}-new", f"a{n}" if n % 2 else "", "" if n % 2 else f"b{n}"])
    path.write_text(text.getvalue(), encoding="utf-8")
    (tmp / "map.toml").write_text(MAPPING)
    umap = UpdateMapping.load(tmp / "map.toml")

    async def build(s: Any) -> Any:
        for name in ("FA", "FB"):
            await s.ctx.call("addDealField", json={"field_name": name, "field_type": "varchar"})
        return await prepare_update(s.ctx, path, umap, await load_catalog(s.ctx))
    store, _ = await load_job(sb, tmp / "jobs", "update", build, max_workers=1)
    _delete(sb, *deleted)
    return store, await run_job(sb, store)


@pytest.mark.anyio
async def test_a_resume_after_deleted_fields_refuses_saying_what_works(tmp_path: Path) -> None:
    async with serve(SandboxConfig(time_scale=0.02, deals=40, seed=5)) as sb:
        store, result = await _stopped(sb, tmp_path, "FA", "FB")
        assert result.stopped and isinstance(result.error, RepeatedRefusal), result
        said = str(result.error)
        assert "in a row" not in said and "for one cause" in said, said  # F4a
        assert "start a new update job with the mapping fixed" in said, said
        assert store.meta_get(META_STOP)["cause"] == "refused"
        assert store.counts()[ItemState.FAILED] == REPEATS_TO_STOP
        words = verdict(store).words or ""
        assert "refuses" in words and "new update job" in words, words  # status says it
        before = requests(sb)
        with pytest.raises(InputError) as caught:
            await resume_job(store, sb.token)
        line = str(caught.value)
        assert "'FA' no longer exists" in line and "'FB'" in line, line
        assert "start a new update job with the mapping fixed" in line, line
        assert "updateDeal" not in delta(before, requests(sb))  # nothing sent
        assert store.status == "stopped"
        assert store.counts()[ItemState.PENDING] == 40 - REPEATS_TO_STOP
        store.close()


@pytest.mark.anyio
async def test_a_field_deleted_that_half_the_rows_name_stops_the_run(tmp_path: Path) -> None:
    async with serve(SandboxConfig(time_scale=0.02, deals=40, seed=5)) as sb:
        store, result = await _stopped(sb, tmp_path, "FA")
        assert result.stopped and isinstance(result.error, RepeatedRefusal), result
        counts = store.counts()
        assert counts[ItemState.FAILED] == REPEATS_TO_STOP, counts  # before: 20, no stop
        assert counts[ItemState.DONE] >= REPEATS_TO_STOP - 1, counts
        with pytest.raises(InputError) as caught:
            await resume_job(store, sb.token)
        assert "'FA' no longer exists" in str(caught.value)
        store.close()


def test_successes_between_refusals_no_row_value_explains_do_not_hide_them() -> None:
    """x45r4 F3 in the bookkeeping: a refusal citing no row value, a success after each:
    the 10th stops (before: never); the same for one citing a value many rows share (an
    option deleted); 9 rows naming one deleted organization never do."""
    for text, payload in (("400 custom_fields.ab12: is not a custom field (updateDeal)", {}),
                          ("400 option 4711 does not exist (updateDeal)", {"o": 4711})):
        repeats = Repeats(limit=10)
        stops = []
        for _ in range(30):
            stops.append(repeats.refused("update", 400, text, payload))
            repeats.succeeded()
        assert stops.index(next(s for s in stops if s is not None)) == 9, stops
    repeats = Repeats(limit=10)
    for _ in range(9):
        assert repeats.refused("update", 400, "400 organization 4711 not found (updateDeal)",
                               {"org_id": 4711}) is None
        repeats.succeeded()
