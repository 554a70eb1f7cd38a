"""A new person's (and organization's) name, e-mails and phones, their order and primary
flags, and the organization it is linked to are a function of the set of the file's rows,
never of their order (z55r1 F1: the first row's ``rosa moreau`` was taken over 7 rows'
``Rosa Moreau``; 20 of 47 persons differed between a file and the file reversed). A name
the rows spell two ways or more is named by the spelling of most rows, a tie to the
fullest, then to mixed case, then the least in code point order
(``file_names.proper_spelling``) — kept for those names only (``FileNames.spell``)."""

from __future__ import annotations

import csv
import random
from pathlib import Path
from typing import Any

import pytest

from benchmarks.bench_mapping import offline_planner
from jobs.demo_data import COLUMNS, MAPPING, iter_demo_rows
from jobs.file_names import FileNames, proper_spelling
from jobs.import_load import _items, learn_file
from jobs.load_progress import LoadProgress
from jobs.transforms import name_match_key

FIRSTS = ("Rosa", "Anna", "Li", "Jan", "Jürgen", "Zoë", "Anna-Lena")
LASTS = ("Moreau", "Okafor", "Berg", "Müller", "McDonald", "de la Cruz")


def test_the_spelling_of_most_rows_then_fullest_then_mixed_case() -> None:
    assert proper_spelling({"rosa moreau": 2, "Rosa Moreau": 7, "ROSA MOREAU": 1}) \
        == "Rosa Moreau"
    assert proper_spelling({"ROSA MOREAU": 1, "rosa moreau": 1, "Rosa Moreau": 1}) \
        == "Rosa Moreau"
    assert proper_spelling({"ROSA MOREAU": 3, "Rosa Moreau": 1}) == "ROSA MOREAU"
    assert proper_spelling({"Rosa  Moreau": 1, "Rosa Moreau": 1}) == "Rosa  Moreau"
    assert proper_spelling({"Rosa McMoreau": 1, "Rosa Mcmoreau": 1}) == "Rosa McMoreau"
    assert proper_spelling({"ANNA OKAFOR": 1, "anna okafor": 1}) == "ANNA OKAFOR"


@pytest.mark.parametrize("seed", range(40))
def test_file_names_tally_is_of_the_set_of_rows(seed: int) -> None:
    """``FileNames.spell`` in any order gives one ``proper_names``; a name of one
    spelling is not kept."""
    rng = random.Random(seed)
    rows = [_spelled(rng, f"{rng.choice(FIRSTS)} {rng.choice(LASTS)}")
            for _ in range(rng.randint(1, 30))]
    want: dict[int, dict[str, int]] = {}
    for name in rows:
        tally = want.setdefault(hash(name_match_key(name)), {})
        tally[name] = tally.get(name, 0) + 1
    expected = {k: proper_spelling(t) for k, t in want.items() if len(t) > 1}
    respelled = {spelled: proper for t in want.values() if len(t) > 1
                 for spelled in t if spelled != (proper := proper_spelling(t))}
    for order in (rows, rows[::-1], rng.sample(rows, len(rows))):
        names = FileNames()
        for name in order:
            names.spell(name, name_match_key(name))
        assert names.proper_names() == (expected, respelled)


def _spelled(rng: random.Random, name: str) -> str:
    return rng.choice([name, name, name.lower(), name.upper(), name.replace(" ", "  "),
                       name.title()])


