"""One person typed twice with and without the accents of their name is one person (x43r2 F4:
``Björn Öberg`` / ``Bjorn Oberg``, ``Gülşen Şahin`` / ``Gulsen Sahin``, same org, same
e-mail, read as "different person": a person's name words were read with umlauts as
``oe`` only, never folded as org names are); an org name written shorter on a deal of that
one person (``Bouwbedrijf v. Dijk``, ``Wisniewski i Syn``, ``Celik Makine``) is no "different
org" that keeps the pair out of review; and two person records sharing an e-mail share a
block, so a generic title's many deals do not keep them apart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from jobs.dedupe.blocking import candidate_pairs
from jobs.dedupe.config import DedupeConfig
from jobs.dedupe.evidence import _one_name, one_person
from jobs.dedupe.matching import find_duplicates
from jobs.dedupe.model import DealRecord
from jobs.dedupe.records import person_keys
from jobs.dedupe.scoring import prepare

NOW = datetime(2026, 12, 3, 9, tzinfo=UTC)
ONE_ORG = [("Şahin Lojistik", "Gülşen Şahin", "Gulsen Sahin"),
           ("Öberg Bygg AB", "Björn Öberg", "Bjorn Oberg"),
           ("Søndergaard ApS", "Søren Søndergaard", "Soren Sondergaard"),
           ("Nowak Serwis", "Paweł Nowak", "Pawel Nowak"),
           ("Müller Technik GmbH", "Jürgen Müller", "Juergen Mueller"),
           ("Novák Technik s.r.o.", "Petr Novák", "Petr Novak")]
SHORTER_ORG = [("Bouwbedrijf van Dijk BV", "Bouwbedrijf v. Dijk", "Johan van Dijk", "J. van Dijk"),
               ("Wiśniewski i Syn Sp. j.", "Wisniewski i Syn", "Paweł Wiśniewski", "Pawel Wisniewski"),
               ("Çelik Makine San. Tic. A.Ş.", "Celik Makine", "Hüseyin Çelik", "Huseyin Celik")]


def _deal(i: int, org_id: int, org: str, person_id: int, person: str, mail: str,
          title: str = "Nytt lagersystem", minutes: int = 0) -> DealRecord:
    at = NOW + timedelta(minutes=minutes)
    return DealRecord(id=i, title=title, add_time=at, update_time=at, status="open",  # type: ignore[arg-type]
                      org_id=org_id, org_name=org, person_id=person_id, person_name=person,
                      person_keys=person_keys({"name": person, "emails": [{"value": mail}]}),
                      value=5000.0, currency="EUR", pipeline_id=1, stage_id=1, stage_order=1,
                      owner_id=1)


def _band(deals: list[DealRecord]) -> tuple[str, tuple[str, ...]]:
    groups = find_duplicates(deals, DedupeConfig.default()).groups
    return (groups[0].band, tuple(groups[0].reasons)) if groups else ("none", ())


@pytest.mark.parametrize(("org", "a", "b"), ONE_ORG)
def test_one_person_with_and_without_accents_is_one_person(org: str, a: str, b: str) -> None:
    assert _one_name(a, b) and _one_name(b, a)
    band, reasons = _band([_deal(1, 7, org, 20, a, "p@firm.example"),
                           _deal(2, 7, org, 21, b, "p@firm.example", minutes=90)])
    assert band == "duplicate", reasons
    assert any("same person, two person records (same e-mail)" in r for r in reasons), reasons


@pytest.mark.parametrize(("a", "b"), [("Björn Öberg", "Bjorn Berg"), ("Anna Weber", "Ben Weber"),
                                      ("Gülşen Şahin", "Gulsen Sahinler")])
def test_other_names_stay_two(a: str, b: str) -> None:
    assert not _one_name(a, b)


@pytest.mark.parametrize(("org_a", "org_b", "a", "b"), SHORTER_ORG)
def test_an_org_written_shorter_with_one_person_is_reviewed(org_a: str, org_b: str, a: str,
                                                            b: str) -> None:
    band, reasons = _band([_deal(1, 7, org_a, 20, a, "p@firm.example"),
                           _deal(2, 8, org_b, 21, b, "p@firm.example", minutes=240)])
    assert band == "review", reasons
    assert any("org names alike, one person: review" in r for r in reasons), reasons


def test_an_org_written_shorter_with_two_persons_stays_apart() -> None:
    org_a, org_b, a, b = SHORTER_ORG[2]
    assert _band([_deal(1, 7, org_a, 20, a, "a@firm.example"),
                  _deal(2, 8, org_b, 21, b, "b@firm.example", minutes=240)])[0] == "none"


def test_one_e_mail_on_two_person_records_shares_a_block() -> None:
    """A generic title at 20 companies is compared by neighbours in org-name order; the two
    records of one person (one e-mail) are 14 companies apart there and are compared."""
    cfg = DedupeConfig.default()
    deals = [_deal(1, 100, "Celik Makine", 200, "Huseyin Celik", "h@celik.example", "Yeni web sitesi")]
    deals += [_deal(10 + k, 110 + k, f"Celik Makine {chr(97 + k)}", 210 + k, f"Ali Veli{k}",
                    f"a{k}@x.example", "Yeni web sitesi") for k in range(14)]
    deals.append(_deal(2, 101, "Çelik Makine San. Tic. A.Ş.", 201, "Hüseyin Çelik",
                       "h@celik.example", "Yeni web sitesi"))
    prepared = [prepare(d, cfg) for d in deals]
    pairs = candidate_pairs(prepared, max_block_size=cfg.max_block_size, window=cfg.window)
    assert (0, len(deals) - 1) in pairs


@pytest.mark.parametrize("b", ["Bjorn Oberg", "Bjoern Oeberg", "björn öberg"])
def test_a_name_with_and_without_accents_and_one_phone_is_one_person(b: str) -> None:
    """``same name and phone``: the name's digest is taken of each reading too."""
    a = person_keys({"name": "Björn Öberg", "phones": [{"value": "08 1234567"}]})
    other = person_keys({"name": b, "phones": [{"value": "08-123 45 67"}]})
    assert set(a) & set(other)
    assert not set(a) & set(person_keys({"name": "Bjorn Berg", "phones": [{"value": "08 1234567"}]}))


