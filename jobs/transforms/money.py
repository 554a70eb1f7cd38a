"""Numbers and money: decimal marks, grouping, currencies, exact API numbers,
probabilities (the decimal-mark rules are in the package docstring)."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping as MappingABC
from decimal import Decimal, InvalidOperation
from typing import Literal, NamedTuple

from bulk.errors import InputError
from bulk.manifest_json import JsonNumber
from bulk.manifest_xlsx import DOLLAR_OF_LOCALE, CurrencyNumber

from .text import _INVISIBLE, _SPACES, _text, clean_text, is_empty

Decimal_ = Literal["auto", ".", ","]  # the decimal mark: learned per column, or fixed

# ---------------------------------------------------------------- money

class Money(NamedTuple):
    amount: Decimal
    currency: str | None


class _SymbolMoney(Money):
    """Money whose currency came from an ambiguous symbol (``$``, ``¥``, ``kr``): ``choices``
    are every currency the symbol may mean, ``symbol`` the symbol as written; ``currency``
    is None when neither the default currency nor a usual reading decided (``kr``: the
    row's currency column must). Equal to a plain Money of the same fields."""

    choices: tuple[str, ...] = ()
    symbol: str = ""


def currency_choices(money: Money) -> tuple[str, ...]:
    """The currencies ``money``'s symbol may mean when it is ambiguous (a bare ``$``: USD,
    CAD, AUD, ..., CLP, ARS), else ``()``. A currency column naming one of them decides the
    currency (issue 10 F6: ``$100.00`` with the column ``USD`` and the default CAD is USD,
    never "the amount says CAD")."""
    return money.choices if isinstance(money, _SymbolMoney) else ()


def settle_currency(money: Money, column: str | None) -> None:
    """Check an amount whose symbol decided no currency (``money.currency`` None with
    ``currency_choices``: ``kr 100``, ``Rs 100`` under a default of none of theirs) against
    the row's currency ``column`` (an ISO code, or None when the row names none): nothing
    when the column is one of the candidates (it decides), else InputError naming them."""
    choices = currency_choices(money)
    if money.currency is not None or not choices or column in choices:
        return
    symbol = money.symbol if isinstance(money, _SymbolMoney) else "?"
    if column is not None:
        raise InputError(f"the amount's {symbol!r} means one of {', '.join(choices)}, "
                         f"not {column}")
    raise InputError(_ambiguous(symbol, choices))


def _ambiguous(token: str, choices: tuple[str, ...]) -> str:
    return (f"ambiguous currency {token!r}: set a default currency or a currency column "
            f"naming one of {', '.join(choices)}")


def _with_choices(money: Money, choices: tuple[str, ...], symbol: str = "") -> Money:
    if not choices:
        return money
    out = _SymbolMoney(*money)
    out.choices, out.symbol = choices, symbol
    return out


# ISO 4217 codes in current use (plus a few common legacy ones seen in exports).
ISO_CURRENCIES = frozenset("""
AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN
BWP BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD
FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY
KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP
MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR
RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SYP THB TJS TMT TND TOP
TRY TTD TWD TZS UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XOF XPF YER ZAR ZMW ZWL
""".split())

# Symbols (case-folded) → ISO code, or, for a symbol several currencies write, the SET of
# them (v10r9 S2: "$ 1.500.000" under the default CLP was read as 1,500,000 USD). The
# sets follow CLDR's currency symbols and narrow symbols (unicode.org/cldr, the data
# babel ships; not a dependency here) plus the symbols exports write in practice (``Rs``,
# ``Fr.``, ``lei``). A set's first entry is its usual reading, taken only when neither
# the default currency nor the row's currency column is in the set; None: there is no
# usual reading (``kr``, ``Rs``), the row fails naming the candidates.
_DOLLARS = ("USD", "CAD", "AUD", "NZD", "SGD", "HKD", "MXN", "TWD", "ARS", "CLP", "COP",
            "CUP", "DOP", "UYU", "BSD", "BBD", "BMD", "BND", "BZD", "FJD", "GYD", "JMD",
            "KYD", "LRD", "NAD", "SBD", "SRD", "TTD", "XCD", "TOP", "WST", "CVE", "MOP")
_FRANCS = ("CHF", "XOF", "XAF", "XPF", "BIF", "CDF", "DJF", "GNF", "KMF", "RWF")
_RUPEES = (None, "INR", "PKR", "LKR", "NPR", "MUR", "SCR")
_SYMBOLS: dict[str, str | tuple[str | None, ...]] = {
    "$": _DOLLARS, "us$": "USD", "usd$": "USD", "c$": ("CAD", "NIO"), "ca$": "CAD",
    "cad$": "CAD", "a$": "AUD", "au$": "AUD", "nz$": "NZD", "hk$": "HKD", "s$": "SGD",
    "r$": "BRL", "mx$": "MXN", "nt$": "TWD", "rd$": "DOP", "$u": "UYU", "j$": "JMD",
    "€": "EUR", "£": ("GBP", "EGP", "LBP", "SYP", "SSP", "FKP", "GIP", "SHP"),
    "¥": ("JPY", "CNY"), "￥": ("JPY", "CNY"), "円": "JPY", "元": ("CNY", "TWD", "HKD", "MOP"),
    "₹": "INR", "rs": _RUPEES, "rs.": _RUPEES, "₨": _RUPEES, "₽": "RUB",
    "₩": ("KRW", "KPW"), "₪": "ILS", "₺": "TRY", "₴": "UAH", "₫": "VND", "฿": "THB",
    "₱": ("PHP", "CUP"), "₦": "NGN", "₡": "CRC", "₲": "PYG", "₸": "KZT", "₾": "GEL",
    "₼": "AZN", "৳": "BDT", "₭": "LAK", "₮": "MNT", "៛": "KHR", "r": "ZAR", "rm": "MYR",
    "s/": "PEN", "s/.": "PEN", "zł": "PLN", "kč": "CZK", "ft": "HUF",
    "lei": ("RON", "MDL"), "лв": "BGN", "лв.": "BGN", "fr.": _FRANCS, "fr": _FRANCS,
    "kr": (None, "SEK", "NOK", "DKK", "ISK"), "kr.": (None, "DKK", "SEK", "NOK", "ISK"),
}

_PARTS = re.compile(
    r"(?P<pre>(?:[^\d.,]|\.(?=\s))*?)\s*(?P<num>[.,]?\d(?:[\d.,'\u2019 ]*\d)?)\s*(?P<post>[^\d]*)", re.S)
_SIGNS = "-+\u2212"
# "no cents": 1'000.-, 1.000,--, 1.000,\u2013 (a hyphen, two, or a dash after the mark)
_NO_CENTS = re.compile(r"(?<=\d)[.,](?:-{1,2}|\u2013|\u2014)(?=[^\d]*$)")
_SCIENTIFIC = re.compile(r"[-+]?\d+(\.\d+)?[eE][+-]?\d+")


def _currency_token(token: str, default: str | None) -> tuple[str | None, tuple[str, ...]]:
    """(its ISO code, the currencies it may mean when it is an ambiguous symbol, else
    ``()``): the default currency when it is one of them, else the symbol's usual reading,
    else None (undecided: ``kr`` under EUR). InputError for an unknown token."""
    if token.upper() in ISO_CURRENCIES:
        return token.upper(), ()
    found = _SYMBOLS.get(token.casefold())
    if found is None:
        raise InputError(f"unknown currency {token!r}")
    if isinstance(found, str):
        return found, ()
    choices = tuple(c for c in found if c)
    if default is not None and default in choices:
        return default, choices
    return found[0], choices


def _split_affix(affix: str, default: str | None
                 ) -> tuple[int, str | None, tuple[str, ...], str]:
    """Signs and currency around the number → (count of minus signs, ISO code, the codes
    an ambiguous symbol may mean or ``()``, the currency token as written or "")."""
    minus, currency = 0, None
    choices: tuple[str, ...] = ()
    written = ""
    if not affix:  # most numbers: nothing before or after them
        return minus, currency, choices, written
    for token in affix.split():
        while token and token[0] in _SIGNS:
            minus += token[0] != "+"
            token = token[1:]
        tail = ""
        while token and token[-1] in _SIGNS:
            tail += token[-1]
            token = token[:-1]
        minus += sum(c != "+" for c in tail)
        if token:
            code, mine = _currency_token(token, default)
            if written:
                currency, choices = _one_currency(currency, choices, code, mine)
            else:
                currency, choices = code, mine
            written = f"{written} {token}".strip()
    return minus, currency, choices, written


def _one_currency(first: str | None, first_choices: tuple[str, ...], second: str | None,
                  second_choices: tuple[str, ...]) -> tuple[str | None, tuple[str, ...]]:
    """The one currency two tokens of a cell name: ``$`` next to ``CAD`` (``$1,000 CAD``,
    ``1,000 $ AUD``, ``kr 100 SEK``) is that dollar (krona); InputError("two currencies")
    when they differ otherwise (``US$ 5 CAD``, ``€ 5 USD``). None: still undecided."""
    if first == second and first is not None:
        return first, first_choices if second_choices else ()
    if second is not None and second in first_choices and not second_choices:
        return second, ()
    if first is not None and first in second_choices and not first_choices:
        return first, ()
    if first is None or second is None:  # an undecided symbol next to another symbol
        common = tuple(c for c in first_choices if c in second_choices)
        decided = first or second
        if decided in common:
            return decided, common
        if common and first is None and second is None:
            return None, common
    raise InputError(f"two currencies: {first or '/'.join(first_choices)} and "
                     f"{second or '/'.join(second_choices)}")


def _check_groups(groups: list[str], text: str) -> None:
    """Thousands groups as written: a first group of 1-3 digits (not starting with 0:
    ``0,125`` and ``00,500`` are no grouping) then groups of 3 (or Indian 2s, then 3)."""
    first, *rest = groups
    if first.startswith("0"):
        raise InputError(f"not an amount: {text!r} (bad digit grouping: a group after a "
                         "leading 0; a decimal mark? set decimal for this field)")
    ok = 1 <= len(first) <= 3 and bool(rest) and len(rest[-1]) == 3
    ok = ok and all(len(g) == 3 for g in rest[:-1])
    indian = 1 <= len(first) <= 2 and bool(rest) and len(rest[-1]) == 3 and all(
        len(g) == 2 for g in rest[:-1])
    if not (ok or indian):
        raise InputError(f"not an amount: {text!r} (bad digit grouping)")


def _decimal_mark(num: str, decimal: Decimal_) -> str | None:
    if decimal != "auto":
        return decimal if decimal in num else None
    dot, comma = num.rfind("."), num.rfind(",")
    if dot >= 0 and comma >= 0:
        return "." if dot > comma else ","
    if comma >= 0:
        if num.count(",") > 1:
            return None
        head, _, tail = num.partition(",")
        grouping = len(tail) == 3 and head.strip(" '\u2019").lstrip("0") != ""
        return None if grouping else ","
    if dot >= 0:
        return "." if num.count(".") == 1 else None
    return None


def decimal_evidence(num: str) -> tuple[str | None, bool]:
    """(the decimal mark ``num`` shows unambiguously or None, whether it is ambiguous).

    Ambiguous: one separator, once, followed by exactly three digits, with a non-zero
    integer part (``1.234``, ``1,234``): a thousands group or a decimal mark. Evidence:
    both marks (the last is decimal), one mark repeated (the other is decimal: ``1.234.567``
    shows ``,``), one mark not followed by three digits or after a zero (``12,5``,
    ``0.125``)."""
    dot, comma = num.count("."), num.count(",")
    if dot and comma:
        return ("." if num.rfind(".") > num.rfind(",") else ","), False
    if dot > 1 or comma > 1:
        return ("," if dot else "."), False
    if not (dot or comma):
        return None, False
    mark = "." if dot else ","
    head, _, tail = num.partition(mark)
    if len(tail) == 3 and head.strip(" '\u2019").lstrip("0") != "":
        return None, True
    return mark, False


class ColumnDecimal:
    """The decimal mark of one column's text cells under ``decimal = "auto"``, decided from
    the whole file (a mapper keeps one per numeric target).

    A cell that shows its mark (``1.234,56``, ``12,5``, ``1,234.50``, ``0.125``) is read by
    it wherever it stands. An ambiguous cell (``1.500``, ``1,500``: a thousands group or a
    decimal mark) is read with the one mark the column's other cells show — all of them,
    the whole file: the load (and plan) read the file once to ``learn`` before any row is
    mapped, and the job stores the decision (``evidence`` / ``restore``) so that a resume
    or retry reads the same way. A column that shows no mark, or both, makes an ambiguous
    cell an InputError naming ``decimal``: never a guess, never an answer that depends on
    which cells came first. A record nobody taught (``learn`` never called) has no
    evidence: its ambiguous cells are errors."""

    __slots__ = ("ambiguous", "at", "learning", "seen", "shown")

    def __init__(self) -> None:
        self.seen: dict[str, str] = {}  # decimal mark → the first cell that showed it
        self.learning = False  # between start() and decide(): cells are recorded, not judged
        self.at: int | None = None  # the row being learned (for ``contest``'s message)
        # while learning: decimal mark → [cells showing it, the row of the first]; and the
        # ambiguous cells by their one separator → [count, the first cell, its row]
        self.shown: dict[str, list[int | None]] = {}
        self.ambiguous: dict[str, tuple[int, str, int | None]] = {}

    def __repr__(self) -> str:
        state = "learning" if self.learning else f"mark={self.mark!r}"
        return f"ColumnDecimal({state}, seen={self.seen!r})"

    @property
    def mark(self) -> str | None:
        """The column's decimal mark: the one its cells show, else None (none, or both)."""
        return next(iter(self.seen)) if len(self.seen) == 1 else None

    def start(self) -> None:
        """Forget what was seen and record every cell until ``decide``."""
        self.seen, self.learning = {}, True
        self.shown, self.ambiguous = {}, {}

    def contest(self) -> str | None:
        """After learning: why the column's decimal mark is contested, else None.

        Contested (v10r9 S4: twenty ``1,000`` … ``20,000`` and one ``0,5`` read as 1 … 20):
        the mark the column shows would read its ambiguous cells that write that same mark
        with three decimals (``1,000`` as 1), and those cells outnumber the cells that agree
        with the mark (those showing it, and the ambiguous ones it reads as thousands). As
        many agreeing cells as such cells keep the mark: ``1'000.-`` and ``1.500`` (1.5),
        ``1.500``, ``1,500`` and ``1.234,56`` (1500, 1.5) are read as before."""
        mark = self.mark
        if mark is None or mark not in self.ambiguous:
            return None
        threes, cell, row = self.ambiguous[mark]
        mine: Decimal_ = "," if mark == "," else "."
        other: Decimal_ = "," if mark == "." else "."
        count, first_row = self.shown.get(mark, [0, None])
        support = int(count or 0) + self.ambiguous.get(other, (0, "", None))[0]
        if threes <= support:
            return None
        num = _PARTS.fullmatch(cell)
        digits = num["num"] if num else cell
        return (f"{self.seen[mark]!r}{_at(first_row)} shows {mark!r} as the decimal "
                f"mark, but then {threes} cell{'s' if threes > 1 else ''} such as {cell!r}"
                f"{_at(row)} would read as {_reading(digits, mine, cell)}, not "
                f"{_reading(digits, other, cell)}: set decimal = \"{other}\" (or \"{mark}\") "
                f"on this field ({{ column = ..., decimal = \"{other}\" }})")

    def decide(self) -> None:
        """Stop learning: from now on ambiguous cells are judged by what was seen."""
        self.learning = False

    def evidence(self) -> dict[str, str]:
        """What the column showed, JSON-safe (decimal mark → the first cell showing it)."""
        return dict(self.seen)

    def restore(self, evidence: MappingABC[str, str]) -> None:
        """The decision of an earlier pass over the file (``evidence``), judged from now on."""
        self.seen = {m: str(c) for m, c in evidence.items() if m in (".", ",")}
        self.learning = False

    def note(self, mark: str, text: str) -> None:
        """Record a cell that shows ``mark`` by another sign (``1.000,--``)."""
        if self.learning:
            self.seen.setdefault(mark, text)
            tally = self.shown.setdefault(mark, [0, self.at])
            tally[0] = int(tally[0] or 0) + 1

    def see(self, num: str, text: str) -> Decimal_:
        """The decimal mark to read ``num`` (the digits of the cell ``text``) with: ``auto``
        for a cell that shows its own; for an ambiguous one the column's mark, or
        InputError. While learning, the cell is recorded and ``auto`` returned (and
        ``parse_money`` stops there: it returns None)."""
        mark, ambiguous = decimal_evidence(num)
        if self.learning:
            if mark is not None:
                self.seen.setdefault(mark, text)
                tally = self.shown.setdefault(mark, [0, self.at])
                tally[0] = int(tally[0] or 0) + 1
            elif ambiguous:
                sep = "," if "," in num else "."
                count, first, row = self.ambiguous.get(sep, (0, text, self.at))
                self.ambiguous[sep] = (count + 1, first, row)
            return "auto"
        if not ambiguous:
            return "auto"
        if self.mark is not None:
            return "," if self.mark == "," else "."
        readings = f"it may mean {_reading(num, '.', text)} or {_reading(num, ',', text)}"
        if self.seen:
            shown = " and ".join(f"{m!r} ({c!r})" for m, c in sorted(self.seen.items()))
            raise InputError(f"ambiguous number {text!r}: set decimal = \",\" or \".\" on this "
                             f"field ({{ column = ..., decimal = \",\" }}; [defaults] decimal "
                             f"would apply to every column) ({readings}; this column writes "
                             f"both {shown} as the decimal mark)")
        raise InputError(f"ambiguous number {text!r}: set decimal = \",\" or \".\" on this "
                         f"field ({{ column = ..., decimal = \",\" }}; [defaults] decimal "
                         f"would apply to every column) ({readings}; no cell of this column "
                         "shows its decimal mark)")


def _at(row: int | None) -> str:
    return f" (row {row})" if row is not None else ""


def _reading(num: str, mark: Decimal_, text: str) -> str:
    """``num`` read with ``mark`` as the decimal mark, as plain digits (for messages)."""
    try:
        return format(_parse_digits(num, mark, text).normalize(), "f")
    except InputError:
        return "nothing"


def parse_number(value: object, *, decimal: Decimal_ = "auto",
                 column: ColumnDecimal | None = None) -> Decimal | None:
    """A plain number in any common notation (no currency allowed); ``column``: see
    ``parse_money``."""
    money = parse_money(value, decimal=decimal, allow_currency=False, column=column)
    return None if money is None else money.amount


def parse_currency(value: object, *, prefer: str | None = None) -> str | None:
    """An ISO 4217 code from a code or a symbol (``usd``, ``€``, ``US$``; a symbol several
    currencies write means ``prefer`` when it is one of them, else its usual reading),
    None when blank; InputError for an unknown one or an ambiguous one with no usual
    reading (``kr``, ``Rs``)."""
    text = clean_text(value)
    if text is None:
        return None
    code, choices = _currency_token(text, prefer)
    if code is None:
        raise InputError(_ambiguous(text, choices))
    return code


def parse_money(value: object, *, default_currency: str | None = None,
                decimal: Decimal_ = "auto", allow_currency: bool = True,
                prefer: str | None = None, column: ColumnDecimal | None = None,
                undecided: bool = False) -> Money | None:
    """``$1,234.50``, ``1.234,50 €``, ``(12.50)``, ``USD 1,000`` → Money (None if empty).

    Currency: an ISO code or a symbol in the text (or, for an XLSX ``CurrencyNumber``,
    in the cell's number format), else ``default_currency``.
    A symbol several currencies write (``$``, ``£``, ``¥``, ``Rs``, ``kr``) means ``prefer``
    (default: the default currency) when it is one of them, else its usual reading (``$``:
    USD); ``currency_choices`` lists them, so a currency column can decide. With no usual
    reading (``kr``, ``Rs``) it is an InputError naming the candidates, or, with
    ``undecided``, a Money whose currency is None for the caller to ``settle_currency``.
    Negative: a leading or trailing minus, or accounting parentheses.
    ``column`` (with ``decimal = "auto"``): the column's decimal-mark record, which reads
    an ambiguous cell (``1.500``) with the mark the whole column shows, or refuses it
    (``ColumnDecimal``). Without ``column`` the per-cell rules of the package docstring
    apply (a cell alone: ``1,500`` is 1500, ``1.500`` is 1.5).
    A ``float`` (a JSON or XLSX number) is rounded to 15 significant digits, as Excel
    shows it (``0.30000000000000004`` is 0.3); text and ``JsonNumber`` are exact, and
    refused when a JSON double cannot hold them (``check_api_number``).
    """
    prefer = prefer or default_currency
    if type(value) is str:  # a text cell, the usual one: no other type's branch applies
        if value.isascii() and value.isprintable() and "  " not in value:
            text = value.strip()  # no invisible character, no whitespace but single " "
            if not text:
                return None
        else:
            if is_empty(value):
                return None
            text = _SPACES.sub(" ", value.translate(_INVISIBLE)).strip()
    else:
        read = _non_text(value, default_currency, decimal, allow_currency, prefer, undecided)
        if not isinstance(read, str):
            return read
        text = read
    if _SCIENTIFIC.fullmatch(text):  # what a spreadsheet writes for big numbers
        return Money(check_api_number(Decimal(text), text), default_currency)
    no_cents = _NO_CENTS.search(text)  # Swiss/German "1'000.-" and "1.000,--"
    cents_mark = ""
    if no_cents:  # "no cents": what is left is a whole number, every mark in it groups
        cents_mark = no_cents[0][0]
        text = text[: no_cents.start()] + text[no_cents.end():]
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1].strip()
    match = _PARTS.fullmatch(text)
    if match is None:
        raise InputError(f"not an amount: {text!r}")
    num = match["num"]
    if cents_mark:
        if column is not None and decimal == "auto":
            # the mark before the dash is the column's decimal mark, unless the digits
            # repeat it as their thousands mark (1.000.-: then the other one is)
            other = "," if cents_mark == "." else "."
            column.note(other if cents_mark in num else cents_mark, text)
    elif column is not None and decimal == "auto":
        decimal = column.see(num, text)
        if column.learning:  # the cell is only shown to its column: the reading comes later
            return None
    try:
        minus_pre, cur_pre, choices_pre, shown_pre = _split_affix(match["pre"], prefer)
        minus_post, cur_post, choices_post, shown_post = _split_affix(match["post"], prefer)
        choices = choices_pre or choices_post
        if shown_pre and shown_post:
            cur_pre, choices = _one_currency(cur_pre, choices_pre, cur_post, choices_post)
        currency = cur_pre or cur_post
        if shown_pre and shown_post and cur_pre is None:
            currency = None  # still undecided: kr 100 kr.
        symbol = shown_pre or shown_post
        if symbol and not allow_currency:
            raise InputError(f"not a number: {text!r} (has a currency)")
        if currency is None and choices and not undecided:
            raise InputError(_ambiguous(symbol, choices))
    except InputError as exc:
        if exc.reason.startswith("not a number"):
            raise
        raise InputError(f"not an amount: {text!r} ({exc.reason})") from None
    minus = minus_pre + minus_post + negative
    if minus > 1:
        raise InputError(f"not an amount: {text!r} (more than one minus sign)")
    amount = _parse_digits(num, decimal, text, no_cents=bool(cents_mark))
    if len(num) > _MAX_DIGITS:  # else fewer than 16 digits: below 2^53, never too precise
        amount = check_api_number(amount, text)
    if symbol:
        return _with_choices(Money(-amount if minus else amount, currency), choices, symbol)
    return Money(-amount if minus else amount, default_currency)


