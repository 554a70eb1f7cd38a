"""An update's row notes name what a person sees in Pipedrive (x48r2 F5): an option
field's value changed since the plan by its label (``Lead source changed in Pipedrive
since the plan (Cold call)``, not ``(4)``), a kept owner as ``owner`` (as the other note
says it), not ``owner_id``, and a kept stage by its name (``stage (Sales U+203A Won)``)."""

from __future__ import annotations

from jobs.catalog import Catalog, DealField, Option, Pipeline, Stage, User
from jobs.last_written import CUSTOM, digest, three_way
from jobs.update_edits import _moved_note, note_labels, row_note

CODE = "a" * 40
CATALOG = Catalog(
    pipelines=(Pipeline(1, "Sales"), Pipeline(2, "Partners")),
    stages=(Stage(3, "Qualified", 1), Stage(7, "Won", 1), Stage(9, "Lead In", 2)),
    users=(User(10, "Ann Lee"), User(11, "Priya Nair")),
    deal_fields=(DealField(CODE, "Lead source", "enum",
                           (Option(4, "Cold call"), Option(5, "Referral")), is_custom=True),
                 DealField("label_ids", "Label", "set", (Option(1, "Hot"), Option(2, "Cold")))))


def _note(existing: dict[str, object], changes: dict[str, object],
          base: dict[str, object]) -> str:
    decided = three_way(existing, changes, {k: digest(v) for k, v in base.items()})
    return str(row_note(decided, note_labels(CATALOG)))


def test_an_option_fields_change_since_the_plan_is_said_by_its_label() -> None:
    labels = note_labels(CATALOG)
    said = _moved_note([(CUSTOM + CODE, 4), ("label_ids", [1, 2])], labels)
    assert said is not None
    assert "Lead source changed in Pipedrive since the plan (Cold call)" in said, said
    assert "label_ids changed in Pipedrive since the plan ([Hot, Cold])" in said, said
    assert _moved_note([("owner_id", 11), ("stage_id", 7)], labels) == (
        "owner changed in Pipedrive since the plan (Priya Nair), the file's written; "
        "stage changed in Pipedrive since the plan (Sales \u203a Won), the file's written")


def test_a_kept_owner_is_the_owner_as_the_other_note_says_it() -> None:
    note = _note({"owner_id": 11}, {"owner_id": 10}, {"owner_id": 10})
    assert note.startswith("kept Pipedrive's owner:"), note


def test_a_kept_stage_is_named() -> None:
    note = _note({"stage_id": 7, "pipeline_id": 1, "title": "Colleague's"},
                 {"stage_id": 3, "title": "Old"},
                 {"stage_id": 3, "pipeline_id": 1, "title": "Old"})
    assert note.startswith("kept Pipedrive's stage (Sales \u203a Won), title:"), note


def test_both_sides_changed_name_the_option_and_the_owner() -> None:
    note = _note({"owner_id": 11, "custom_fields": {CODE: 5}},
                 {"owner_id": 10, "custom_fields": {CODE: 4}},
                 {"owner_id": 12, CUSTOM + CODE: 6})
    assert "owner: Priya Nair in Pipedrive, Ann Lee in the file" in note, note
    assert "Lead source: Referral in Pipedrive, Cold call in the file" in note, note
