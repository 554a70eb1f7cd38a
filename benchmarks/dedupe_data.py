"""Labelled generator for dedupe: made-up accounts with known duplicates and hard negatives.

Seeded, pure Python, no I/O. ``generate(seed, companies)`` builds one account:
companies (made-up names with a legal form; some with a second org record of
the same company), persons, and deals whose titles follow real CRM habits.
About a third of the deals get one or two copies, each with one or two of the
defects seen in real exports:

* ``double_import``: the same deal added again minutes later; any other copy is added 1 h to 2
  days later, but for a ``late`` share (5 %) added 2 to 20 days later (``late``: with no sign of
  a copy, review at most: ``evidence.added_apart``);
* ``case`` / ``punct``: case, punctuation, dash and spacing variants;
* ``typo``: one letter dropped, swapped or replaced in a word of 5+ letters;
* ``legal``: the company name with its legal form put in the title;
* ``reorder``: the parts around a dash swapped (``Acme - Website`` / ``Website - Acme``);
* ``value0``: the copy has value 0; ``no_person``: the copy has no person;
* ``second_org``: the copy sits on the company's second org record (the name in capitals, or its
  legal form spelled another way: ``Inc`` / ``Incorporated``, ``GmbH`` / ``G.m.b.H.``);
* ``stage``: the copy is one stage further;
* ``numword``: a phase number written as a word, ordinal or roman numeral
  (``phase 1`` / ``phase one`` / ``first phase`` / ``phase I`` / ``1st phase``).

Hard negatives (never duplicates, listed as pairs): deals of one company whose
titles differ by year, phase, quarter or product, by a city/site after a dash
(``Sales training - Berlin`` / ``- Munich``), by a building letter
(``Building A`` / ``Building B``), or that share a title but contradict on
person, value and add_time (months apart); the same generic title at two
companies; and the same title at two subsidiaries sharing a first word
(``Name Energy AG`` / ``Name Health AG``); the same title and value at two legal entities of one
group (``entity``: ``Name Group GmbH`` / ``Name Group Inc``, each its own person); one word
swapped for a near word, same person and value (``near_word``: ``Messe Juni`` / ``Juli``,
``Rollout Linz`` / ``Lienz``, ``Coaching Anna`` / ``Anne``, ``iPad`` / ``iPod rollout``); and one
deal recurring, same title, person and value
(``renewal``: won a year ago / open now; ``retainer``: won, won, open a month apart;
``reopened``: lost, then open weeks or months later; ``repeat``: a weekly or fortnightly order,
a repeat service call, 2 to 4 open deals each 2-20 days after the one before); and a route or a
pair in both directions, same person and value, minutes apart (``route``: ``Long Beach -
Shanghai`` / ``Shanghai - Long Beach``, ``Route: Berlin - Hamburg``, ``Hamburg -> Shanghai``;
``pair``: ``EUR - USD``, ``Import - Export``, ``Team A vs Team B``, ``SAP - Oracle migration`` /
``Oracle migration - SAP``; drawn after every company from an RNG of their own, so a seed's
other deals are what they were). Last, from an RNG of its own too, the customer's name in one
title only (x40r3 F4): a deal ``Name - Project`` and its copy with the name mistyped at the
same org record (``name_typo``: ``Zevnor - Signage``) or with no org and the name in brackets
(``org_in_title``: ``Signage (Zenvor)``), one person and value; and their hard negatives, two
companies of near names, each its own org record and person (``near_name``: ``Zenvor - Audit``
/ ``Zevnor - Audit``), or a phase apart at one customer, the name mistyped on one (``phase``).
``LabelledSet.clusters`` are the true duplicate groups;
``sandbox_payload()`` gives the dicts the sandbox admin ``/load`` endpoint takes (pipeline 1,
stages 1-5 and users 1-3 of the default seeded account).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from jobs.dedupe.model import DealRecord

SYLLABLES = ("vor", "an", "tis", "kel", "bri", "dge", "mar", "lo", "qua", "zen", "tor", "pel", "rik", "sa",
             "nov", "ex", "ly", "dra", "fen", "gal", "hum", "ix", "jor", "ka", "lum", "mo", "nar", "ost",
             "pra", "ru", "sel", "tem", "ul", "ver", "wen", "yar", "zo", "bel", "cor", "dun")
LEGAL = ("Inc", "Ltd", "GmbH", "LLC", "S.A.", "B.V.", "AG", "Oy", "AB", "Corp", "PLC", "SRL",
         "SE", "KGaA", "OHG", "eG", "LLP", "S.p.A.", "ApS", "AS", "NV", "Sp. z o.o.")
# the same legal form spelled another way (a company's second org record): one company
SPELLED = {"Inc": "Incorporated", "Ltd": "Limited", "GmbH": "G.m.b.H.", "LLC": "L.L.C.", "S.A.": "SA",
           "B.V.": "BV", "AG": "A.G.", "Oy": "OY", "AB": "Aktiebolag AB", "Corp": "Corporation",
           "PLC": "P.L.C.", "SRL": "S.r.l.", "SE": "S.E.", "KGaA": "KGAA", "OHG": "oHG", "eG": "e.G.",
           "LLP": "L.L.P.", "S.p.A.": "SpA", "ApS": "APS", "AS": "A/S", "NV": "N.V.",
           "Sp. z o.o.": "Sp. z.o.o."}
# two different legal forms of one group's name: two legal entities (national subsidiaries)
ENTITY_FORMS = (("GmbH", "Inc"), ("Ltd", "SE"), ("AB", "Oy"), ("B.V.", "NV"), ("S.A.", "S.p.A."),
                ("Ltd", "PLC"), ("AG", "GmbH"), ("ApS", "AS"), ("LLC", "LLP"), ("Sp. z o.o.", "S.A."),
                ("GmbH", "KGaA"), ("Oy", "Oyj"), ("SARL", "SAS"), ("Ltd", "Pty Ltd"))
PRODUCTS = ("Website", "Mobile app", "CRM", "ERP", "Data warehouse", "Cloud hosting", "Security audit",
            "Staff training", "Support contract", "Laptop fleet", "Office furniture", "Payroll service",
            "Marketing campaign", "Video production", "Translation", "Firewall", "Analytics suite",
            "Call center", "Solar panels", "Catering")
ACTIONS = ("redesign", "rollout", "upgrade", "implementation", "renewal", "expansion", "pilot",
           "integration", "licences", "maintenance", "consulting", "migration")
GENERIC = ("Annual support renewal", "New website", "Consulting hours", "Hardware order",
           "Software licences", "Onboarding package")
FIRST = ("Alva", "Brin", "Cato", "Dela", "Eskil", "Fenna", "Goran", "Hedda", "Ivo", "Jalle", "Kasia",
         "Lenno", "Mirta", "Nils", "Orla", "Pim", "Quin", "Runa", "Soren", "Tilde")
LAST = ("Varnholm", "Quisted", "Brannick", "Oltmar", "Pesk", "Rundqvist", "Sallow", "Tavener",
        "Ulvang", "Wexley", "Yorath", "Zelinsky")
CURRENCIES = ("EUR", "USD", "GBP")
DEFECTS = ("double_import", "case", "punct", "typo", "legal", "reorder", "value0", "no_person",
           "second_org", "stage", "numword")
CITIES = ("Berlin", "Munich", "Hamburg", "Lyon", "Porto", "Gdansk", "Leeds", "Malmo", "Graz", "Turku")
DIVISIONS = ("Energy", "Health", "Mobility", "Logistics", "Retail", "Finance", "Digital", "Foods")
# phase n written without its digit: (word, ordinal word, roman, ordinal with digit)
NUMBER_FORMS = {1: ("one", "first", "I", "1st"), 2: ("two", "second", "II", "2nd"),
                3: ("three", "third", "III", "3rd")}
T0 = datetime(2025, 1, 1, tzinfo=UTC)


@dataclass
class LabelledSet:
    """Deals plus the truth: duplicate clusters (ids) and hard-negative pairs."""

    deals: list[DealRecord]
    clusters: list[frozenset[int]]
    hard_negatives: list[tuple[frozenset[int], str]]  # (pair, kind: year|phase|...|near_word|renewal|...)
    orgs: list[dict[str, Any]] = field(default_factory=list)
    persons: list[dict[str, Any]] = field(default_factory=list)
    defects: dict[int, tuple[str, ...]] = field(default_factory=dict)  # copy id -> its defects

    def true_pairs(self) -> set[frozenset[int]]:
        """Every pair of deals that are one deal."""
        out: set[frozenset[int]] = set()
        for c in self.clusters:
            m = sorted(c)
            out.update(frozenset((m[i], m[j])) for i in range(len(m)) for j in range(i + 1, len(m)))
        return out

    def sandbox_payload(self) -> dict[str, list[dict[str, Any]]]:
        """``{"organizations": [...], "persons": [...], "deals": [...]}`` for the sandbox's admin load."""
        deals = []
        for d in self.deals:
            deals.append({
                "id": d.id, "title": d.title, "status": d.status, "org_id": d.org_id,
                "person_id": d.person_id, "value": d.value or 0, "currency": d.currency,
                "stage_id": d.stage_id, "pipeline_id": d.pipeline_id, "owner_id": d.owner_id,
                "add_time": _iso(d.add_time), "update_time": _iso(d.update_time),
                "is_archived": d.is_archived,
                **({f"{d.status}_time": _iso(d.close_time), "close_time": _iso(d.close_time)}
                   if d.status in ("won", "lost") else {}),
            })
        return {"organizations": list(self.orgs), "persons": list(self.persons), "deals": deals}


