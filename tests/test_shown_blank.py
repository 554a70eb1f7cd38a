"""A blank text in a message (``jobs.deals.shown``): said ``(blank)``, never a quoted run of
spaces (x51r3 F5: plan undo's conflict list showed "(87, 6,000.50, 5,000, '          ',
2027-03-01, …)": ten spaces between an amount and a date)."""

from __future__ import annotations

from jobs.deals import shown
from jobs.plan_reasons import cell_values


def test_a_blank_text_is_said_blank() -> None:
    for blank in ("", " ", "          ", "\t \n"):
        assert shown("custom_fields.abc", blank, None) == "(blank)", blank
        assert shown("title", blank, {}) == "(blank)", blank
    assert shown("title", " a ", None) == "' a '"  # text around spaces: as before
    assert shown("title", None, None) == "None"


def test_a_conflicts_own_values_name_no_run_of_spaces() -> None:
    reason = (f"conflict: deal 87 changed since the job wrote it (Memo: job's "
              f"{shown('custom_fields.m', '          ', None)}, now 'their memo')")
    assert "'          '" not in reason, reason
    assert cell_values(reason) == ["87", "'their memo'"], cell_values(reason)
