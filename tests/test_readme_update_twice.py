"""The README's update section says what an update does with a deal named by two rows,
as the import section and the behaviour do (tests/test_update_repeats.py): other changes
hold both rows, nothing sent; the same changes are one row, the later ``duplicate``
(x32r1 F10: it said "A deal named by two rows fails the second row")."""

from __future__ import annotations

from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_the_update_section_says_both_rows_are_held() -> None:
    text = " ".join(README.read_text(encoding="utf-8").split())
    assert "fails the second row" not in text
    assert ("A deal named by two rows giving other changes holds both (`hold` = "
            "`duplicate-key`, nothing sent for it)") in text
