"""``init-mapping`` on a header with names alike but for case and spaces (x45r8 F2): its
mapping carries a TODO naming both columns and saying that ``plan import`` refuses it
until one is chosen or renamed — its own output is never refused without warning."""

from __future__ import annotations

import pytest

from jobs.catalog import Catalog
from jobs.import_checks import alike_problem
from jobs.mapping import Mapping, MappingError
from jobs.mapping.starter import init_mapping


def _catalog() -> Catalog:
    return Catalog.from_api(
        pipelines=[{"id": 1, "name": "Sales"}],
        stages=[{"id": 11, "name": "Qualified", "pipeline_id": 1, "order_nr": 1}],
        users=[], deal_fields=[])


def _todos(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("# TODO:")
            and "one name but for case and spaces" in line]


@pytest.mark.parametrize(("header", "cells", "named"), [
    # x45r8: `email = "Email"` written, 'email' only among the columns not mapped, no TODO
    (["record_id", "Email", "title", "email", "stage"],
     ["K1", "a@x.org", "A", "b@x.org", "Qualified"], "columns B 'Email' and D 'email'"),
    (["record_id", "title", "Title", "stage"], ["K1", "A", "B", "Qualified"],
     "columns B 'title' and C 'Title'"),
])
def test_an_alike_pair_the_mapping_reads_gets_a_todo(header: list[str], cells: list[str],
                                                     named: str) -> None:
    """Before: no TODO, and the mapping was refused by plan import (alike_problem)."""
    text = init_mapping(header, _catalog(), samples={h: [c] for h, c in zip(header, cells,
                                                                          strict=True)})
    (todo,) = _todos(text)
    assert named in todo and "`pdbulk plan import` refuses it until one is chosen or " \
        "renamed" in todo, todo
    # the mapping is refused until it is decided: by its TODO, naming both columns ...
    with pytest.raises(MappingError, match=f"unresolved TODO on line 4: .*{named}"):
        Mapping.loads(text)
    # ... and, its TODO deleted alone, by the alike headers, as before
    decided = Mapping.loads(text.replace(todo, ""))
    assert alike_problem(header, decided.columns()) is not None, text


def test_a_twice_named_column_left_unmapped_gets_a_todo() -> None:
    """``amount,amount `` (trimmed: one name twice, labelled by ``label_twice``): the value
    was left unmapped in silence; now a TODO names both columns."""
    header = ["record_id", "amount (column B)", "title", "amount (column D)"]
    text = init_mapping(header, _catalog())
    assert "value = " not in text.replace("# value = ", ""), text
    (todo,) = _todos(text)
    assert "columns B 'amount' and D 'amount'" in todo and "none of them is mapped" in todo, todo


def test_no_todo_without_alike_names() -> None:
    header = ["record_id", "Email", "title", "stage"]
    text = init_mapping(header, _catalog())
    assert not _todos(text), text
