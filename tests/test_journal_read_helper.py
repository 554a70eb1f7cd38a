"""``bulk.journal.read_journal`` / ``append_journal``: one open / read-or-append / close of
a journal, which ``jobs.deleted_records`` and ``jobs.merged_deals`` each repeated by hand
(the journal left to be closed by every caller, and a new caller free to forget it)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from bulk.coordinator import ENV_COORDINATOR
from bulk.journal import append_journal, read_journal
from jobs import deleted_records, merged_deals


def test_appended_entries_read_back_in_order(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Two appends, then one read: every entry, oldest first; a journal never written
    reads empty."""
    monkeypatch.setenv("PDBULK_STATE_DIR", str(tmp_path))
    monkeypatch.delenv(ENV_COORDINATOR, raising=False)
    assert read_journal("probe") == []
    append_journal("probe", [{"n": 1}, {"n": 2}])
    append_journal("probe", [{"n": 3}])
    assert read_journal("probe") == [{"n": 1}, {"n": 2}, {"n": 3}]


@pytest.mark.parametrize("module", [deleted_records, merged_deals])
def test_the_journal_users_open_none_by_hand(module: object) -> None:
    """Neither module calls ``open_journal`` itself: both go through the helpers."""
    tree = ast.parse(Path(str(getattr(module, "__file__", ""))).read_text(encoding="utf-8"))
    calls = [n.func.id for n in ast.walk(tree)
             if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)]
    assert "open_journal" not in calls
    assert "read_journal" in calls
