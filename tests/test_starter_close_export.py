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


def test_close_date_won_is_the_close_date_not_the_won_time(catalog: Catalog) -> None:  # noqa: F811
    """x42r1 F3: Close's ``date_won`` is every opportunity's close date (the expected one of
    an active opportunity): proposed as the expected close date and, for won / lost deals,
    the close time (``when_open = "drop"``), as Salesforce's "Close Date"; each of Close's
    three statuses then maps, an active row keeping the date as its expected close date.
    Before, ``won_time = "date_won"`` failed every active and lost row."""
    header = [*HEADER, "date_won"]
    samples = {**SAMPLES, "date_won": ["2025-10-01", "2027-01-02", "2026-04-08"]}
    text = init_mapping(header, catalog, samples=samples)
    assert 'expected_close_date = "date_won"' in text, text
    assert 'close_time = { column = "date_won", when_open = "drop" }' in text, text
    assert "\nwon_time =" not in text, text
    mapping = Mapping.loads(re.sub(r"  # TODO.*", "", text))
    rm = compile_mapping(mapping, catalog, header=header)
    for cell, status in (("active", "open"), ("won", "won"), ("lost", "lost")):
        values = dict.fromkeys(header, "")
        values.update({"id": "o1", "lead_name": "Zephyr", "status_type": cell,
                       "user_name": "Ann Lee", "date_won": "2026-04-08"})
        deal = rm.map(SourceRow(1, 2, values)).deal
        assert deal.get("status", "open") == status, deal
        assert deal["expected_close_date"] == "2026-04-08", deal
        if status != "open":
            assert deal[f"{status}_time"].startswith("2026-04-08"), deal


def test_a_won_time_with_a_clock_or_beside_a_lost_time_stays_the_won_time(
        catalog: Catalog) -> None:  # noqa: F811
    """A won date column with times of day (a won moment), or one beside the file's own
    expected close date, is still proposed as won_time."""
    header = [*HEADER, "date_won"]
    timed = {**SAMPLES, "date_won": ["2025-10-01 10:00:00"]}
    assert 'won_time = "date_won"' in init_mapping(header, catalog, samples=timed)
    both = [*header, "expected close date"]
    text = init_mapping(both, catalog, samples={**SAMPLES, "date_won": ["2025-10-01"]})
    assert 'won_time = "date_won"' in text and \
        'expected_close_date = "expected close date"' in text, text


def test_close_value_period_is_named_with_what_the_import_does_with_it(
        catalog: Catalog) -> None:  # noqa: F811
    """x42r1 F5: Close's ``value_period`` (one_time / monthly / annual) was only listed
    among the columns not mapped; init-mapping now says that a monthly / annual value is
    imported as the deal's whole value and how to keep the period (a custom field), and
    guesses no total; the mapping still loads."""
    header = [*HEADER, "value_period"]
    samples = {**SAMPLES, "value_period": ["one_time", "monthly", "annual"]}
    text = init_mapping(header, catalog, samples=samples)
    note = next(line for line in text.splitlines() if line.startswith("# value_period"))
    assert "annual / monthly one as the deal's whole value" in note, note
    assert '"Value period" = "value_period"' in note, note
    assert 'value = "value"' in text, text
    Mapping.loads(re.sub(r"  # TODO.*", "", text))
    # no period column, no note
    assert "has no period" not in init_mapping(HEADER, catalog, samples=SAMPLES)


def test_the_plain_value_is_taken_over_its_formatted_twin_when_the_amounts_agree(
        catalog: Catalog) -> None:  # noqa: F811
    """x43r5 F5: a Close export whose ``value`` holds the amounts as ``value_formatted``
    shows them (``$1,200/mo``): the plain numbers are proposed, not the shown text whose
    period failed every such row; the same for any ``X`` beside ``X (formatted)``."""
    header = [*HEADER, "value_formatted", "value_period"]
    samples = {**SAMPLES, "value": ["1200", "300"],
               "value_formatted": ["$1,200/mo", "$300"]}
    text = init_mapping(header, catalog, samples=samples)
    assert '\nvalue = "value"' in text, text
    assert "value_formatted" in text.split("# Columns not mapped:")[1], text
    generic = init_mapping(["id", "Deal Name", "Amount (formatted)", "Amount"], catalog,
                           samples={"Amount": ["1500.5", "20"],
                                    "Amount (formatted)": ["€1,500.50", "€20.00"]})
    assert '\nvalue = "Amount"' in generic, generic


