"""A deal field's value as one line people read, whole: what a merge drops is said with it
(``jobs.dedupe.planfiles.merge_drops``, for ``pdbulk merge`` and a dedupe alike).

v2's structured custom field values (FACTS.md, Custom fields) are shown with every part
they hold — a monetary amount with its currency, a date or time range with its end, a time
with its time zone, an address with its locality and other parts — and a text with line
breaks on one line (x27r3 5: a note said ``Money 500`` for 500 GBP, a range by its start,
an address by its street, and a multi-line text broke the note over several lines).
Never a call, never a guess: only what the value holds.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from .transforms.currency import minor_units

# v2's address parts after ``value`` (openapi-v2.yaml, an address custom field), in its order
ADDRESS_PARTS = ("subpremise", "street_number", "route", "sublocality", "locality",
                 "admin_area_level_1", "admin_area_level_2", "country", "postal_code",
                 "formatted_address")


def _empty(v: object) -> bool:
    return v is None or v == "" or v == [] or v == {}


def _number(v: object) -> object:
    """An amount as written: 500.0 is 500."""
    return int(v) if isinstance(v, float) and v.is_integer() else v


def _line(v: object) -> str:
    """A text on one line: one that holds a line break is quoted with its breaks escaped
    (as a title is: ``'first line\\nsecond line'``), so its end and its breaks are seen."""
    text = v.isoformat() if isinstance(v, datetime | date) else str(_number(v))
    return repr(text) if len(text.splitlines()) > 1 or text.endswith(("\n", "\r")) else text


def amount_text(v: float | int | Decimal, currency: str | None = None) -> str:
    """An amount as every note, reason and page shows it: thousands grouped, every digit
    the number holds (its shortest round-trip text, never rounded: 99,999.99 / 100,000.01
    were both ``100000`` under ``%g``, x45r7 F2) and, with ``currency``, at least the
    currency's minor-unit places and the code (``1,050.00 EUR``, ``1,100 JPY``; ISO 4217,
    ``transforms.currency.minor_units``); without one, no trailing zeros (``75,030``,
    ``19,999.99``, ``1,000,001``)."""
    d = v if isinstance(v, Decimal) else Decimal(repr(v) if isinstance(v, float) else int(v))
    if not d.is_finite():
        return str(v)
    exponent = d.normalize().as_tuple().exponent
    places = max(minor_units(currency) if currency else 0,
                 -exponent if isinstance(exponent, int) and exponent < 0 else 0)
    shown = format(d, f",.{places}f")
    return f"{shown} {currency}" if currency else shown


def _range(start: object, until: object) -> str:
    if _empty(until):
        return f"from {_line(start)}"
    if _empty(start):
        return f"until {_line(until)}"
    return f"{_line(start)} to {_line(until)}"


def _structured(v: Mapping[str, Any]) -> str:
    """A structured value (a dict of v2 parts) whole; parts it does not hold are left out."""
    value, zone = v.get("value"), v.get("timezone_name")
    if "currency" in v:  # monetary: {"value": 500, "currency": "EUR"}
        code = None if _empty(v["currency"]) else str(v["currency"])
        if isinstance(value, int | float) and not isinstance(value, bool):
            return amount_text(value, code)  # grouped, whole, as the deal value (x45r7 F2)
        amount = "no amount" if _empty(value) else _line(value)
        return f"{amount} {code}" if code else amount
    if "until" in v:  # a date range, or a time range with its time zone
        text = _range(value, v["until"])
        return f"{text} {zone}" if not _empty(zone) else text
    if "timezone_name" in v:  # a time: {"value": "09:00:00", "timezone_name": ...}
        return f"{_line(value)} {zone}" if not _empty(zone) else _line(value)
    if "value" not in v and "id" in v:  # a linked record (user, person, organization)
        return _line(v["id"])
    parts = [(k, p) for k, p in v.items() if k != "value" and not _empty(p)]
    if not parts:
        return _line(value if "value" in v else v.get("id"))
    order = {k: i for i, k in enumerate(ADDRESS_PARTS)}
    parts.sort(key=lambda kp: (order.get(kp[0], len(order)), kp[0]))
    said = ", ".join(f"{k.replace('_', ' ')} {_line(p)}" for k, p in parts
                     if not (k == "formatted_address" and p == value))
    if _empty(value):
        return said
    return f"{_line(value)} ({said})" if said else _line(value)


def field_text(v: object) -> str:
    """``v`` (a deal field's value as v2 gives it: a number, text, date, list or a dict of
    parts) as one line of text, every part it holds said. A list's items are joined by
    ", "."""
    if isinstance(v, Mapping):
        return _structured(v)
    if isinstance(v, list | tuple):
        return ", ".join(field_text(i) for i in v)
    return _line(v)


def whole(v: object) -> Any:
    """``v`` as compared for a drop: a structured value by all its non-empty parts (the
    same amount in another currency, or a range with another end, is another value), a
    list in any order, a linked record by its id, anything else as it is (a date as its
    ISO text, 500.0 as 500)."""
    if isinstance(v, Mapping) and "value" not in v and "id" in v:
        return whole(v["id"])
    if isinstance(v, Mapping):
        return tuple(sorted((str(k), repr(whole(p))) for k, p in v.items() if not _empty(p)))
    if isinstance(v, list | tuple):
        return sorted((whole(i) for i in v), key=repr)
    if isinstance(v, datetime | date):
        return v.isoformat()
    return _number(v)


__all__ = ["ADDRESS_PARTS", "amount_text", "field_text", "whole"]
