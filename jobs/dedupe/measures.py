"""Measured custom fields (an amount and its currency, a number, a time, a time range, a
phone number, an address) whose values differ on two deals: evidence of two records, each
caps a pair at review in ``scoring`` (x26r1 1). Which field types are measures is
``config.MEASURE_FIELD_TYPES`` (the table of every type: docs/dedupe-matching.md,
*Measures*). Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from bulk.errors import InputError

from ..field_text import amount_text
from ..transforms.decimals import decimal_evidence
from ..transforms.money import parse_number
from .amounts import same_amount
from .evidence import CATEGORIES_DIFFER, _fmt
from .model import DealRecord


def measure_conflicts(a: DealRecord, b: DealRecord,
                      fields: Mapping[str, tuple[str, str]]) -> list[str]:
    """The measured custom fields (``fields``: key -> (field_type, name); ``config.
    MEASURE_FIELD_TYPES``) both deals have a value in and whose values differ, as reasons
    naming the field and both values: ``different Contract value 10,000.00 EUR≠90,000.00
    EUR``,
    ``different Discount 5≠15``. An amount and its currency, a number, a time (and its time
    zone), a time range, a phone number (its digits: ``+49 30 1234567`` = ``030 1234567``), an
    address (its numbers: house number, postcode; words typed otherwise are no evidence).
    Two deals whose measures differ are two records (x26r1 1: 10,000 / 90,000 EUR merged at
    1.000 and the 90,000 was kept on no live deal). A value on one side only is no evidence."""
    out: list[str] = []
    for key, (ftype, name) in fields.items():
        x, y = _measure(ftype, a.fields.get(key)), _measure(ftype, b.fields.get(key))
        if x is not None and y is not None and not _same_measure(ftype, x, y):
            out.append(f"{CATEGORIES_DIFFER} {name} {_shown(x)}≠{_shown(y)}")
    return out


_DIGITS = re.compile(r"\d+")
_SPACES = re.compile("[\\s'\u2019]")  # a thousands group's spaces and apostrophes


def _measure(ftype: str, v: object) -> tuple[object, ...] | None:
    """A measured value as a comparable tuple (None: empty or unreadable)."""
    if ftype == "monetary":
        amount, currency = (v.get("value"), v.get("currency")) if isinstance(v, Mapping) \
            else (v, None)
        n = _number(amount)
        code = str(currency).strip().upper() if currency is not None else ""
        return None if n is None else (n, code or None)  # a currency by its code (eur = EUR)
    if ftype in ("double", "int"):
        n = _number(v.get("value") if isinstance(v, Mapping) else v)
        return None if n is None else (n,)
    if ftype in ("time", "timerange"):
        if not isinstance(v, Mapping):
            v = {"value": v}
        parts = tuple(str(v.get(k) or "").strip() for k in ("value", "until"))
        zone = str(v.get("timezone_name") or v.get("timezone_id") or "").strip() or None
        return None if not any(parts) else (*parts, zone)
    text = v.get("value") if isinstance(v, Mapping) else v
    if not isinstance(text, str | int | float) or isinstance(text, bool) or not str(text).strip():
        return None
    if ftype == "phone":
        digits = "".join(_DIGITS.findall(str(text))).lstrip("0")
        return (digits, str(text).strip()) if digits else None
    numbers = frozenset(_DIGITS.findall(str(text)))  # address: house number, postcode
    return (numbers, " ".join(str(text).split())) if numbers else None


def _same_measure(ftype: str, x: tuple[object, ...], y: tuple[object, ...]) -> bool:
    if ftype == "monetary":  # a currency on one side only is no evidence
        code = x[1] if isinstance(x[1], str) else y[1] if isinstance(y[1], str) else None
        return _same_number(x[0], y[0], code or "") \
            and (x[1] is None or y[1] is None or x[1] == y[1])
    if ftype in ("double", "int"):
        return _same_number(x[0], y[0], None)
    if ftype in ("time", "timerange"):  # a time zone on one side only is no evidence
        return x[:2] == y[:2] and (x[2] is None or y[2] is None or x[2] == y[2])
    if ftype == "phone":  # +49 30 1234567 / 030 1234567: the trunk and country code aside
        p, q = str(x[0]), str(y[0])
        short, long_ = sorted((p, q), key=len)
        return p == q or (len(short) >= 7 and long_.endswith(short))
    return x[0] == y[0]


@dataclass(frozen=True, slots=True)
class Ambiguous:
    """A number typed as text that reads two ways (``1.000``: 1 or 1000; the import's
    ``decimal_evidence``): ``text`` as written, ``readings`` both."""

    text: str
    readings: tuple[float, float]


def _same_number(x: object, y: object, currency: str | None) -> bool:
    """Two amounts as the deal value compares them when ``currency`` is a str (``amounts.
    same_amount``: equal to its minor unit, a cent for ``""``, so ``1000`` / ``1000.0`` /
    ``"1000.00"``, a float's rounding and a cent rounded off are one), two numbers (``None``)
    equal but for a float's rounding (``12.499999999`` = ``12.5``, ``100`` ≠ ``100.5``;
    x45r2 F1: within 0.5 % before). An ``Ambiguous`` one is the same only as the same text,
    or as a number both its readings are (never taken for one of them: the pair stays at
    review)."""
    if isinstance(x, Ambiguous) or isinstance(y, Ambiguous):
        xs = x.readings if isinstance(x, Ambiguous) else (x,)
        ys = y.readings if isinstance(y, Ambiguous) else (y,)
        if isinstance(x, Ambiguous) and isinstance(y, Ambiguous) and x.readings == y.readings:
            return True
        return all(_same_number(p, q, currency) for p in xs for q in ys)
    if not (isinstance(x, float) and isinstance(y, float)):
        return False
    if currency is not None:
        return same_amount(x, y, currency)
    return abs(x - y) <= _FLOAT_DIGITS * max(abs(x), abs(y))


_FLOAT_DIGITS = 1e-9  # two numbers this close (relative) differ by a float's rounding only


def _number(v: object) -> float | Ambiguous | None:
    """A number as stored, or typed as text in either decimal convention, read as the
    import's ``parse_number`` reads a cell (``1.000,50`` and ``1,000.50`` are 1000.5,
    ``1 000,50`` too); one mark once before three digits is ``Ambiguous``; None: no
    number."""
    if isinstance(v, bool):
        return None
    if isinstance(v, int | float):
        return float(v)
    if not isinstance(v, str):
        return None
    text = v.strip()
    try:
        n = parse_number(text)
    except InputError:
        return None
    if n is None:
        return None
    _, ambiguous = decimal_evidence(text.lstrip("+-"))
    if not ambiguous:
        return float(n)
    plain = _SPACES.sub("", text)  # one mark, three digits after it: both readings
    mark = "." if "." in plain else ","
    as_decimal, as_grouping = (float(Decimal(plain.replace(mark, "."))),
                               float(Decimal(plain.replace(mark, ""))))
    return Ambiguous(text, (as_decimal, as_grouping))


def _shown(x: tuple[object, ...]) -> str:
    """A measured value as the reason shows it (``10,000.00 EUR``, ``1,000,001``,
    ``09:00:00``, the text): every digit, grouped (``field_text.amount_text``)."""
    first = x[0]
    if isinstance(first, Ambiguous):
        shown = " or ".join(_fmt(r) for r in first.readings)
        return " ".join([f"{first.text} ({shown})", *(str(c) for c in x[1:] if c)])
    if isinstance(first, float):  # whole and grouped, money as the deal value (x45r7 F2)
        code = x[1] if len(x) == 2 and isinstance(x[1], str) else None
        return amount_text(first, code) if code else _fmt(first)
    if isinstance(first, frozenset | str) and len(x) == 2 and isinstance(x[1], str):
        return x[1]
    return " to ".join(str(p) for p in x[:2] if p) + (f" {x[2]}" if len(x) > 2 and x[2] else "")


__all__ = ["measure_conflicts"]