def _non_text(value: object, default_currency: str | None, decimal: Decimal_,
              allow_currency: bool, prefer: str | None, undecided: bool
              ) -> Money | str | None:
    """``parse_money`` of a cell that is not a plain ``str``: its Money (None when empty),
    or, for a cell of no number type, its text (``_text``), read as a text cell is."""
    if is_empty(value):
        return None
    if isinstance(value, CurrencyNumber):  # an XLSX number in a currency format
        amount = parse_money(value.number, decimal=decimal).amount  # type: ignore[union-attr]
        if not allow_currency:
            return Money(amount, default_currency)
        if value.symbol.startswith(DOLLAR_OF_LOCALE):
            raise InputError(f"not an amount: {str(value)!r} (its number format shows \"$\" "
                             f"for the locale {value.symbol[2:]}, not a US one: which dollar "
                             "(or peso) is ambiguous; give the cell a format with the "
                             "currency code, e.g. [$CAD] #,##0.00, or a currency column)")
        try:
            code, choices = _currency_token(value.symbol, prefer)
            if code is None and not undecided:
                raise InputError(_ambiguous(value.symbol, choices))
        except InputError as exc:
            raise InputError(f"not an amount: {str(value)!r} (its number format: "
                             f"{exc.reason})") from None
        return _with_choices(Money(amount, code), choices, value.symbol)
    if isinstance(value, float):
        # a JSON/XLSX double: shown (and meant) at 15 significant digits, as Excel shows
        # it — the 0.30000000000000004 Excel stores for =0.1+0.2 is 0.3
        amount = Decimal(f"{value:.15g}") if math.isfinite(value) else Decimal(str(value))
        if not amount.is_finite():
            raise InputError(f"not a finite number: {value!r}")
        return Money(check_api_number(amount, value), default_currency)
    if isinstance(value, int | float | Decimal | JsonNumber) and not isinstance(value, bool):
        amount = Decimal(str(value))
        if not amount.is_finite():
            raise InputError(f"not a finite number: {value!r}")
        return Money(check_api_number(amount, value), default_currency)
    return _SPACES.sub(" ", _text(value, "an amount").translate(_INVISIBLE)).strip()


