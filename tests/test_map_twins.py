"""Map keys that fold alike (x48r14): refused in every map when their targets are two
things (F1: a status map's ``"Closed" = "won"`` beside ``"CLOSED" = "lost"`` made every
row lost), accepted when the targets are one thing spelled two ways (F4: ``"EUR"`` and
``"eur"``, ``Hot`` and ``hot``)."""

from __future__ import annotations

import pytest

from bulk.errors import InputError
from bulk.manifest import SourceRow
from jobs.catalog import Catalog, DealField, Option, Pipeline, Stage, User
from jobs.mapping import Mapping, MappingError, compile_mapping

SEP = "\u203a"
CATALOG = Catalog(
    pipelines=(Pipeline(1, "Sales"), Pipeline(5, f"Asia {SEP} Pacific")),
    stages=(Stage(10, "Qualified", 1, 1), Stage(11, "Won", 1, 2), Stage(12, "Lost", 1, 3),
            Stage(40, "Qualified", 5, 1)),
    users=(User(7, "Hanna Berg", "hanna@example.com"), User(8, "Ola Nord", "ola@example.com")),
    deal_fields=(DealField("key1", "Source key", "varchar", is_custom=True),
                 DealField("label_ids", "Label", "set", (Option(1, "Hot"), Option(2, "Cold"))),
                 DealField("src1", "Source", "enum", (Option(3, "Website"), Option(4, "Fair")),
                           is_custom=True),
                 DealField("note1", "Note", "varchar", is_custom=True)))

HEAD = """\
version = 1
[import]
key_column = "Key"
key_field = "Source key"
[deal]
title = "Title"
"""


def _compile(body: str) -> object:
    return compile_mapping(Mapping.loads(HEAD + body), CATALOG)


def _deal(body: str, **cells: str) -> dict[str, object]:
    values = {"Key": "k1", "Title": "A", **cells}
    return dict(_compile(body).map(SourceRow(2, 2, values)).deal)  # type: ignore[attr-defined]


TWO_TARGETS = {
    "status": ('status = { column = "S", map = { "Closed" = "won", "CLOSED" = "lost", '
               '"*" = "open" } }\n', "deal.status.map"),
    "status from the stage column": (
        'status = { column = "Stage", map = { "Closed Won (EU)" = "won", '
        '"closed  won (eu)" = "lost", "*" = "open" } }\n'
        'stage = { column = "Stage", default = "Qualified", map = { "Closed Won (EU)" = '
        '"Won", "*" = "Qualified" } }\npipeline = { default = "Sales" }\n', "deal.status.map"),
    "lost reason": ('lost_reason = { column = "R", map = { "Price" = "Too dear", '
                    '"price" = "Competitor" } }\n', "deal.lost_reason.map"),
    "text custom field": ('[custom_fields]\nNote = { column = "N", map = { "a" = "x", '
                          '"A" = "y" } }\n', "custom_fields.Note.map"),
    "currency": ('currency = { column = "C", map = { "Euro" = "EUR", "euro" = "USD" } }\n',
                 "deal.currency.map"),
    "label": ('label = { column = "L", map = { "H" = "Hot", "h" = "Cold" } }\n',
              "deal.label.map"),
}


@pytest.mark.parametrize("name", list(TWO_TARGETS))
def test_twin_keys_with_two_targets_are_refused_in_every_map(name: str) -> None:
    body, key = TWO_TARGETS[name]
    with pytest.raises(MappingError, match=f"{key}.*are one value") as caught:
        _compile(body)
    assert "keep one" in str(caught.value)


def test_the_status_cells_of_refused_twins_were_all_one_status_before() -> None:
    """The fault as it was met: one key won for every row (3 deals, all lost)."""
    body = TWO_TARGETS["status"][0]
    with pytest.raises(MappingError):
        [_deal(body, S=cell)["status"] for cell in ("Closed", "CLOSED", "closed")]


ONE_TARGET = {
    "currency": 'currency = { column = "C", map = { "EUR" = "EUR", "eur" = "eur" } }\n',
    "pipeline": (f'pipeline = {{ column = "P", map = {{ "APAC" = "asia > pacific", '
                 f'"apac" = "Asia {SEP} Pacific" }} }}\n'
                 'stage = "Stage"\n'),
    "stage": ('stage = { column = "Stage", map = { "Q" = "Qualified", "q" = "qualified " } }\n'
              'pipeline = { default = "Sales" }\n'),
    "stage with a pipeline column": (
        'stage = { column = "Stage", map = { "Q" = "Sales > Qualified", '
        f'"q" = "sales {SEP} qualified" }} }}\npipeline = "P"\n'),
    "label": 'label = { column = "L", map = { "H" = "Hot", "h" = "hot" } }\n',
    "enum": ('[custom_fields]\nSource = { column = "Src", map = { "Web" = "Website", '
             '"web" = "website" } }\n'),
    "owner": ('owner = { column = "O", map = { "HB" = "Hanna Berg", '
              '"hb" = "hanna@example.com" } }\n'),
    "status": 'status = { column = "S", map = { "Closed" = "won", "CLOSED" = "won" } }\n',
}


@pytest.mark.parametrize("name", list(ONE_TARGET))
def test_twin_keys_with_one_target_spelled_two_ways_are_accepted(name: str) -> None:
    assert _compile(ONE_TARGET[name])


def test_accepted_twins_map_each_spelling_to_the_one_target() -> None:
    assert _deal(ONE_TARGET["currency"], C="eur", Title="A")["currency"] == "EUR"
    assert _deal(ONE_TARGET["label"], L="H")["label_ids"] == [1]
    assert _deal(ONE_TARGET["stage"], Stage="q")["stage_id"] == 10
    assert _deal(ONE_TARGET["owner"], O="hb")["owner_id"] == 7


