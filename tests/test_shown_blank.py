"""A blank text in a message (``jobs.deals.shown``): said ``(blank)``, never a quoted run of
spaces (x51r3 F5: plan undo's conflict list showed "(87, 6,000.50, 5,000, '          ',
2027-03-01, …)": ten spaces between an amount and a date)."""

from __future__ import annotations

from jobs.deals import shown
from jobs.plan_reasons import cell_values
from jobs.undo.plan import _changed_since


def test_a_blank_text_is_said_blank() -> None:
    for blank in ("", " ", "          ", "\t \n"):
        assert shown("custom_fields.abc", blank, None) == "(blank)", blank
        assert shown("title", blank, {}) == "(blank)", blank
    assert shown("title", " a ", None) == "' a '"  # text around spaces: as before



def test_an_emptied_value_is_said_empty() -> None:
    """x51r12 F3 (blank12.py): an emptied text, a list or amount with nothing in it read
    ``None`` / ``[]`` in undo's conflicts ("XMemo: job's 'memo two', now None"): said
    ``(empty)``, as a blank text is said ``(blank)``."""
    for empty in (None, [], {}, {"value": None, "currency": None}):
        assert shown("custom_fields.abc", empty, None) == "(empty)", empty
        assert shown("title", empty, {}) == "(empty)", empty
        assert shown("person_id", empty, {}) == "(empty)", empty
    assert shown("custom_fields.m", {"value": None, "currency": "EUR"}, None) == \
        "EUR (no amount)"
    deal = {"id": 87, "custom_fields": {"m": None}}
    said = _changed_since(deal, {"custom_fields": {"m": "memo two"}}, {"m": "XMemo"})
    assert said == "XMemo: job's 'memo two', now (empty)", said
    assert cell_values(f"conflict: deal 87 changed since the job wrote it ({said})") == [
        "87", "'memo two'"]


def test_a_conflicts_own_values_name_no_run_of_spaces() -> None:
    reason = (f"conflict: deal 87 changed since the job wrote it (Memo: job's "
              f"{shown('custom_fields.m', '          ', None)}, now 'their memo')")
    assert "'          '" not in reason, reason
    assert cell_values(reason) == ["87", "'their memo'"], cell_values(reason)
