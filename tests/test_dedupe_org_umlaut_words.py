"""A title naming its deal's org with the umlauts' dots dropped (or the org record written
without them and the title with them) is the org's name however many umlaut words it has:
``Hübner Bäckerei - ERP`` / ``Hubner Backerei - ERP`` at one org record is one deal (x51r6
F1: one umlaut word paired at 1.00 through a one-word slip, two or more never paired, nor
``Mäkinen Oy Metal``); a word written with other letters stays another word."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from jobs.dedupe.config import DedupeConfig
from jobs.dedupe.model import DealRecord
from jobs.dedupe.normalize import normalize_title
from jobs.dedupe.scoring import prepare, score_pair

CFG = DedupeConfig.default()
T = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def _deal(i: int, org_name: str, title: str) -> DealRecord:
    return DealRecord(id=i, title=title, status="open", org_id=10, org_name=org_name,
                      person_id=5, value=5000.0, add_time=T, update_time=T)


@pytest.mark.parametrize(("org", "x", "y"), [
    ("Hübner Bäckerei", "Hübner Bäckerei", "Hubner Backerei"),
    ("Hübner Bäckerei", "Hübner Bäckerei", "Hübner Backerei"),
    ("Bäckerei Hübner", "Bäckerei Hübner", "Backerei Hubner"),
    ("Björk Trä", "Björk Trä", "Bjork Tra"),
    ("Schön Möbel GmbH", "Schön Möbel GmbH", "Schon Mobel GmbH"),
    ("Jürgen Bäcker KG", "Jürgen Bäcker KG", "Jurgen Backer KG"),
    ("Öko Käse", "Öko Käse", "Oko Kase"),
    ("Mäkinen Oy Metal", "Mäkinen Oy Metal", "Makinen Oy Metal"),
    ("Mäkinen Metal Oy", "Mäkinen Metal Oy", "Makinen Metal Oy"),
    ("Müller Bau GmbH", "Müller Bau GmbH", "Muller Bau GmbH"),
    ("Hubner Backerei", "Hübner Bäckerei", "Hubner Backerei"),  # the record without the dots
    ("Schon Mobel GmbH", "Schön Möbel GmbH", "Schon Mobel GmbH"),
])
def test_the_org_name_without_its_dots_is_the_org_name(org: str, x: str, y: str) -> None:
    """Same org record, person and value, the title naming the org both ways: duplicate."""
    tx, ty = f"{x} - ERP integration", f"{y} - ERP integration"
    assert normalize_title(tx, org).text == normalize_title(ty, org).text == "erp integration"
    sp = score_pair(prepare(_deal(1, org, tx), CFG), prepare(_deal(2, org, ty), CFG), CFG)
    assert sp.band == "duplicate", (sp.score, sp.reasons)


@pytest.mark.parametrize(("org", "title"), [
    ("Hübner Bäckerei", "Huebner Backerai - ERP"),   # another letter: not the name
    ("Björk Trä", "Bjärk Trä - ERP"),                # both with umlauts: as written
    ("Bjoerk Trae", "Bjork Tra - ERP"),              # no umlaut at all: two spellings
    ("Hübner Bäckerei", "Hubner - ERP"),             # one word of the name is not the name
])
def test_other_letters_are_not_the_name(org: str, title: str) -> None:
    """Only the dots dropped are read so: every other word stays in the title."""
    assert normalize_title(title, org).text != "erp"