def _rows(seed: int) -> list[dict[str, str]]:
    """The demo's rows, their persons drawn from ~12 people each written in 1-4 spellings
    (as written, lower, upper, doubled space, title case) over 1-7 rows; an e-mail in
    most rows (some cells of two addresses), a phone in some, some rows of a name and
    phone alone; each person at one company, spelled in 1-3 ways."""
    rng = random.Random(seed)
    people = []
    for p in range(12):
        first, last = rng.choice(FIRSTS), rng.choice(LASTS)
        spellings = rng.sample([f"{first} {last}", f"{first} {last}".lower(),
                                f"{first} {last}".upper(), f"{first}  {last}",
                                f"{first} {last}".title()], rng.randint(1, 4))
        company = rng.choice(["Acme Corp", "Globex", "Initech GmbH", "Stark"])
        people.append((spellings, f"p{p}@x{seed}.com", f"p{p}.b@x{seed}.com",
                       f"+49 30 {4600000 + 97 * p}", f"+49 40 {5600000 + 89 * p}",
                       rng.sample([company, company.upper(), company.lower()],
                                  rng.randint(1, 3))))
    rows: list[dict[str, str]] = []
    for row in iter_demo_rows(rng.randint(40, 70), seed=seed):
        spellings, mail, other, phone, phone2, companies = rng.choice(people)
        name = rng.choice(spellings)
        first, _, last = name.partition(" ")
        how = rng.random()
        email = "" if how < 0.15 else f"{mail}; {other}" if how < 0.3 else mail
        row |= {"First Name": first, "Last Name": last, "Email": email,
                "Phone": rng.choice([phone, phone, phone2, ""]) if email else phone,
                "Company": rng.choice(companies), "Company Address": ""}
        rows.append(row)
    return rows


def _creates(directory: Path, rows: list[dict[str, str]]) -> dict[str, Any]:
    """The persons and organizations the offline plan of ``rows`` creates: key -> body
    (and a person's organization by its key), and each row's (by its key) person and
    organization keys."""
    directory.mkdir(parents=True, exist_ok=True)
    manifest, mapping = directory / "export.csv", directory / "mapping.toml"
    mapping.write_text(MAPPING, encoding="utf-8")
    with open(manifest, "w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(COLUMNS)
        out.writerows([row[c] for c in COLUMNS] for row in rows)
    planner, settings = offline_planner(manifest, mapping)()
    learn_file(planner, settings, progress=LoadProgress(lambda _line: None))
    made: dict[str, Any] = {}
    linked: dict[str, Any] = {}
    for item in _items(planner, settings):
        payload = item.payload or {}
        refs = {}
        for role in ("person", "org"):
            ref = payload.get(role) if isinstance(payload, dict) else None
            if isinstance(ref, dict) and ref.get("kind") in ("person", "org"):
                org = ref.get("org")
                made.setdefault(ref["key"], (ref["body"], org and org.get("key", org.get("id"))))
                assert made[ref["key"]] == (ref["body"], org and org.get("key", org.get("id")))
                refs[role] = ref["key"]
        linked[item.key] = (item.error is None, refs)  # (an error names its line)
    return {"made": made, "linked": linked}


def _names(made: dict[str, Any]) -> dict[str, str]:
    return {key: body["name"] for key, (body, _) in made.items()
            if key.startswith(("e:", "n:", "p:"))}


@pytest.mark.parametrize("seed", range(1, 9))
def test_shuffled_rows_create_the_same_persons(tmp_path: Path, seed: int) -> None:
    """The same file reversed and shuffled (twice) plans the same creates, each row
    linking the same ones; each new person named by ``proper_spelling`` of its rows."""
    rows = _rows(seed)
    want = _creates(tmp_path / "a", rows)
    rng = random.Random(seed)
    for n, order in enumerate((rows[::-1], rng.sample(rows, len(rows)),
                               rng.sample(rows, len(rows)))):
        got = _creates(tmp_path / f"o{n}", order)
        assert _names(got["made"]) == _names(want["made"]), (seed, n)
        assert got["linked"] == want["linked"], (seed, n)
    tallies: dict[str, dict[str, int]] = {}
    for row in rows:
        if not want["linked"][row["Record ID"]][0]:
            continue  # (a row failing on its own names no one: ``_learnable``)
        name = f"{row['First Name']} {row['Last Name'].strip()}"  # (as the cells read)
        tally = tallies.setdefault(name_match_key(name), {})
        tally[name] = tally.get(name, 0) + 1
    persons = [body for key, (body, _) in want["made"].items()
               if key.startswith(("e:", "n:", "p:"))]
    assert persons
    for body in persons:
        assert body["name"] == proper_spelling(tallies[name_match_key(body["name"])])
