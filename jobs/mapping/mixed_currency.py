"""``MixedCurrency``: a deal amount column where some rows name a currency and others do
not, found from the whole file before any row is decided.

With no ``defaults.currency``, a row that names no currency (no symbol or code in its
amount, no currency cell) sends none, and Pipedrive gives the deal the company's default
currency. In a column whose other cells say ``€`` or ``EUR`` (x25r2 F1: ``1.234,56 €``,
``500,00``, ``EUR 99,00``: the middle deal was USD 500) that is a guess nobody made: the
import and the plan are refused, naming the rows and the fix, before anything is sent.
It never decides a currency itself.
"""

from __future__ import annotations

from bulk.errors import InputError

from .. import transforms as tf
from .steps import Values, _Step

SHOWN_ROWS = 5  # the untagged rows the refusal names


class MixedCurrency(InputError):
    """The deal amount column names a currency in some rows and none in others, and the
    mapping names no ``defaults.currency``: nothing may be sent until it does."""


class CurrencyMix:
    """One pass's record of which rows of the amount column name a currency (a symbol or a
    code in the amount, an XLSX currency format, a currency cell) and which name none."""

    __slots__ = ("_memo", "currency", "money", "named", "unnamed", "unnamed_rows")

    def __init__(self, money: _Step, currency: _Step | None) -> None:
        self.money, self.currency = money, currency
        self.named: dict[str, tuple[int, int]] = {}  # currency → (rows, the first row)
        self.unnamed = 0
        self.unnamed_rows: list[int] = []
        self._memo: dict[str, str | None] = {}  # amount text → its currency, "" none

    def __repr__(self) -> str:
        return f"CurrencyMix(named={self.named!r}, unnamed={self.unnamed})"

    def see(self, values: Values, row: int) -> None:
        """Record the row: the currency it names, or that it names none (a blank amount, or
        one that does not read, is no evidence: ``map`` reports it)."""
        try:
            raw = self.money.source(values, default=False)
            if tf.is_empty(raw):
                return
            named = self._named(raw)
            if named is None and self.currency is not None:
                cell = self.currency.source(values)
                if not tf.is_empty(cell):
                    named = str(cell).strip()
        except InputError:
            return
        if named is None:
            self.unnamed += 1
            if len(self.unnamed_rows) < SHOWN_ROWS:
                self.unnamed_rows.append(row)
        elif named:
            count, first = self.named.get(named, (0, row))
            self.named[named] = (count + 1, first)

    def _named(self, raw: object) -> str | None:
        """The currency the amount names ("" for one it names but nothing decides, as
        ``kr``), None when it names none; InputError when it does not read."""
        text = raw if isinstance(raw, str) else None
        if text is not None and text in self._memo:
            found = self._memo[text]
        else:
            money = tf.parse_money(raw, undecided=True)
            if money is None:
                found = None
            elif money.currency is not None:
                found = money.currency
            else:
                found = "/".join(tf.currency_choices(money)) or None
            if text is not None and len(self._memo) < 10_000:
                self._memo[text] = found
        return found

    def check(self) -> None:
        """MixedCurrency when some rows name a currency and others name none."""
        if not (self.named and self.unnamed):
            return
        column = self.money.source.where
        named = sorted(self.named.items(), key=lambda kv: kv[1][1])
        said = ", ".join(f"{code} ({count} row{'s' * (count != 1)}, the first row "
                         f"{first})" for code, (count, first) in named)
        rows = ", ".join(map(str, self.unnamed_rows))
        if self.unnamed > len(self.unnamed_rows):
            rows += f" and {self.unnamed - len(self.unnamed_rows):,} more"
        codes = [code for code, _ in named if len(code) == 3 and code.isalpha()]
        fix = (f'set defaults.currency = "{codes[0]}" in the mapping if they are '
               f"{codes[0]}" if len(codes) == 1 and len(named) == 1
               else "set defaults.currency in the mapping to the currency they are in")
        # x27r1: the currency can come from a currency column, not the amount's cells
        where = (f"the deal amount (column {column!r})" if self.currency is None else
                 f"the deal amount (column {column!r}, currency column "
                 f"{self.currency.source.where!r})")
        cells = ("their amount cells" if self.currency is None
                 else f"their {self.currency.source.where!r} cells")
        raise MixedCurrency(
            f"{where} names a currency in some rows, {said}, but none in "
            f"{self.unnamed:,} row{'s' * (self.unnamed != 1)} (row{'s' * (self.unnamed != 1)} "
            f"{rows}): those deals would be sent with no currency and take the company's "
            f"default; {fix}, or write the currency in {cells}")


__all__ = ["CurrencyMix", "MixedCurrency"]
