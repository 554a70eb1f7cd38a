"""An import's three-way base is what the import's source last wrote (x52r10 F1): a
correction made with ``pdbulk update`` after an import is, to the next upsert of the
file, a change made in Pipedrive since — kept, said naming the update's job, like a
colleague's — and a file that changed that field too writes its value by the
"changed both" rule (before: the update's write was the base, and the unchanged file
put its old value back over every correction, unsaid: 0 of 10 left)."""

from __future__ import annotations

import re
from pathlib import Path

from tests.sandbox_helpers import ThreadedSandbox
from tests.test_undo_restores_base import CONFIG, _run

IMPORT = """version = 1
[import]
key_column = "Id"
key_field = "Import source key"
mode = "upsert"
[defaults]
currency = "EUR"
[deal]
title = "Name"
value = "Amount"
pipeline = { default = "Sales" }
stage = { default = "Qualified" }
"""
UPDATE = 'version = 1\n[update]\nid_column = "Deal ID"\n[deal]\ntitle = "Title"\n'
KEYS = [f"K{i}" for i in range(6)]


def _source(path: Path, titles: dict[str, str] | None = None) -> Path:
    path.write_text("Id,Name,Amount\n" + "".join(
        f"{k},{(titles or {}).get(k, f'Deal {k}')},{1000 + n}\n" for n, k in enumerate(KEYS)))
    return path


def _titles(sb: object) -> dict[str, str]:
    rows = sb.state.deals.rows.values()  # type: ignore[attr-defined]
    return {d["title"].split(" ")[1]: d["title"] for d in rows}


def _ids(sb: object) -> dict[str, int]:
    rows = sb.state.deals.rows.values()  # type: ignore[attr-defined]
    return {d["title"].split(" ")[1]: int(d["id"]) for d in rows}


def _colleague(sb: object, deal_id: int, title: str) -> None:
    import urllib.request

    import orjson
    ask = urllib.request.Request(
        f"{sb.url}/api/v2/deals/{deal_id}", method="PATCH",  # type: ignore[attr-defined]
        data=orjson.dumps({"title": title}), headers={
            "authorization": f"Bearer {sb.token}",  # type: ignore[attr-defined]
            "content-type": "application/json"})
    with urllib.request.urlopen(ask, timeout=10) as answer:
        assert answer.status == 200


def _setup(sb: object, tmp: Path) -> tuple[Path, Path, dict[str, int], str]:
    """Import the file, correct K0, K1 with ``pdbulk update`` and K2 as a colleague;
    returns (jobs folder, mapping, deal ids, the update's job id)."""
    jobs, mapping = tmp / "jobs", tmp / "m.toml"
    mapping.write_text(IMPORT)
    (tmp / "u.toml").write_text(UPDATE)
    _run(sb, jobs, "import", str(_source(tmp / "src.csv")), "-m", str(mapping),  # type: ignore[arg-type]
         "--create-key-field")
    ids = _ids(sb)
    (tmp / "upd.csv").write_text("Deal ID,Title\n" + "".join(
        f"{ids[k]},Deal {k} (fixed by update)\n" for k in ("K0", "K1")))
    out = _run(sb, jobs, "update", str(tmp / "upd.csv"), "-m", str(tmp / "u.toml"),  # type: ignore[arg-type]
               "--yes")
    _colleague(sb, ids["K2"], "Deal K2 (fixed by colleague)")
    return jobs, mapping, ids, re.findall(r"job (\S+-update-\w+)", out)[0]


def test_an_updates_correction_survives_the_unchanged_file_and_is_said(
        tmp_path: Path) -> None:
    """Import → update corrects K0, K1's titles → a colleague corrects K2's → the same,
    unchanged file again: every correction kept, the update's said naming its job
    (before: the update's two put back, unsaid, the colleague's kept)."""
    with ThreadedSandbox(CONFIG) as sb:
        jobs, mapping, _, job = _setup(sb, tmp_path)
        again = _run(sb, jobs, "import", str(tmp_path / "src.csv"), "-m", str(mapping))
        titles = _titles(sb)
        notes = {r["key"]: r.get("note", "") for r in _succeeded(again)}
    assert titles["K0"] == "Deal K0 (fixed by update)", (titles, again)
    assert titles["K1"] == "Deal K1 (fixed by update)", (titles, again)
    assert titles["K2"] == "Deal K2 (fixed by colleague)", (titles, again)
    assert f"changed since by pdbulk update {job}" in notes["K0"], notes
    assert "kept" in notes["K0"], notes
    assert "changed in Pipedrive since" in notes["K2"], notes
    assert all(titles[k] == f"Deal {k}" for k in KEYS[3:]), titles


