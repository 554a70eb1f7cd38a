"""A field kept from Pipedrive only because the state folder's record does not know its
base (``UNKNOWN``: deeper than the record keeps — a fourth stacked undo — or a record an
earlier pdbulk wrote) is said so, never "changed in Pipedrive since" when nobody changed
anything, and counted apart in the end line (x52r5 F2: "20 unchanged; 60 fields kept from
Pipedrive", each row "changed in Pipedrive since this state folder's last … wrote the
file's value"). A field whose known base Pipedrive moved from keeps the old words."""

from __future__ import annotations

from jobs.import_rows import edited_note
from jobs.last_written import UNKNOWN, digest, edited_counts, three_way
from jobs.update_edits import edited_words, row_note


def _decided() -> object:
    """Title and probability: base not known, the file's value the undone one's; amount:
    base 100 written here, a colleague's 250 in Pipedrive, the file's 100."""
    existing = {"title": "Their title", "probability": 40, "value": 250, "currency": "EUR"}
    changes = {"title": "File title", "probability": 60, "value": 100}
    base = {"title": UNKNOWN, "probability": UNKNOWN, "value": digest(100)}
    return three_way(existing, changes, base)


def test_an_update_s_note_says_the_base_is_not_known() -> None:
    """The update's note: the amount "changed in Pipedrive since", the title and the
    probability "its base is not known", each group named once."""
    decided = _decided()
    assert decided.changes == {}  # type: ignore[attr-defined]
    note = row_note(decided, {})  # type: ignore[arg-type]
    assert note is not None
    changed, unknown = note.split("; ")
    assert changed.startswith("kept Pipedrive's amount with its currency: changed in "
                              "Pipedrive since"), note
    assert unknown.startswith("kept Pipedrive's title, probability, not sent: base not known "
                              "(deeper than the record keeps"), note


def test_a_note_with_every_base_unknown_never_says_changed_in_pipedrive() -> None:
    decided = three_way({"title": "T"}, {"title": "File"}, {"title": UNKNOWN})
    for note in (row_note(decided, {}), edited_note(decided, {})):
        assert note is not None and "changed in Pipedrive" not in note, note
        assert "base not known (deeper than the record keeps" in note, note


def test_the_end_line_counts_them_apart() -> None:
    """"3 fields kept from Pipedrive (2 of them with their base not known …)"; all of
    them: "(all of them …)"; none: the words as before."""
    counts = edited_counts([_decided().counts()])  # type: ignore[attr-defined]
    assert edited_words(counts) == ("; 3 fields kept from Pipedrive (2 of them with their "
                                    "base not known: deeper than the record keeps)")
    only = edited_counts([three_way({"title": "T"}, {"title": "F"},
                                    {"title": UNKNOWN}).counts()])
    assert edited_words(only) == ("; 1 field kept from Pipedrive (its base not known: "
                                  "deeper than the record keeps)")
    assert edited_words({**only, "edited_kept": 4, "edited_unknown": 4}) == (
        "; 4 fields kept from Pipedrive (all of them with their base not known: deeper than "
        "the record keeps)")
    known = edited_counts([three_way({"title": "T"}, {"title": "F"},
                                     {"title": digest("F")}).counts()])
    assert edited_words(known) == "; 1 field kept from Pipedrive"
    assert "edited_unknown" not in known


def test_an_import_s_line_counts_them_apart() -> None:
    """The upsert's plan / summary line: the fields kept for a change in Pipedrive and
    those whose base is not known, each said as it is."""
    from jobs.import_load import edited_note as line

    said = line({"edited_kept": 3, "edited_rows": 1, "edited_unknown": 2})
    assert said is not None
    assert said.startswith("1 field of 1 deal changed in Pipedrive since"), said
    assert "2 fields whose base is not known (deeper than the record keeps:" in said, said
    only = line({"edited_kept": 2, "edited_rows": 1, "edited_unknown": 2})
    assert only is not None and "changed in Pipedrive" not in only, only


def test_an_update_s_plan_line_counts_them_apart() -> None:
    """The update's load (``UpdateRecord.rule``) with a base not known: the plan's line
    says so, never "changed in Pipedrive since" (the chain of x52r5 F2, DEPTHN=4: before
    the counts took the new key, the plan ended in KeyError 'unknown')."""
    from jobs.update_edits import UpdateRecord

    record = UpdateRecord("http://127.0.0.1:9", None)
    record._bases[7] = {"title": UNKNOWN}
    record._labels = {}
    ruled = record.rule(7, {"id": 7, "title": "Their title"}, {"title": "File title"},
                        {"title": "File title"}, None)  # type: ignore[arg-type]
    assert ruled.changes == {} and ruled.counts == {"kept": 1, "unknown": 1}
    line = record.plan_note()
    assert line is not None and "changed in Pipedrive" not in line, line
    assert line.startswith("1 field whose base is not known (deeper than the record keeps"), line