# Pipedrive stores numbers as JSON numbers (IEEE doubles): integers are exact up
# to 2^53 and a double carries at most 15 significant decimal digits reliably.
MAX_EXACT = 2 ** 53
_MAX_DIGITS = 15


def check_api_number(amount: Decimal, shown: object = None) -> Decimal:
    """``amount`` itself, or InputError when a JSON double cannot hold it exactly:
    NaN/Infinity, magnitude >= 2^53 (``1e20``, 20-digit numbers, 2^63), a non-zero
    number a double holds as 0 (``1e-400``), or more than 15 significant digits
    (``0.1234567890123456``)."""
    cell = amount if shown is None else shown
    if not amount.is_finite():
        raise InputError(f"not a finite number: {cell!r}")
    if abs(amount) >= MAX_EXACT:
        raise InputError(f"number too large: {cell!r} (Pipedrive holds numbers exactly only "
                         f"below 2^53 = {MAX_EXACT:,})")
    if amount and not float(amount):  # 1e-400: a JSON double holds it as 0
        raise InputError(f"number too small: {cell!r} (a JSON number would hold it as 0)")
    digits = amount.normalize().as_tuple().digits
    if len(digits) > _MAX_DIGITS and amount != amount.to_integral_value():
        raise InputError(f"too precise: {cell!r} (more than {_MAX_DIGITS} significant digits "
                         "do not survive a JSON number)")
    return amount


