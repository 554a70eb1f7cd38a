"""Currencies: ISO codes, the symbols exports write, and the ambiguous ones (``$``, ``kr``).

``Money`` (an amount and its currency), the symbol tables (a symbol several currencies
write maps to all of them: the default currency or the row's currency column decides),
the reading of the signs and currency around a number (``_split_affix``) and
``parse_currency``. Moved out of ``jobs.transforms.money`` (issue 8), which still
re-exports every name. It reads no digits.
"""

from __future__ import annotations

import functools
from decimal import Decimal
from typing import NamedTuple

from bulk.errors import InputError
from bulk.wording import counted

from .text import clean_text


class Money(NamedTuple):
    amount: Decimal
    currency: str | None


class _SymbolMoney(Money):
    """Money whose currency came from an ambiguous symbol (``$``, ``¥``, ``kr``): ``choices``
    are every currency the symbol may mean, ``symbol`` the symbol as written; ``currency``
    is None when neither the default currency nor a usual reading decided (``kr``: the
    row's currency column must). Or Money whose digits read two ways (``5,000`` under the
    decimal mark ","): ``other`` the reading with the mark as thousands grouping, ``cell``
    the cell as written (``check_minor_units``). Equal to a plain Money of the same
    fields."""

    choices: tuple[str, ...] = ()
    symbol: str = ""
    other: Decimal | None = None
    cell: str = ""
    mark: str = ""


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
    if symbol.startswith("$ of the locale"):  # an XLSX format: no default decides it
        raise InputError(f"its number format shows {symbol}, not a US one: which dollar "
                         "(or peso) is ambiguous; give the cell a format with the currency "
                         "code, e.g. [$CAD] #,##0.00, or a currency column naming one of "
                         f"{', '.join(choices[:6])}, ...")
    raise InputError(_ambiguous(symbol, choices))


def _ambiguous(token: str, choices: tuple[str, ...], default: str | None = None) -> str:
    """Why ``token`` decides no currency. With a ``default`` (none of ``choices``: one of
    them would have decided), the advice is what does decide, never "set a default
    currency" (x21r3 F8c: said under currency = "EUR"): the row naming it, since a
    default re-reads a symbol only as one of its own currencies (docs/mapping.md, Money)."""
    why = _BACKSLASH if token == "\\" else ""
    if default is None or default in choices:
        return (f"ambiguous currency {token!r}: set a default currency or a currency column "
                f"naming one of {', '.join(choices)}{why}")
    return (f"ambiguous currency {token!r}: it may mean {', '.join(choices)}, and the default "
            f"currency {default} is none of them; name the one it is in the row's currency "
            f"column, or write its code in the amount (e.g. 100 {choices[0]}){why}")


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

# ISO 4217 minor units (the digits after the decimal mark) where they are not 2: the one
# table every money path reads (``minor_units``)
_MINOR_UNITS = {
    **dict.fromkeys("BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF "
                    "XPF".split(), 0),
    **dict.fromkeys("BHD IQD JOD KWD LYD OMR TND".split(), 3),
    **dict.fromkeys("CLF UYW".split(), 4),
}


def minor_units(code: str) -> int:
    """How many decimals the currency ``code`` has (ISO 4217: USD 2, JPY 0, BHD 3)."""
    return _MINOR_UNITS.get(code.upper(), 2)


def check_minor_units(money: Money, currency: str | None,
                      open_to: tuple[str, ...] | None = None) -> None:
    """InputError when ``money``'s digits read two ways (``_SymbolMoney.other``: ``5,000``
    under the decimal mark ",") and the reading taken has more decimals than its currency
    has (``currency``; while undecided, every one of ``open_to``): the mark may as well
    group thousands, so the cell is ambiguous — never a guess (x21r3 F1: ``$5,000`` in a
    decimal-comma column was 5 USD)."""
    if not isinstance(money, _SymbolMoney) or money.other is None:
        return
    other = money.other
    codes = (currency,) if currency else open_to or ()
    if not codes:
        return
    written = -int(money.amount.as_tuple().exponent)
    if written <= max(minor_units(c) for c in codes):
        return
    minor = max(minor_units(c) for c in codes)
    mark = money.mark
    taken, grouped = (_plain(x) for x in (money.amount, other))
    raise InputError(f"ambiguous amount {money.cell!r}: {taken} with {mark!r} as the "
                     f"decimal mark ({counted(written, 'decimal')}, more than {currency or ' / '.join(codes)}"
                     f"{'' if currency else ' each'} has: {minor}), or {grouped} with "
                     f"{mark!r} grouping thousands; write the amount so it reads one way "
                     f"(e.g. {grouped}, or the amount with "
                     f"{counted(minor, 'decimal') if minor else 'no decimals'})")