def _iso(t: datetime | None) -> str | None:
    return None if t is None else t.strftime("%Y-%m-%dT%H:%M:%SZ")


class _Gen:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.names: set[str] = set()
        self.next_id = {"deal": 1, "org": 1, "person": 1}

    def take(self, kind: str) -> int:
        i = self.next_id[kind]
        self.next_id[kind] = i + 1
        return i

    def company(self) -> str:
        rng = self.rng
        for n in (2, 3, 3, 3, 4, 4, 5, 6):
            name = "".join(rng.choice(SYLLABLES) for _ in range(n)).capitalize()
            if name not in self.names and len(name) >= 4:
                self.names.add(name)
                return name
        raise RuntimeError("name space exhausted")  # unreachable for realistic sizes


def _typo(rng: random.Random, title: str) -> str:
    words = title.split(" ")
    idx = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
    if not idx:
        return title + "s" if title[-1:].isalpha() else title
    i = rng.choice(idx)
    w = words[i]
    k = rng.randrange(1, len(w) - 1)
    op = rng.randrange(3)
    if op == 0:
        w = w[:k] + w[k + 1:]
    elif op == 1:
        w = w[:k] + w[k + 1] + w[k] + w[k + 2:]
    else:
        w = w[:k] + rng.choice("aeiounrst".replace(w[k].lower(), "")) + w[k + 1:]
    words[i] = w
    return " ".join(words)


