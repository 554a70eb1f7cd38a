"""A name cell naming ONE person with a job title after a comma (``Jane Roe, VP Sales``,
``Ana López, Directora Comercial``, ``Hans Leiter, Geschäftsführer``) is that person's
name without the title: the person was created named "Jane Roe, VP Sales", and the rows
of ``Jane Roe, VP Sales`` and ``Jane Roe`` were two persons (f47f). Pipedrive's API v2
addPerson / updatePerson take no job title (openapi-v2.yaml: ``job_title`` is only read,
with contact sync on; v1 has none), so the title is sent nowhere and the row's note says
so. Two-person cells are still refused (``tf.listed_persons``)."""

from __future__ import annotations

from pathlib import Path

import pytest

import jobs.transforms as tf
from bulk.sandbox import SandboxConfig, serve
from jobs.account import OrgIndex, PersonIndex
from jobs.import_items import linked_note, matched_by
from tests.import_support import import_once, read_csv, sandbox_deals
from tests.test_person_identity import decide_all, planner, rows_of

REFUSED = "refused"  # (the cell names two persons: the row fails, as before)

# cell -> (name, title), or REFUSED
LABELLED: list[tuple[str, tuple[str, str | None] | str]] = [
    # one person and a title: the name before the comma, the title after
    ("Jane Roe, VP Sales", ("Jane Roe", "VP Sales")),
    ("Ana López, Directora Comercial", ("Ana López", "Directora Comercial")),
    ("Hans Leiter, Geschäftsführer", ("Hans Leiter", "Geschäftsführer")),
    ("Jane Roe, Sales Director", ("Jane Roe", "Sales Director")),
    ("Jane Roe, Head of Marketing", ("Jane Roe", "Head of Marketing")),
    ("Jane Roe, VP Sales and Marketing", ("Jane Roe", "VP Sales and Marketing")),
    ("Jane Roe, Chief Executive Officer", ("Jane Roe", "Chief Executive Officer")),
    ("Jane Roe, Founder & CEO", ("Jane Roe", "Founder & CEO")),
    ("Jane Roe, R&D Director", ("Jane Roe", "R&D Director")),
    ("Jane Roe, Health & Safety Officer", ("Jane Roe", "Health & Safety Officer")),
    ("Jane Roe, VP Sales, EMEA", ("Jane Roe", "VP Sales, EMEA")),
    ("Ann Lee, CEO", ("Ann Lee", "CEO")),
    ("Hans Müller, Leiter Vertrieb", ("Hans Müller", "Leiter Vertrieb")),
    ("Anna Berg, Geschäftsführerin", ("Anna Berg", "Geschäftsführerin")),
    ("Marie Dupont, directrice commerciale", ("Marie Dupont", "directrice commerciale")),
    ("Jean Martin, Directeur Général", ("Jean Martin", "Directeur Général")),
    ("Ana Ruiz, gerente de ventas", ("Ana Ruiz", "gerente de ventas")),
    ("João Silva, Diretor Comercial", ("João Silva", "Diretor Comercial")),
    ("Mario Rossi, Direttore Commerciale", ("Mario Rossi", "Direttore Commerciale")),
    ("Jan Jansen, Algemeen Directeur", ("Jan Jansen", "Algemeen Directeur")),
    ("Jan Kowalski, Prezes Zarządu", ("Jan Kowalski", "Prezes Zarządu")),
    ("Иван Петров, генеральный директор", ("Иван Петров", "генеральный директор")),
    ("田中太郎、営業部長", ("田中太郎", "営業部長")),
    ("Ahmed Hassan، مدير المبيعات", ("Ahmed Hassan", "مدير المبيعات")),
    ("Li Wei, Sales Manager", ("Li Wei", "Sales Manager")),
    ("Roe, Jane, Founder & CEO", ("Roe, Jane", "Founder & CEO")),
    ("Jane Roe\uff0cVP Sales", ("Jane Roe", "VP Sales")),  # (full-width comma)
    ("Jane  Roe ,  VP  Sales ", ("Jane Roe", "VP Sales")),
    ("Jane Roe, PhD, VP Sales", ("Jane Roe, PhD", "VP Sales")),
    ("Tor Berg (CEO), VP Sales", ("Tor Berg (CEO)", "VP Sales")),
    # one person, no title: the cell as it was
    ("Jane Roe", ("Jane Roe", None)), ("Roe, Jane", ("Roe, Jane", None)),
    ("Berg, Anna Maria", ("Berg, Anna Maria", None)),
    ("Anna Berg, Jr.", ("Anna Berg, Jr.", None)), ("Anna Berg, PhD", ("Anna Berg, PhD", None)),
    ("Jane Roe, c/o Acme Corp", ("Jane Roe, c/o Acme Corp", None)),
    ("Hans Leiter", ("Hans Leiter", None)), ("Rosa Presidente", ("Rosa Presidente", None)),
    ("Anna Berg, Acme AG", ("Anna Berg, Acme AG", None)),
    # (a company after the title: left whole, as before — not this rule's)
    ("Anna Berg, CEO, Acme GmbH", ("Anna Berg, CEO, Acme GmbH", None)),
    ("Founder, CEO", ("Founder, CEO", None)),  # (no name before the title)
    ("José Ortega y Gasset", ("José Ortega y Gasset", None)),
    # two persons: still refused, never one person and a title
    ("Jane Roe, CEO & Maria Co", REFUSED), ("Anna Berg, Bob Roe", REFUSED),
    ("Anna Berg, CEO & Bob Roe", REFUSED), ("Jane Roe, Geschäftsführer & Lim Co", REFUSED),
    ("anna berg, hans leiter", REFUSED), ("Anna Berg, Hans Leiter", REFUSED),
    ("Jane Roe, VP Sales and Bob Roe", REFUSED), ("Anna Berg, Maria Co", REFUSED),
    ("Jane Roe; Bob Roe", REFUSED),
]


