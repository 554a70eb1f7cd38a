"""A .json file that is an API response — records in an array under "results" (HubSpot),
"records" (Salesforce), "data" or "items" — is read as that array, streamed, and the plan
says so; any other top-level object is refused with advice that fits it (v10r9 M7)."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from bulk.errors import InputError
from bulk.manifest import header, header_note, read_manifest

RECORDS = [{"Id": "006A1", "Name": "SF 1", "Account": {"Name": "Acme"}},
           {"Id": "006A2", "Name": "SF 2", "Account": None}]


@pytest.mark.parametrize(("wrapper", "extra"), [
    ("results", {"paging": {}}),
    ("records", {"totalSize": 2, "done": True}),
    ("data", {"meta": {"count": 2}, "links": []}),  # another array, not under a wrapper key
    ("items", {}),
])
def test_records_under_a_wrapper_key_are_read(tmp_path: Path, wrapper: str,
                                              extra: dict[str, object]) -> None:
    path = tmp_path / "api.json"
    path.write_bytes(orjson.dumps({**extra, wrapper: RECORDS}))
    rows = list(read_manifest(path))
    assert [r.values["Id"] for r in rows] == ["006A1", "006A2"]
    assert [r.row for r in rows] == [1, 2] and all(r.ok for r in rows)
    assert rows[0].values["Account.Name"] == "Acme"
    assert "Account.Name" in header(path)
    note = header_note(path)
    assert note is not None and repr(wrapper) in note


def test_a_plain_array_has_no_note(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_bytes(orjson.dumps(RECORDS))
    assert header_note(path) is None


@pytest.mark.parametrize(("body", "says"), [
    ({"Id": 1, "Name": "one record"}, "no array there"),
    ({"rows": RECORDS}, "its keys: \"rows\""),
    ({"results": RECORDS, "records": RECORDS}, "which are the records is not clear"),
])
def test_any_other_object_is_refused_with_fitting_advice(tmp_path: Path, body: object,
                                                         says: str) -> None:
    path = tmp_path / "o.json"
    path.write_bytes(orjson.dumps(body))
    with pytest.raises(InputError) as caught:
        list(read_manifest(path))
    assert says in str(caught.value)