def _punct(rng: random.Random, title: str) -> str:
    choice = rng.randrange(4)
    if choice == 0:
        return title.replace(" - ", " \u2013 ") if " - " in title else title.replace(" ", "  ", 1) + "."
    if choice == 1:
        return "  " + title.replace(" ", "-", 1) + " "
    if choice == 2:
        return title.replace(" - ", " / ") if " - " in title else title + "!"
    return title.replace(" ", "_")


def generate(seed: int = 11, companies: int = 400) -> LabelledSet:
    """One made-up account with ``companies`` companies (about 6 deals each, with copies).

    Deterministic for a seed. Deal ids start at 1 and are dense.
    """
    g = _Gen(seed)
    rng = g.rng
    deals: list[DealRecord] = []
    clusters: list[frozenset[int]] = []
    negatives: list[tuple[frozenset[int], str]] = []
    orgs: list[dict[str, Any]] = []
    persons: list[dict[str, Any]] = []
    defects: dict[int, tuple[str, ...]] = {}
    generic_owner: dict[str, int] = {}
    customers: list[tuple[int, str, list[int], str]] = []
    for _ in range(companies):
        name = g.company()
        legal = rng.choice(LEGAL)
        org_id = g.take("org")
        orgs.append({"id": org_id, "name": f"{name} {legal}"})
        second: tuple[int, str] | None = None
        if rng.random() < 0.25:
            rng.choice(LEGAL)  # drawn as before (a random second form), so a seed keeps its account
            second_name = rng.choice((name.upper(), f"{name} {SPELLED[legal]}", f"{name}, {legal}."))
            second = (g.take("org"), second_name)
            orgs.append({"id": second[0], "name": second_name})
        people = []
        for _ in range(rng.randint(1, 3)):
            pid = g.take("person")
            people.append(pid)
            persons.append({"id": pid, "name": f"{rng.choice(FIRST)} {rng.choice(LAST)}", "org_id": org_id})
        currency = rng.choice(CURRENCIES)
        customers.append((org_id, f"{name} {legal}", people, currency))
        titles = _company_titles(rng, name, legal)
        ids_by_title: dict[str, int] = {}
        for title, kind, sibling in titles:
            no_org = rng.random() < 0.05
            add = T0 + timedelta(days=rng.uniform(0, 700))
            stage = rng.randint(1, 4)
            roll = rng.random()
            status = "open" if roll < 0.8 else "won" if roll < 0.9 else "lost"
            base = DealRecord(
                id=g.take("deal"), title=title, status=status,
                org_id=None if no_org else org_id, org_name=None if no_org else f"{name} {legal}",
                person_id=rng.choice(people), value=float(rng.randrange(5, 500) * 100), currency=currency,
                pipeline_id=1, stage_id=stage, stage_order=stage, owner_id=rng.randint(1, 3),
                add_time=add, update_time=add + timedelta(days=rng.uniform(0, 30)))
            if status != "open":  # closed at its last update (won_time / lost_time)
                base = replace(base, close_time=base.update_time)
            deals.append(base)
            ids_by_title[title] = base.id
            if kind == "generic":
                other = generic_owner.get(title)
                if other is not None:
                    negatives.append((frozenset((other, base.id)), "generic"))
                generic_owner[title] = base.id
            elif kind and sibling in ids_by_title:
                negatives.append((frozenset((ids_by_title[sibling], base.id)), kind))
            if rng.random() < 0.33:
                members = [base.id]
                for _ in range(rng.choice((1, 1, 1, 2))):
                    copy, why = _copy(g, base, name, legal, second)
                    deals.append(copy)
                    defects[copy.id] = why
                    members.append(copy.id)
                clusters.append(frozenset(members))
            elif kind == "" and rng.random() < 0.05:  # same title, contradicting evidence
                other_person = next((p for p in people if p != base.person_id), None)
                if other_person is None:
                    other_person = g.take("person")
                    persons.append({"id": other_person, "name": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                                    "org_id": org_id})
                    people.append(other_person)
                later = (base.add_time or T0) + timedelta(days=rng.uniform(150, 300))
                twin = replace(base, id=g.take("deal"), person_id=other_person, status="open",
                               value=(base.value or 100.0) * rng.choice((2.0, 3.0, 0.5)),
                               add_time=later, update_time=later, close_time=None)
                deals.append(twin)
                negatives.append((frozenset((base.id, twin.id)), "contradict"))
        if rng.random() < 0.12:  # one word swapped for a near word (juni/juli, linz/lienz, anna/anne)
            negatives.append(_near_word_pair(g, deals, org_id, f"{name} {legal}", people, currency))
        if rng.random() < 0.12:  # the same deal recurring: renewal, retainer, re-opened after lost
            negatives.extend(_recurring(g, deals, org_id, f"{name} {legal}", people, currency))
        if rng.random() < 0.08:  # two subsidiaries sharing the first word, one title each
            title = f"{rng.choice(PRODUCTS)} {rng.choice(ACTIONS)}"
            pair = []
            for division in rng.sample(DIVISIONS, 2):
                sub_id = g.take("org")
                sub_name = f"{name} {division} {legal}"
                orgs.append({"id": sub_id, "name": sub_name})
                add = T0 + timedelta(days=rng.uniform(0, 700))
                d = DealRecord(id=g.take("deal"), title=title, status="open", org_id=sub_id,
                               org_name=sub_name, person_id=None, value=float(rng.randrange(5, 500) * 100),
                               currency=currency, pipeline_id=1, stage_id=1, stage_order=1,
                               owner_id=rng.randint(1, 3), add_time=add, update_time=add)
                deals.append(d)
                pair.append(d.id)
            negatives.append((frozenset(pair), "subsidiary"))
        if rng.random() < 0.06:  # two legal entities of one group: same title, value, days apart
            negatives.append(_entities(g, deals, orgs, persons, name, currency))
    # drawn from an RNG of their own, after every company, so a seed keeps the account it had
    pairs_rng = random.Random(seed * 7919 + 1)
    for org_id, org_name, people, currency in customers:
        if pairs_rng.random() < 0.10:  # a route or a pair in both directions
            negatives.append(_reversed_pair(g, pairs_rng, deals, org_id, org_name, people, currency))
    # every brand pair once a seed, at a customer drawn from an RNG of its own (after the above)
    brand_rng = random.Random(seed * 7919 + 2)
    for template, brand, word in BRAND_WORDS:
        org_id, org_name, people, currency = brand_rng.choice(customers)
        negatives.append(_brand_pair(g, brand_rng, deals, org_id, org_name, people, currency,
                                     template.format(brand), template.format(word)))
    # round 7 of issue 11: one of each pair a seed, at a customer from an RNG of its own (last)
    r7_rng = random.Random(seed * 7919 + 3)
    for one, other, kind in ROUND7_PAIRS:
        org_id, org_name, people, currency = r7_rng.choice(customers)
        name = org_name.rsplit(" ", 1)[0]
        slip = name[:2] + name[3:] if len(name) > 4 else name + "x"  # a letter dropped
        negatives.append(_brand_pair(g, r7_rng, deals, org_id, org_name, people, currency,
                                     one.format(name=name, slip=slip),
                                     other.format(name=name, slip=slip), kind))
    # repeat orders / service calls 2-20 days apart (f33h S1), from an RNG of their own (after
    # the above, so a seed's other deals are what they were)
    repeat_rng = random.Random(seed * 7919 + 4)
    for org_id, org_name, people, currency in customers:
        if repeat_rng.random() < 0.12:
            negatives.extend(_recurring(g, deals, org_id, org_name, people, currency,
                                        rng=repeat_rng, kind="repeat"))
    # the customer's name in one title only (x40r3 F4), from an RNG of its own (last, so a
    # seed's other deals are what they were)
    name_rng = random.Random(seed * 7919 + 5)
    for customer in customers:
        roll = name_rng.random()
        if roll < 0.10:
            cluster, why = _named_copy(g, name_rng, deals, customer)
            clusters.append(cluster)
            defects[max(cluster)] = why
        elif roll < 0.15:
            negatives.append(_near_name(g, name_rng, deals, orgs, persons, customer))
    return LabelledSet(deals, clusters, negatives, orgs, persons, defects)