def _plain(amount: Decimal) -> str:
    """``amount`` as plain digits, no trailing zeros (for messages)."""
    return format(amount.normalize(), "f")


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
    # byte 0x5C, a backslash in cp932 / cp949 text, is shown as ¥ by Japanese Windows and
    # as ₩ by Korean: before an amount it is one of them, which the default currency or
    # the row's currency column decides (x53r5 F4: '\6,169,720' was "unknown currency")
    "\\": (None, "JPY", "KRW"),
}
# why a backslash is a currency at all, said when nothing decides which (``_ambiguous``)
_BACKSLASH = ("; a backslash before an amount is the yen sign of a Japanese Shift-JIS "
              "(cp932) file, the won sign of a Korean (cp949) one, as Windows shows that "
              "byte there")

_SIGNS = "-+\u2212"
# what reports write for thousands and millions after a number ("1.5M", "2.3k", "4 Mio.")
_MAGNITUDES = frozenset({"k", "m", "mm", "mn", "mil", "mio", "b", "bn", "mrd", "tsd",
                         "thousand", "million", "millions", "billion", "lakh", "crore",
                         "cr", "l"})


def _currency_token(token: str, default: str | None) -> tuple[str | None, tuple[str, ...]]:
    """(its ISO code, the currencies it may mean when it is an ambiguous symbol, else
    ``()``): the default currency when it is one of them, else the symbol's usual reading,
    else None (undecided: ``kr`` under EUR). InputError for an unknown token."""
    if token.upper() in ISO_CURRENCIES:
        return token.upper(), ()
    found = _SYMBOLS.get(token.casefold())
    if found is None:
        if token.casefold().rstrip(".") in _MAGNITUDES:  # $1.5M, 2.3k, 4 Mio. (x10r1)
            raise InputError(f"{token!r} after the number is a magnitude (thousand, million), "
                             "which is not read: write the whole amount (1500000 for 1.5M)")
        raise InputError(f"unknown currency {token!r}")
    if isinstance(found, str):
        return found, ()
    choices = tuple(c for c in found if c)
    if default is not None and default in choices:
        return default, choices
    return found[0], choices


# a pure function of the text around a number, which a column writes in a few ways ("EUR ",
# " €", "$"): remembered (issue 8: ~3 µs a cell, twice per amount). A refusal is not
# remembered (lru_cache keeps no exception): it is made again, the same
@functools.lru_cache(maxsize=1024)
def _split_affix(affix: str, default: str | None
                 ) -> tuple[int, str | None, tuple[str, ...], str]:
    """Signs and currency around the number → (count of minus signs, ISO code, the codes
    an ambiguous symbol may mean or ``()``, the currency token as written or "")."""
    minus, currency = 0, None
    choices: tuple[str, ...] = ()
    written = ""
    if not affix:  # most numbers: nothing before or after them
        return minus, currency, choices, written
    plus = 0
    for token in affix.split():
        while token and token[0] in _SIGNS:
            minus += token[0] != "+"
            plus += token[0] == "+"
            token = token[1:]
        tail = ""
        while token and token[-1] in _SIGNS:
            tail += token[-1]
            token = token[:-1]
        minus += sum(c != "+" for c in tail)
        plus += tail.count("+")
        if token:
            code, mine = _currency_token(token, default)
            if written:
                currency, choices = _one_currency(currency, choices, code, mine)
            else:
                currency, choices = code, mine
            written = f"{written} {token}".strip()
    if plus and (plus + minus) > 1:  # "+-5", "++5": no grammar reads them (v10r17: -5)
        raise InputError("more than one sign")
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


