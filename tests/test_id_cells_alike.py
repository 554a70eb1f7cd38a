"""One deal-id cell, one answer from every command (x46r3 F4 / F5): update, move-stage and
merge read it with ``jobs.selection.parse_id``; ``1.011`` is explained as thousands
separators by each, ``105,0`` (a decimal-comma save of 105.0) is 105 as ``106.0`` is 106,
full-width digits are read as a source key's are, and a merge cell naming a bad part is
quoted as written."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulk.errors import InputError
from bulk.manifest import SourceRow
from jobs.catalog import Catalog, User
from jobs.merging import PairRow, Rejected, read_pairs
from jobs.selection import owner_id, parse_id, read_refs
from jobs.update_mapping import UpdateMapping

GROUPED = "is a number as a spreadsheet shows it with thousands separators"


def test_a_grouped_id_is_explained_alike(tmp_path: Path) -> None:
    """``1.011``: move-stage, merge and the update mapping give parse_id's one reason."""
    with pytest.raises(InputError, match=f"not a deal id: '1.011' {GROUPED}"):
        parse_id("1.011")
    path = tmp_path / "ids.csv"
    path.write_text("deal_id;x\n1.011;a\n105,0;b\n106.0;c\n")
    refs = list(read_refs(path, id_col="deal_id"))
    assert refs[0].error is not None and GROUPED in refs[0].error.reason, refs[0]
    assert [r.deal_id for r in refs[1:]] == [105, 106]
    merges = tmp_path / "m.csv"
    merges.write_text("merge_id;survivor_id\n1.011;5\n105,0;7\n")
    got = list(read_pairs(merges))
    assert isinstance(got[0], Rejected) and GROUPED in got[0].reason, got[0]
    assert got[1] == PairRow(3, 105, 7)


def test_an_update_by_id_says_what_move_stage_says(tmp_path: Path) -> None:
    """The update mapping's id cell is read by parse_id: the same reason, and ``105,0`` /
    full-width ``48`` are ids."""
    mapping = tmp_path / "m.toml"
    mapping.write_text('version = 1\n[update]\nid_column = "Deal ID"\n[deal]\n'
                       'title = "Title"\n')
    mapper = UpdateMapping.load(mapping).compile(Catalog(), header=["Deal ID", "Title"])
    with pytest.raises(InputError) as caught:
        mapper.map(SourceRow(2, 2, {"Deal ID": "1.011", "Title": "x"}))
    assert f"not a deal id: '1.011' {GROUPED}" in str(caught.value), caught.value
    assert "the deal id:" not in str(caught.value), caught.value
    for cell in ("105,0", "\uff14\uff18"):
        mapper.map(SourceRow(2, 2, {"Deal ID": cell, "Title": "x"}))


def test_a_merge_cell_is_quoted_as_written(tmp_path: Path) -> None:
    """``476,0`` in a ;-delimited file is deal 476; ``478,x`` is refused with the cell as
    written (it said ``not a deal id: '0'``)."""
    path = tmp_path / "l1.csv"
    path.write_text("merge_id;survivor_id\n470;471\n476,0;477\n478,x;479\n")
    got = list(read_pairs(path))
    assert got[1] == PairRow(3, 476, 477), got[1]
    assert isinstance(got[2], Rejected), got[2]
    # a pair's merge_id holds one id: the cell as written, never a part of it (x46r8 F1)
    assert "not a deal id: '478,x' (a pair's merge_id holds one deal id" in got[2].reason, \
        got[2].reason


def test_merge_headers_take_spaces_for_underscores(tmp_path: Path) -> None:
    """``Survivor ID`` / ``Merge ID`` and ``Merge IDs`` are merge's columns, as move-stage
    takes ``Deal ID`` (x46r3 F6: refused); ``merge_id`` beside ``Merge ID`` is refused."""
    path = tmp_path / "l5.csv"
    path.write_text("Survivor ID,Merge ID\n471,470\n")
    assert list(read_pairs(path)) == [PairRow(2, 470, 471)]
    path.write_text("Survivor ID,Merge IDs\n471,470;472\n")
    assert list(read_pairs(path)) == [PairRow(2, 470, 471), PairRow(2, 472, 471)]
    path.write_text("survivor_id,merge_id,Merge ID\n471,470,473\n")
    with pytest.raises(InputError, match="'merge_id', 'Merge ID' are one name"):
        list(read_pairs(path))


def test_owner_takes_a_name_an_email_or_a_user_id() -> None:
    """``--owner 2`` is user 2 where no user is named "2" (x46r3 F6: ``no user named '2'``);
    an unknown one says what the option takes."""
    users = (User(1, "Maria Jensen", "maria@x.example"), User(2, "Tom Becker", "tom@x.example"),
             User(7, "2", None))
    catalog = Catalog(users=users)
    assert owner_id(catalog, "Tom Becker") == 2
    assert owner_id(catalog, "maria@x.example") == 1
    assert owner_id(catalog, "1") == 1
    assert owner_id(catalog, "2") == 7  # a user named "2" wins over the id
    with pytest.raises(InputError, match="no user with id 99: give a user's name, e-mail or id"):
        owner_id(catalog, "99")
    with pytest.raises(InputError, match="no user named 'Nobody': give a user's name, e-mail"):
        owner_id(catalog, "Nobody")