# short projects a customer's name beside them in a title is a large share of (``Zenvor - Signage``)
PROJECTS = ("Office move", "Photo shoot", "Fleet leasing", "Roof repair", "Staff party",
            "Trade show booth", "Warehouse racking", "Signage", "Audit")


def _plain_name(org_name: str) -> str:
    """The company name of a generated org name, its legal form left out."""
    return next((org_name[:-len(f) - 1] for f in sorted(LEGAL, key=len, reverse=True)
                 if org_name.endswith(f" {f}")), org_name)


def _slip(rng: random.Random, name: str) -> str:
    """``name`` mistyped after its first letter: two neighbours swapped or a letter dropped."""
    i = rng.randrange(1, len(name) - 1)
    if rng.random() < 0.5 and name[i] != name[i + 1]:
        return name[:i] + name[i + 1] + name[i] + name[i + 2:]
    return name[:i] + name[i + 1:]


def _named_copy(g: _Gen, rng: random.Random, deals: list[DealRecord],
                customer: tuple[int, str, list[int], str]) -> tuple[frozenset[int], tuple[str, ...]]:
    """A deal ``Name - Project`` and its copy, same person and value, 1-20 h later, that names
    the customer otherwise: the name mistyped at the same org record (``name_typo``: ``Zevnor -
    Signage``), or in brackets on a copy with no org (``org_in_title``: ``Signage (Zenvor)``)."""
    org_id, org_name, people, currency = customer
    name, project = _plain_name(org_name), rng.choice(PROJECTS)
    person, value = rng.choice(people), float(rng.randrange(5, 500) * 100)
    add = T0 + timedelta(days=rng.uniform(0, 600))
    a = _deal(g, f"{name} - {project}", org_id, org_name, person, value, currency, add)
    later = add + timedelta(hours=rng.uniform(1, 20))
    if rng.random() < 0.5:
        b, why = _deal(g, f"{_slip(rng, name)} - {project}", org_id, org_name, person, value,
                       currency, later), "name_typo"
    else:
        b = replace(_deal(g, f"{project} ({name})", org_id, org_name, person, value, currency,
                          later), org_id=None, org_name=None)
        why = "org_in_title"
    deals.extend((a, b))
    return frozenset((a.id, b.id)), (why,)


