"""A starter mapping's choice between a column and its formatted twin (``value`` and
``value_formatted``, ``Amount`` and ``Amount (formatted)``): the plain numbers when the
samples show they are the same amounts, the shown one when the plain column is in cents.

Close writes ``value`` in its API's cents beside ``value_formatted`` as shown (``$1,200``,
``$1,200/mo`` with a period: x9r1, x43r5 F5); other exports write the plain amount. The
samples (a few distinct values per column, not row-aligned) tell which: a shown amount
found among the plain ones is the same unit; found only times 100, cents. With no samples
or nothing shared the shown one stays (x9r1: cents would be imported 100 times over).
Never imports anything: it only picks columns and says why."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from decimal import Decimal

from bulk.errors import InputError

from .. import transforms as tf

# "value_formatted", "value formatted", "Amount (formatted)", "formatted_value"
_FORMATTED = re.compile(r"^(?:formatted (?P<before>.+)|(?P<after>.+?) \(?formatted\)?)$")
# the first amount of a shown cell: "$1,200/mo" → "1,200", "1.200,50 €" → "1.200,50"
_SHOWN_AMOUNT = re.compile(r"\d[\d.,\s'\u00a0]*\d|\d")


def _norm(column: str) -> str:
    return re.sub(r"[\s_\-.]+", " ", tf.norm_key(column)).strip()


def _base(column: str) -> str | None:
    match = _FORMATTED.match(_norm(column))
    if match is None:
        return None
    return (match["before"] or match["after"]).strip()


def _amounts(values: Sequence[str], *, shown: bool) -> set[Decimal] | None:
    """The amounts of ``values``; None when one is not a plain number (``shown``: its first
    amount, whatever surrounds it)."""
    out: set[Decimal] = set()
    for value in values:
        text = str(value).strip()
        if shown:
            found = _SHOWN_AMOUNT.search(text)
            if found is None:
                return None
            text = found[0]
        try:
            number = tf.parse_number(text)
        except InputError:
            return None
        if number is None:
            return None
        out.add(number)
    return out


def plain_twins(header: Sequence[str], guesses: Mapping[str, str],
                samples: Mapping[str, Sequence[str]] | None
                ) -> tuple[dict[str, str], list[str]]:
    """``({target: plain column}, notes)``: for each guessed target whose column is the
    formatted twin of another header column, the plain one when the samples show the same
    amounts in both (``value`` over ``value_formatted``); else a TODO note (a comment
    line) when the plain one reads as cents of the shown one, the shown one kept."""
    taken = set(guesses.values())
    swaps: dict[str, str] = {}
    notes: list[str] = []
    for target, column in guesses.items():
        base = _base(column)
        plain = next((c for c in header if base is not None and _norm(c) == base), None)
        if plain is None or plain in taken or samples is None:
            continue
        plain_values = [str(v).strip() for v in samples.get(plain, ()) if str(v).strip()]
        shown_values = [str(v).strip() for v in samples.get(column, ()) if str(v).strip()]
        numbers = _amounts(plain_values, shown=False) if plain_values else None
        shown = _amounts(shown_values, shown=True) if shown_values else None
        if not numbers or not shown:
            continue
        if numbers & shown:
            swaps[target] = plain
        elif {s * 100 for s in shown} & numbers:
            notes.append(f"# TODO: {column} is the amount as shown; {plain} holds it in cents "
                         f"(its {max(numbers):,} is {max(numbers) / 100:,}): {column} is "
                         "proposed, and a shown amount with a period (\"/mo\") or text "
                         "beside it fails its row: turn those into amounts in the file first")
    return swaps, notes


__all__ = ["plain_twins"]
