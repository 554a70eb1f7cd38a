"""Map keys and cells share one fold, invisible characters included (x49r1 F1): a map key
``"Gone\\u200b"`` beside ``"Gone"`` is refused as a twin (it was accepted and the cell
``Gone\\u200b`` was written WON by ``"Gone" = "won"`` where its own key said lost; a label
map's ``"Tag\\u200b" = "Cold"`` gave Warm), and a key alone with one matches its cell.
The class: every invisible format character (Unicode category Cf: zero-width space and
joiners, soft hyphen, byte-order mark, bidi marks and isolates, word joiner ...) and the
variation selectors; the Cf characters that show (Arabic number signs, emoji tags) stay."""

from __future__ import annotations

import unicodedata

import pytest

from bulk.manifest import SourceRow
from jobs import transforms as tf
from jobs.catalog import Catalog, DealField, Option, Pipeline, Stage
from jobs.mapping import Mapping, MappingError, compile_mapping

CATALOG = Catalog(
    pipelines=(Pipeline(1, "Sales"),),
    stages=(Stage(10, "Qualified", 1, 1), Stage(11, "Proposal", 1, 2)),
    deal_fields=(DealField("key1", "Source key", "varchar", is_custom=True),
                 DealField("label_ids", "Label", "set", (Option(1, "Warm"), Option(2, "Cold"))),
                 DealField("note1", "Note", "varchar", is_custom=True)))

HEAD = """\
version = 1
[import]
key_column = "Key"
key_field = "Source key"
[deal]
title = "Title"
pipeline = { default = "Sales" }
"""

# the Cf characters that show (a sign printed over the digits that follow, an end-of-ayah
# mark, emoji tag letters of a flag): not invisible, kept as any letter
_SHOWN = {*range(0x0600, 0x0606), 0x06DD, 0x070F, 0x0890, 0x0891, 0x08E2, 0x110BD, 0x110CD,
          *range(0xE0020, 0xE0080)}
INVISIBLE = [chr(c) for c in range(0x110000)
             if unicodedata.category(chr(c)) == "Cf" and c not in _SHOWN]
SELECTORS = ["\ufe00", "\ufe0f", "\U000e0100", "\u180b"]


def _compile(body: str) -> object:
    return compile_mapping(Mapping.loads(HEAD + body), CATALOG)


def _deal(body: str, **cells: str) -> dict[str, object]:
    values = {"Key": "k1", "Title": "A", **cells}
    return dict(_compile(body).map(SourceRow(2, 2, values)).deal)  # type: ignore[attr-defined]


def _toml(text: str) -> str:
    return "".join(c if c.isascii() and c.isprintable() else f"\\U{ord(c):08x}" for c in text)


@pytest.mark.parametrize("char", INVISIBLE + SELECTORS, ids=lambda c: f"U+{ord(c):04X}")
def test_every_invisible_character_folds_out_of_a_key_as_out_of_a_cell(char: str) -> None:
    assert tf.norm_key(f"Go{char}ne{char}") == tf.norm_key("Gone") == "gone"
    assert tf.norm_key(tf.clean_text(f"{char}Gone") or "") == "gone"
    assert tf.stage_key(f"Sales{char} > Qualified") == tf.stage_key("sales>qualified")


@pytest.mark.parametrize("char", ["\u0600", "\U000e0067"], ids=["U+0600", "U+E0067"])
def test_a_format_character_that_shows_is_kept(char: str) -> None:
    assert tf.norm_key(f"Gone{char}") != tf.norm_key("Gone")


@pytest.mark.parametrize("char", ["\u200b", "\u00ad", "\ufeff", "\u200e", "\u2067",
                                  "\u2060", "\ufe0f", "\U0001d173"],
                         ids=lambda c: f"U+{ord(c):04X}")
@pytest.mark.parametrize(("field", "key"), [
    ('status = {{ column = "S", map = {{ "{twin}" = "lost", "Gone" = "won" }} }}\n',
     "deal.status.map"),
    ('label = {{ column = "L", map = {{ "Tag{char}" = "Cold", "Tag" = "Warm" }} }}\n',
     "deal.label.map"),
    ('stage = {{ column = "St", map = {{ "Q{char}" = "Proposal", "Q" = "Qualified" }} }}\n',
     "deal.stage.map"),
    ('lost_reason = {{ column = "R", map = {{ "P{char}" = "Too dear", "P" = "Rival" }} }}\n',
     "deal.lost_reason.map"),
    ('[custom_fields]\nNote = {{ column = "N", map = {{ "a{char}" = "x", "a" = "y" }} }}\n',
     "custom_fields.Note.map"),
], ids=["status", "label", "stage", "lost reason", "text field"])
def test_a_key_with_an_invisible_character_beside_its_plain_twin_is_refused(
        char: str, field: str, key: str) -> None:
    body = field.format(twin=_toml(f"Gone{char}"), char=_toml(char))
    with pytest.raises(MappingError, match=f"{key}.*are one value") as caught:
        _compile(body)
    assert f"\\u{ord(char):04x}" in str(caught.value) or f"\\U{ord(char):08x}" in str(
        caught.value), "the invisible character is shown escaped"


def test_the_fault_as_met_a_zero_width_space_key_wrote_won() -> None:
    """x49r1 F1: the cell ``Gone\\u200b`` was written won by the other key's target."""
    body = ('status = { column = "S", map = { "Gone\\u200b" = "lost", "Gone" = "won" } }\n'
            'label = { column = "L", map = { "Tag\\u200b" = "Cold", "Tag" = "Warm" } }\n')
    with pytest.raises(MappingError) as caught:
        _compile(body)
    assert "'Gone' and 'Gone\\u200b' are one value" in str(caught.value)
    assert "'Tag' and 'Tag\\u200b' are one value" in str(caught.value)


@pytest.mark.parametrize("at", ["Gone\u200b", "Gone", "\ufeffGone", "Go\u00adne"])
def test_a_key_alone_with_an_invisible_character_matches_its_cells(at: str) -> None:
    status = 'status = { column = "S", map = { "Gone\\u200b" = "lost", "*" = "open" } }\n'
    assert _deal(status, S=at)["status"] == "lost"
    label = 'label = { column = "L", map = { "Gone\\u200b" = "Cold" } }\n'
    assert _deal(label, L=at)["label_ids"] == [2]
    stage = 'stage = { column = "St", map = { "Gone\\u2060" = "Proposal" } }\n'
    assert _deal(stage, St=at)["stage_id"] == 11


def test_a_variation_selector_in_a_key_matches_the_cell_without_one() -> None:
    body = 'status = { column = "S", map = { "Gone\\ufe0f" = "lost", "*" = "open" } }\n'
    assert _deal(body, S="Gone")["status"] == "lost"
    assert _deal(body, S="gone\ufe0f")["status"] == "lost"
