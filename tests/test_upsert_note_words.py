"""An upsert's row notes call fields as the update's notes do (x50r10 F5: "Pipedrive's
value kept, not sent (value, stage_id, person_id)"), an option's label that holds a comma
is quoted (x50r10 F4: "Tier: Gold, legacy in Pipedrive, Silver in the file" read as two
fields), and a note made at run time (a deal found under its key's claim) names options
by label as the load's notes do (``deals.record_labels``: before, the run's labels held
option labels under the bare code, the comparison named the field ``custom_fields.<code>``,
and the note said the option's id)."""

from __future__ import annotations

from typing import Any

from jobs.deals import META_FIELD_LABELS, META_VALUE_LABELS, record_labels, shown, value_key
from jobs.import_rows import edited_note
from jobs.last_written import ThreeWay

CODE = "a" * 40  # a custom field's key, as Pipedrive gives them


class _Meta:
    """A job store's meta, as ``stored_labels`` reads it."""

    def __init__(self, meta: dict[str, Any]) -> None:
        self.meta = meta

    def meta_get(self, key: str) -> Any:
        return self.meta.get(key)


def test_a_kept_note_calls_fields_by_their_words_and_groups() -> None:
    kept = ThreeWay(changes={}, kept=(("value", 5, 9), ("currency", "EUR", "EUR"),
                                      ("person_id", 3, 4), ("org_id", 7, 8),
                                      ("title", "a", "b")))
    note = edited_note(kept, {}) or ""
    assert "(amount with its currency, person, organization, title)" in note, note
    for raw in ("value", "person_id", "org_id", "currency,"):
        assert f"({raw}" not in note and f" {raw}," not in note, (raw, note)


def test_a_both_sides_note_names_the_field_and_quotes_a_label_with_a_comma() -> None:
    field = "custom_fields." + CODE
    labels = {CODE: "Tier", value_key(field, 1): "Gold, legacy", value_key(field, 2): "Silver"}
    note = edited_note(ThreeWay(changes={field: 2}, both=((field, 1, 2),)), labels) or ""
    assert "(Tier: 'Gold, legacy' in Pipedrive, Silver in the file)" in note, note
    assert shown(field, 2, labels) == "Silver"


def test_the_runs_labels_name_a_custom_fields_options_as_the_comparison_names_it() -> None:
    store = _Meta({META_FIELD_LABELS: {CODE: "Tier"},
                   META_VALUE_LABELS: {CODE: {"1": "Gold", "2": "Silver"},
                                       "stage_id": {"4": "Sales > Won"}}})
    labels = record_labels(store)  # type: ignore[arg-type]
    field = "custom_fields." + CODE
    note = edited_note(ThreeWay(changes={field: 2}, both=((field, 1, 2),)), labels) or ""
    assert "Tier: Gold in Pipedrive, Silver in the file" in note, note
    # the deal's own fields keep their keys; no prefixed twin of a stage's names
    assert labels[value_key("stage_id", 4)] == "Sales > Won"
    assert value_key("custom_fields.stage_id", 4) not in labels
