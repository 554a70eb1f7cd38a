"""``init-mapping`` on a Pipedrive export of fields pdbulk cannot import, and of the key
field (x41r3 L3): the columns of daterange, time, org and people fields are said to be
such fields, not left among the columns no field matched; the key field's own column
("Deal - Import source key") is the key column, not "Deal - Title" with a TODO — while
"Deal - ID" still makes the export an update by id."""

from __future__ import annotations

from jobs.catalog import Catalog
from jobs.mapping.starter import init_mapping

FIELDS = [("k", "Import source key", "varchar"), ("d", "Contract period", "daterange"),
          ("t", "Call time", "time"), ("o", "Partner org", "org"), ("p", "Champion", "people")]
HEADER = ["Deal - Title", "Deal - Contract period", "Deal - Call time", "Deal - Partner org",
          "Deal - Champion", "Deal - Import source key"]
CELLS = ["X", "2024-01-01 - 2024-02-01", "09:30", "Acme Corp", "Ann", "K9"]


def _catalog() -> Catalog:
    return Catalog.from_api(
        pipelines=[{"id": 1, "name": "Sales"}],
        stages=[{"id": 11, "name": "Qualified", "pipeline_id": 1, "order_nr": 1}],
        users=[{"id": 100, "name": "Ann Lee", "email": "ann@acme.test", "active_flag": True}],
        deal_fields=[{"field_code": c * 40, "field_name": n, "field_type": t,
                      "is_custom_field": True} for c, n, t in FIELDS])


def test_unsupported_fields_columns_are_named_as_such() -> None:
    text = init_mapping(HEADER, _catalog(), samples={h: [c] for h, c in zip(HEADER, CELLS,
                                                                          strict=True)})
    assert "# Columns not mapped" not in text, text
    assert ("Deal - Contract period (daterange field 'Contract period'), Deal - Call time "
            "(time field 'Call time'), Deal - Partner org (org field 'Partner org'), "
            "Deal - Champion (people field 'Champion')") in text, text
    assert "# Columns of custom fields pdbulk cannot import" in text


def test_the_key_fields_column_is_the_key_column() -> None:
    text = init_mapping(HEADER, _catalog(), samples={h: [c] for h, c in zip(HEADER, CELLS,
                                                                          strict=True)})
    assert 'key_column = "Deal - Import source key"\n' in text, text
    own = init_mapping(["Deal - ID", *HEADER], _catalog(),
                       samples={h: [c] for h, c in zip(["Deal - ID", *HEADER], ["12", *CELLS],
                                                       strict=True)})
    assert "[update]" in own and 'id_column = "Deal - ID"' in own, own


def _options(*labels: str) -> list[dict[str, object]]:
    return [{"id": 10 * n + 1, "label": label} for n, label in enumerate(labels)]


def test_option_todos_read_cells_as_the_import_does() -> None:
    """x41r3 L1: under separator ",", ``Web, legacy, Chat`` (an option ``Web, legacy``)
    and ``10, 1,000`` (an option ``1,000``) were called "no option" ("Web", "legacy";
    "1", "000"), and ``gold`` (options ``Gold`` and ``Gold ``) too: the import reads the
    first two and fails the third as a label two options share, which the TODO now says."""
    fields = [("k", "Import source key", "varchar", []),
              ("c", "Channels", "set", _options("Email", "Chat", "Web, legacy")),
              ("s", "Sizes", "set", _options("10", "100", "1,000")),
              ("t", "Tier", "enum", _options("Gold", "Gold ", "Silver"))]
    catalog = Catalog.from_api(
        pipelines=[{"id": 1, "name": "Sales"}],
        stages=[{"id": 11, "name": "Qualified", "pipeline_id": 1, "order_nr": 1}],
        users=[{"id": 100, "name": "Ann Lee", "email": "ann@acme.test", "active_flag": True}],
        deal_fields=[{"field_code": c * 40, "field_name": n, "field_type": t,
                      "is_custom_field": True, **({"options": o} if o else {})}
                     for c, n, t, o in fields])
    samples = {"Key": ["1", "2"], "Title": ["a", "b"],
               "Channels": ["Web, legacy, Chat", "Email, Fax"], "Sizes": ["10, 1,000", "100"],
               "Tier": ["gold", "Silver"]}
    text = init_mapping(list(samples), catalog, samples=samples)
    todos = [line for line in text.splitlines() if line.startswith("# TODO: sampled")]
    assert len(todos) == 2, todos
    assert todos[0].startswith('# TODO: sampled cells of "Channels" are no option of '
                               '"Channels": "Fax" (its options'), todos
    assert todos[1].startswith('# TODO: sampled cells of "Tier" name a label two options of '
                               '"Tier" share (case and spaces aside): "gold"'), todos


def test_amounts_that_all_name_one_currency_propose_it() -> None:
    """x41r3 L7: every sampled amount says € (one cell blank): ``currency = "EUR"`` is
    proposed, so the blank amount's deal is EUR too, not the company's USD; amounts that
    name none leave it commented (tests/test_mixed_currency.py)."""
    samples = {"Key": ["G1", "G2", "G3"], "Title": ["a", "b", "c"],
               "Betrag": ["1.234,56 €", "EUR 99,00", ""]}
    text = init_mapping(list(samples), _catalog(), samples=samples)
    assert '\ncurrency = "EUR"  # every sampled amount of \'Betrag\' names EUR' in text, text
    samples["Betrag"] = ["1.234,56 €", "99,00 $", ""]  # two currencies: nothing proposed
    assert '\n# currency = "USD"' in init_mapping(list(samples), _catalog(), samples=samples)