class CurrencyCell(NamedTuple):
    """A currency cell as read (``read_currency``): ``code`` its ISO code — for a symbol
    several currencies write, the default when it is one of them, else the symbol's usual
    reading, else None (``kr``) —, ``choices`` every currency such a symbol may mean (else
    ``()``), ``written`` the cell's text."""

    code: str | None
    choices: tuple[str, ...]
    written: str


def read_currency(value: object, *, prefer: str | None = None) -> CurrencyCell | None:
    """A currency cell (a code or a symbol) read as ``_currency_token`` reads the symbol of
    an amount — a ``$`` stays every dollar, for ``row_currency`` to decide with the amount
    and the deal —; None when blank; InputError for an unknown currency."""
    text = clean_text(value)
    if text is None:
        return None
    code, choices = _currency_token(text, prefer)
    return CurrencyCell(code, choices, text)


class RowCurrency(NamedTuple):
    """The currency a row gives an amount (``row_currency``): ``currency`` the code to send
    (None: none at all, or ``undecided``); ``open_to`` how open it is — None when the row
    names it, ``()`` when it is the default alone, else the currencies its symbol may mean
    (a deal or field in one of them keeps its own: ``jobs.deal_currency``).
    ``undecided``: a symbol that neither the default nor a usual reading decides (``kr``
    under EUR): the reason a new deal's row fails with, while an existing deal (field) in
    one of ``open_to`` decides it (x20r2 F2)."""

    currency: str | None
    open_to: tuple[str, ...] | None
    undecided: str | None = None


def row_currency(money: Money | None, cell: CurrencyCell | None, default: str | None, *,
                 column: str | None = None) -> RowCurrency:
    """The one reading of an amount's currency from its symbol or code (``money``, None for
    a blank amount), its currency cell (``cell``, ``read_currency``; ``column``: a monetary
    custom field's currency column, named in errors) and the default currency — for the
    deal's amount and every monetary custom field alike (x20r2 F1: a ``$`` in the currency
    column was read as USD, re-denominating a CAD deal). A symbol several currencies write,
    in the amount or in the cell, is open to all of them; two that share some are open to
    those; a code (or a symbol of one currency) in either names it, and must be one the
    other may mean. InputError when they disagree; a symbol that stays undecided (``kr``
    under EUR) is left to the deal (``RowCurrency.undecided``)."""
    symbol = money.symbol if isinstance(money, _SymbolMoney) else ""
    where = column or "the currency column"
    said = money.currency if money is not None else None
    mine = currency_choices(money) if money is not None else ()
    if cell is None:
        if said is None and mine:
            if symbol.startswith("$ of the locale"):  # an XLSX format: nothing decides it
                settle_currency(money, None)  # type: ignore[arg-type]  # raises
            return RowCurrency(None, mine, _ambiguous(symbol, mine, default))
        if said is not None:
            return RowCurrency(said, mine or None)
        return RowCurrency(default, () if default else None)
    if said is None and not mine:  # the amount names no currency: the cell alone
        code, choices = cell.code, cell.choices
    elif not cell.choices:  # the cell names one currency: the amount's symbol must allow it
        if cell.code == said or cell.code in mine:
            return RowCurrency(cell.code, None)
        if said is None:
            raise InputError(f"the amount's {symbol!r} means one of {', '.join(mine)}, "
                             f"not {cell.code}")
        raise InputError(f"{said} in the amount but {cell.code} in {column}" if column
                         else f"the amount says {said} but the currency is {cell.code}")
    elif not mine:  # the amount names one currency: the cell's symbol must allow it
        if said in cell.choices:
            return RowCurrency(said, None)
        raise InputError(f"the amount says {said} but {where}'s {cell.written!r} means one "
                         f"of {', '.join(cell.choices)}")
    else:  # two symbols: the currencies both may mean
        choices = tuple(c for c in mine if c in cell.choices)
        if not choices:
            raise InputError(f"the amount's {symbol!r} and {where}'s {cell.written!r} share "
                             "no currency")
        code = next((c for c in (cell.code, said) if c in choices), None)
    if code is None:  # the cell says what is ambiguous: advice to set it would contradict it
        return RowCurrency(None, choices, f"ambiguous currency {cell.written!r} in {where}: "
                           f"it may mean {', '.join(choices)}; write the code of the one "
                           "it is")
    return RowCurrency(code, choices or None)


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
        raise InputError(_ambiguous(text, choices, prefer))
    return code