def test_a_plain_value_in_cents_leaves_the_shown_one_with_a_todo(
        catalog: Catalog) -> None:  # noqa: F811
    """Close's API cents (``120000`` beside ``$1,200``): the shown amount stays proposed
    (x9r1: cents would import each deal 100 times over), and a TODO says why."""
    header = [*HEADER, "value_formatted"]
    samples = {**SAMPLES, "value": ["120000", "30000"],
               "value_formatted": ["$1,200/mo", "$300"]}
    text = init_mapping(header, catalog, samples=samples)
    assert '\nvalue = "value_formatted"' in text, text
    assert "# TODO: value_formatted is the amount as shown; value holds it in cents" in text


# x44r4 F3: every layout of a plain column and its formatted twin, in both header orders
# (the guesser picks one or the other first): (plain, shown) header names
_TWINS = [("amount", "amount_formatted"), ("Amount", "Amount (formatted)"),
          ("value", "value_formatted"), ("Amount", "Formatted Amount"),
          ("deal value", "deal value formatted")]


def _twin_mapping(cat: Catalog, plain: str, shown: str, plain_values: list[str],
                  shown_values: list[str], plain_first: bool) -> str:
    pair = [plain, shown] if plain_first else [shown, plain]
    return init_mapping(["Record ID", "Deal Name", *pair], cat,
                        samples={plain: plain_values, shown: shown_values})


def test_a_plain_twin_in_cents_is_never_proposed_whichever_is_guessed_first(
        catalog: Catalog) -> None:  # noqa: F811
    """x44r4 F3: ``amount`` = 100050 beside ``amount_formatted`` = ``$1,000.50`` was
    proposed as the value with no TODO (the cents check ran only when the formatted one
    was guessed first): deals worth 100050 instead of 1,000.50."""
    for plain, shown in _TWINS:
        for plain_first in (True, False):
            text = _twin_mapping(catalog, plain, shown, ["100050", "100150"],
                                 ["$1,000.50", "$1,001.50"], plain_first)
            assert f'\nvalue = "{shown}"' in text, (plain, shown, plain_first, text)
            assert f"# TODO: {shown} is the amount as shown; {plain} holds it in cents" \
                in text, text


def test_a_plain_twin_with_the_shown_amounts_is_proposed_whichever_is_guessed_first(
        catalog: Catalog) -> None:  # noqa: F811
    """The same amounts (within the shown rounding: 1200.4 is ``$1,200``): the plain one,
    no TODO."""
    for plain, shown in _TWINS:
        for plain_first in (True, False):
            text = _twin_mapping(catalog, plain, shown, ["1000.5", "1200.4"],
                                 ["$1,000.50", "€1,200/mo"], plain_first)
            assert f'\nvalue = "{plain}"' in text, (plain, shown, plain_first, text)
            assert "TODO" not in text.split(f'\nvalue = "{plain}"')[1].split("\n")[0]
            assert "in cents" not in text and "do not tell" not in text, text


def test_an_unclear_plain_twin_leaves_the_shown_one_with_a_todo(
        catalog: Catalog) -> None:  # noqa: F811
    """Neither the same amounts nor cents (or no samples at all): the shown one, and a
    TODO that the samples could not tell, never a silent pick."""
    for plain, shown in _TWINS:
        for plain_first in (True, False):
            for plain_values, shown_values in ((["7", "8"], ["$1,000.50", "$1,001.50"]),
                                               ([], [])):
                text = _twin_mapping(catalog, plain, shown, plain_values, shown_values,
                                     plain_first)
                assert f'\nvalue = "{shown}"' in text, (plain, shown, plain_first, text)
                assert f"# TODO: {shown} is the amount as shown beside {plain}; the " \
                    "samples do not tell" in text, text
