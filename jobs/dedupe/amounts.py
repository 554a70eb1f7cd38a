"""Two deals' amounts: whether they are one (``same_amount``: equal to the currency's minor
unit), how one may be the other rounded (``rounding``), and the reason two amounts give
(``value_conflict``, ``two_amounts``). Two amounts more than a cent apart are two orders until
a person says otherwise, a rounding too (x45r2 F1: 75,030 / 75,080 EUR were one amount within
0.5 %, and 5,600 / 5,650 one rounded, and the nightly run merged them: one order lost).
Pure: no I/O; must never call two amounts one because they are close in share.
"""

from __future__ import annotations

from ..transforms.currency import minor_units
from .model import DealRecord

TWO_AMOUNTS = "two amounts"  # reason prefix: two non-zero values: two orders until a person says
ROUNDING_SHARE = 0.05  # a rounded amount lies within 5 % of the exact one (7,000 / 7,300)
_PLACES = {10: "tens", 100: "hundreds", 1000: "thousands", 10**4: "ten thousands",
           10**5: "hundred thousands", 10**6: "millions"}


def rounding(x: float, y: float) -> str | None:
    """How one of two non-zero amounts may be the other rounded, ``"5,650 rounded to
    hundreds"``, else None. The rule (x45r2 F2): the round amount ``r`` is a multiple of a
    power of ten ``p`` >= 10 that the exact one ``e`` is not (fewer significant digits), ``e``
    lies within ``p / 2`` of ``r`` — rounded half up or half down, as a person rounds: 5,650
    is 5,600 and 5,700 — and within ``ROUNDING_SHARE`` (5 %) of it (the digits kept carry the
    amount: ``140`` / ``100`` is none); ``p`` is the finest such place (``20,150`` /
    ``20,000`` is thousands, never ten thousands). Two amounts at one place (``5,100`` /
    ``5,200``, ``480`` / ``530``) are none. Wording only: a rounded pair is still two amounts
    (``value_conflict``). Amounts are compared in cents, so a float's digits play no part."""
    cx, cy = round(abs(x) * 100), round(abs(y) * 100)
    if not cx or not cy or cx == cy or (x < 0) != (y < 0) \
            or abs(cx - cy) > ROUNDING_SHARE * max(cx, cy):
        return None
    place = 10
    while place * 100 <= max(cx, cy):
        for r, e, shown in ((cx, cy, y), (cy, cx, x)):
            if r % (place * 100) == 0 and e % (place * 100) != 0 \
                    and 2 * abs(e - r) <= place * 100:
                return f"{amount(shown)} rounded to {_PLACES.get(place, f'{place:,}s')}"
        place *= 10
    return None


def rounded(x: float, y: float) -> bool:
    """Whether one of two non-zero amounts may be the other rounded (``rounding``)."""
    return rounding(x, y) is not None


def same_amount(x: float, y: float, currency: str | None = None) -> bool:
    """Whether two amounts are one (the deal value's test, and a measured monetary custom
    field's): equal to the currency's minor unit (ISO 4217, ``transforms.currency.
    minor_units``: a cent for EUR or an unknown currency, a yen for JPY, a fils for BHD), so
    ``1000`` = ``1000.0`` = ``"1000.00"``, a float's rounding and a cent rounded off
    (``19,999.99`` / ``20,000``) are one amount and anything more is two (x45r2 F1: 0.5 %
    before, 75,030 / 75,080 EUR were one and an order was lost in the merge)."""
    unit = 10.0 ** -minor_units(currency or "")
    return abs(x - y) <= unit * (1 + 1e-9) + 1e-12 * max(abs(x), abs(y))


def amount(v: float) -> str:
    """An amount as a person reads it: thousands grouped, no trailing zeros after the
    decimal mark (``75,030``, ``19,999.99``, ``0.3``)."""
    return f"{v:,.6f}".rstrip("0").rstrip(".")


def value_conflict(a: DealRecord, b: DealRecord) -> str | None:
    """Why the two deals' values say two orders, else None: both non-zero (0 / empty is no
    evidence) and not one amount (``same_amount``: more than the currency's minor unit
    apart). A rounded pair is said so (``two amounts: 5,600≠5,650 (maybe 5,650 rounded to
    hundreds)``) but held all the same, whatever the add-time gap: x45r2 F1 labelled 20,000
    / 20,150 entered a minute apart two orders, and a merge under ``value = "max"`` keeps one
    amount only, so which amount is right is a person's call (x24r4 1: 480 / 530 7 days
    apart merged; x45r2 F1/F2: 75,030 / 75,080 and 5,600 / 5,650 a minute apart merged)."""
    x, y = a.value, b.value
    if not x or not y or same_amount(x, y, a.currency or b.currency):
        return None
    return two_amounts(x, y)


def two_amounts(x: float, y: float) -> str:
    """The reason two amounts give: ``two amounts: 75,030≠75,080``, with ``(maybe 5,650
    rounded to hundreds)`` where one may be the other rounded (``rounding``)."""
    why = rounding(x, y)
    return f"{TWO_AMOUNTS}: {amount(x)}≠{amount(y)}" + (f" (maybe {why})" if why else "")


def within(currency: str | None) -> str:
    """The minor unit as the ``same value within …`` reason says it: ``a cent``, ``1 JPY``."""
    units = minor_units(currency or "")
    return "a cent" if units == 2 else f"{10.0 ** -units:g} {(currency or '').strip().upper()}"



__all__ = ["ROUNDING_SHARE", "TWO_AMOUNTS", "amount", "rounded", "rounding", "same_amount",
           "two_amounts", "value_conflict", "within"]
