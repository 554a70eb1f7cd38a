"""A symbol several currencies write ($, £, kr, ¥, R, Fr) is one ambiguity wherever it is
written — the amount cell, the currency column, both — and is read by one rule for the
deal's amount and monetary custom fields alike, in an import (insert, upsert) and in
`pdbulk update`: an existing deal's (field's) currency when it is one of them, else the
default when it is one of them, else the symbol's usual reading, else the row fails naming
the candidates (x20r2 F1: a ``$`` in the currency column re-denominated a CAD deal to USD).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bulk.manifest import SourceRow
from bulk.sandbox import SandboxConfig, serve
from jobs.catalog import Catalog
from jobs.mapping import Mapping, compile_mapping
from tests.import_support import import_once, read_csv
from tests.test_currency_changes import FAST, _update
from tests.test_mapping import catalog  # noqa: F401  (fixture)
from tests.update_support import deal

pytestmark = pytest.mark.anyio

UPSERT = """\
[import]
key_column = "id"
mode = "upsert"
[defaults]
currency = "EUR"
[deal]
title = "title"
value = "amount"
currency = "cur"
[custom_fields]
"Contract value" = { column = "budget", currency_column = "budget_cur" }
"""


def test_a_dollar_in_the_currency_column_stays_open_as_in_the_amount(
        catalog: Catalog) -> None:  # noqa: F811
    """x20r2 F1: the currency column's ``$`` was read as USD (a named currency, set on any
    deal); it is open to every dollar, as a ``$`` in the amount is, for the deal's amount
    and a monetary custom field's currency column alike."""
    m = compile_mapping(Mapping.loads(UPSERT), catalog)
    for amount, cur in (("300", "$"), ("$300", "$"), ("$300", "")):
        row = m.map(SourceRow(5, 6, {"id": "k1", "title": "Deal", "amount": amount,
                                     "cur": cur, "budget": amount, "budget_cur": cur}))
        assert row.deal["currency"] == "USD" and "CAD" in row.currency_choices, (amount, cur)
        assert row.custom_currency_open and "CAD" in next(
            iter(row.custom_currency_open.values())), (amount, cur)


async def _upsert(tmp_path: Path, sb: Any, rows: str, job_id: str, spec: str = UPSERT
                  ) -> tuple[dict[str, str], dict[str, str]]:
    """Import ``rows`` under ``spec``: (the actions by key, the failed reasons by key)."""
    manifest, mapping = tmp_path / "e6.csv", tmp_path / "e6.toml"
    mapping.write_text(spec)
    manifest.write_text("id,title,amount,cur,budget,budget_cur\n" + rows)
    store, result, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping,
                                         job_id=job_id)
    try:
        assert not result.stopped, result.error
        return ({r["key"]: r["action"] for r in read_csv(store.directory / "succeeded.csv")},
                {r["key"]: r["reason"] for r in read_csv(store.directory / "failed.csv")})
    finally:
        store.close()


async def test_a_dollar_in_the_currency_column_keeps_a_cad_deal_cad(tmp_path: Path) -> None:
    """x20r2 F1 (e6.csv): R00029 (300 CAD, a Contract value of 5000 CAD) with ``$`` in the
    currency column, and R00031 with ``$300`` and ``$``, became 300 USD, exit 0; they stay
    CAD (unchanged), as R00065's ``300 $`` did. A new deal with ``$`` is USD (its usual
    reading under EUR)."""
    async with serve(SandboxConfig(deals=0, **FAST)) as sb:
        code = next(f["field_code"] for f in sb.state.fields.values()
                    if f["field_name"] == "Contract value")
        first = ("R00029,Deal R00029,300,CAD,5000,CAD\nR00031,Deal R00031,300,CAD,,\n"
                 "R00065,Deal R00065,300,CAD,,\n")
        await _upsert(tmp_path, sb, first, "v1")
        done, failed = await _upsert(
            tmp_path, sb, "R00029,Deal R00029,300,$,5000,$\nR00031,Deal R00031,$300,$,,\n"
                          "R00065,Deal R00065,300 $,,,\nR00100,Deal R00100,5,$,7,$\n", "v2")
        assert done == {"R00029": "unchanged", "R00031": "unchanged", "R00065": "unchanged",
                        "R00100": "created"}, (done, failed)
        deals = {d["title"]: d for d in sb.state.deals.rows.values()}
        assert {t: (d["value"], d["currency"]) for t, d in deals.items()} == {
            "Deal R00029": (300, "CAD"), "Deal R00031": (300, "CAD"),
            "Deal R00065": (300, "CAD"), "Deal R00100": (5, "USD")}
        assert deals["Deal R00029"]["custom_fields"][code] == {"value": 5000, "currency": "CAD"}
        assert deals["Deal R00100"]["custom_fields"][code] == {"value": 7, "currency": "USD"}