@pytest.mark.parametrize(("cell", "want"), LABELLED)
def test_a_name_cell_is_its_name_and_its_title(cell: str, want: tuple[str, str | None] | str
                                               ) -> None:
    """The name the person is created and matched by, and the title sent nowhere."""
    got = decide_all(planner(), rows_of([{"contact": cell, "email": "x@y.com"}]))["K2"]
    if want == REFUSED:
        assert tf.listed_persons(cell) is not None, cell
        assert tf.name_and_title(cell) == (cell, None)
        assert not isinstance(got, dict) and "persons (" in str(got), got
        return
    assert tf.listed_persons(cell) is None, cell
    assert tf.name_and_title(cell) == want
    # (the name before a bracket: ``tf.name_cell_name``, x44r9 F3)
    assert isinstance(want, tuple) and got["body"]["name"] == tf.name_cell_name(want[0]), got
    assert got.get("title") == want[1], got


def test_the_labelled_table_is_real_sized() -> None:
    assert len(LABELLED) >= 40
    assert sum(w == REFUSED for _, w in LABELLED) >= 8


def test_a_two_person_cell_fails_its_row() -> None:
    """``Jane Roe, CEO & Maria Co`` and ``Anna Berg, Bob Roe``: the row fails naming both,
    no person is made of it."""
    got = decide_all(planner(), rows_of([{"contact": "Jane Roe, CEO & Maria Co"},
                                         {"contact": "Anna Berg, Bob Roe"}]))
    assert "names 2 persons ('Jane Roe, CEO', 'Maria Co')" in str(got["K2"]), got
    assert "names 2 persons ('Anna Berg', 'Bob Roe')" in str(got["K3"]), got


