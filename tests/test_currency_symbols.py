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
from jobs.mapping import Mapping
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
    m = Mapping.loads(UPSERT).compile(catalog)
    for amount, cur in (("300", "$"), ("$300", "$"), ("$300", "")):
        row = m.map(SourceRow(5, 6, {"id": "k1", "title": "Deal", "amount": amount,
                                     "cur": cur, "budget": amount, "budget_cur": cur}))
        assert row.deal["currency"] == "USD" and "CAD" in row.currency_choices, (amount, cur)
        assert row.custom_currency_open and "CAD" in next(
            iter(row.custom_currency_open.values())), (amount, cur)


async def _upsert(tmp_path: Path, sb: Any, rows: str, job_id: str
                  ) -> tuple[dict[str, str], dict[str, str]]:
    """Import ``rows`` under ``UPSERT``: (the actions by key, the failed reasons by key)."""
    manifest, mapping = tmp_path / "e6.csv", tmp_path / "e6.toml"
    mapping.write_text(UPSERT)
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
        # a deal in none of the dollars: the row's reading (the usual one, USD)
        assert (deal(sb, 2)["value"], deal(sb, 2)["currency"]) == (300, "USD"), actions
