"""A title naming its deal's org typed without the name's letters, each dropped or spelled
out, in any language and every word at once, is the org's name (x51r14 F2: ``Öztürk İnşaat
A.Ş.`` / ``Ozturk Insaat A.S.`` never paired — the Turkish ``İ`` casefolds to ``i`` + a dot
above and split ``İnşaat`` into ``i nşaat`` —, ``A.Ş.`` / ``A.S.`` review 0.80 with "word only
on one: aş"; F3: ``Bjørn Ålund`` / ``Bjoern Aalund``, ``Våg Øl`` / ``Vaag Oel``, ``Hårdvare Øst
AS`` / ``Haardvare Oest AS`` never paired). A word written with other letters stays."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from jobs.dedupe.config import DedupeConfig
from jobs.dedupe.model import DealRecord
from jobs.dedupe.normalize import normalize_title
from jobs.dedupe.scoring import prepare, score_pair
from jobs.dedupe.title_tokens import words

CFG = DedupeConfig.default()
T = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def _deal(i: int, org_name: str, title: str) -> DealRecord:
    return DealRecord(id=i, title=title, status="open", org_id=10, org_name=org_name,
                      person_id=5, value=5000.0, add_time=T, update_time=T)


@pytest.mark.parametrize(("org", "typed"), [
    # the report's (T1, N2)
    ("Öztürk İnşaat A.Ş.", "Ozturk Insaat A.S."), ("Öztürk İnşaat", "Ozturk Insaat"),
    ("Öztürk İnşaat A.Ş.", "Ozturk Insaat AS"), ("Gül İnşaat", "Gul Insaat"),
    ("İzmir Öz", "Izmir Oz"), ("Şahin A.Ş.", "Sahin A.S."), ("Öztürk A.Ş.", "Ozturk A.S."),
    ("Öztürk İnşaat", "Oeztuerk Insaat"),
    ("Bjørn Ålund", "Bjoern Aalund"), ("Våg Øl", "Vaag Oel"),
    ("Hårdvare Øst AS", "Haardvare Oest AS"), ("Bjørn Ålund", "Bjorn Aalund"),
    # other languages
    ("Łódź Żuraw", "Lodz Zuraw"), ("Þórður Guðmundsson", "Thordur Gudmundsson"),
    ("Řezník Dřevo", "Reznik Drevo"), ("Cœur Nœud", "Coeur Noeud"),
    ("Çağlar G\u0131da I\u015f\u0131k", "Caglar Gida Isik"), ("Sjöström Trä Ærø", "Sjoestroem Trae Aeroe"),
    # the org record typed without the letters, the title with them
    ("Bjoern Aalund", "Bjørn Ålund"), ("Ozturk Insaat", "Öztürk İnşaat"),
])
def test_the_org_name_typed_without_its_letters_is_the_org_name(org: str, typed: str) -> None:
    """Same org record, person and value; the title names the org as written and typed."""
    tx, ty = f"{org} - Office move", f"{typed} - Office move"
    assert normalize_title(tx, org).text == normalize_title(ty, org).text == "office move"
    sp = score_pair(prepare(_deal(1, org, tx), CFG), prepare(_deal(2, org, ty), CFG), CFG)
    assert sp.band == "duplicate", (sp.score, sp.reasons)


def test_the_dotted_capital_i_is_one_letter() -> None:
    assert words("Öztürk İnşaat İzmir") == ["oeztuerk", "inşaat", "izmir"]


@pytest.mark.parametrize(("org", "title"), [
    ("Bjørn Ålund", "Bjoern Aalunt - Office move"),    # another letter: not the name
    ("Öztürk İnşaat", "Ozturk - Office move"),          # one word of the name is not it
    ("Bjorn Alund", "Bjoern Aalund - Office move"),     # two ASCII spellings: as written
    ("Gül İnşaat", "Gol Insaat - Office move"),         # ü is never o
    ("Sørensen Træ", "Sorensen Tre - Office move"),     # æ is ae or a, never e
    ("Strauß Öl", "Straus Ol - Office move"),           # ß is ss, never s
])
def test_other_letters_are_not_the_name(org: str, title: str) -> None:
    assert normalize_title(title, org).text != "office move"
