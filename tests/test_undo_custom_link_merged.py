"""A restore that would put back a person / organization custom field whose person /
organization was merged away since the job puts it back to the merge's survivor, as it
does a deal's own person / organization (f39b: the field was left as the job wrote it,
"deleted since"); one deleted (no survivor) or answered 404 is still left."""

from __future__ import annotations

from collections import Counter

from jobs.undo.dead_links import _Account, _gone, _left

CHAMP, ACCOUNT = "c" * 40, "a" * 40
FIELDS = {CHAMP: {"field_code": CHAMP, "field_type": "people", "field_name": "Champion"},
          ACCOUNT: {"field_code": ACCOUNT, "field_type": "org", "field_name": "Account"}}


def _now(missing: set[tuple[str, int]] | None = None) -> _Account:
    return _Account(gone={"person": {12}, "org": {7}}, into={"person": {12: 15}, "org": {7: 9}},
                    missing=missing or set(), fields=FIELDS, calls=Counter())


def test_a_person_and_an_organization_field_merged_away_are_put_back_as_the_survivor(
        ) -> None:
    """Champion's person 12 merged into 15, Account's organization 7 into 9: both fields are
    put back as the survivors, with the value, each said in the note."""
    changes = {"value": 100, "currency": "EUR",
               "custom_fields": {CHAMP: 12, ACCOUNT: 7}}
    body, note = _left(changes, _gone(changes, _now()), {CHAMP: "Champion",
                                                         ACCOUNT: "Account"})
    assert body["custom_fields"] == {CHAMP: 15, ACCOUNT: 9}, body
    assert body["value"] == 100, body
    assert "its Champion person 12 before the job was merged into person 15 since: the " \
        "field is put back to person 15" in note, note
    assert "its Account organization 7 before the job was merged into organization 9" \
        in note, note


def test_a_field_whose_person_is_gone_with_no_survivor_is_still_left() -> None:
    """Person 12 answered 404 (deleted or merged, no second to trace): left as before."""
    changes = {"value": 100, "custom_fields": {CHAMP: 12}}
    body, note = _left(changes, _gone(changes, _now({("person", 12)})), {CHAMP: "Champion"})
    assert CHAMP not in (body.get("custom_fields") or {}), body
    assert "is gone since" in note, note
