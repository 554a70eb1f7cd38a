"""Two deals' amounts: whether they are one (``same_amount``: equal to the currency's minor
unit, in one currency), how one may be the other rounded (``rounding``), and the reason two amounts give
(``value_conflict``, ``two_amounts``). Two amounts more than a cent apart are two orders until
a person says otherwise, a rounding too (x45r2 F1: 75,030 / 75,080 EUR were one amount within
0.5 %, and 5,600 / 5,650 one rounded, and the nightly run merged them: one order lost).
Pure: no I/O; must never call two amounts one because they are close in share.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

from ..field_text import amount_text
from ..transforms.currency import minor_units
from .model import DealRecord

TWO_AMOUNTS = "two amounts"  # reason prefix: two non-zero values: two orders until a person says
ROUNDING_SHARE = 0.05  # a rounded amount lies within 5 % of the exact one (7,000 / 7,300)
_PLACES = {-3: "thousandths", -2: "hundredths", -1: "tenths", 0: "the unit", 1: "tens",
           2: "hundreds", 3: "thousands", 4: "ten thousands", 5: "hundred thousands",
           6: "millions"}


def minor(x: float | int | Decimal, currency: str | None = None) -> int:
    """An amount in its currency's minor units as an integer (ISO 4217, ``transforms.
    currency.minor_units``: cents for EUR or an unknown currency, yen for JPY), read from
    the number's shortest text (``100000000000.1`` is 10,000,000,000,010 cents), rounded
    half to even below the minor unit. Exact at any size: no float's digits play a part."""
    d = x if isinstance(x, Decimal) else Decimal(repr(float(x)))
    return int(d.scaleb(minor_units(currency or "")).to_integral_value(ROUND_HALF_EVEN))


def rounding(x: float, y: float, currency: str | None = None) -> str | None:
    """How one of two non-zero amounts may be the other rounded, ``"5,650 rounded to
    hundreds"``, else None. The rule (x45r2 F2): the round amount ``r`` is a multiple of a
    power of ten ``p`` above the minor unit that the exact one ``e`` is not (fewer
    significant digits), ``e`` lies within ``p / 2`` of ``r`` — rounded half up or half
    down, as a person rounds: 5,650 is 5,600 and 5,700 — and within ``ROUNDING_SHARE`` (5 %)
    of it (the digits kept carry the amount: ``140`` / ``100`` is none); ``p`` is the
    finest such place (``20,150`` / ``20,000`` is thousands, never ten thousands; ``1,000``
    / ``1,000.02`` is the unit — a whole amount drops every place below it —, x45r7 F5: it
    said tens; ``0.5`` / ``0.52`` tenths). Two
    amounts at one place (``5,100`` / ``5,200``, ``480`` / ``530``) are none. Wording only:
    a rounded pair is still two amounts (``value_conflict``). Amounts are compared in the
    currency's minor units (``minor``), so a float's digits play no part."""
    cx, cy = abs(minor(x, currency)), abs(minor(y, currency))
    if not cx or not cy or cx == cy or (x < 0) != (y < 0) \
            or abs(cx - cy) > ROUNDING_SHARE * max(cx, cy):
        return None
    units = minor_units(currency or "")
    place = 10  # in minor units: a tenth of a euro, ten yen
    while place <= max(cx, cy):
        for r, e, shown in ((cx, cy, y), (cy, cx, x)):
            if r % place == 0 and e % place != 0 and 2 * abs(e - r) <= place \
                    and not (place < 10 ** units and r % 10 ** units == 0):
                # a whole amount drops every place below the unit: 1,000 / 1,000.02 is
                # rounded to the unit, not to tenths
                power = len(str(place)) - 1 - units
                return f"{amount(shown)} rounded to {_PLACES.get(power, f'{10 ** power:,}s')}"
        place *= 10
    return None


def rounded(x: float, y: float, currency: str | None = None) -> bool:
    """Whether one of two non-zero amounts may be the other rounded (``rounding``)."""
    return rounding(x, y, currency) is not None