def _near_name(g: _Gen, rng: random.Random, deals: list[DealRecord], orgs: list[dict[str, Any]],
               persons: list[dict[str, Any]], customer: tuple[int, str, list[int], str]
               ) -> tuple[frozenset[int], str]:
    """Two deals ``Name - Project`` / ``Nmae - Project`` of one value minutes apart that are not
    one deal: at two companies of near names, each its own org record and person
    (``near_name``), or at one customer a phase apart (``phase``: ``... phase 1`` / ``... phase
    2``, the name mistyped on one)."""
    org_id, org_name, people, currency = customer
    name, project = _plain_name(org_name), rng.choice(PROJECTS)
    slip = _slip(rng, name)
    value = float(rng.randrange(5, 500) * 100)
    add = T0 + timedelta(days=rng.uniform(0, 600))
    later = add + timedelta(minutes=rng.uniform(1, 60))
    if rng.random() < 0.6:
        other_org, other_person = g.take("org"), g.take("person")
        other_name = org_name.replace(name, slip, 1)
        orgs.append({"id": other_org, "name": other_name})
        persons.append({"id": other_person, "name": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                        "org_id": other_org})
        a = _deal(g, f"{name} - {project}", org_id, org_name, rng.choice(people), value, currency, add)
        b = _deal(g, f"{slip} - {project}", other_org, other_name, other_person, value, currency,
                  later)
        kind = "near_name"
    else:
        person = rng.choice(people)
        a = _deal(g, f"{name} - {project} phase 1", org_id, org_name, person, value, currency, add)
        b = _deal(g, f"{slip} - {project} phase 2", org_id, org_name, person, value, currency,
                  later)
        kind = "phase"
    deals.extend((a, b))
    return frozenset((a.id, b.id)), kind


# the hard negatives of round 7 of issue 11, double-submitted at one customer (same person and
# value, minutes apart): a roman numeral of another value or after a name (``numeral``), a word
# that changes the deal on one side (``extra_word``), the org's name mistyped inside a part
# with another word: a person's name, maybe (``name``)
ROUND7_PAIRS = (
    ("Phase II rollout", "Phase 11 rollout", "numeral"), ("Phase I rollout", "Phase 2 rollout", "numeral"),
    ("Stage IV training", "Stage 6 training", "numeral"), ("Louis VI catering", "Louis 6 catering", "numeral"),
    ("Projekt XII", "Projekt 12", "numeral"), ("Phase IX audit", "Phase XI audit", "numeral"),
    ("Website", "Website migration", "extra_word"), ("Support", "Support renewal", "extra_word"),
    ("Hosting", "Hosting - Backup", "extra_word"), ("Lizenzen", "Lizenzen Verlängerung", "extra_word"),
    ("{name} - Website", "{name} - Website migration", "extra_word"),
    ("Support - Kunde {name}", "Support - Kunde {slip}", "name"),
    ("Schulung {name}", "Schulung {slip}", "name"),
)


# one-word substitutions that are other deals, not typos: (template, word, near word)
NEAR_WORDS = (
    ("Messe {}", "Juni", "Juli"), ("Messestand {}", "Juni", "Juli"), ("Trade fair {}", "June", "July"),
    ("Workshop {}", "Montag", "Mittwoch"), ("Kickoff {}", "March", "May"),
    ("Rollout {}", "Linz", "Lienz"), ("Site survey {}", "Lindau", "Landau"), ("Pilot {}", "Hamm", "Hamme"),
    ("Expansion {}", "Gent", "Genk"), ("Office {}", "Graz", "Gratz"),
    ("Coaching {}", "Anna", "Anne"), ("Onboarding - {}", "Jensen", "Jansen"),
    ("Training {}", "Smith", "Smyth"), ("Kunde {}", "Maier", "Meier"), ("Mentoring {}", "Karin", "Karen"),
    ("{} rollout", "iPad", "iPod"), ("Lizenz {}", "Basic", "Basis"), ("{} licences", "Word", "Ward"),
)


