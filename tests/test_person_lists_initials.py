"""Person cells after a title, "and" in more languages, and a company or title after a
comma (x47r1's re-test of b7a1047e):

- F2: an initial before a surname that is also a title's word was read as more title
  (``Jane Roe, CEO & T. Manager`` was ONE person, and the later row of ``T. Manager``
  linked to it): a single letter is a title's only inside its abbreviation (``R&D``);
- F3: the spaced "and" of Arabic and Persian ``و``, Hebrew ``\u05d5``, Korean ``및``, Vietnamese
  ``và``, Malay ``dan``, Tagalog ``at``, Thai ``และ``, Hindi ``और``, Latvian ``un``,
  Lithuanian ``ir`` were no joiners (``محمد علي و فاطمة حسن`` was one person); the couple
  ``Marco e Anna Rossi`` / ``Juan y María Pérez`` was one;
- F4/F5: ``Jane Roe, store manager``, ``Jane Roe / CEO``, ``Anna Berg & Co KG``,
  ``Anna Berg, Co CEO`` (one person each) were refused; F6: a Czech or Turkish title
  before a joiner was counted a person.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bulk.sandbox import SandboxConfig, serve
from jobs import transforms as tf
from tests.import_support import import_once, read_csv, sandbox_deals

LABELLED: list[tuple[str, list[str] | None]] = [
    # F2: an initial and a surname that is a title's word, after a title and a joiner
    ("Jane Roe, CEO & T. Manager", ["Jane Roe, CEO", "T. Manager"]),
    ("Jane Roe, CEO and T. Manager", ["Jane Roe, CEO", "T. Manager"]),
    ("Jane Roe, CEO + T. Manager", ["Jane Roe, CEO", "T. Manager"]),
    ("Jane Roe, CEO / T. Manager", ["Jane Roe, CEO", "T. Manager"]),
    ("Jane Roe, CEO & T Manager", ["Jane Roe, CEO", "T Manager"]),
    ("Jane Roe, CEO & J. Head", ["Jane Roe, CEO", "J. Head"]),
    ("Jane Roe, CEO & A. Director", ["Jane Roe, CEO", "A. Director"]),
    ("Jane Roe, CEO & T. Partner", ["Jane Roe, CEO", "T. Partner"]),
    ("Jane Roe, CEO & T. Principal", ["Jane Roe, CEO", "T. Principal"]),
    ("Jane Roe, CEO & T. Gerente", ["Jane Roe, CEO", "T. Gerente"]),
    ("Jane Roe, CEO & T. M. Lead", ["Jane Roe, CEO", "T. M. Lead"]),
    ("Jane Roe, Managing Director & A. B. Partner",
     ["Jane Roe, Managing Director", "A. B. Partner"]),
    ("Jane Roe, VP Sales und E. Leiter", ["Jane Roe, VP Sales", "E. Leiter"]),
    ("Jane Roe, R&D Director & T. Manager", ["Jane Roe, R&D Director", "T. Manager"]),
    # ... while a title's own abbreviation stays the title's
    ("Jane Roe, R&D Director", None), ("Jane Roe, R & D Manager", None),
    ("Jane Roe, M&A Director", None), ("Jane Roe, P&L Manager", None),
    ("Jane Roe, Head of R&D", None), ("Jane Roe, CEO & CFO", None),
    ("Jane Roe, CEO / CTO", None), ("Jane Roe, Founder & CEO", None),
    # F3: the spaced "and" of more languages, each a whole word between two names
    ("محمد علي و فاطمة حسن", ["محمد علي", "فاطمة حسن"]),
    ("رضا احمدی و مریم کریمی", ["رضا احمدی", "مریم کریمی"]),
    ("Jane Roe\u060c CEO و Maria Co", ["Jane Roe", "Maria Co"]),
    ("דוד כהן \u05d5 שרה לוי", ["דוד כהן", "שרה לוי"]),
    ("김민준 및 박지훈", ["김민준", "박지훈"]), ("김민준 와 박지훈", ["김민준", "박지훈"]),
    ("김민준 과 박지훈", ["김민준", "박지훈"]),
    ("Nguyễn Văn An và Trần Thị Bình", ["Nguyễn Văn An", "Trần Thị Bình"]),
    ("Ahmad bin Ismail dan Siti binti Ali", ["Ahmad bin Ismail", "Siti binti Ali"]),
    ("Juan dela Cruz at Maria Santos", ["Juan dela Cruz", "Maria Santos"]),
    ("สมชาย ใจดี และ สมหญิง รักดี", ["สมชาย ใจดี", "สมหญิง รักดี"]),
    ("राहुल शर्मा और प्रिया वर्मा", ["राहुल शर्मा", "प्रिया वर्मा"]),
    ("Jānis Bērziņš un Anna Kalniņa", ["Jānis Bērziņš", "Anna Kalniņa"]),
    ("Jonas Jonaitis ir Ona Onaitė", ["Jonas Jonaitis", "Ona Onaitė"]),
    ("Ali Y\u0131lmaz ve Ayşe Kaya", ["Ali Y\u0131lmaz", "Ayşe Kaya"]),
    ("Jan a Petr Novák", ["Jan", "Petr Novák"]),
    ("Jan en Piet Jansen", ["Jan", "Piet Jansen"]),
    ("Marco e Anna Rossi", ["Marco", "Anna Rossi"]),
    ("Juan y María Pérez", ["Juan", "María Pérez"]),
    # ... never a word of one person's name
    ("Maria da Silva e Souza", None), ("João Pedro e Silva", None), ("Maria e Silva", None),
    ("José Ortega y Gasset", None), ("Ana Y Lopez", None), ("Dan Brown", None),
    ("Ahmad Dan Ismail", None), ("Jane Roe at Acme", None),
    ("Jane Roe at Acme Corp", None), ("محمد علي", None), ("Nguyễn Văn An", None),
    ("Ortega y Gasset, José", None),
    # F4 / F5: a title or a company beside one person
    ("Jane Roe, store manager", None), ("Jane Roe, plant manager", None),
    ("Jane Roe, Store Manager", None), ("Jane Roe, Branch Manager", None),
    ("Jane Roe / CEO", None), ("Jane Roe / Sales Director", None),
    ("Jane Roe/CEO", None),
    ("Anna Berg & Co KG", None), ("Anna Berg & Co. KG", None),
    ("Anna Berg, Co CEO", None), ("Anna Berg, Co Founder", None),
    ("Anna Berg, Acme Co.", None), ("Anna Berg, CEO, Acme Co.", None),
    # ... and a bare ``Co`` after a comma is a surname (``Maria Co``): a company ending
    # so cannot be told from a person and is refused (the safe side; write ``Co.``)
    ("Anna Berg, Acme Co", ["Anna Berg", "Acme Co"]),
    ("Anna Berg, CEO, Acme Co", ["Anna Berg, CEO", "Acme Co"]),
    ("Anna Berg, Maria Co", ["Anna Berg", "Maria Co"]),
    # ... a name beside a title's word stays a name
    ("anna berg, hans leiter", ["anna berg", "hans leiter"]),
    ("Anna Berg, Robert Plant", ["Anna Berg", "Robert Plant"]),
    ("Anna Berg, Co Santos", ["Anna Berg", "Co Santos"]),
    ("Anna Berg & Co Santos", ["Anna Berg", "Co Santos"]),
    ("Jane Roe / Bob Roe", ["Jane Roe", "Bob Roe"]),
    ("Bob Roe / Hans Leiter", ["Bob Roe", "Hans Leiter"]),
    ("Jane Roe / T. Manager", ["Jane Roe", "T. Manager"]),
    # F6: a Czech or Turkish title before a joiner is the first person's
    ("Jane Roe, Jednatel a Bob Roe", ["Jane Roe", "Bob Roe"]),  # x47r5 F2: the title dropped
    ("Jane Roe, Genel Müdür ve Bob Roe", ["Jane Roe, Genel Müdür", "Bob Roe"]),
    ("Jan Novák, jednatel", None), ("Ayşe Kaya, Genel Müdür", None),
]


@pytest.mark.parametrize(("cell", "names"), LABELLED)
def test_the_persons_a_name_cell_names(cell: str, names: list[str] | None) -> None:
    """Two persons are never read as one: an initial is a name's, never a title's; the
    "and" of each language a CRM export meets is a joiner; one person's title or company
    after a comma (or a slash) stays hers."""
    assert tf.listed_persons(cell) == names


ROWS = """\
Id,Name,Account name,Contacts,Emails
A1,Deal a,Acme,"Jane Roe, CEO & T. Manager",jane@x.test; tm@x.test
A2,Deal b,Acme,"Jane Roe, VP Sales und E. Leiter",jr2@x.test; el@x.test
A3,Deal c,Acme,محمد علي و فاطمة حسن,m@x.test; f@x.test
A4,Deal d,Acme,"Jane Roe, store manager",jr4@x.test
B1,Later a,Acme,T. Manager,tm@x.test
B2,Later b,Acme,E. Leiter,el@x.test
B3,Later c,Acme,فاطمة حسن,f@x.test
"""

MAPPING = """\
[import]
key_column = "Id"
[deal]
title = "Name"
[person]
name = "Contacts"
email = "Emails"
[organization]
name = "Account name"
"""


@pytest.mark.anyio
async def test_two_persons_fail_and_the_later_rows_make_their_own(tmp_path: Path) -> None:
    """End to end: the cells naming two persons fail their rows and make no one, so the
    later rows of ``T. Manager``, ``E. Leiter`` and ``فاطمة حسن`` make their own persons
    (they were linked to the persons named for both); the store manager is one."""
    manifest, mapping = tmp_path / "p.csv", tmp_path / "p.toml"
    mapping.write_text(MAPPING)
    manifest.write_text(ROWS, encoding="utf-8")
    async with serve(SandboxConfig(time_scale=0.02, seed=7, deals=0)) as sb:
        store, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping)
        failed = {r["key"]: r for r in read_csv(store.directory / "failed.csv")}
        store.close()
        persons = {p["id"]: (p["name"], sorted(e["value"] for e in p["emails"]))
                   for p in sb.state.persons.rows.values()}
        linked = {d["title"]: persons[d["person_id"]] for d in sandbox_deals(sb)}
    assert set(failed) == {"A1", "A2", "A3"}, failed
    assert "names 2 persons ('Jane Roe, CEO', 'T. Manager')" in failed["A1"]["reason"]
    assert linked == {"Deal d": ("Jane Roe", ["jr4@x.test"]),
                      "Later a": ("T. Manager", ["tm@x.test"]),
                      "Later b": ("E. Leiter", ["el@x.test"]),
                      "Later c": ("فاطمة حسن", ["f@x.test"])}, linked
    assert len(persons) == 4, persons
