"""No internal stand-in name (update's ``__pdbulk_deal_id__`` field) in a message to a person."""

from __future__ import annotations

import pytest

from jobs.catalog import Catalog
from jobs.mapping import MappingError
from jobs.update_mapping import UpdateMapping

FIELDS = [{"field_code": "a" * 40, "field_name": "Lead source", "field_type": "varchar",
           "is_custom_field": True},
          {"field_code": "b" * 40, "field_name": "Discount", "field_type": "double",
           "is_custom_field": True},
          {"field_code": "title", "field_name": "Title", "field_type": "varchar"}]
MAPPING = """version = 1
[update]
id_column = "Deal ID"
[deal]
title = "Name"
[custom_fields]
"Lead sorce" = "Lead Source"
"Discount" = "Discount"
"""


def test_a_mistyped_custom_field_lists_the_accounts_fields_only() -> None:
    """x30r1 L2: update's stand-in for its deal-id column was listed among the account's fields."""
    catalog = Catalog.from_api(pipelines=[{"id": 1, "name": "Sales"}],
                               stages=[{"id": 1, "name": "Lead In", "pipeline_id": 1}],
                               deal_fields=FIELDS)
    with pytest.raises(MappingError) as err:
        UpdateMapping.loads(MAPPING).compile(catalog)
    text = str(err.value)
    assert "no deal field labelled 'Lead sorce'" in text and "Discount" in text
    assert "__pdbulk" not in text
