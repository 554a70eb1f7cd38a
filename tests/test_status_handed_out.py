"""x44r7 F4: after a kill, rows a run had marked SENDING by the batch but never sent read
"in doubt" (41 where the server had received 0-14). ``pdbulk status`` keeps them in doubt
(a resume reads each back: exactly once) and says how many of them the ledger proves
were at most sent: the rest were handed out, maybe never sent."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from bulk.store import ItemState, JobStore, NewItem
from jobs.results import handed_words
from pdbulk.cli import app


def test_the_bound_is_the_ledgers_write_calls_without_an_answer() -> None:
    line = handed_words(41, {"addDeal": 70, "getDeals": 10})  # 14 addDeal calls
    assert line is not None and "at most 14 write(s)" in line and "at least 27" in line
    assert "reads every one back" in line
    assert handed_words(3, {"addDeal": 15}) is None  # as many writes as rows: no bound
    assert handed_words(0, {}) is None
    assert handed_words(2, {"noSuchOperation": 5}) is None


def test_status_says_rows_handed_out_and_keeps_them_in_doubt(tmp_path: Path) -> None:
    store = JobStore.create(tmp_path / "j1", job_id="j1", kind="update", config={})
    try:
        store.add_items(NewItem(row=n, key=f"k{n}", op="update", payload={},
                                state=ItemState.PENDING) for n in range(5))
        ids = [i.id for i in store.items(ItemState.PENDING)]
        store.mark_sending(ids, 0.0)
        store.set_status("running")
    finally:
        store.close()
    ran = CliRunner().invoke(app, ["status", "j1", "--job-dir", str(tmp_path)])
    assert ran.exit_code == 0, ran.output
    assert "in doubt 5" in ran.output or "in doubt: 5" in ran.output, ran.output
    assert "at least 5 of them were handed out, maybe never sent" in ran.output, ran.output