# a brand, product or town one letter from a common word (or its other spelling): another
# deal, even double-submitted, whatever the typo rule reads (``lexicon.misspelt``)
BRAND_WORDS = (
    ("{} Einführung", "Looker", "Locker"), ("{} integration", "Braze", "Brave"),
    ("Office move {}", "Woking", "Working"), ("{} licences", "Canva", "Canvas"),
    ("{} workspace setup", "Notion", "Nation"), ("{} migration", "Zoho", "Zoom"),
    ("{} hosting panel", "Plesk", "Please"), ("{} board licences", "Miro", "Mir\u043e"),
    ("{} newsletter setup", "Brevo", "Bravo"), ("{} project licences", "Wrike", "Write"),
    ("{} meal vouchers", "Swile", "Smile"), ("{} database setup", "Turso", "Torso"),
    ("{} app builder", "Softr", "Softer"), ("{} video hosting", "Vimeo", "Video"),
    ("{} outreach licences", "Kaspr", "Kasper"), ("{} CRM rollout", "Attio", "Attic"),
    ("{} app licences", "Glide", "Guide"), ("{} Lizenzen", "Datev", "Dates"),
    ("{} upgrade", "Docker", "Docket"), ("{} printers", "Epsom", "Epson"),
    ("{} email API", "Resend", "Resent"), ("{} document hosting", "Scribd", "Scribed"),
    ("Filiale {}", "Celle", "Cello"), ("Standort {} Ausbau", "Mainz", "Mains"),
    ("Messestand {}", "Gera", "Gear"), ("Niederlassung {}", "Jena", "Jean"),
    ("Niederlassung {}", "Halle", "Hallo"), ("Lager {}", "Worms", "Words"),
    ("Standort {}", "Siegen", "Siegel"), ("Agence {}", "Brest", "Breast"),
    ("Bureau {}", "Lille", "Lilie"), ("Succursale {}", "Rouen", "Rosen"),
)


# a route or a pair read in a direction: the same title with its two ends swapped is another
# deal (the lane back, the other currency pair), even at one customer, same person and value
PLACES = ("Hamburg", "Shanghai", "Rotterdam", "Long Beach", "New York", "Green Bay", "Cape Town",
          "Salt Lake City", "Kansas City", "Hong Kong", "Le Havre", "Berlin", "Lyon", "Boston")
ROUTES = ("{} - {}", "Route: {} - {}", "Frachtrate: {} - {}", "Lane {} - {}", "{} to {}", "{} -> {}",
          "{} \u2192 {}", "{}/{}", "Transport {} - {}", "Umzug {} - {}", "Freight rates: {} - {}")
PAIRS = (("Team A vs Team B", "Team B vs Team A"), ("EUR - USD", "USD - EUR"), ("EUR/GBP", "GBP/EUR"),
         ("Import - Export", "Export - Import"), ("Inbound - Outbound", "Outbound - Inbound"),
         ("Buy - Sell", "Sell - Buy"), ("Spread EUR - CHF", "Spread CHF - EUR"),
         ("Match: Hamburg vs Berlin", "Match: Berlin vs Hamburg"),
         ("SAP - Oracle migration", "Oracle migration - SAP"),  # from SAP / for SAP
         ("Salesforce - HubSpot migration", "HubSpot migration - Salesforce"),
         ("Oracle replacement - SAP", "SAP - Oracle replacement"))


def _reversed_pair(g: _Gen, rng: random.Random, deals: list[DealRecord], org_id: int, org_name: str,
                   people: list[int], currency: str) -> tuple[frozenset[int], str]:
    """Two deals of one customer, same person and value, added minutes apart, whose titles name
    a route or a pair in both directions (``Long Beach - Shanghai`` / ``Shanghai - Long Beach``,
    ``Route: Berlin - Hamburg``, ``EUR - USD``, ``Import - Export``, ``Team A vs Team B``, ``SAP -
    Oracle migration`` / ``Oracle migration - SAP``): not one deal. Kind ``route`` or ``pair``."""
    if rng.random() < 0.6:
        template, kind = rng.choice(ROUTES), "route"
        x, y = rng.sample(PLACES, 2)
        one, other = template.format(x, y), template.format(y, x)
    else:
        (one, other), kind = rng.choice(PAIRS), "pair"
    person, value = rng.choice(people), float(rng.randrange(5, 500) * 100)
    add = T0 + timedelta(days=rng.uniform(0, 600))
    a = _deal(g, one, org_id, org_name, person, value, currency, add)
    b = _deal(g, other, org_id, org_name, person, value, currency,
              add + timedelta(minutes=rng.uniform(1, 30)))
    deals.extend((a, b))
    return frozenset((a.id, b.id)), kind


def _deal(g: _Gen, title: str, org_id: int, org_name: str, person: int | None, value: float,
          currency: str, add: datetime, status: str = "open", updated: datetime | None = None
          ) -> DealRecord:
    return DealRecord(id=g.take("deal"), title=title, status=status, org_id=org_id, org_name=org_name,
                      person_id=person, value=value, currency=currency, pipeline_id=1, stage_id=2,
                      stage_order=2, owner_id=1, add_time=add, update_time=updated or add,
                      close_time=(updated or add) if status in ("won", "lost") else None)


def _near_word_pair(g: _Gen, deals: list[DealRecord], org_id: int, org_name: str, people: list[int],
                    currency: str) -> tuple[frozenset[int], str]:
    """Two deals of one customer, same person and value, whose titles differ by one near word
    (months, towns, person names, products), added 2 h to 40 days apart: not one deal."""
    rng = g.rng
    template, w1, w2 = rng.choice(NEAR_WORDS)
    person, value = rng.choice(people), float(rng.randrange(5, 500) * 100)
    add = T0 + timedelta(days=rng.uniform(0, 600))
    a = _deal(g, template.format(w1), org_id, org_name, person, value, currency, add)
    b = _deal(g, template.format(w2), org_id, org_name, person, value, currency,
              add + timedelta(hours=rng.uniform(2, 24 * 40)))
    deals.extend((a, b))
    return frozenset((a.id, b.id)), "near_word"