_GROUP_MARKS = re.compile("[.,' \u2019]")
_DIGITS = re.compile(r"\d")


def _parse_digits(num: str, decimal: Decimal_, text: str, *, no_cents: bool = False) -> Decimal:
    """``num`` read with ``decimal``; ``no_cents`` (a "no cents" amount, ``1.000.-``): no
    decimal mark, every mark groups (InputError when the groups are not thousands)."""
    mark = None if no_cents else _decimal_mark(num, decimal)
    whole, frac = (num.rsplit(mark, 1) if mark else (num, ""))
    if mark and (not frac.isdigit() or mark in whole):
        raise InputError(f"not an amount: {text!r}")
    if whole:
        groups = _GROUP_MARKS.split(whole)
        if any(not g.isdigit() for g in groups) or len(set(_DIGITS.sub("", whole))) > 1:
            raise InputError(f"not an amount: {text!r}")
        if len(groups) > 1:
            _check_groups(groups, text)
        whole = "".join(groups)
    try:
        return Decimal(f"{whole or '0'}.{frac}" if frac else whole)
    except InvalidOperation:  # pragma: no cover - the regexes above exclude it
        raise InputError(f"not an amount: {text!r}") from None


def json_number(amount: Decimal) -> int | float:
    """A Decimal as the JSON number the v2 API expects: int when integral, else float."""
    if amount == amount.to_integral_value():
        return int(amount)
    return float(amount)