SPELLED = [("Søren Østergaard", "Soeren Oestergaard"), ("Åse Ålund", "Aase Aalund"),
           ("Ærø Bæk", "Aeroe Baek"), ("Bjørn Dæhlie", "Bjoern Daehlie"),
           ("Jürgen Müller", "Juergen Mueller")]


@pytest.mark.parametrize(("a", "b"), SPELLED)
def test_nordic_letters_spelled_out_are_one_person(a: str, b: str) -> None:
    """x53r3 F7: ``Søren Østergaard`` / ``Soeren Oestergaard`` (one e-mail, or one phone) and
    ``Åse Ålund`` / ``Aase Aalund`` read as two persons ("nothing ties"): ``ø`` / ``å`` /
    ``æ`` are read spelled out (``oe`` / ``aa`` / ``ae``) as the umlauts are, by the name
    check of a shared e-mail and by the name-and-phone key alike."""
    assert _one_name(a, b) and _one_name(b, a)
    phone = [{"value": "+45 33 12 34 56"}]
    assert set(person_keys({"name": a, "phones": phone})) & \
        set(person_keys({"name": b, "phones": phone}))
    band, reasons = _band([_deal(1, 7, "Lager ApS", 20, a, "p@firm.example"),
                           _deal(2, 7, "Lager ApS", 21, b, "p@firm.example", minutes=90)])
    assert band == "duplicate", reasons


@pytest.mark.parametrize(("a", "b"), [("Søren Østergaard", "Soeren Vestergaard"),
                                      ("Åse Ålund", "Aase Lund"), ("Bjørn Dæhlie", "Bjoern Dahl")])
def test_a_spelled_out_name_is_still_compared_word_by_word(a: str, b: str) -> None:
    phone = [{"value": "+45 33 12 34 56"}]
    assert not _one_name(a, b)
    assert not set(person_keys({"name": a, "phones": phone})) & \
        set(person_keys({"name": b, "phones": phone}))


@pytest.mark.parametrize(("a", "b"), [("Bjørn Lie", "Björn Lie"), ("Søren Berg", "Sören Berg"),
                                      ("Jørgen Holm", "Jörgen Holm"), ("Møller Kari", "Möller Kari")])
def test_names_written_with_other_marks_are_two_persons_at_one_mailbox(a: str, b: str) -> None:
    """x53r8 F3: ``Bjørn Lie`` / ``Björn Lie`` sharing ``info@`` (or one switchboard phone)
    read as one person, merged 10 of 10: two words written with marks that differ are two
    names (``letters.marks_apart``), as two title words are."""
    assert not one_person(*(prepare(_deal(i, 7, "Lager ApS", 20 + i, n, "info@firm.example"),
                                    DedupeConfig.default()) for i, n in ((1, a), (2, b))))