def _brand_pair(g: _Gen, rng: random.Random, deals: list[DealRecord], org_id: int, org_name: str,
                people: list[int], currency: str, one: str, other: str, kind: str = "brand"
                ) -> tuple[frozenset[int], str]:
    """Two deals of one customer, same person and value, added minutes apart, whose titles
    differ by a brand, product or town and the common word one letter from it (``Looker`` /
    ``Locker``, ``Brevo`` / ``Bravo``, ``Softr`` / ``Softer``, ``Woking`` / ``Working``): not
    one deal. Kind ``brand`` (or ``kind``: ``ROUND7_PAIRS``)."""
    person, value = rng.choice(people), float(rng.randrange(5, 500) * 100)
    add = T0 + timedelta(days=rng.uniform(0, 600))
    a = _deal(g, one, org_id, org_name, person, value, currency, add)
    b = _deal(g, other, org_id, org_name, person, value, currency,
              add + timedelta(minutes=rng.uniform(1, 30)))
    deals.extend((a, b))
    return frozenset((a.id, b.id)), kind


def _entities(g: _Gen, deals: list[DealRecord], orgs: list[dict[str, Any]],
              persons: list[dict[str, Any]], name: str, currency: str) -> tuple[frozenset[int], str]:
    """One deal each at two legal entities of a group (``Name Group GmbH`` / ``Name Group Inc``,
    each its own org record and person), same title and value, added hours to days apart:
    the group's national entities buy the same thing, not one deal twice."""
    rng = g.rng
    forms = rng.choice(ENTITY_FORMS)
    title = f"{rng.choice(PRODUCTS)} {rng.choice(ACTIONS)}"
    value = float(rng.randrange(5, 500) * 100)
    add = T0 + timedelta(days=rng.uniform(0, 600))
    pair = []
    for k, form in enumerate(forms):
        org_id, person = g.take("org"), g.take("person")
        org_name = f"{name} Group {form}"
        orgs.append({"id": org_id, "name": org_name})
        persons.append({"id": person, "name": f"{rng.choice(FIRST)} {rng.choice(LAST)}", "org_id": org_id})
        d = _deal(g, title, org_id, org_name, person, value, currency,
                  add + timedelta(hours=k * rng.uniform(0.5, 72)))
        deals.append(d)
        pair.append(d.id)
    return frozenset(pair), "entity"


REPEAT_TITLES = ("Weekly fruit box", "Fortnightly office cleaning", "Service call - boiler",
                 "Toner reorder", "Wochenlieferung Getränke", "Wartungseinsatz Heizung",
                 "Intervention maintenance")


def _recurring(g: _Gen, deals: list[DealRecord], org_id: int, org_name: str, people: list[int],
               currency: str, *, rng: random.Random | None = None, kind: str = ""
               ) -> list[tuple[frozenset[int], str]]:
    """The same title at one customer, same person and value, recurring: a yearly renewal (won a
    year ago, open now), a monthly retainer (won, won, open a month apart), an opportunity
    re-opened after it was lost, or (``kind="repeat"``) a repeat order or service call: 2 to 4
    open deals, each added 2 to 20 days after the one before (f33h S1: weekly orders merged
    night by night). Every pair is a hard negative. ``rng``: the generator's own by default."""
    rng = rng or g.rng
    person, value = rng.choice(people), float(rng.randrange(5, 500) * 100)
    start = T0 + timedelta(days=rng.uniform(0, 300))
    if kind == "repeat":
        title = rng.choice(REPEAT_TITLES)
        adds = [start]
        for _ in range(rng.randint(1, 3)):
            adds.append(adds[-1] + timedelta(days=rng.uniform(2.1, 20)))
        made = [_deal(g, title, org_id, org_name, person, value, currency, add) for add in adds]
        deals.extend(made)
        return [(frozenset((x.id, y.id)), kind) for i, x in enumerate(made) for y in made[i + 1:]]
    kind = rng.choice(("renewal", "retainer", "reopened"))
    if kind == "renewal":
        specs = [("won", start, 20), ("open", start + timedelta(days=rng.uniform(340, 380)), 0)]
        title = rng.choice(("Annual maintenance", "Support renewal", "Jahreswartung"))
    elif kind == "retainer":
        specs = [("won", start + timedelta(days=30 * k + rng.uniform(-2, 2)), 25) for k in range(2)]
        specs.append(("open", start + timedelta(days=60 + rng.uniform(-2, 2)), 0))
        title = rng.choice(("Monthly retainer", "SEO retainer", "Monatspauschale"))
    else:
        specs = [("lost", start, 10), ("open", start + timedelta(days=rng.uniform(25, 200)), 0)]
        title = rng.choice(("Website relaunch", "CRM rollout", "Fleet leasing"))
    made = [_deal(g, title, org_id, org_name, person, value, currency, add, status,
                  add + timedelta(days=closed) if closed else add) for status, add, closed in specs]
    deals.extend(made)
    return [(frozenset((x.id, y.id)), kind) for i, x in enumerate(made) for y in made[i + 1:]]