def parse_int(value: object, *, decimal: Decimal_ = "auto",
              column: ColumnDecimal | None = None) -> int | None:
    """An integer (``1,234`` and ``12.0`` are fine; ``12.5`` is not)."""
    number = parse_number(value, decimal=decimal, column=column)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise InputError(f"not a whole number: {value!r}")
    return int(number)


def parse_probability(value: object, *, decimal: Decimal_ = "auto", scale: float = 1,
                      column: ColumnDecimal | None = None) -> int | float | None:
    """0-100, with or without ``%``. A fraction is NOT scaled: ``0.75`` means 0.75 % —
    unless ``scale`` says so (``scale = 100``: HubSpot's 0-1 probabilities). None for a
    blank cell; InputError for a ``%`` without a number, or a number outside 0-100."""
    if isinstance(value, str) and not isinstance(value, JsonNumber):
        shown, value = value, value.strip().removesuffix("%")
        if shown.strip() and is_empty(value):  # "%" alone: no number, not a blank cell (v10r9 S5)
            raise InputError(f"not a number: {shown!r} (a % sign without a number)")
    number = parse_number(value, decimal=decimal, column=column)
    if number is None:
        return None
    if scale != 1:
        number *= Decimal(str(scale))
    if not 0 <= number <= 100:
        times = f" (times {scale:g}: {json_number(number)})" if scale != 1 else ""
        raise InputError(f"probability must be between 0 and 100, got {str(value)!r}{times}")
    return json_number(number)
