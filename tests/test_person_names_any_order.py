"""A new person's name, e-mails and phones are a function of the set of the file's rows,
never of their order (z55r1 F1: the first row's ``rosa moreau`` was taken over 7 rows'
``Rosa Moreau``; 20 of 47 persons differed between a file and the file reversed). The
spelling of most rows wins; a tie goes to the fullest, then to mixed case, then the least
in code point order (``file_names.proper_spelling``)."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pytest

from bulk.sandbox import SandboxConfig, serve
from jobs.file_names import proper_spelling
from tests.import_support import import_once

FAST = {"time_scale": 0.02, "seed": 7, "deals": 0}
MAPPING = """\
[import]
key_column = "id"
[deal]
title = "title"
[person]
name = "contact"
email = "email"
phone = "phone"
"""


def test_the_spelling_of_most_rows_then_proper_case() -> None:
    assert proper_spelling({"rosa moreau": 2, "Rosa Moreau": 7, "ROSA MOREAU": 1}) \
        == "Rosa Moreau"
    assert proper_spelling({"ROSA MOREAU": 1, "rosa moreau": 1, "Rosa Moreau": 1}) \
        == "Rosa Moreau"
    assert proper_spelling({"ROSA MOREAU": 3, "Rosa Moreau": 1}) == "ROSA MOREAU"
    assert proper_spelling({"Rosa  Moreau": 1, "Rosa Moreau": 1}) == "Rosa  Moreau"
    assert proper_spelling({"Rosa McMoreau": 1, "Rosa Mcmoreau": 1}) == "Rosa McMoreau"


def _rows(seed: int) -> list[list[str]]:
    """Persons each written in 1-6 rows, each row a spelling (as written, lower, upper),
    an e-mail always, a phone in some."""
    rng = random.Random(seed)
    rows: list[list[str]] = []
    for p in range(8):
        name = f"{rng.choice(['Rosa', 'Anna', 'Li', 'Jan'])} {rng.choice(['Moreau', 'Okafor', 'Berg'])}{p}"
        mail = f"p{p}@x{seed}.com"
        for r in range(rng.randint(1, 6)):
            spelled = rng.choice([name, name, name.lower(), name.upper()])
            phone = f"+49 30 46{p:02d}{r:03d}" if rng.random() < 0.3 else ""
            rows.append([f"K{p}-{r}", f"deal {p}-{r}", spelled, mail, phone])
    return rows


async def _persons(tmp_path: Path, rows: list[list[str]], job: str) -> dict[str, object]:
    manifest, mapping = tmp_path / f"{job}.csv", tmp_path / "m.toml"
    mapping.write_text(MAPPING)
    with manifest.open("w", newline="") as f:
        csv.writer(f).writerows([["id", "title", "contact", "email", "phone"], *rows])
    async with serve(SandboxConfig(**FAST)) as sb:
        store, _, _ = await import_once(sb, tmp_path / job, manifest, mapping)
        store.close()
        return {p["emails"][0]["value"]: (p["name"], [e["value"] for e in p["emails"]],
                                          sorted(x["value"] for x in p.get("phones") or []))
                for p in sb.state.persons.rows.values()}


@pytest.mark.anyio
@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_shuffled_rows_create_the_same_persons(tmp_path: Path, seed: int) -> None:
    rows = _rows(seed)
    want = await _persons(tmp_path, rows, "a")
    for n, order in enumerate((rows[::-1], random.Random(seed).sample(rows, len(rows)))):
        assert await _persons(tmp_path, order, f"o{n}") == want
    by_mail: dict[str, dict[str, int]] = {}
    for _, _, name, mail, _ in rows:
        by_mail.setdefault(mail, {}).setdefault(name, 0)
        by_mail[mail][name] += 1
    assert {m: p[0] for m, p in want.items()} == {  # type: ignore[index]
        m: proper_spelling(t) for m, t in by_mail.items()}
