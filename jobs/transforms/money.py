"""Numbers and money: decimal marks, grouping, currencies, exact API numbers,
probabilities (the decimal-mark rules are in the package docstring).

``parse_money`` / ``parse_number`` / ``parse_int`` / ``parse_probability`` read a cell.
What they build on was split out (issue 8) and is re-exported here, so every name is
importable from where it was: ``jobs.transforms.currency`` (``Money``, the symbols,
``parse_currency``) and ``jobs.transforms.decimals`` (decimal marks, grouping,
``ColumnDecimal``, ``check_api_number``, ``json_number``).
"""

from __future__ import annotations

import math
import re
from decimal import Decimal

from bulk.errors import InputError
from bulk.manifest_json import JsonNumber
from bulk.manifest_xlsx import DOLLAR_OF_LOCALE, CurrencyNumber, PercentNumber

from .currency import (
    ISO_CURRENCIES,
    Money,
    _ambiguous,
    _currency_token,
    _one_currency,
    _split_affix,
    _SymbolMoney,
    _with_choices,
    currency_choices,
    parse_currency,
    settle_currency,
)
from .decimals import (
    _MAX_DIGITS,
    _PARTS,
    MAX_EXACT,
    ColumnDecimal,
    Decimal_,
    _parse_digits,
    check_api_number,
    decimal_evidence,
    json_number,
    other_reading,
)
from .text import _EXCEL_SCIENTIFIC, _INVISIBLE, _SPACES, _text, is_empty, quoted_cell
from .wide_forms import fold_wide

# "no cents": 1'000.-, 1.000,--, 1.000,\u2013 (a hyphen, two, or a dash after the mark)
_NO_CENTS = re.compile(r"(?<=\d)[.,](?:-{1,2}|\u2013|\u2014)(?=[^\d]*$)")
_SCIENTIFIC = re.compile(r"[-+]?\d+(\.\d+)?[eE][+-]?\d+")


# Excel's General format (the default), and the CSV save that writes what it shows, turns
# a number of 12 integer digits or more (10^11 and up) into E-notation with at most 6
# significant digits: 123456789012 is "1.23457E+11", 1000000400000 is "1E+12"
_GENERAL_E_FROM = 11  # the smallest exponent Excel's General format writes for a big number
_GENERAL_E_DIGITS = 6  # the most significant digits it shows in E-notation


def spreadsheet_cut_number(text: str) -> bool:
    """Whether the cell text ``text`` (stripped) is a number as a spreadsheet's General
    format shows one of 12 digits or more: E-notation in Excel's form (one digit, a ``.``
    or ``,`` mark and at most 5 more, ``E+``, an exponent of 11 or more: ``1.23457E+11``,
    ``1,23457E+11``, ``-4E+12``, ``1.2E+100``); its other digits are lost, and even a
    short mantissa may be one rounded (``1E+12`` is how 1000000400000 shows). E-notation
    below 10^11 (``1E+06``, ``1.5E+03``: General shows such numbers in full, so a person
    or a program wrote them) or with more digits than General shows (``1.234567E+11``)
    is not (x32r4 t14)."""
    if "E+" not in text[:12].upper():
        return False
    upper = text.upper()
    if not _EXCEL_SCIENTIFIC.fullmatch(upper):
        return False
    mantissa, exponent = upper.split("E+")
    digits = mantissa.lstrip("-").replace(".", "").replace(",", "")
    return int(exponent) >= _GENERAL_E_FROM and len(digits) <= _GENERAL_E_DIGITS


def cut_number_error(text: str) -> InputError:
    """The InputError for a number cell that ``spreadsheet_cut_number`` says lost digits."""
    return InputError(f"{text!r} is a long number as a spreadsheet shows it in scientific "
                      "notation: its other digits are lost; re-export with the column "
                      "formatted as Number with no decimals (or as Text), or write the "
                      "number in full")


# what exports write for "no value" in a number's cell
_NO_VALUE = frozenset({"n/a", "na", "n.a.", "#n/a", "-", "--", "---", "?", "tbd", "tba",
                       "none", "null", "nil", "nan", "k.a.", "n.v."})


def percentage(value: object) -> tuple[object, str] | None:
    """A percentage cell's number part and the cell as shown, else None: the text
    ``12,5 %`` is ``("12,5", "12,5 %")`` (a ``%`` at the end, or the full-width U+FF05 folded
    with the digits and marks: ``fold_wide``; spaces before it allowed), an
    XLSX number in a percentage format (``PercentNumber``, 0.075 under ``0.0%``) is
    ``(7.5, "7.5%")``, its stored number in percent, unrounded (0.125 under ``0%``, which
    Excel shows as ``13%``, is 12.5). One rule for both (x21r3 F6): a number target
    reads the number in percent, never the fraction (``10%`` is 10), and an amount
    refuses a percentage (``parse_money``)."""
    if isinstance(value, PercentNumber):
        return value.number, str(value)
    if not isinstance(value, str) or isinstance(value, JsonNumber | CurrencyNumber):
        return None  # numbers, not text
    # the full-width sign U+FF05 (and digits, marks) folded first, as every reader does
    # (x54r2 F2: the full-width '12.5%' failed "text beside the number: '%'" where '12.5%' read 12.5)
    text = _SPACES.sub(" ", fold_wide(value)) if not value.isascii() else value
    if "%" not in text:
        return None
    text = text.translate(_INVISIBLE).strip()
    if not text.endswith("%"):
        return None
    return text[:-1].rstrip(), text