def test_a_changed_file_field_over_an_updates_correction_is_changed_both(
        tmp_path: Path) -> None:
    """Import → update corrects K0, K1 → the file changes K0's title (a new instruction):
    K0 takes the file's, said "changed both" naming the update's job; K1 (unchanged in the
    file) keeps the update's correction."""
    with ThreadedSandbox(CONFIG) as sb:
        jobs, mapping, _, job = _setup(sb, tmp_path)
        source = _source(tmp_path / "src2.csv", {"K0": "Deal K0 renamed in source"})
        again = _run(sb, jobs, "import", str(source), "-m", str(mapping))
        titles = _titles(sb)
        notes = {r["key"]: r.get("note", "") for r in _succeeded(again)}
    assert titles["K0"] == "Deal K0 renamed in source", (titles, again)
    assert titles["K1"] == "Deal K1 (fixed by update)", (titles, again)
    assert "changed both" in notes["K0"] and job in notes["K0"], notes


def _succeeded(output: str) -> list[dict[str, str]]:
    from tests.import_support import read_csv
    folder = re.findall(r"job \S+-import-\w+ \(upsert\) in (\S+)", output)[-1]
    return read_csv(Path(folder) / "succeeded.csv")


def _record(tmp: Path, monkeypatch: object, writes: list[tuple[str, str, str]],
            start: float = 1000.0) -> None:
    """Write ``writes`` — (job id, its source, the title it wrote) — on deal 7, in order,
    a second apart from ``start``."""
    import sqlite3

    from jobs import last_written as lw
    monkeypatch.setenv("PDBULK_STATE_DIR", str(tmp / "state"))  # type: ignore[attr-defined]
    conn = lw._writable()
    names = lw._Names(conn)
    try:
        for n, (job, source, title) in enumerate(writes):
            with conn:
                conn.execute("BEGIN IMMEDIATE")
                lw._note_source(conn, names.id("jobs", job), source)
                lw._put(conn, names, names.id("accounts", lw._account(URL)),
                        names.id("jobs", job), [(7, "title", lw.digest(title), start + n)])
    finally:
        conn.close()
    assert isinstance(conn, sqlite3.Connection)


URL = "https://acme.pipedrive.com"


def _read(source: str) -> tuple[dict[str, str], dict[str, object]]:
    from jobs.last_written import LastWritten
    record = LastWritten.open(URL)
    assert record is not None
    try:
        record.source = source
        return record.of(7), dict(record.later(7))
    finally:
        record.close()


def test_the_imports_base_is_found_behind_later_updates_and_past_the_depth_not_known(
        tmp_path: Path, monkeypatch: object) -> None:
    """Import A, then updates B, C: the import's base is A (the updates noted, newest
    first, naming the newest; the file's value met at one of them: that one); the base of
    an import of another key field is no write of its own (``LEFT_THEIRS``); past
    ``DEPTH`` later writes the base is ``UNKNOWN`` (Pipedrive's value kept, said); an
    update's load reads the last write, as before."""
    from jobs.last_written import DEPTH, LEFT_THEIRS, UNKNOWN, LastWritten, digest, met
    _record(tmp_path, monkeypatch, [("i1", "import Import source key", "A"),
                                    ("u1", "update", "B"), ("u2", "update", "C")])
    base, later = _read("import import SOURCE KEY")  # labels compared casefolded
    assert base == {"title": digest("A")}
    assert later["title"] == ((digest("C"), digest("B")), "pdbulk update u2", True)
    assert met(base, later, {"title": "B"}) == {"title": digest("B")}  # the file met u1
    assert _read("import Other key")[0] == {"title": LEFT_THEIRS}  # another source's
    record = LastWritten.open(URL)
    assert record is not None
    assert record.of(7) == {"title": digest("C")}  # no source: the last write (update's)
    record.close()
    _record(tmp_path, monkeypatch, [(f"u{n}", "update", f"T{n}") for n in range(3, 3 + DEPTH)],
            start=2000.0)
    base, later = _read("import Import source key")
    assert base == {"title": UNKNOWN} and later["title"][2] is False


def test_a_note_names_the_job_and_says_a_base_past_the_depth_not_known() -> None:
    """The row's note: a field an update wrote since, kept, names the job; one whose
    import base is past the record's depth says so (not known, Pipedrive's kept); a
    colleague's is said as before."""
    from jobs.import_rows import edited_note
    from jobs.last_written import ThreeWay
    decided = ThreeWay({}, kept=(("title", "B", "A"), ("value", 5, 6)),
                       by=(("title", "pdbulk update U1", True),))
    note = edited_note(decided, {}) or ""
    assert "changed since by pdbulk update U1, not in the file: kept, not sent (title)" in note
    assert "changed in Pipedrive since" in note and "title" not in note.split("Pipedrive since")[1]
    shallow = edited_note(ThreeWay({}, kept=(("title", "B", "A"),),
                                   by=(("title", "pdbulk update U9", False),)), {}) or ""
    assert "pdbulk update U9" in shallow and "not known" in shallow, shallow
