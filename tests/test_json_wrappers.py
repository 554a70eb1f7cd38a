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


def test_an_int_of_more_digits_than_python_reads_is_a_row_not_a_crash(tmp_path: Path) -> None:
    """x41r1 S1: a .json manifest holding an integer of 5,000 digits killed the process
    (SIGSEGV in ijson's C backend: Python refuses to read an int of more than 4,300 digits
    from text, and the backend does not handle the refusal). Read in a child process, so a
    crash fails the test instead of the test runner; the limit is put back after the file."""
    import subprocess
    import sys

    path = tmp_path / "big.json"
    path.write_text('[{"Key": "J1", "Amount": ' + "9" * 5000 + '}, {"Key": "J2"}]')
    code = ("import sys\nfrom bulk.manifest import read_manifest\n"
            f"rows = list(read_manifest({str(path)!r}))\n"
            "print(len(rows), len(rows[0].values['Amount']), rows[1].values['Key'],"
            " sys.get_int_max_str_digits())\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, cwd=Path(__file__).parents[1])
    assert done.returncode == 0, (done.returncode, done.stderr[-2000:])
    assert done.stdout.split() == ["2", "5000", "J2", "4300"]


def test_a_wrapped_array_with_an_int_of_5000_digits_is_read_too(tmp_path: Path) -> None:
    """x41r1 S1's class: the pass that finds a wrapper key reads every value with ijson too."""
    import subprocess
    import sys

    path = tmp_path / "api.json"
    path.write_text('{"paging": {"total": ' + "9" * 5000 + '}, "results": [{"Id": "A"}]}')
    code = ("from bulk.manifest import read_manifest\n"
            f"print([r.values['Id'] for r in read_manifest({str(path)!r})])\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, cwd=Path(__file__).parents[1])
    assert done.returncode == 0, (done.returncode, done.stderr[-2000:])
    assert done.stdout.strip() == "['A']"
