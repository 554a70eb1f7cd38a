"""A starter mapping's choice between a column and its formatted twin (``value`` and
``value_formatted``, ``Amount`` and ``Amount (formatted)``, ``formatted_value``),
whichever of the two the guesser picked first: the plain numbers when the samples show
they are the same amounts (within the shown rounding), the shown one when the plain
column is in cents, the shown one with a TODO when the samples cannot tell.

Close writes ``value`` in its API's cents beside ``value_formatted`` as shown (``$1,200``,
``$1,200/mo`` with a period: x9r1, x43r5 F5); other exports write the plain amount. The
samples (a few distinct values per column, not row-aligned) tell which: shown amounts
found among the plain ones are the same unit; found only times 100, cents. With no samples
or nothing alike the shown one stays, with a TODO (x9r1: cents would be imported 100 times
over; x44r4 F3: the check once ran only when the formatted one was guessed first, and
``amount`` = 100050 beside ``$1,000.50`` was proposed silently).
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
    """``({target: column}, notes)``: for each guessed target whose column is one of a
    plain / formatted pair of header columns (whichever of the two the guesser picked), the
    column to propose instead, and TODO notes (comment lines):

    - the plain one when its sampled numbers are the shown amounts (within the shown
      rounding: ``1200.4`` is ``$1,200``), no note;
    - the shown one when they are the shown amounts times 100 (cents), a TODO saying so
      (x44r4 F3: ``amount`` 100050 beside ``$1,000.50`` was taken, deals 100 times over);
    - else (no samples, mixed, nothing alike) the shown one, a TODO that it could not tell;
    - never a pair of phone columns (``_phones``: Close's ``contact.phones.phone`` beside
      ``contact.phones.phone_formatted`` was called an amount in cents, z55r1 F6): the
      guesser's column stays, no note.
    Raises nothing."""
    taken = set(guesses.values())
    swaps: dict[str, str] = {}
    notes: list[str] = []
    for target, column in guesses.items():
        pair = _pair(header, column)
        if pair is None or (set(pair) - {column}) & taken:
            continue
        plain, shown = pair
        if _phones(plain, shown, samples):
            continue
        unit = _unit(samples, plain, shown)
        pick = plain if unit == "same" else shown
        if pick != column:
            swaps[target] = pick
        if unit == "cents":
            notes.append(f"# TODO: {shown} is the amount as shown; {plain} holds it in cents "
                         f"(its {_unit_example(samples, plain)}): {shown} is "
                         "proposed, and a shown amount with a period (\"/mo\") or text "
                         "beside it fails its row: turn those into amounts in the file first")
        elif unit is None:
            notes.append(f"# TODO: {shown} is the amount as shown beside {plain}; the samples "
                         f"do not tell whether {plain} holds the same amounts or their cents: "
                         f"{shown} is proposed (cents would import each deal 100 times over); "
                         f"take {plain} only if it holds the amounts themselves")
    return swaps, notes


# the words of a column name saying it holds phone numbers (``contact.phones.phone``,
# ``Mobile Phone (formatted)``, ``fax_formatted``, ``Telefon``)
_PHONE_WORDS = frozenset({"phone", "phones", "telephone", "tel", "fax", "mobile", "mobil",
                          "cell", "cellphone", "telefon", "telefono", "telefone", "handy"})


def _phones(plain: str, shown: str, samples: Mapping[str, Sequence[str]] | None) -> bool:
    """Whether the pair holds phone numbers, not amounts: a name says phone / tel / fax /
    mobile, or half or more of either column's sampled cells read as a phone
    (``tf.phone_numbers``) and not as a number (``+1 555-010-0123``, ``030 1234567
    (work)``; ``100050`` is an amount)."""
    if any(_PHONE_WORDS & set(re.split(r"[^\w]+|_", _norm(c))) for c in (plain, shown)):
        return True
    for column in (plain, shown):
        values = [str(v).strip() for v in (samples or {}).get(column, ()) if str(v).strip()]
        if values and 2 * sum(map(_phone_cell, values)) >= len(values):
            return True
    return False


def _phone_cell(value: str) -> bool:
    try:
        if not tf.phone_numbers(value):
            return False
    except InputError:
        return False
    try:
        return tf.parse_number(value) is None
    except InputError:
        return True


def _pair(header: Sequence[str], column: str) -> tuple[str, str] | None:
    """``(plain, shown)`` when ``column`` is one of a plain column and its formatted twin in
    ``header``, else None."""
    base = _base(column)
    if base is not None:
        plain = next((c for c in header if _norm(c) == base), None)
        return None if plain is None else (plain, column)
    shown = next((c for c in header if c != column and _base(c) == _norm(column)), None)
    return None if shown is None else (column, shown)


def _near(number: Decimal, amount: Decimal) -> bool:
    """Whether ``number`` rounds to the shown ``amount`` at the shown precision."""
    exponent = amount.as_tuple().exponent
    places = min(int(exponent), 0) if isinstance(exponent, int) else 0
    return abs(number - amount) <= Decimal(5) * Decimal(10) ** (places - 1)


def _unit(samples: Mapping[str, Sequence[str]] | None, plain: str,
          shown: str) -> str | None:
    """``"same"`` when the plain samples are the shown amounts, ``"cents"`` when they are
    those times 100, else None. The samples are a few distinct values per column, not
    row-aligned: the smaller set must be found in the other, the other way not alike."""
    if samples is None:
        return None
    plain_values = [str(v).strip() for v in samples.get(plain, ()) if str(v).strip()]
    shown_values = [str(v).strip() for v in samples.get(shown, ()) if str(v).strip()]
    numbers = _amounts(plain_values, shown=False) if plain_values else None
    amounts = _amounts(shown_values, shown=True) if shown_values else None
    if not numbers or not amounts or numbers == {Decimal(0)}:
        return None

    def alike(scale: int) -> bool:
        found = {n for n in numbers if any(_near(n, a * scale) for a in amounts)}
        seen = {a for a in amounts if any(_near(n, a * scale) for n in numbers)}
        return found == numbers or seen == amounts

    same, cents = alike(1), alike(100)
    if same != cents:
        return "same" if same else "cents"
    return None


def _unit_example(samples: Mapping[str, Sequence[str]] | None, plain: str) -> str:
    """``"its 120,000 is 1,200"``-like words for the largest sampled plain number."""
    numbers = _amounts([str(v).strip() for v in (samples or {}).get(plain, ())
                        if str(v).strip()], shown=False) or {Decimal(0)}
    top = max(numbers)
    return f"{top:,} is {top / 100:,}"


__all__ = ["plain_twins"]
