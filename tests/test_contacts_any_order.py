"""A new organization's name and address, and a new person's name under a mapping of
names alone, are a function of the set of the file's rows, never of their order (f57f;
z55r1 F1 did the person's name where e-mails or phones are read). Before f57f, over 5
seeds x (reversed, 2 shuffles), 333 of 978 (row, order) pairs had another organization
spelling (``ACME GmbH`` of ``Acme GmbH``); with a mapping of names alone 189 of 594 another
person's spelling. A person's e-mails and phones (spelling, order, primary, labels) still
follow its first row: compared by name here, left to a later fix."""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path
from typing import Any

import pytest

from benchmarks.bench_mapping import offline_planner
from jobs.demo_data import COLUMNS, MAPPING, iter_demo_rows
from jobs.file_names import Forms
from jobs.import_load import _items, learn_file
from jobs.load_progress import LoadProgress

FIRSTS = ("Rosa", "Anna", "Li", "Jan", "Jürgen", "Zoë")
LASTS = ("Moreau", "Okafor", "Berg", "Müller", "McDonald", "de la Cruz")
ORGS = ("Acme GmbH", "Globex Corp", "Initech AG", "Stark Inc", "Hooli", "Wayne SE")
LABELS = ("", "", " (work)", " (mobile)", " (home)")
STREETS = ("Hauptstr. 5, 10115 Berlin", "Main Street 12, Springfield")
NAMES_ONLY = MAPPING.replace('email = "Email"\nphone = "Phone"\n', "")


def _phone_forms(area: str, number: str) -> list[str]:
    return [f"+49 {area} {number}", f"0{area} {number}", f"+49 ({area}) {number}",
            f"+49{area}{number}"]


def _rows(seed: int, names_only: bool = False) -> list[dict[str, str]]:
    """~14 persons over 50-80 rows: each named in 1-4 spellings (case, spacing), its
    address in 1-3 (case), a second address in some cells (before or after), 1-3 phones
    each written 1-3 ways, some labelled; each at one organization spelled 1-3 ways, at
    one address spelled 1-2 ways or none."""
    rng = random.Random(seed)
    people = []
    for p in range(14):
        first, last = rng.choice(FIRSTS), rng.choice(LASTS)
        base = f"{first} {last}"
        names = rng.sample([base, base.lower(), base.upper(), f"{first}  {last}"],
                           rng.randint(1, 4))
        mail = f"p{p}.{last.lower().replace(' ', '')}@x{seed}.com"
        mails = rng.sample([mail, mail.upper(), mail.capitalize()], rng.randint(1, 3))
        phones = [rng.sample(_phone_forms(area, str(4600000 + 97 * p + 13 * k)),
                             rng.randint(1, 3))
                  for k, area in enumerate(rng.sample(["30", "40", "89", "221"],
                                                      rng.randint(1, 3)))]
        org = rng.choice(ORGS)
        orgs = rng.sample([org, org.upper(), org.lower(), org.title()], rng.randint(1, 3))
        street = rng.choice(STREETS)
        places = rng.choice([[""], [street], [street, street.upper()]])
        people.append((names, mails, f"p{p}.b@x{seed}.com", phones, orgs, places))
    rows = []
    for row in iter_demo_rows(rng.randint(50, 80), seed=seed, broken_share=0,
                              unknown_share=0):
        names, mails, other, phones, orgs, places = rng.choice(people)
        first, _, last = rng.choice(names).partition(" ")
        how, mail = rng.random(), rng.choice(mails)
        email = f"{mail}; {other}" if how < 0.2 else f"{other}; {mail}" if how < 0.25 \
            else mail
        phone = rng.choice(rng.choice(phones)) + rng.choice(LABELS)
        row |= {"First Name": first, "Last Name": last.strip(),
                "Email": "" if names_only else email,
                "Phone": "" if rng.random() < 0.2 else phone,
                "Company": rng.choice(orgs), "Company Address": rng.choice(places)}
        rows.append(row)
    return rows


