"""init-mapping on a Close opportunities export (``user_name``, ``status_type``; Close's
API writes no owner e-mail, and ``status_type`` is always ``active``, ``won`` or
``lost``): the owner is proposed by name and the status from ``status_type``, ``active``
mapped to open (x31r1 4: both were left commented out)."""

from __future__ import annotations

import re

from bulk.manifest import SourceRow
from jobs.catalog import Catalog
from jobs.mapping import Mapping, compile_mapping, init_mapping
from tests.test_mapping import catalog  # noqa: F401  (the fixture)

HEADER = ["id", "lead_name", "contact_name", "contact_email", "value", "value_currency",
          "status_type", "status_label", "confidence", "user_name"]
SAMPLES = {"id": ["oppo_A1", "oppo_A2", "oppo_A3"], "lead_name": ["Zephyr GmbH", "Yonder"],
           "status_type": ["active", "won", "lost"],
           "status_label": ["Demo Scheduled", "Won", "Lost"],
           "user_name": ["Ann Lee", "Sam Twin"], "value": ["12500", "300"],
           "value_currency": ["EUR", "GBP"], "confidence": ["50", "100"],
           "contact_email": ["ines@zephyr.example"], "contact_name": ["Ines Roth"]}


def test_close_owner_by_name_and_status_from_status_type(catalog: Catalog) -> None:  # noqa: F811
    """``owner = "user_name"`` and ``status = { column = "status_type", map = { "active" =
    "open" } }`` are proposed, load, compile and read each of Close's three values."""
    text = init_mapping(HEADER, catalog, samples=SAMPLES)
    assert 'owner = "user_name"' in text, text
    assert 'status = { column = "status_type", map = { "active" = "open" } }' in text, text
    assert "status_label" in text.split("# Columns not mapped:")[1]
    mapping = Mapping.loads(re.sub(r"  # TODO.*", "", text))
    rm = compile_mapping(mapping, catalog, header=HEADER)
    for cell, status in (("active", "open"), ("won", "won"), ("lost", "lost")):
        values = dict.fromkeys(HEADER, "")
        values.update({"id": "o1", "lead_name": "Zephyr", "status_type": cell,
                       "user_name": "Ann Lee"})
        deal = rm.map(SourceRow(1, 2, values)).deal
        assert deal.get("status", "open") == status and deal["owner_id"] == 100, deal


def test_an_owner_email_still_wins_over_a_name(catalog: Catalog) -> None:  # noqa: F811
    """With both ``user_email`` and ``user_name`` the e-mail is the owner (a name can be
    two users)."""
    text = init_mapping([*HEADER, "user_email"], catalog, samples=SAMPLES)
    assert 'owner = "user_email"' in text, text
