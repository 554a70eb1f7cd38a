"""A query's note shows an invisible character of its values (x51r4 F6: ``--stage``
``Won\\u200b`` was echoed ``stage=Won``, the character unseen)."""

from __future__ import annotations

from jobs.selection import DealQuery


def test_an_invisible_character_is_shown_in_the_note() -> None:
    assert DealQuery(stage="Won\u200b", status="open").describe() == \
        "stage='Won\\u200b', status=open"
    assert DealQuery(stage="EU \u203a Won").describe() == "stage=EU \u203a Won"