def _percent_number(part: tuple[object, str]) -> object:
    """The number part of a percentage (``percentage``), or InputError quoting the cell."""
    value, shown = part
    if is_empty(value):  # "%" alone: no number, not a blank cell (v10r9 S5)
        raise InputError(f"not a number: {shown!r} (a % sign without a number)")
    if isinstance(value, str) and (percentage(value) is not None
                                   or not any(c.isdigit() for c in value)):
        raise InputError(f"not a number: {shown!r}")
    return value


def parse_number(value: object, *, decimal: Decimal_ = "auto",
                 column: ColumnDecimal | None = None) -> Decimal | None:
    """A plain number in any common notation (no currency allowed); ``column``: see
    ``parse_money``. A percentage is its number in percent (``10%`` and an XLSX 0.1 under
    ``0%`` are 10; an XLSX 0.125 under ``0%``, shown ``13%``, is 12.5: ``percentage``)."""
    if (part := percentage(value)) is not None:
        value = _percent_number(part)
    try:
        money = parse_money(value, decimal=decimal, allow_currency=False, column=column)
    except InputError as exc:  # a probability's "n/a" is no amount (x10r1)
        if not exc.reason.startswith("not an amount"):
            raise
        reason = "not a number" + exc.reason[len("not an amount"):].replace(
            "(unknown currency ", "(text beside the number: ")
        if str(value).strip().casefold() in _NO_VALUE:
            reason += " (a marker for no value? list it in defaults.empty_values)"
        raise InputError(reason) from None
    return None if money is None else money.amount


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
    if (part := percentage(value)) is not None and any(c.isdigit() for c in part[1]):
        # x21r3 F6: an XLSX 0.1 under 0% was the amount 10, where the CSV's 10% failed
        raise InputError(f"not an amount: {part[1]!r} is a percentage (an amount is money; "
                         "a percentage belongs in a number field or the probability)")
    if type(value) is str:  # a text cell, the usual one: no other type's branch applies
        if value.isascii() and value.isprintable() and "  " not in value:
            text = value.strip()  # no invisible character, no whitespace but single " "
            if not text:
                return None
        else:
            if is_empty(value):
                return None
            text = _SPACES.sub(" ", fold_wide(value).translate(_INVISIBLE)).strip()
    else:
        read = _non_text(value, default_currency, decimal, allow_currency, prefer, undecided)
        if not isinstance(read, str):
            return read
        text = read
    if spreadsheet_cut_number(text):  # x32r4 t14: 1.23457E+11 was the amount 123457000000
        raise cut_number_error(text)
    if _SCIENTIFIC.fullmatch(text):  # E-notation a person or a program wrote: 1E+06
        return Money(check_api_number(Decimal(text), text), default_currency)
    # the cell as written, for every message: the parts read below lose its parentheses,
    # its no-cents dash (x40r2 L2: ``(1,234)`` was quoted as '1,234', its sign dropped)
    cell = text
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
        raise InputError(f"not an amount: {cell!r}")
    pre, post = match["pre"].rstrip(), match["post"].lstrip()
    if not negative and pre.endswith("(") and post.startswith(")"):
        # accounting parentheses inside the currency: "€ (1,234.50)", "$ (5.00)" (Excel's
        # Accounting format as text; v10r17: "unknown currency '('")
        negative = True
        match = _PARTS.fullmatch(f"{pre[:-1]}{match['num']}{post[1:]}")
        if match is None:  # pragma: no cover - the same parts without the parentheses
            raise InputError(f"not an amount: {cell!r}")
    num = match["num"]
    if cents_mark:
        if column is not None and decimal == "auto":
            # the mark before the dash is the column's decimal mark, unless the digits
            # repeat it as their thousands mark (1.000.-: then the other one is)
            other = "," if cents_mark == "." else "."
            column.note(other if cents_mark in num else cents_mark, cell)
    elif column is not None and decimal == "auto":
        decimal = column.see(num, cell)
    # while learning, the cell is read by its own marks only to know that it reads: its
    # column records it then (``ColumnDecimal.commit``); the reading comes later
    learning = column is not None and column.learning
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
            raise InputError(f"not a number: {cell!r} (has a currency)")
        if currency is None and choices and not undecided:
            raise InputError(_ambiguous(symbol, choices, prefer))
    except InputError as exc:
        if exc.reason.startswith("not a number"):
            raise
        raise InputError(f"not an amount: {cell!r} ({exc.reason})") from None
    minus = minus_pre + minus_post + negative
    if minus > 1:
        raise InputError(f"not an amount: {cell!r} (more than one minus sign)")
    amount = _parse_digits(num, decimal, cell, no_cents=bool(cents_mark))
    if len(num) > _MAX_DIGITS:  # else fewer than 16 digits: below 2^53, never too precise
        amount = check_api_number(amount, cell)
    if learning:
        assert column is not None
        column.commit()
        return None
    if symbol:
        money = _with_choices(Money(-amount if minus else amount, currency), choices, symbol)
    else:
        money = Money(-amount if minus else amount, default_currency)
    two_ways = None if cents_mark else other_reading(num, decimal, cell)
    if two_ways is None:
        return money
    # the mark may group thousands: whether the currency's minor unit allows the reading
    # taken is for the row's currency to say (``check_minor_units``, x21r3 F1)
    out = money if isinstance(money, _SymbolMoney) else _SymbolMoney(*money)
    mark, grouped = two_ways
    out.mark, out.other, out.cell = mark, -grouped if minus else grouped, cell
    return out


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
        if value.symbol.startswith(DOLLAR_OF_LOCALE) and undecided:
            # which dollar (or peso) the row's currency column says, as for "$5.25" text
            # (v10r29 F1: refused even with a currency column, which the message offered);
            # never the default currency: the locale says it is not a US dollar
            _, choices = _currency_token("$", None)
            return _with_choices(Money(amount, None), choices,
                                 f"$ of the locale {value.symbol[2:]}")
        if value.symbol.startswith(DOLLAR_OF_LOCALE):
            raise InputError(f"not an amount: {str(value)!r} (its number format shows \"$\" "
                             f"for the locale {value.symbol[2:]}, not a US one: which dollar "
                             "(or peso) is ambiguous; give the cell a format with the "
                             "currency code, e.g. [$CAD] #,##0.00, or a currency column)")
        try:
            code, choices = _currency_token(value.symbol, prefer)
            if code is None and not undecided:
                raise InputError(_ambiguous(value.symbol, choices, prefer))
        except InputError as exc:
            raise InputError(f"not an amount: {str(value)!r} (its number format: "
                             f"{exc.reason})") from None
        return _with_choices(Money(amount, code), choices, value.symbol)
    if isinstance(value, float):
        # a JSON/XLSX double: shown (and meant) at 15 significant digits, as Excel shows
        # it — the 0.30000000000000004 Excel stores for =0.1+0.2 is 0.3
        amount = Decimal(f"{value:.15g}") if math.isfinite(value) else Decimal(str(value))
        if not amount.is_finite():
            raise InputError(f"not a finite number: {quoted_cell(value)}")
        return Money(check_api_number(amount, value), default_currency)
    if isinstance(value, int | float | Decimal | JsonNumber) and not isinstance(value, bool):
        amount = Decimal(str(value))
        if not amount.is_finite():
            raise InputError(f"not a finite number: {quoted_cell(value)}")
        return Money(check_api_number(amount, value), default_currency)
    return _SPACES.sub(" ", _text(value, "an amount").translate(_INVISIBLE)).strip()