WON_STAGE = ('status = { column = "Stage", map = { "Closed Won" = "won", "*" = "open" } }\n'
             'pipeline = "P"\n'
             '[deal.stage]\ncolumn = "Stage"\n'
             '[deal.stage.map]\n"Closed Won" = "Qualified"\n"Gone" = "Qualified"\n')


@pytest.mark.parametrize(("cell", "stage_id"), [("Won", 11), ("won", 11), (" WON ", 11),
                                                ("Lost", 12), ("lost", 12)])
def test_a_stage_column_cell_naming_a_stage_is_that_stage_not_a_status(
        cell: str, stage_id: int) -> None:
    """x48r14 F2: 'Won' / 'Lost', stages of the row's pipeline, were written won / lost."""
    deal = _deal(WON_STAGE, Stage=cell, P="Sales")
    assert (deal["stage_id"], deal["status"]) == (stage_id, "open")


def test_a_stage_named_as_a_status_still_takes_an_explicit_key_or_the_fallback() -> None:
    assert _deal(WON_STAGE, Stage="Closed Won", P="Sales")["status"] == "won"  # no such stage
    explicit = WON_STAGE.replace('"Closed Won" = "won",', '"Closed Won" = "won", "Won" = "won",')
    assert _deal(explicit, Stage="won", P="Sales")["status"] == "won"
    lost = WON_STAGE.replace('"*" = "open"', '"*" = "lost"')
    assert _deal(lost, Stage="Won", P="Sales")["status"] == "lost"
    # not a stage of the row's pipeline: the built-in word reads it (the stage map places it)
    asia = WON_STAGE.replace('"Gone" = "Qualified"', '"Gone" = "Qualified"\n"Lost" = "Qualified"')
    assert _deal(asia, Stage="Lost", P=f"Asia {SEP} Pacific") == {
        **_deal(asia, Stage="Lost", P=f"Asia {SEP} Pacific"), "status": "lost", "stage_id": 40}
    # a status column of its own keeps every built-in word
    own = WON_STAGE.replace('status = { column = "Stage"', 'status = { column = "S"')
    assert _deal(own, Stage="Won", S="Won", P="Sales")["status"] == "won"


@pytest.mark.parametrize("target", ["Won", "WON", " won ", "Won "])
def test_a_status_target_reads_in_any_case_and_spacing(target: str) -> None:
    """x49r1 F5: ``"Closed" = "Won"`` was refused ``'Won' is not open, won or lost``."""
    body = f'status = {{ column = "S", map = {{ "Closed" = "{target}", "*" = "Open" }} }}\n'
    assert _deal(body, S="closed")["status"] == "won"
    assert _deal(body, S="Pending")["status"] == "open"


def test_status_twins_whose_targets_differ_only_by_case_are_one_target() -> None:
    """x49r1 F5: ``"Closed" = "won"`` beside ``"closed " = "WON"`` was called two targets."""
    body = 'status = { column = "S", map = { "Closed" = "won", "closed " = "WON" } }\n'
    assert _deal(body, S="CLOSED")["status"] == "won"
    with pytest.raises(MappingError, match="'Wonn' is not open, won or lost"):
        _compile('status = { column = "S", map = { "Closed" = "Wonn" } }\n')


def test_two_options_one_cell_names_are_both_named_with_how_they_differ() -> None:
    """x49r1 F6: ``field 'Label' has 2 options named 'Hot'`` for a cell ``HOT``."""
    field = DealField("label_ids", "Label", "set", (Option(1, "Hot"), Option(13, "HOT"),
                                                    Option(14, "Caf\u00e9"),
                                                    Option(15, "Cafe\u0301")))
    with pytest.raises(InputError) as caught:
        field.option("hot")
    assert "'Hot' and 'HOT', which differ only by case" in str(caught.value)
    with pytest.raises(InputError) as caught:
        field.option("CAFE\u0301")
    assert "'Caf\u00e9' and 'Cafe\\u0301'" in str(caught.value)
    assert "NFC / NFD" in str(caught.value)


def test_nfc_and_nfd_twin_keys_print_apart() -> None:
    with pytest.raises(MappingError) as caught:
        _compile('status = { column = "S", map = { "Caf\\u00e9" = "won", '
                 '"Cafe\\u0301" = "lost" } }\n')
    assert "'Cafe\\u0301' and 'Caf\u00e9' are one value" in str(caught.value)


def test_the_separator_is_said_aside_only_in_a_stage_or_pipeline_map() -> None:
    with pytest.raises(MappingError) as label:
        _compile(TWO_TARGETS["label"][0])
    assert "\u203a" not in str(label.value) and "'>'" not in str(label.value)
    with pytest.raises(MappingError) as stage:
        _compile('stage = { column = "Stage", map = { "Q" = "Qualified", "q" = "Won" } }\n'
                 'pipeline = { default = "Sales" }\n')
    assert "'>' / '\u203a' aside" in str(stage.value)


@pytest.mark.parametrize("field", ["lost_reason", "text custom field"])
def test_text_targets_differing_only_by_spacing_are_one_target(field: str) -> None:
    """x49r1 F6: ``"Too dear"`` and ``"Too  dear"`` were called two targets."""
    body = {"lost_reason": 'lost_reason = { column = "R", map = { "Price" = "Too dear", '
                           '"price" = " Too  dear" } }\n',
            "text custom field": '[custom_fields]\nNote = { column = "N", map = { "a" = "x y", '
                                 '"A" = "x\\u00a0y" } }\n'}[field]
    assert _compile(body)