@pytest.mark.parametrize("titled", ["Jane Roe, VP Sales", "Jane Roe, Founder & CEO"])
def test_a_titled_cell_and_the_bare_name_are_one_person(titled: str) -> None:
    """Rows of ``Jane Roe, VP Sales`` (a phone) and ``Jane Roe`` (that phone; the e-mail):
    one person "Jane Roe" in either order, the title in the titled row's note only
    (before: two persons, one named with the title)."""
    phone = "+44 20 7946 0000"
    cells = [{"contact": titled, "phone": phone},
             {"contact": "Jane Roe", "email": "jane@roe.com", "phone": phone}]
    for order in ((0, 1), (1, 0)):
        got = decide_all(planner(), rows_of([cells[i] for i in order]))
        refs = {f"R{order[n]}": got[f"K{n + 2}"] for n in range(2)}
        assert refs["R0"]["key"] == refs["R1"]["key"], (order, refs)
        made = next(r for r in refs.values() if "body" in r)
        assert made["body"]["name"] == "Jane Roe", (order, made)
        assert refs["R0"]["title"] == titled.split(", ", 1)[1] and "title" not in refs["R1"]
        note = linked_note(matched_by({"person": refs["R0"]}))
        assert note is not None and f"job title {refs['R0']['title']!r} not sent" in note


def test_the_accounts_person_is_found_by_the_name_without_its_title() -> None:
    """The account's "Ana López" at Acme (id 5): a row ``Ana López, Directora Comercial``
    at Acme is linked to her by name+organization (before: a new person named with the
    title), and her name is not changed."""
    persons, orgs = PersonIndex(), OrgIndex()
    persons.add({"id": 5, "name": "Ana López", "org_id": 9})
    orgs.add({"id": 9, "name": "Acme"})
    got = decide_all(planner(persons, orgs), rows_of([
        {"contact": "Ana López, Directora Comercial", "company": "Acme"}]))
    assert got["K2"]["id"] == 5 and got["K2"]["matched_by"] == "name+org", got
    assert got["K2"]["title"] == "Directora Comercial", got


TITLED_ROWS = """\
Id,Name,Account name,Contacts,Emails
T1,Deal a,Acme,"Jane Roe, VP Sales",jane@roe.com
T2,Deal b,Acme,Jane Roe,jane@roe.com
T3,Deal c,Acme,"Hans Leiter, Geschäftsführer",hans@leiter.de
T4,Deal d,Acme,"Jane Roe, CEO & Maria Co",maria@co.com
"""


@pytest.mark.anyio
async def test_the_title_is_no_part_of_the_name_end_to_end(tmp_path: Path) -> None:
    """End to end: the persons are "Jane Roe" (both rows) and "Hans Leiter"; succeeded.csv
    notes each titled row's title "not sent"; the two-person cell fails."""
    from tests.test_person_lists_joiners import MAPPING

    manifest, mapping = tmp_path / "t.csv", tmp_path / "t.toml"
    mapping.write_text(MAPPING)
    manifest.write_text(TITLED_ROWS)
    async with serve(SandboxConfig(time_scale=0.02, seed=7, deals=0)) as sb:
        store, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping)
        failed = {r["key"]: r for r in read_csv(store.directory / "failed.csv")}
        done = {r["key"]: r for r in read_csv(store.directory / "succeeded.csv")}
        store.close()
        persons = {p["id"]: p["name"] for p in sb.state.persons.rows.values()}
        linked = {d["title"]: persons[d["person_id"]] for d in sandbox_deals(sb)}
    assert set(failed) == {"T4"}, failed
    assert sorted(persons.values()) == ["Hans Leiter", "Jane Roe"], persons
    assert linked == {"Deal a": "Jane Roe", "Deal b": "Jane Roe", "Deal c": "Hans Leiter"}
    assert "job title 'VP Sales' not sent" in done["T1"]["note"], done["T1"]
    assert "job title 'Geschäftsführer' not sent" in done["T3"]["note"], done["T3"]
    assert "job title" not in (done["T2"].get("note") or ""), done["T2"]
