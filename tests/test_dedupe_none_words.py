""""None" in more languages is no identifier, and an id typed with a space is the id typed
with a hyphen (x44r5 F3: ``brak``, ``ingen``, ``нет``, ``ikke oplyst``... read as real ids,
so the different-identifier guard held true copies apart; ``PO 4711`` / ``PO-4711`` held
apart). Reasons print ids as written and ``pairs_held_by`` names the field whole (x44r5 F5:
``po-49592≠brak``, ``different PO number ikke: 1``)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from jobs.dedupe.evidence import guard_reasons, identifier_value
from jobs.dedupe.model import DealRecord
from jobs.dedupe.planfiles import held_by

PO = "k_po"
NAMES = {PO: "PO number"}
WORDS = ["brak", "ingen", "yok", "нет", "nenhum", "ei ole", "ikke oplyst", "nincs",
         "brak danych", "ingen uppgift", "нет данных", "niet bekend", "non disponibile",
         "não informado", "sem", "ukjent", "tuntematon", "bilinmiyor", "neznámý", "nieznany",
         "άγνωστο", "немає", "ismeretlen", "necunoscut", "Ikke oplyst", "BRAK", "Нет данных"]


def _deal(i: int, v: object) -> DealRecord:
    return DealRecord(id=i, title="Office move", status="open", fields={PO: v})


@pytest.mark.parametrize("word", WORDS)
def test_none_in_another_language_is_no_identifier(word: str) -> None:
    assert identifier_value(_deal(1, word), PO) is None
    assert guard_reasons(_deal(1, "PO-49592"), _deal(2, word), frozenset(), NAMES) == ()


@pytest.mark.parametrize(("x", "y"), [("PO 4711", "PO-4711"), ("po-4711", "PO/4711"),
                                      ("PO_4711 ", "PO  4711"), ("PO.4711", "po4711")])
def test_separators_fold_as_case_does(x: str, y: str) -> None:
    assert identifier_value(_deal(1, x), PO) == identifier_value(_deal(2, y), PO)
    assert guard_reasons(_deal(1, x), _deal(2, y), frozenset(), NAMES) == ()


@pytest.mark.parametrize(("x", "y"), [("PO-4711", "PO-4712"), ("PO 4711", "PO-4712"),
                                      ("A-12", "B-12")])
def test_other_ids_stay_apart(x: str, y: str) -> None:
    assert guard_reasons(_deal(1, x), _deal(2, y), frozenset(), NAMES) \
        == (f"guard: different PO number {x}≠{y}",)


def test_a_value_with_a_space_stays_out_of_the_held_by_kind() -> None:
    held = [SimpleNamespace(reasons=(r,)) for r in guard_reasons(
        _deal(1, "PO 49592"), _deal(2, "PO-49593"), frozenset(), NAMES)]
    held.append(SimpleNamespace(reasons=("guard: different PO number ikke sagt≠PO-1",)))
    assert held_by(held, NAMES.values()) == {"different PO number": 2}