def _company_titles(rng: random.Random, name: str, legal: str) -> list[tuple[str, str, str]]:
    """(title, hard-negative kind or "", the sibling title it must not merge with)."""
    out: list[tuple[str, str, str]] = []
    used: set[str] = set()
    products = rng.sample(PRODUCTS, 4)
    for i, product in enumerate(products[: rng.randint(2, 4)]):
        action = rng.choice(ACTIONS)
        title = plain = f"{product} {action}"
        if plain in used:
            continue
        used.add(plain)
        style = rng.random()
        if style < 0.3:
            title = f"{name} - {title}"
        elif style < 0.4:
            title = f"{title} - {name} {legal}"
        out.append((title, "", ""))
        twist = rng.random()
        if twist < 0.15:
            y = rng.randint(2022, 2025)
            out.append((f"{title} {y}", "", ""))
            out.append((f"{title} {y + 1}", "year", f"{title} {y}"))
        elif twist < 0.25:
            out.append((f"{title} phase 1", "", ""))
            out.append((f"{title} phase 2", "phase", f"{title} phase 1"))
        elif twist < 0.35:
            q = rng.randint(1, 3)
            out.append((f"Q{q} {title}", "", ""))
            out.append((f"Q{q + 1} {title}", "quarter", f"Q{q} {title}"))
        elif twist < 0.50:
            city, city2 = rng.sample(CITIES, 2)
            out.append((f"{title} - {city}", "", ""))
            out.append((f"{title} - {city2}", "site", f"{title} - {city}"))
        elif twist < 0.55:
            out.append((f"{title} building A", "", ""))
            out.append((f"{title} building B", "building", f"{title} building A"))
        elif twist < 0.65 and i + 1 < len(products):
            other = products[-1 - i]
            sib = title.replace(product, other) if other != product else ""
            if sib and plain.replace(product, other) not in used:
                used.add(plain.replace(product, other))
                out.append((sib, "product", title))
    if rng.random() < 0.3:
        out.append((rng.choice(GENERIC), "generic", ""))
    return out


LATE_SHARE = 0.05  # retyped copies added 2-20 days after the deal: no sign of a copy, review


def _copy_gap(u: float) -> float:
    """A retyped copy's gap in hours from one uniform draw ``u`` in [1, 480): within 2 days
    (a copy is entered the same day, or within a day or two by an import or a person), and
    ``LATE_SHARE`` of them 2-20 days later (``late``: with nothing but the title, org,
    person and value to say so, those are review at most, as a weekly order would be)."""
    cut = 480 - LATE_SHARE * 479
    if u < cut:
        return 1 + (u - 1) / (cut - 1) * 47
    return 48 + (u - cut) / (480 - cut) * (480 - 48)


def _copy(g: _Gen, base: DealRecord, name: str, legal: str,
          second: tuple[int, str] | None) -> tuple[DealRecord, tuple[str, ...]]:
    rng = g.rng
    picks = rng.sample(DEFECTS, rng.choice((1, 1, 2)))
    if "second_org" in picks and (second is None or base.org_id is None):
        picks.remove("second_org")
    has_phase = re.search(r"\bphase [123]\b", base.title, re.IGNORECASE) is not None
    if not has_phase and "numword" in picks:
        picks.remove("numword")
    elif has_phase and "numword" not in picks and rng.random() < 0.5:
        picks.append("numword")
    title = base.title
    changes: dict[str, Any] = {}
    add = base.add_time or T0
    if "double_import" in picks:
        changes["add_time"] = add + timedelta(minutes=rng.uniform(1, 15))
    else:  # retyped: within 2 days, but a late share (LATE_SHARE) 2-20 days later
        hours = _copy_gap(rng.uniform(1, 24 * 20))  # (one draw, as before: a seed keeps its account)
        if hours > 48:
            picks.append("late")
        changes["add_time"] = add + timedelta(hours=hours)
    if base.status in ("won", "lost") and base.update_time is not None \
            and changes["add_time"] >= base.update_time:  # a copy is made before the deal closed
        changes["add_time"] = add + (base.update_time - add) * rng.random()
    changes["update_time"] = changes["add_time"]
    for d in picks:
        if d == "case":
            title = rng.choice((title.upper(), title.lower(), title.title()))
        elif d == "punct":
            title = _punct(rng, title)
        elif d == "typo":
            title = _typo(rng, title)
        elif d == "legal":
            title = f"{name} {legal} - {title}" if name not in title else title.replace(name, f"{name} {legal}")
        elif d == "reorder":
            if " - " in title:
                left, right = title.split(" - ", 1)
                title = f"{right} - {left}"
            else:
                title = f"{title} - {name}"
        elif d == "value0":
            changes["value"] = rng.choice((0.0, None))
        elif d == "no_person":
            changes["person_id"] = None
        elif d == "second_org" and second is not None:
            changes["org_id"], changes["org_name"] = second
        elif d == "numword":
            m = re.search(r"\bphase ([123])\b", title, re.IGNORECASE)
            if m:
                word, ordinal, roman, nth = NUMBER_FORMS[int(m.group(1))]
                form = rng.choice((f"phase {word}", f"{ordinal} phase", f"phase {roman}", f"{nth} phase"))
                title = title[:m.start()] + form + title[m.end():]
        elif d == "stage" and base.stage_order is not None:
            changes["stage_id"] = changes["stage_order"] = min(5, base.stage_order + 1)
    if "status" not in changes:
        changes["status"] = "open"
    if changes["status"] not in ("won", "lost"):
        changes["close_time"] = None
    return replace(base, id=g.take("deal"), title=title, **changes), tuple(picks)