def parse_int(value: object, *, decimal: Decimal_ = "auto",
              column: ColumnDecimal | None = None) -> int | None:
    """An integer (``1,234`` and ``12.0`` are fine; ``12.5`` is not)."""
    number = parse_number(value, decimal=decimal, column=column)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise InputError(f"not a whole number: {quoted_cell(value)}")
    return int(number)


def parse_probability(value: object, *, decimal: Decimal_ = "auto", scale: float = 1,
                      column: ColumnDecimal | None = None) -> int | float | None:
    """0-100, with or without ``%``. A fraction is NOT scaled: ``0.75`` means 0.75 % —
    unless ``scale`` says so (``scale = 100``: HubSpot's 0-1 probabilities); a percentage
    (``40%``, an XLSX cell shown as ``40%``) is in percent already and never scaled. None
    for a blank cell; InputError for a ``%`` without a number, or a number outside 0-100."""
    number = parse_number(value, decimal=decimal, column=column)
    if number is None:
        return None
    if scale != 1 and percentage(value) is None:
        number *= Decimal(str(scale))
    if not 0 <= number <= 100:
        times = f" (times {scale:g}: {json_number(number)})" if scale != 1 else ""
        raise InputError(f"probability must be between 0 and 100, got {str(value)!r}{times}")
    return json_number(number)


__all__ = ["ISO_CURRENCIES", "MAX_EXACT", "ColumnDecimal", "Decimal_", "Money",
           "check_api_number", "currency_choices", "decimal_evidence", "json_number",
           "parse_currency", "parse_int", "parse_money", "parse_number", "parse_probability",
           "percentage", "settle_currency"]