def _creates(directory: Path, rows: list[dict[str, str]], mapping_text: str
             ) -> dict[str, Any]:
    """Each row (by its key) -> (whether it is written, its person as created or linked,
    its organization likewise): a created one by its body (and a person's organization's
    body), never by its key or id."""
    directory.mkdir(parents=True, exist_ok=True)
    manifest, mapping = directory / "export.csv", directory / "mapping.toml"
    mapping.write_text(mapping_text, encoding="utf-8")
    with open(manifest, "w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(COLUMNS)
        out.writerows([row[c] for c in COLUMNS] for row in rows)
    planner, settings = offline_planner(manifest, mapping)()
    learn_file(planner, settings, progress=LoadProgress(lambda _line: None))
    made: dict[str, Any] = {}
    linked: dict[str, Any] = {}
    for item in _items(planner, settings):
        payload = item.payload if isinstance(item.payload, dict) else {}
        refs: dict[str, Any] = {}
        for role in ("person", "org"):
            ref = payload.get(role)
            if isinstance(ref, dict) and ref.get("kind") in ("person", "org"):
                org = ref.get("org") or {}
                made.setdefault(ref["key"], (ref["body"], org.get("key", org.get("id"))))
                refs[role] = ref["key"]
            elif isinstance(ref, dict):
                refs[role] = ref.get("id")
        linked[item.key] = (item.error is None, refs)

    def shown(key: Any) -> Any:
        if not isinstance(key, str) or key not in made:
            return key
        body, org = made[key]
        return json.dumps(body, sort_keys=True), shown(org) if org != key else None
    return {row: (ok, {role: shown(k) for role, k in refs.items()})
            for row, (ok, refs) in linked.items()}


@pytest.mark.parametrize("names_only", [False, True], ids=["emails_phones", "names_only"])
@pytest.mark.parametrize("seed", range(5))
def test_any_order_creates_the_same_contacts(tmp_path: Path, seed: int,
                                             names_only: bool) -> None:
    """The file, reversed and shuffled twice: each row's person and organization, as
    created (every field of their bodies) or linked, are the same."""
    rows = _rows(seed, names_only)
    mapping = NAMES_ONLY if names_only else MAPPING
    want = _creates(tmp_path / "a", rows, mapping)
    assert sum(1 for ok, refs in want.values()
               if ok and isinstance(refs.get("person"), tuple)) > 20
    rng = random.Random(seed)
    for n, order in enumerate((rows[::-1], rng.sample(rows, len(rows)),
                               rng.sample(rows, len(rows)))):
        got = _creates(tmp_path / f"o{n}", order, mapping)
        differ = [(row, want[row], got[row]) for row in want
                  if _seen(want[row], names_only) != _seen(got[row], names_only)]
        assert not differ, (seed, n, len(differ), differ[:2])


def _seen(outcome: tuple[bool, dict[str, Any]], whole: bool) -> Any:
    """A row's outcome as compared: whole for a mapping of names alone; else its person's
    name and its organizations' bodies (a person's e-mails and phones and their order
    still follow its first row: not fixed yet, f57f's report)."""
    if whole:
        return outcome
    ok, refs = outcome
    person = refs.get("person")
    if isinstance(person, tuple):
        person = (json.loads(person[0])["name"], person[1])
    return ok, person, refs.get("org")


def test_forms_spelling_is_of_the_set() -> None:
    """``Forms``: the spelling of most rows, a tie to the fullest, then mixed case, then
    the least; a value written one way only is not kept; in any order."""
    seen = [("Acme GmbH", 1), ("ACME GmbH", 1), ("acme gmbh", 5), ("Acme GmbH", 1),
            ("Hooli", 7), ("Globex", 8), ("GLOBEX", 8), ("Globex", 8), ("Wayne SE", 9),
            ("WAYNE SE", 9)]
    for order in (seen, seen[::-1], random.Random(3).sample(seen, len(seen))):
        forms = Forms()
        for text, key in order:
            forms.see(text, key)
        assert forms.proper() == {1: "Acme GmbH", 8: "Globex", 9: "Wayne SE"}
