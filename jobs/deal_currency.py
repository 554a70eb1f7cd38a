"""What a row's currency and defaults do to a deal that exists: a currency the row does not
name (``defaults.currency`` alone, or a symbol several currencies write) never
re-denominates it (``defaulted_currency``), and a field's ``default`` never overwrites it
(``without_defaults``). Used by the import's upsert, its creates that find their deal
made meanwhile, and ``pdbulk update``; the rules are docs/mapping.md's (Money).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from bulk.errors import InputError

from .deals import same
from .last_written import CUSTOM, digest


def without_defaults(deal: Mapping[str, Any], defaulted: Sequence[str]) -> Mapping[str, Any]:
    """``deal``, a row's body, as it applies to a deal that exists: without the targets
    whose value is only the mapping's ``default`` (``MappedRow.defaulted``: body keys and
    custom field codes). A default fills a blank cell of a new deal; on a deal that exists
    a blank cell leaves its value, as ``defaults.currency`` does (x41r3 F2: a blank Seats
    cell under ``default = 1`` wrote 1 over a colleague's 7, a blank stage moved the deal
    back to the default stage)."""
    if not defaulted:
        return deal
    out = {k: v for k, v in deal.items() if k not in defaulted}
    custom = deal.get("custom_fields")
    if isinstance(custom, Mapping) and any(code in custom for code in defaulted):
        out["custom_fields"] = {k: v for k, v in custom.items() if k not in defaulted}
    return out


def _as_written(value: Mapping[str, Any], choices: Sequence[str], sign: str | None,
                seal: Callable[[Any], str]) -> Mapping[str, Any] | None:
    """``value`` ({"value", "currency"}) in the reading — its own currency, or one of
    ``choices`` — whose digest (``seal``) is ``sign``, what this state folder last wrote
    there; None: no reading is (or nothing was written)."""
    if sign is None:
        return None
    for currency in dict.fromkeys((value.get("currency"), *choices)):
        if currency is not None and seal({**value, "currency": currency}) == sign:
            return {**value, "currency": currency}
    return None


def defaulted_currency(existing: Mapping[str, Any], deal: Mapping[str, Any],
                       open_to: Mapping[str, Sequence[str]],
                       columns: Mapping[str, str] | None = None,
                       base: Mapping[str, str] | None = None) -> Mapping[str, Any]:
    """``deal``, a row's body, as it applies to the deal that ``existing`` is, for each
    currency of it the row does not name (``open_to``: ``MappedRow.currency_open``, by
    ``"currency"`` for the deal's amount and by field code for a monetary custom field's;
    ``()`` when it is ``defaults.currency`` alone, else the choices of the amount's
    symbol). ``columns``: the column each is read from, by the same keys
    (``RowMapper.currency_columns``), for the error's column.

    A currency that is the default alone leaves the deal's own, as any empty cell does in
    an upsert (x9r3: GBP 1,234,567.89 became USD 1,234,567.89 on a null currency; x9r4 F4:
    a monetary custom field re-denominated the same way). The row's amount, read in that
    default, must then not change the deal's: InputError (which currency it is in is not
    known; nothing is sent for the row). A deal already in the default takes the body as
    it is. A symbol of several currencies (``$``) with no code saying which keeps a deal in
    one of them, the amount read in it (x9r4: ``$100`` moved a CAD deal to USD); one that
    nothing in the row decided (``kr`` under EUR, no currency sent) is the deal's when it
    is one of them, else InputError (x20r2 F2: ``kr`` on a SEK deal failed as
    ambiguous). A monetary custom field's amount with no currency at all (none in the row,
    no default) is in the field's own currency; InputError when the field is empty.

    ``base`` (``jobs.last_written``: field -> digest of what this state folder last wrote):
    a monetary custom field whose row value, in its own currency or one its symbol may mean,
    is what was last written there is left as written then, none of the checks above made:
    the three-way comparison that follows keeps Pipedrive's value when a colleague changed
    it since (x50r5 F2: ``$100.00`` last written as USD 100, a colleague's SEK since, and
    the same file failed the row "ambiguous currency", its other fields lost, where
    ``USD 100.00`` was "kept Pipedrive's")."""
    out = dict(deal)
    if "currency" in open_to and base and "value" in deal and (
            base.get("value") == digest(deal.get("value"))) and (
            (found := _as_written({"value": None, "currency": deal.get("currency")},
                                  open_to["currency"], base.get("currency"),
                                  lambda v: digest(v["currency"]))) is not None):
        out["currency"] = found["currency"]  # as last written: the three-way decides
        open_to = {k: v for k, v in open_to.items() if k != "currency"}
    if "currency" in open_to:
        amount = {"value": deal.get("value"), "currency": deal.get("currency")}
        held = {"value": existing.get("value"), "currency": existing.get("currency")}
        kept = _open_money(held, amount, open_to["currency"], "value" in deal, existing,
                           "its amount", (columns or {}).get("currency"))
        if kept is None:
            out.pop("currency", None)
        elif "currency" in deal or kept.get("currency") is not None:  # "kr": the deal's
            out["currency"] = kept["currency"]
    wanted = deal.get("custom_fields")
    if isinstance(wanted, Mapping) and any(code in wanted for code in open_to):
        stored = existing.get("custom_fields") or {}
        custom = dict(wanted)
        for code, choices in open_to.items():
            value, now = wanted.get(code), stored.get(code)
            if code == "currency" or not isinstance(value, Mapping):
                continue
            now = now if isinstance(now, Mapping) else {}  # an empty field: its currency none
            column = (columns or {}).get(code)
            written = _as_written(value, choices, (base or {}).get(CUSTOM + code), digest)
            if written is not None:  # as last written: the three-way comparison decides
                custom[code] = written
                continue
            if value.get("currency") is None and not choices:
                # no currency in the row and no default: the field's own, as the deal's
                # amount keeps the deal's (x27r3 4: the row failed on a field in GBP)
                value = {**value, "currency": _held_currency(now, existing, column, code)}
            kept = _open_money(now, value, choices, True, existing,
                               repr(column) if column else f"custom field {code}", column)
            if kept is None:
                del custom[code]  # its amount unchanged, in a currency the row does not say
            else:
                custom[code] = kept
        out["custom_fields"] = custom
    return out


def _open_money(now: Mapping[str, Any], wanted: Mapping[str, Any], choices: Sequence[str],
                has_amount: bool, existing: Mapping[str, Any], label: str,
                column: str | None) -> Mapping[str, Any] | None:
    """``wanted`` ({"value", "currency"}) whose currency is open, as it applies to ``now``:
    itself, the same amount in ``now``'s currency (``choices``), or None (nothing to set:
    the same amount, and the currency not the row's to say). InputError: a changed amount
    in a currency the row does not say."""
    currency, was = wanted.get("currency"), now.get("currency")
    if currency is None and choices:  # a symbol nothing in the row decided ("kr")
        if was in choices:
            return {**wanted, "currency": was}
        raise InputError(
            f"ambiguous currency: the row's symbol for {label} may mean "
            f"{', '.join(choices)}, and deal {existing.get('id')} has it "
            f"{f'in {was}' if was else 'empty'}, none of them: write the currency's code "
            "in the row", column=column)
    if currency is None or was in (None, currency):
        return wanted
    if choices:
        if was in choices:  # a symbol one of whose currencies the deal is in: that one
            return {**wanted, "currency": was}
        # none of them: the row's usual reading ("$" is USD) would re-denominate the deal
        # with no word (x20r4: an EUR deal's "$199" became 199 USD, exit 0); the row fails
        raise InputError(
            f"ambiguous currency: the row's symbol for {label} may mean "
            f"{_some(choices)}, and deal {existing.get('id')} has it in {was}, none of "
            "them: write the currency's code in the row to change its currency",
            column=column)
    if has_amount and not same(now.get("value"), wanted.get("value")):
        raise InputError(
            f"the row names no currency for {label}, and deal {existing.get('id')} has it "
            f"in {was}, not the default {currency}: the amount {wanted.get('value')} would "
            f"change {label} in a currency the row does not say; name the currency "
            "in the row (a currency column, or a code in the amount)", column=column)
    return None


def _held_currency(now: Mapping[str, Any], existing: Mapping[str, Any], column: str | None,
                   code: str) -> str:
    """The currency a deal's monetary custom field holds (``now``); InputError when it is
    empty: then neither the row nor the deal says one."""
    was = now.get("currency")
    if isinstance(was, str) and was:
        return was
    label = repr(column) if column else f"custom field {code}"
    raise InputError(
        f"no currency for {label}: none in the row, no default currency, and deal "
        f"{existing.get('id')} has the field empty; name the currency in the row (a "
        "currency column, or a code in the amount) or set defaults.currency", column=column)


def _some(choices: Sequence[str], shown: int = 6) -> str:
    """``choices`` for a message: all of a few, the first ``shown`` of many ("$" may mean
    some 30 dollars)."""
    if len(choices) <= shown + 1:
        return ", ".join(choices)
    return f"{', '.join(choices[:shown])}, … ({len(choices)} in all)"


__all__ = ["defaulted_currency", "without_defaults"]
