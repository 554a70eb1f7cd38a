"""The record of past writes (``jobs.last_written``) after an undo, round 3 (x51r3).

F1: a deal the undo refused because a later job of this folder wrote it since ("changed by
job U2 since; left alone", nothing sent) still holds the undone job's other writes: their
base stays that write, and the later job's bases are untouched (before: an undo that also
put back other deals rebased the refused deal too, so the same import file kept the undone
update's values, "changed in Pipedrive since … kept", 0 of 70 fields written, and said
"changed both" of the later job's own amount). A colleague's edit of every group (a
conflict) is rebased even when the undo restores no other deal (before: only then).
F3: an undo whose end never ran (kill -9) and that is not resumed: each deal it settled
gave the record its share as it settled (before: only the undo's end did, and the import
wrote the file over the colleague's values the undo had kept, 10 of 10). F2: the same
update file re-run after its undo left a colleague's values: a field the import wrote
first and one the update wrote first both take the file's value, said "changed both"
(before: the second kept, unsaid)."""

from __future__ import annotations

import re
import urllib.request
from pathlib import Path
from typing import Any

import orjson
import pytest

import jobs.undo.job as undo_job
from tests.import_support import read_csv
from tests.sandbox_helpers import ThreadedSandbox
from tests.test_undo_restores_base import CONFIG, _custom, _patch, _run

IMPORT = """version = 1
[import]
key_column = "Ref"
key_field = "Import source key"
mode = "upsert"
[defaults]
decimal = "."
[deal]
title = "Title"
value = "Value"
currency = "Currency"
[custom_fields]
"Lead source" = "Source"
"External ID" = "External"
"""
UPDATE = """version = 1
[update]
id_column = "Deal"
[defaults]
decimal = "."
[deal]
value = "Value"
currency = "Currency"
[custom_fields]
"Lead source" = "Source"
"External ID" = "External"
"""
LATER = """version = 1
[update]
id_column = "Deal"
[defaults]
decimal = "."
[deal]
value = "Value"
"""
KEYS = ("K1", "K2", "K3")


def _start(sb: Any, tmp: Path) -> tuple[Path, Path, dict[str, int]]:
    """Import K1..K3 (value 1000 USD, Website, EXT-1); returns (jobs, the file, ids)."""
    jobs = tmp / "jobs"
    for name, text in (("m.toml", IMPORT), ("u.toml", UPDATE), ("l.toml", LATER)):
        (tmp / name).write_text(text)
    source = tmp / "import.csv"
    source.write_text("Ref,Title,Value,Currency,Source,External\n" + "".join(
        f"{k},Deal {k},1000,USD,Website,EXT-1\n" for k in KEYS))
    _run(sb, jobs, "import", str(source), "-m", str(tmp / "m.toml"), "--create-key-field")
    ids = {k: d["id"] for k in KEYS for d in sb.state.deals.rows.values()
           if d["title"] == f"Deal {k}"}
    return jobs, source, ids


def _update(sb: Any, jobs: Path, tmp: Path, rows: str, name: str = "update.csv",
            mapping: str = "u.toml", head: str = "Deal,Value,Currency,Source,External") -> str:
    (tmp / name).write_text(f"{head}\n{rows}")
    out = _run(sb, jobs, "update", str(tmp / name), "-m", str(tmp / mapping), "--yes")
    return re.findall(r"job (\S+-update-\w+)", out)[0]


def _patch_deal(sb: Any, deal_id: int, body: dict[str, Any]) -> None:
    """A colleague's edit of a deal's own fields in Pipedrive (over HTTP)."""
    ask = urllib.request.Request(
        f"{sb.url}/api/v2/deals/{deal_id}", method="PATCH", data=orjson.dumps(body),
        headers={"authorization": f"Bearer {sb.token}", "content-type": "application/json"})
    with urllib.request.urlopen(ask, timeout=10) as answer:
        assert answer.status == 200


def _money(sb: Any, deal_id: int) -> tuple[Any, Any]:
    deal = sb.state.deals.rows[deal_id]
    return deal["value"], deal["currency"]


def test_a_deal_refused_for_a_later_jobs_write_keeps_its_record(tmp_path: Path) -> None:
    """Import → U1 (every field, K1..K3) → U2 (K1's amount alone) → undo U1 (K2, K3 put
    back; K1 refused: "changed by job U2 since") → the same import file writes K1 whole:
    U1's Lead source / External ID still stand (their base U1's: undone), U2's amount is
    U2's correction over U1's base, the file's amount another: changed on both sides,
    written and said naming U2 (x52r10 F1: an update's write is no base of the file's)."""
    with ThreadedSandbox(CONFIG) as sb:
        jobs, source, ids = _start(sb, tmp_path)
        imported = _custom(sb)
        u1 = _update(sb, jobs, tmp_path, "".join(
            f"{ids[k]},2000,EUR,Referral,EXT-2\n" for k in KEYS))
        u2 = _update(sb, jobs, tmp_path, f"{ids['K1']},3100\n", "later.csv", "l.toml",
                     "Deal,Value")
        undone = _run(sb, jobs, "undo", u1, "--yes")
        assert _custom(sb)["K1"]["Lead source"] == "Referral", undone
        assert _custom(sb)["K2"] == imported["K2"], undone
        again = _run(sb, jobs, "import", str(source), "-m", str(tmp_path / "m.toml"),
                     "--yes")
        after = _custom(sb)
        money = _money(sb, ids["K1"])
    assert after == imported, (after, again)
    assert money == (1000, "USD"), (money, again)
    assert "changed in Pipedrive since" not in again, again
    folder = re.findall(r"succeeded: (\S+)", again)[-1]
    notes = {r["key"]: r["note"] for r in read_csv(Path(folder))}
    assert f"changed both by pdbulk update {u2} and in the file" in notes["K1"], notes
    assert not notes["K2"] and not notes["K3"], notes


