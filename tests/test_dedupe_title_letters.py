"""A survivor's title never loses its letters to an ASCII or spelled-out copy (x51r14 F1:
``Bjørn Ålund - Cleaning contract`` was PATCHed to ``Bjorn Alund - …``, 7 of the report's 15
titles, 21 of 168 merged groups: the word lists know ``Bjorn`` and ``Tra``, not ``Bjørn`` and
``Trä``); the ASCII copy's survivor takes the lettered title, in every language; the group's
note names the title it writes over the survivor's."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime, timedelta

import pytest

from jobs.dedupe.model import DealRecord, Group
from jobs.dedupe.planfiles import merge_drops, policy_changes
from jobs.dedupe.titles import group_title

T = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)

# the report's 15 (repro_S1), then Polish, Czech, Icelandic, Turkish, French and Spanish
NAMES = ["Bjørn Ålund", "Ærø Fisk", "Hårdvare Øst AS", "Sjöström Trä AB", "Sørensen Træ",
         "Strøm Sæby Værft", "Nøkken Bryggeri", "Kärnäs Öljy Oy", "Hübner Bäckerei",
         "Crème Brûlée Café", "Çağlar G\u0131da", "Lärkgården", "Björk Trä",
         "Åkerlund Mæglere ApS", "Øster Ås",
         "Łódź Żuraw", "Řezník Dřevo", "Þórður Guðmundsson", "Iş\u0131k Şişe Ağ", "Cœur Nœud",
         "Peña Año"]
_DROPPED = {"ø": "o", "Ø": "O", "æ": "ae", "Æ": "Ae", "ß": "ss", "\u0131": "i", "İ": "I", "ł": "l",
            "Ł": "L", "þ": "th", "Þ": "Th", "ð": "d", "œ": "oe"}
_SPELLED = {"ä": "ae", "ö": "oe", "ü": "ue", "å": "aa", "Å": "Aa", "Ä": "Ae", "Ö": "Oe",
            "Ü": "Ue", "ø": "oe", "Ø": "Oe"}


def _plain(s: str, spelled: bool) -> str:
    s = "".join((_SPELLED.get(c) if spelled else None) or _DROPPED.get(c, c) for c in s)
    return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))


def _deal(i: int, title: str, seconds: int) -> DealRecord:
    at = T + timedelta(seconds=seconds)
    return DealRecord(id=i, title=title, status="open", org_id=7, person_id=3, value=900.0,
                      add_time=at, update_time=at)


def _group(survivor: DealRecord, *merged: DealRecord) -> Group:
    return Group(id=f"g-{survivor.id}", survivor_id=survivor.id,
                 merged_ids=tuple(r.id for r in merged), band="duplicate", score=0.95,
                 reasons=(), survivor_reasons=(), differing=("title",))


@pytest.mark.parametrize("spelled", [False, True], ids=["dropped", "spelled-out"])
@pytest.mark.parametrize("name", NAMES)
def test_the_lettered_title_is_kept_whichever_deal_survives(name: str, spelled: bool) -> None:
    lettered = f"{name} - Cleaning contract"
    plain = f"{_plain(name, spelled)} - Cleaning contract"
    assert plain != lettered and plain.isascii()
    a, b = _deal(1, lettered, 0), _deal(2, plain, 1)
    assert group_title([a, b], a) is None  # the lettered survivor keeps its letters
    assert group_title([a, b], b) == (lettered, 1)  # the ASCII survivor takes them


@pytest.mark.parametrize("name", ["Sjöström Trä AB", "Bjørn Ålund", "Iş\u0131k Şişe Ağ"])
def test_three_deals_the_survivor_takes_the_lettered_title(name: str) -> None:
    """Three spellings: whichever survives, the title kept is the lettered one."""
    lettered, dropped, spelled = (f"{n}: Cleaning" for n in (
        name, _plain(name, False), _plain(name, True)))
    deals = [_deal(1, lettered, 0), _deal(2, dropped, 1), _deal(3, spelled, 2)]
    for survivor in deals:
        got = group_title(deals, survivor)
        assert (got[0] if got else survivor.title) == lettered


def test_a_copy_that_mends_a_typo_does_not_take_the_letters() -> None:
    """A misspelt lettered survivor keeps its letters rather than take an ASCII copy; an
    ASCII misspelt survivor still takes the clean title (x23r2 2)."""
    a, b = _deal(1, "Müller Implementaton", 0), _deal(2, "Mueller Implementation", 1)
    assert group_title([a, b], a) is None
    c, d = _deal(1, "Helpdesk Implementaton", 0), _deal(2, "Helpdesk Implementation", 1)
    assert group_title([c, d], c) == ("Helpdesk Implementation", 2)


def test_the_note_names_the_title_written_over_the_survivors() -> None:
    survivor, merged = _deal(2, "Bjorn Alund - Cleaning contract", 1), \
        _deal(1, "Bjørn Ålund - Cleaning contract", 0)
    records = {1: merged, 2: survivor}
    group = _group(survivor, merged)
    changes = policy_changes(group, records, {})
    assert changes == {"title": "Bjørn Ålund - Cleaning contract"}
    drops = merge_drops(group, records, changes)
    assert drops == ["title 'Bjorn Alund - Cleaning contract' (deal 2, the survivor: the "
                     "group's cleaner title written over it, 'Bjørn Ålund - Cleaning contract')",
                     "id and add time 2026-11-02 09:00:00 UTC of the older deal (deal 1)"]
