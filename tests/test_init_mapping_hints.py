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