def test_a_lone_conflict_is_rebased_without_a_restore(tmp_path: Path) -> None:
    """Import → update K1 → a colleague changes every field the update wrote → undo (K1 a
    conflict, nothing restored) → the same import file keeps the colleague's values (before:
    the rebase ran only when the undo restored or deleted a deal: written over them)."""
    with ThreadedSandbox(CONFIG) as sb:
        jobs, source, ids = _start(sb, tmp_path)
        u1 = _update(sb, jobs, tmp_path, f"{ids['K1']},,,Referral,EXT-2\n")
        _patch(sb, ids["K1"], {"Lead source": "Event", "External ID": "THEIRS"})
        undone = _run(sb, jobs, "undo", u1, "--yes")
        assert "1 conflict" in undone, undone
        again = _run(sb, jobs, "import", str(source), "-m", str(tmp_path / "m.toml"),
                     "--yes")
        after = _custom(sb)
    assert after["K1"]["Lead source"] == "Event", (after, again)
    assert after["K1"]["External ID"] == "THEIRS", (after, again)


def test_an_undo_whose_end_never_ran_gave_each_deal_its_base(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Import → update K1..K3 → a colleague's Lead source on each → undo, its end cut off
    (as by kill -9: ``forget_written`` never runs) → the same import file keeps the
    colleague's values the undo kept: each row settled its deal's record as it settled
    (before: written over them, "changed both", 3 of 3)."""
    with ThreadedSandbox(CONFIG) as sb:
        jobs, source, ids = _start(sb, tmp_path)
        u1 = _update(sb, jobs, tmp_path, "".join(
            f"{ids[k]},2000,EUR,Referral,EXT-2\n" for k in KEYS))
        for k in KEYS:
            _patch(sb, ids[k], {"Lead source": "Event"})
        with monkeypatch.context() as cut:
            cut.setattr(undo_job, "forget_written", lambda store: None)
            undone = _run(sb, jobs, "undo", u1, "--yes")
        assert "restored in part" in undone or "in part" in undone, undone
        again = _run(sb, jobs, "import", str(source), "-m", str(tmp_path / "m.toml"),
                     "--yes")
        after = _custom(sb)
    assert all(after[k]["Lead source"] == "Event" for k in KEYS), (after, again)
    assert all(after[k]["External ID"] == "EXT-1" for k in KEYS), (after, again)


def test_the_undone_update_again_treats_both_kinds_of_field_alike(tmp_path: Path) -> None:
    """Import (Lead source) → update (Lead source and the amount, which the import left
    blank on K1) → a colleague sets both on K1 → undo (the colleague's kept) → the same update
    file again: both fields take the file's value, each said "changed both" (before: Lead
    source written, the amount — the update's first write — kept, unsaid)."""
    with ThreadedSandbox(CONFIG) as sb:
        jobs = tmp_path / "jobs"
        for name, text in (("m.toml", IMPORT), ("u.toml", UPDATE)):
            (tmp_path / name).write_text(text)
        source = tmp_path / "import.csv"
        source.write_text("Ref,Title,Value,Currency,Source,External\n"
                          "K1,Deal K1,,,Website,EXT-1\n")
        _run(sb, jobs, "import", str(source), "-m", str(tmp_path / "m.toml"),
             "--create-key-field")
        deal = next(d["id"] for d in sb.state.deals.rows.values() if d["title"] == "Deal K1")
        update = tmp_path / "update.csv"
        u1 = _update(sb, jobs, tmp_path, f"{deal},2000,EUR,Referral,EXT-1\n")
        _patch(sb, deal, {"Lead source": "Event"})
        _patch_deal(sb, deal, {"value": 777})
        undone = _run(sb, jobs, "undo", u1, "--yes")
        assert _custom(sb)["K1"]["Lead source"] == "Event", undone
        again = _run(sb, jobs, "update", str(update), "-m", str(tmp_path / "u.toml"),
                     "--yes")
        after = _custom(sb)["K1"]
        money = _money(sb, deal)
    assert after["Lead source"] == "Referral", (after, again)
    assert "2 fields written over a change made there too" in again, again
    assert money == (2000, "EUR"), (money, again)
    assert "changed in Pipedrive since" not in again, again
