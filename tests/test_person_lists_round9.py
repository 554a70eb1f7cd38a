"""Person cells, round 9 (x48r1's re-test of round 8): a second person before a title
word of Han, Hangul or kana, a couple's given names joined by an unspaced ``/`` ``&``
``+`` after a surname written first, a dash or a bracket between two full names, a weak
"and" with one given name on a side. Each cell is labelled with the one person it names
(its name once the title is cut) or REFUSED (the cell lists, or may list, two persons:
the row fails, naming them) — the safe side wherever two persons could be made one.
"""

from __future__ import annotations

from jobs import transforms as tf
from jobs.import_items import linked_note, matched_by
from tests.each_case import cases_of, check_each
from tests.test_person_identity import decide_all, planner, rows_of

REFUSED = "REFUSED"

LABELLED: list[tuple[str, str]] = [
    # F1: a name before a CJK title's head word is a person (each was cut as the title
    # and hidden in the note: '김민준' + "job title '박지훈 부장' not sent")
    ("김민준, 박지훈 부장", REFUSED), ("김민준, 박지훈 대표", REFUSED),
    ("김민준, 박지훈부장", REFUSED), ("山田太郎、佐藤花子部長", REFUSED),
    ("山田太郎、佐藤 花子 部長", REFUSED), ("山田太郎、佐藤部長", REFUSED),
    ("李伟、王芳经理", REFUSED), ("李伟, 王经理", REFUSED),
    ("Jane Roe, Bob Roe 부장", REFUSED), ("Jane Roe, 王经理", REFUSED),
    ("Jane Roe, 박지훈 부장", REFUSED), ("김민준, 박지훈 영업부장", REFUSED),
    ("田中太郎、佐藤課長", REFUSED), ("李伟, 王芳 销售经理", REFUSED),
    # a title of the vocabulary alone (a head word, a department's word before it)
    # stays cut
    ("田中太郎、営業部長", "田中太郎"), ("田中太郎、部長", "田中太郎"),
    ("山田太郎、代表取締役", "山田太郎"), ("李伟, 销售经理", "李伟"),
    ("李伟, 经理", "李伟"), ("김민준, 부장", "김민준"), ("김민준, 영업부장", "김민준"),
    ("김민준, 대표", "김민준"), ("Jane Roe, 営業部長", "Jane Roe"),
    # F2: a surname written first then an unspaced ``/`` ``&`` ``+`` couple of given
    # names is two persons (each was ONE person named as the couple)
    ("Smith, John/Mary", REFUSED), ("Smith, John&Mary", REFUSED),
    ("Smith, John+Mary", REFUSED), ("Rossi, Marco/Anna", REFUSED),
    ("Smith, J.&M.", REFUSED), ("Smith, John/Mary, CEO", REFUSED),
    ("van der Berg, Piet/Anja", REFUSED),
    # the surname's own slash, a title's abbreviation, one given name stay one person
    ("Roe/Smith, Anna", "Roe/Smith, Anna"), ("Smith, John", "Smith, John"),
    ("Smith, Mary-Jane", "Smith, Mary-Jane"),
    ("Roe, R&D", "Roe"), ("Smith, Jane/CEO", "Smith, Jane"),
    # F3: a dash or a bracket between two full names is two persons (each was ONE)
    ("Jane Roe - Bob Roe", REFUSED), ("Jane Roe \u2013 Bob Roe", REFUSED),
    ("Jane Roe \u2014 Bob Roe", REFUSED), ("Jane Roe\u2014Bob Roe", REFUSED),
    ("Jane Roe (CEO) Bob Roe", REFUSED), ("Jane Roe <jane@roe.com> Bob Roe", REFUSED),
    ("Jane Roe - CEO - Bob Roe", REFUSED), ("Jane Roe - Bob Roe, CEO", REFUSED),
    # a hyphenated name, a title or a company after the dash, a bracket inside a name
    # stay one person
    ("Mary Roe-Smith", "Mary Roe-Smith"),
    # (x48r11 F4: a lone capitalised word after a dash is a second person, the safe side;
    # round 12, x49r10 F1: again, after round 11 read only listed given names so)
    ("Mary Roe - Smith", REFUSED),
    # (x48r11 F7: a title after a dash is cut as after a comma)
    ("Jane Roe - CEO", "Jane Roe"), ("Jane Roe - Sales Director", "Jane Roe"),
    ("Jane Roe - Acme GmbH", "Jane Roe - Acme GmbH"),
    ("Anna (Annie) Berg", "Anna (Annie) Berg"), ("Jane Roe (CEO)", "Jane Roe (CEO)"),
    ("Ines Koch (n/a) <ines@koch.de>", "Ines Koch (n/a) <ines@koch.de>"),
    # F4: a weak "and" with one given name on a side is two persons (each was ONE)
    ("Marco e Anna", REFUSED), ("Juan y María", REFUSED), ("Anna i Piotr", REFUSED),
    ("Jan a Petra", REFUSED), ("Marco Rossi e Anna", REFUSED),
    ("Rossi Marco e Anna", REFUSED), ("Juan Pérez y María", REFUSED),
    ("Piotr Nowak i Anna", REFUSED), ("Maria e Anna", REFUSED),
    ("Maria da Silva e Anna", REFUSED),
    # a compound surname joined so stays one person
    ("José Ortega y Gasset", "José Ortega y Gasset"),
    ("Josep Puig i Cadafalch", "Josep Puig i Cadafalch"),
    ("Antoni Gaudí i Cornet", "Antoni Gaudí i Cornet"),
    ("Puig i Cadafalch, Josep", "Puig i Cadafalch, Josep"),
    ("Maria da Silva e Souza", "Maria da Silva e Souza"),
    ("João Pedro e Silva", "João Pedro e Silva"), ("Jordi Pujol i Soley", "Jordi Pujol i Soley"),
    ("John A Smith", "John A Smith"), ("Gaudí i Cornet", "Gaudí i Cornet"),
    ("Puig i Cadafalch", "Puig i Cadafalch"), ("Maria e Silva", "Maria e Silva"),
    ("Marco e Anna, Milano", REFUSED), ("Marco e Anna, CEO", REFUSED),
    ("Gaudí i Cornet, Antoni", "Gaudí i Cornet, Antoni"), ("Jane Roe at Acme", "Jane Roe at Acme"),
    ("José Ortega y Gasset, Director", "José Ortega y Gasset"),
    # F6: a compound surname written first is one person (each was refused as two)
    ("da Silva e Souza, Maria", "da Silva e Souza, Maria"),
    ("Ortega y Gasset, José, Director", "Ortega y Gasset, José"),
    ("Ortega y Gasset, José", "Ortega y Gasset, José"),
    ("Puig i Cadafalch, Josep, CEO", "Puig i Cadafalch, Josep"),
    # a couple's given names or a second person stay refused
    ("Marco e Anna, Milano", REFUSED), ("da Silva e Souza, Maria e Ana", REFUSED),
    ("Ortega y Gasset, José, Bob Roe", REFUSED), ("Marco e Anna, Rossi", REFUSED),
    # F5: an e-mail or web address, a phone number, ``n/a`` after a comma or a slash is
    # no person (each was refused as naming it): cut with the title, into the note
    ("Jane Roe, CEO, jane@roe.com", "Jane Roe"), ("Jane Roe / jane@roe.com", "Jane Roe"),
    ("Jane Roe, CEO, www.acme.com", "Jane Roe"), ("Jane Roe, CEO, Tel. 030 123456", "Jane Roe"),
    ("Jane Roe, CEO, +49 30 1234567", "Jane Roe"), ("Jane Roe, CEO, n/a", "Jane Roe"),
    ("Jane Roe, CEO, https://acme.com/team", "Jane Roe"), ("Jane Roe, n/a", "Jane Roe"),
    ("Jane Roe, jane@roe.com", "Jane Roe"), ("Jane Roe, +49 30 1234567, CEO", "Jane Roe"),
    # a person beside them, a place, a separator that always lists stay refused
    ("Jane Roe, CEO, jane@roe.com, Bob Roe", REFUSED), ("Jane Roe, CEO, Berlin", REFUSED),
    ("Jane Roe, n/a, Bob", REFUSED),
    # (x49r4 F7: an address alone after ``;`` is no person, as after ``|``: the person's
    # own, which ``name_contacts`` cuts; this reader leaves it)
    ("Jane Roe; jane@roe.com", "Jane Roe; jane@roe.com"),
    ("Jane Roe / jane@roe.com / Bob Roe", REFUSED),
]


def read(cell: str) -> str:
    """The one person a cell names (its title cut), or REFUSED."""
    if tf.listed_persons(cell) is not None:
        return REFUSED
    return tf.name_and_title(cell)[0]


def _reads(cell: str, expected: str) -> None:
    assert read(cell) == expected


# one item looping the labelled cells, each misread one named (issue 8, f57c)
def test_round_9_cells() -> None:
    assert check_each(cases_of(LABELLED, lambda cell, _: repr(cell)), _reads) == len(LABELLED)


def test_a_contact_part_goes_to_the_note_not_the_name() -> None:
    """``Jane Roe, CEO, jane@roe.com``: one person "Jane Roe", the title in the row's
    note as not sent (x48r1 F5: the row failed naming 'jane@roe.com'), the address the
    person's own (x48r11 F1: it was cut into the note with the title)."""
    got = decide_all(planner(), rows_of([{"contact": "Jane Roe, CEO, jane@roe.com"}]))
    ref = got["K2"]
    assert isinstance(ref, dict) and ref["body"]["name"] == "Jane Roe", got
    assert ref["body"]["emails"][0]["value"] == "jane@roe.com", got
    note = linked_note(matched_by({"person": ref}))
    assert note is not None and "job title 'CEO' not sent" in note, note
