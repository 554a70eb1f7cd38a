"""A person the file's rows join (``learn_persons``) is made with every e-mail and phone
its rows give (up to ``GIVEN_KEPT`` of each, ours: the plan says when more are given), and
succeeded.csv's note says, for each row, which of them its person takes from other rows
of the file (f29h 5: the 4th and 5th addresses were dropped, and a row whose person took
another row's e-mail or phone said nothing)."""

from __future__ import annotations

import csv
from pathlib import Path

import anyio

from bulk.sandbox import SandboxConfig
from tests.import_support import import_once
from tests.sandbox_helpers import threaded_sandbox

MAPPING = """version = 1
[import]
key_column = "key"
[deal]
title = "title"
[person]
name = "contact"
email = "email"
phone = "phone"
"""

# one contact: each row gives a new address beside one an earlier row gave
ROWS = [("k1", "Mia Aalto", "m1@a.com", ""),
        ("k2", "Mia Aalto", "m2@a.com; m1@a.com", ""),
        ("k3", "Mia Aalto", "m3@a.com; m2@a.com", "+1 378 759 3700"),
        ("k4", "Mia Aalto", "m4@a.com; m3@a.com", ""),
        ("k5", "Mia Aalto", "m5@a.com; m4@a.com", ""),
        ("k6", "Ola Berg", "ola@b.com", "")]


def test_a_joined_person_has_every_address_and_each_row_says_what_it_took(
        tmp_path: Path) -> None:
    """Mia's five rows are one person, made with m1..m5 and the phone (before: m1..m3);
    k1's note names m2..m5 and the phone, k3's the others but not its own; Ola's row,
    taking nothing, has no note."""
    manifest = tmp_path / "rows.csv"
    with manifest.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["key", "title", "contact", "email", "phone"])
        out.writerows((k, f"Deal {k}", n, e, p) for k, n, e, p in ROWS)
    (tmp_path / "m.toml").write_text(MAPPING, encoding="utf-8")
    with threaded_sandbox(SandboxConfig(time_scale=0.02)) as sb:
        store, _, _ = anyio.run(lambda: import_once(sb, tmp_path / "jobs", manifest,
                                                    tmp_path / "m.toml"))
        try:
            with (store.directory / "succeeded.csv").open(encoding="utf-8") as f:
                notes = {r["key"]: r["note"] for r in csv.DictReader(f)}
        finally:
            store.close()
        mia = [p for p in sb.state.persons.rows.values() if p["name"] == "Mia Aalto"]
    assert len(mia) == 1
    assert sorted(e["value"] for e in mia[0]["emails"]) == [f"m{i}@a.com" for i in range(1, 6)]
    assert [p["value"] for p in mia[0]["phones"]] == ["+1 378 759 3700"]
    assert all(f"m{i}@a.com" in notes["k1"] for i in range(2, 6)), notes
    assert "+1 378 759 3700" in notes["k1"] and "m1@a.com" not in notes["k1"], notes
    assert "m1@a.com" in notes["k3"] and "m3@a.com" not in notes["k3"], notes
    assert "3700" not in notes["k3"], notes
    assert "other rows of this file" in notes["k5"], notes
    assert not notes["k6"], notes


def test_a_person_given_more_addresses_than_kept_is_said_in_the_plan() -> None:
    """Beyond GIVEN_KEPT e-mails, the person is made with the first GIVEN_KEPT, and the
    planner counts it for the plan's persons line (nothing dropped unsaid)."""
    from jobs.import_rows import GIVEN_KEPT
    from tests.test_person_identity import decide_all, planner, rows_of

    n = GIVEN_KEPT + 3
    cells = [{"contact": "Mia Aalto", "email": f"m{i}@a.com; m{i + 1}@a.com"} for i in range(n)]
    p = planner()
    got = decide_all(p, rows_of(cells))
    made = next(ref for ref in got.values() if isinstance(ref, dict) and "body" in ref)
    assert len(made["body"]["emails"]) == GIVEN_KEPT
    assert p.persons_capped == 1