async def test_an_update_with_a_dollar_in_the_currency_column_keeps_a_cad_deal_cad(
        tmp_path: Path) -> None:
    """x20r2 F1 in `pdbulk update`: ``7,300,$`` on a CAD deal made it USD."""
    async with serve(SandboxConfig(deals=2, **FAST)) as sb:
        sb.state.deals.rows[1].update(currency="CAD", value=300)
        sb.state.deals.rows[2].update(currency="EUR", value=300)
        actions, _ = await _update(sb, tmp_path, "Deal,value,cur\n1,300,$\n2,300,$\n",
                                   '[defaults]\ncurrency = "EUR"\n'
                                   '[deal]\nvalue = "value"\ncurrency = "cur"\n')
        assert (deal(sb, 1)["value"], deal(sb, 1)["currency"]) == (300, "CAD"), actions
        # a deal in none of the dollars: the row fails, the deal as it was (x20r4: the
        # usual reading, USD, re-denominated it with no word)
        assert (deal(sb, 2)["value"], deal(sb, 2)["currency"]) == (300, "EUR"), actions
        assert actions.get("failed") == 1, actions


# symbol, how the amount cell writes it, a currency of its set the deal may be in, and the
# symbol's usual reading (None: it has none, the row fails when no deal decides)
SYMBOLS = [("$", "$300", "CAD", "USD"), ("£", "£300", "EGP", "GBP"),
           ("kr", "kr 300", "NOK", None), ("¥", "¥300", "CNY", "JPY"),
           ("R", "R 300", "ZAR", "ZAR"), ("Fr", "Fr 300", "XOF", "CHF")]
WHERE = {"amount": lambda s, a: (a, ""), "column": lambda s, a: ("300", s),
         "both": lambda s, a: (a, s)}
OTHER = "PLN"  # a currency none of the symbols may mean (the default, EUR, neither)


def _table(kinds: tuple[str, ...]) -> list[tuple[str, str, str, str | None, str]]:
    """(key, amount cell, currency cell, the deal's currency or None for a new deal, the
    currency expected or "fail") for every symbol, where and deal kind."""
    out = []
    for n, (symbol, amount, theirs, usual) in enumerate(SYMBOLS):
        for where, cells in WHERE.items():
            for kind in kinds:
                held = {"theirs": theirs, "other": OTHER, "new": None}[kind]
                # a deal in another currency: the row fails (x20r4), never re-denominated
                # by a symbol of several currencies ("R" reads as ZAR alone: a code)
                wanted = theirs if kind == "theirs" \
                    else "fail" if kind == "other" and symbol != "R" else usual or "fail"
                out.append((f"S{n}-{where}-{kind}", *cells(symbol, amount), held, wanted))
    return out


def _check(table: list[tuple[str, str, str, str | None, str]], failed: dict[str, str],
           held: dict[str, tuple[Any, Any]]) -> None:
    for key, amount, cur, _, wanted in table:
        if wanted == "fail":
            assert key in failed and ("SEK, NOK, DKK, ISK" in failed[key] or (
                key.endswith("-other") and f"has it in {OTHER}" in failed[key])), (key, failed)
            assert "\n" not in failed[key] and "Traceback" not in failed[key]
            if cur:  # the row names the ambiguous symbol: no advice to set a column
                assert "currency column naming" not in failed[key], failed[key]
        else:
            assert key not in failed, (key, amount, cur, failed.get(key))
            assert held[key] == (300, wanted), (key, amount, cur, held[key], wanted)