def same_amount(x: float, y: float, currency: str | None = None) -> bool:
    """Whether two amounts of one currency are one (the deal value's test, and a measured
    monetary custom field's): equal to the currency's minor unit (ISO 4217, ``transforms.
    currency.minor_units``: a cent for EUR or an unknown currency, a yen for JPY, a fils for
    BHD), so ``1000`` = ``1000.0`` = ``"1000.00"``, a float's rounding and a cent rounded
    off (``19,999.99`` / ``20,000``) are one amount and anything more is two (x45r2 F1: 0.5 %
    before, 75,030 / 75,080 EUR were one and an order was lost in the merge). Compared as
    integers of minor units (``minor``), never by a share of the amount (x45r7 F3: a
    relative 1e-12 made 100,000,000,000 / 100,000,000,000.10 EUR one)."""
    return abs(minor(x, currency) - minor(y, currency)) <= 1


def two_currencies(a: str | None, b: str | None) -> bool:
    """Whether two amounts' currencies are two (both known, codes differ in more than case):
    such amounts are never one amount, nor compared (x45r7 F1/F6)."""
    return bool(a) and bool(b) and str(a).strip().upper() != str(b).strip().upper()


def same_value(a: DealRecord, b: DealRecord) -> bool:
    """Whether the two deals' non-zero values are one amount: one currency (``two_currencies``:
    1,000 EUR is not 1,000 USD, x45r7 F6) and ``same_amount`` in it."""
    return not two_currencies(a.currency, b.currency) \
        and same_amount(a.value or 0.0, b.value or 0.0, a.currency or b.currency)


def amount(v: float) -> str:
    """An amount as a person reads it (``field_text.amount_text``, the one format of every
    amount): thousands grouped, every digit it holds, no trailing zeros after the decimal
    mark (``75,030``, ``19,999.99``, ``0.3``)."""
    return amount_text(v)


def value_conflict(a: DealRecord, b: DealRecord) -> str | None:
    """Why the two deals' values say two orders, else None: both non-zero (0 / empty is no
    evidence), in one currency, and not one amount (``same_amount``: more than the
    currency's minor unit apart). A rounded pair is said so (``two amounts: 5,600≠5,650 (maybe
    5,650 rounded to hundreds)``) but held all the same, whatever the add-time gap: x45r2 F1
    labelled 20,000 / 20,150 entered a minute apart two orders, and a merge under ``value =
    "max"`` keeps one amount only, so which amount is right is a person's call (x24r4 1: 480
    / 530 7 days apart merged; x45r2 F1/F2: 75,030 / 75,080 and 5,600 / 5,650 a minute apart
    merged)."""
    x, y = a.value, b.value
    if not x or not y or two_currencies(a.currency, b.currency) or same_value(a, b):
        return None  # two currencies are evidence of their own: the currency guard, or
        # ``record differs: currency`` with it off (the scoring reason names both amounts)
    return two_amounts(x, y, a.currency, b.currency)


def two_amounts(x: float, y: float, cx: str | None = None, cy: str | None = None) -> str:
    """The reason two amounts give: ``two amounts: 75,030≠75,080``, with ``(maybe 5,650
    rounded to hundreds)`` where one may be the other rounded (``rounding``); in two
    currencies (``cx``, ``cy``) each with its code and no rounding said: ``two amounts:
    1,000 EUR≠1,100 JPY`` (x45r7 F6)."""
    if two_currencies(cx, cy):
        return f"{TWO_AMOUNTS}: {amount_text(x, cx)}≠{amount_text(y, cy)}"
    why = rounding(x, y, cx or cy)
    return f"{TWO_AMOUNTS}: {amount(x)}≠{amount(y)}" + (f" (maybe {why})" if why else "")


def within(currency: str | None) -> str:
    """The minor unit as the ``same value within …`` reason says it: ``a cent``, ``1 JPY``."""
    units = minor_units(currency or "")
    code = (currency or "").strip().upper()
    return "a cent" if units == 2 else f"{amount_text(Decimal(1).scaleb(-units))} {code}"


__all__ = ["ROUNDING_SHARE", "TWO_AMOUNTS", "amount", "minor", "rounded", "rounding",
           "same_amount", "same_value", "two_amounts", "two_currencies", "value_conflict",
           "within"]
