"""init-mapping's ``[defaults] decimal`` proposal checked against the sampled cells it is
for: each amount column's text cells read by the proposed setting as the import reads
them (under ``"auto"``, the column's mark learned from all of them first: ``ColumnDecimal``),
and the proposal withdrawn for a TODO when a cell fails as an ambiguous number (y54r2 F5:
``decimal = "auto"`` was proposed for a column of 727,198 alone, written full-width, and
following it 60 of 60 rows failed "ambiguous number").

Pure: the cells are given; nothing is read from a file.
"""

from __future__ import annotations

from collections.abc import Iterable

from bulk.errors import InputError

from .. import transforms as tf

_AMBIGUOUS = "ambiguous number"


def _read(cell: str, decimal: tf.Decimal_, record: tf.ColumnDecimal | None) -> None:
    """``cell`` read as the import reads an amount or a probability (a percentage by
    ``parse_number``); InputError as they raise it."""
    if tf.percentage(cell) is not None:
        tf.parse_number(cell, decimal=decimal, column=record)
    else:
        tf.parse_money(cell, decimal=decimal, column=record, undecided=True)


def ambiguous_cells(cells: Iterable[str], setting: str) -> tuple[int, int, str] | None:
    """(how many of ``cells`` fail as an ambiguous number under ``decimal = setting``
    (``"auto"``, ``"."`` or ``","``), how many are text with a digit, the first failing
    one) — None when none fails so. Other refusals (``TBD``, an unknown currency) are the
    file's, not the setting's: not counted."""
    decimal: tf.Decimal_ = "," if setting == "," else "." if setting == "." else "auto"
    texts = [c.strip() for c in cells if any(ch.isdigit() for ch in c)]
    record = tf.ColumnDecimal() if decimal == "auto" else None
    if record is not None:  # the import learns the column's mark from every cell first
        record.start()
        for cell in texts:
            try:
                _read(cell, decimal, record)
            except InputError:
                continue
            record.commit()
        record.decide()
    failed = []
    for cell in texts:
        try:
            _read(cell, decimal, record)
        except InputError as exc:
            if exc.reason.startswith(_AMBIGUOUS):
                failed.append(cell)
    return (len(failed), len(texts), failed[0]) if failed else None


__all__ = ["ambiguous_cells"]