async def test_every_shared_symbol_anywhere_in_an_import_is_read_by_one_rule(
        tmp_path: Path) -> None:
    """x20r2 F1+F2 (the table): $, £, kr, ¥, R, Fr in the amount cell, the currency column
    or both, on a deal in one of the symbol's currencies (it keeps it: "kr 1235.5" on a
    NOK deal failed as ambiguous), in another (the usual reading; kr fails naming SEK, NOK,
    DKK, ISK) or a new deal (the same), by an upsert and by an insert."""
    upsert = _table(("theirs", "other", "new"))
    insert = _table(("new",))
    async with serve(SandboxConfig(deals=0, **FAST)) as sb:
        await _upsert(tmp_path, sb, "".join(f"{k},T {k},100,{held},,\n" for k, _, _, held, _
                                            in upsert if held), "v1")
        _, failed = await _upsert(tmp_path, sb, "".join(
            f"{k},T {k},{a},{c},,\n" for k, a, c, _, _ in upsert), "v2")
        await _upsert(tmp_path, sb, "".join(f"I{k},T I{k},{a},{c},,\n"
                                            for k, a, c, _, _ in insert), "v3",
                      spec=UPSERT.replace('"upsert"', '"insert"'))
        held = {d["title"][2:]: (d["value"], d["currency"])
                for d in sb.state.deals.rows.values()}
        _check(upsert, failed, held)
        failed_insert = {r["key"][1:]: r["reason"] for r in read_csv(
            tmp_path / "jobs" / "v3" / "failed.csv")}
        _check(insert, failed_insert, {k[1:]: v for k, v in held.items() if k[0] == "I"})


async def test_every_shared_symbol_anywhere_in_an_update_is_read_by_one_rule(
        tmp_path: Path) -> None:
    """x20r2 F1+F2 in `pdbulk update` (``4,kr 1235.5,`` on a SEK deal failed as ambiguous,
    with or without defaults.currency; ``1,101 kr,kr`` on a NOK deal too)."""
    table = _table(("theirs", "other"))
    async with serve(SandboxConfig(deals=len(table), **FAST)) as sb:
        ids = sorted(sb.state.deals.rows)
        for deal_id, (_, _, _, currency, _) in zip(ids, table, strict=True):
            sb.state.deals.rows[deal_id].update(currency=currency, value=100)
        rows = "".join(f"{i},{a},{c}\n" for i, (_, a, c, _, _) in zip(ids, table, strict=True))
        for n, mapping in enumerate(('[defaults]\ncurrency = "EUR"\n', "")):
            (tmp_path / f"u{n}").mkdir()
            await _update(sb, tmp_path / f"u{n}", "Deal,value,cur\n" + rows,
                          mapping + '[deal]\nvalue = "value"\ncurrency = "cur"\n')
        failed = {row[0]: row[4] for row in table if row[4] == "fail"}
        held = {key: (deal(sb, i)["value"], deal(sb, i)["currency"])
                for i, (key, *_) in zip(ids, table, strict=True)}
        for key in failed:
            assert held[key] == (100, OTHER), (key, held[key])  # nothing sent
        _check(table, {k: "SEK, NOK, DKK, ISK" for k in failed}, held)


def test_an_undecided_symbol_of_a_monetary_field_is_the_fields_own_currency() -> None:
    """x20r2 F2 for a monetary custom field: ``kr`` nothing in the row decides is the
    field's own currency when it is one of kr's, else the row fails naming them (an empty
    field decides nothing); nothing of the row is sent with a null currency."""
    from bulk.errors import InputError
    from jobs.deal_currency import defaulted_currency

    kr = ("SEK", "NOK", "DKK", "ISK")
    wanted = {"custom_fields": {"f1": {"value": 5100, "currency": None}}}
    existing = {"id": 4, "custom_fields": {"f1": {"value": 5000, "currency": "NOK"}}}
    assert defaulted_currency(existing, wanted, {"f1": kr})["custom_fields"] == {
        "f1": {"value": 5100, "currency": "NOK"}}
    for field in ({"value": 5000, "currency": "EUR"}, None):
        with pytest.raises(InputError, match="SEK, NOK, DKK, ISK") as info:
            defaulted_currency({"id": 4, "custom_fields": {"f1": field}}, wanted, {"f1": kr},
                               {"f1": "Budget"})
        assert info.value.column == "Budget"
