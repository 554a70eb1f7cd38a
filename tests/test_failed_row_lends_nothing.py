"""A row that fails on its own cells (a bad date, a bad number, an unknown stage, ...) never
reaches the API, not even through another row of its file: the pass that learns a file's
persons and organizations before any row is decided (``RowPlanner.learn_contacts``) takes
nothing from it — no phone, no e-mail, no name, no organization address (x45r1 F1: row 3
failed on ``31/02/2026`` and the person row 2 created took row 3's phone too)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
import pytest

from bulk.sandbox import SandboxConfig
from bulk.store import ItemState
from jobs.import_rows import ImportSettings
from tests.import_support import import_once, read_csv
from tests.sandbox_helpers import threaded_sandbox

MAPPING = """\
[import]
key_column = "key"
key_field = "Import source key"
mode = "insert"
[defaults]
date_formats = ["%d/%m/%Y"]
[deal]
title = "title"
value = "amount"
expected_close_date = "close"
[person]
name = "contact"
email = "mail"
phone = "phone"
[organization]
name = "company"
address = "where"
"""
HEADER = "key,title,amount,close,contact,mail,phone,company,where\n"
BAD = {"date": ("close", "31/02/2026"), "number": ("amount", "12x")}


def _file(good: dict[str, str], bad: dict[str, str], why: str, bad_first: bool) -> str:
    """The good row and the bad one (failing on ``why``: BAD), in the order asked."""
    column, cell = BAD[why]
    base = {"amount": "10", "close": "13/01/2026", "contact": "", "mail": "", "phone": "",
            "company": "", "where": ""}
    rows = [{"key": "G1", "title": "good", **base, **good},
            {"key": "B1", "title": "bad", **base, **bad, column: cell}]
    if bad_first:
        rows.reverse()
    names = HEADER.strip().split(",")
    return HEADER + "".join(",".join(r[n] for n in names) + "\n" for r in rows)


def _xlsx(path: Path, text: str) -> None:
    """The rows of ``text`` (a CSV) as a workbook: text cells, the amount a number."""
    import csv
    import io

    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for n, row in enumerate(csv.reader(io.StringIO(text))):
        sheet.append([float(c) if n and c.isdigit() else c for c in row])
    book.save(path)


def _run(tmp: Path, text: str, xlsx: bool = False
         ) -> tuple[dict[str, Any], dict[str, Any], dict[str, str], dict[str, str]]:
    """Import ``text`` (as a workbook: ``xlsx``); (persons by name, organizations by name,
    succeeded notes by key, failed reasons by key)."""
    manifest, mapping = tmp / ("rows.xlsx" if xlsx else "rows.csv"), tmp / "m.toml"
    if xlsx:
        _xlsx(manifest, text)
    else:
        manifest.write_text(text, encoding="utf-8")
    mapping.write_text(MAPPING, encoding="utf-8")
    with threaded_sandbox(SandboxConfig(time_scale=0.02, deals=0, seed=3)) as sb:
        before = set(sb.state.persons.rows), set(sb.state.orgs.rows)
        store, _, _ = anyio.run(lambda: import_once(sb, tmp / "jobs", manifest, mapping))
        try:
            succeeded = read_csv(store.directory / "succeeded.csv")
            failed = read_csv(store.directory / "failed.csv")
        finally:
            store.close()
        persons = {p["name"]: ([e["value"] for e in p["emails"]],
                               [e["value"] for e in p["phones"]])
                   for pid, p in sb.state.persons.rows.items() if pid not in before[0]}
        orgs = {o["name"]: (o.get("address") or {}).get("value")
                for oid, o in sb.state.orgs.rows.items() if oid not in before[1]}
    return (persons, orgs, {r["key"]: r.get("note") or "" for r in succeeded},
            {r["key"]: r["reason"] for r in failed})


@pytest.mark.parametrize("bad_first", [False, True], ids=["bad-later", "bad-first"])
@pytest.mark.parametrize(("why", "xlsx"), [("date", False), ("number", False),
                                           ("date", True)], ids=["date", "number", "xlsx"])
def test_a_failed_rows_phone_is_not_lent(tmp_path: Path, bad_first: bool, why: str,
                                         xlsx: bool) -> None:
    """x45r1 F1: one person, the good row's phone only; its note borrows nothing (in a
    CSV and in a workbook alike)."""
    person = {"contact": "Pia Probe", "mail": "pia@probe.example"}
    persons, _, notes, failed = _run(tmp_path, _file(
        {**person, "phone": "+49 30 1111111"}, {**person, "phone": "+49 30 2222222"},
        why, bad_first), xlsx)
    assert set(failed) == {"B1"}, failed
    assert persons == {"Pia Probe": (["pia@probe.example"], ["+49 30 1111111"])}, persons
    assert "2222222" not in notes["G1"], notes


@pytest.mark.parametrize("bad_first", [False, True], ids=["bad-later", "bad-first"])
def test_a_failed_rows_e_mail_is_not_lent(tmp_path: Path, bad_first: bool) -> None:
    """The failed row gives the person (by name and phone) an e-mail: not taken."""
    person = {"contact": "Pia Probe", "phone": "+49 30 1111111"}
    persons, _, notes, failed = _run(tmp_path, _file(
        person, {**person, "mail": "pia@probe.example"}, "date", bad_first))
    assert set(failed) == {"B1"}, failed
    assert persons == {"Pia Probe": ([], ["+49 30 1111111"])}, persons
    assert "pia@probe.example" not in notes["G1"], notes


@pytest.mark.parametrize("bad_first", [False, True], ids=["bad-later", "bad-first"])
def test_a_failed_row_names_no_person(tmp_path: Path, bad_first: bool) -> None:
    """A bare address (``jobs.file_names``) takes the name of rows that pass only."""
    persons, _, _, failed = _run(tmp_path, _file(
        {"mail": "jane@roe.com"}, {"contact": "Jane Roe", "mail": "jane@roe.com"}, "date",
        bad_first))
    assert set(failed) == {"B1"}, failed
    assert list(persons) == ["jane@roe.com"], persons


@pytest.mark.parametrize("bad_first", [False, True], ids=["bad-later", "bad-first"])
def test_a_failed_rows_organization_address_is_not_lent(tmp_path: Path,
                                                          bad_first: bool) -> None:
    """An address-less organization row and a failed row naming it at an address: the
    organization is made without one (the failed row is no evidence of where it is)."""
    _, orgs, _, failed = _run(tmp_path, _file(
        {"company": "Sigma AG"}, {"company": "Sigma AG", "where": "Ring 1 Wien"}, "date",
        bad_first))
    assert set(failed) == {"B1"}, failed
    assert orgs == {"Sigma AG": None}, orgs


def test_the_plans_one_pass_lends_nothing_either(tmp_path: Path) -> None:
    """``plan import``'s learning (``learn_file``: the decimal marks of a ``decimal =
    "auto"`` column with the contacts) takes nothing from a failed row either."""
    from jobs.account import OrgIndex, PersonIndex
    from jobs.catalog import Catalog
    from jobs.import_load import _items, learn_file
    from jobs.import_rows import Indexes, RowPlanner
    from jobs.mapping import Mapping, compile_mapping
    from tests.test_mapping import RAW_FIELDS
    from tests.test_row_planner import KEY_CODE

    manifest = tmp_path / "rows.csv"
    manifest.write_text(_file({"contact": "Pia Probe", "mail": "pia@probe.example",
                               "phone": "+49 30 1111111", "amount": "1.5"},
                              {"contact": "Pia Probe", "mail": "pia@probe.example",
                               "phone": "+49 30 2222222"}, "date", True), encoding="utf-8")
    mapping = Mapping.loads(MAPPING.replace('[defaults]\n', '[defaults]\ndecimal = "auto"\n'))
    mapper = compile_mapping(mapping, Catalog.from_api(deal_fields=RAW_FIELDS),
                             header=HEADER.strip().split(","))
    assert mapper.learns_marks  # (the one pass of marks and contacts)
    planner = RowPlanner(mapper, KEY_CODE, "insert",
                         Indexes(persons=PersonIndex(), orgs=OrgIndex()), key_column="key")
    planner.read_columns = set(mapping.columns())
    settings = ImportSettings(str(manifest), "m.toml", "insert")
    planner.use(settings)
    learn_file(planner, settings)
    items = {i.key: i for i in _items(planner, settings)}
    assert items["B1"].state is ItemState.FAILED, items
    assert items["G1"].state is ItemState.PENDING, items["G1"]
    body = items["G1"].payload["person"]["body"]
    assert [p["value"] for p in body["phones"]] == ["+49 30 1111111"], body


RETRY_MAPPING = """version = 1
[import]
key_column = "key"
mode = "insert"
[deal]
title = "title"
pipeline = {{ default = "Sales" }}
[deal.stage]
column = "stage"
map = {{ "qualifiedtobuy" = "Contact Made"{extra} }}
[person]
name = "contact"
email = "mail"
phone = "phone"
"""


def test_a_retried_row_links_the_person_and_adds_nothing_to_it(tmp_path: Path) -> None:
    """Row 3 fails on an unmapped stage; the person row 2 makes has row 2's phone only.
    Retried once the stage is mapped, row 3 links that person (found by its e-mail,
    ``created``), which keeps the phone it was made with: an import never edits a
    person it links (docs/mapping.md)."""
    import csv

    from tests.sandbox_helpers import ThreadedSandbox
    from tests.test_plan_tokens import TOKEN, cli, engine

    config = SandboxConfig(plan="ultimate", auth="oauth", token=TOKEN, seed=9)
    with ThreadedSandbox(config) as box:
        jobs, mapping, manifest = tmp_path / "jobs", tmp_path / "m.toml", tmp_path / "in.csv"
        manifest.write_text("key,title,stage,contact,mail,phone\n"
                            "G1,good,qualifiedtobuy,Pia Probe,pia@probe.example,+49 30 1111111\n"
                            "B1,bad,weirdstage,Pia Probe,pia@probe.example,+49 30 2222222\n",
                            encoding="utf-8")
        mapping.write_text(RETRY_MAPPING.format(extra=""))
        before = set(box.state.persons.rows)
        first = cli(box, jobs, "import", str(manifest), "--mapping", str(mapping),
                    "--create-key-field", *engine(box, jobs))
        assert first.exit_code == 3, first.output

        def made() -> list[tuple[str, list[str]]]:
            return [(p["name"], [n["value"] for n in p["phones"]])
                    for pid, p in box.state.persons.rows.items() if pid not in before]
        assert made() == [("Pia Probe", ["+49 30 1111111"])]
        (job,) = jobs.iterdir()
        mapping.write_text(RETRY_MAPPING.format(extra=', "weirdstage" = "Qualified"'))
        retried = cli(box, jobs, "retry", job.name, "--job-dir", str(jobs))
        assert retried.exit_code == 0, retried.output
        assert made() == [("Pia Probe", ["+49 30 1111111"])]
        with (job / "succeeded.csv").open(encoding="utf-8") as file:
            rows = {r["key"]: r for r in csv.DictReader(file)}
        assert rows["B1"]["person_id"] == rows["G1"]["person_id"], rows


def _retry_persons(tmp_path: Path, good: str, bad: str) -> tuple[list[tuple[str, list[str]]],
                                                                 dict[str, dict[str, str]]]:
    """Import ``G1`` (cells ``good``: contact,mail,phone) and ``B1`` (``bad``) where B1
    fails on an unmapped stage; map the stage and retry; (persons made, succeeded rows)."""
    import csv

    from tests.sandbox_helpers import ThreadedSandbox
    from tests.test_plan_tokens import TOKEN, cli, engine

    config = SandboxConfig(plan="ultimate", auth="oauth", token=TOKEN, seed=9)
    with ThreadedSandbox(config) as box:
        jobs, mapping, manifest = tmp_path / "jobs", tmp_path / "m.toml", tmp_path / "in.csv"
        manifest.write_text("key,title,stage,contact,mail,phone\n"
                            f"G1,good,qualifiedtobuy,{good}\nB1,bad,weirdstage,{bad}\n",
                            encoding="utf-8")
        mapping.write_text(RETRY_MAPPING.format(extra=""))
        before = set(box.state.persons.rows)
        first = cli(box, jobs, "import", str(manifest), "--mapping", str(mapping),
                    "--create-key-field", *engine(box, jobs))
        assert first.exit_code == 3, first.output
        (job,) = jobs.iterdir()
        mapping.write_text(RETRY_MAPPING.format(extra=', "weirdstage" = "Qualified"'))
        retried = cli(box, jobs, "retry", job.name, "--job-dir", str(jobs))
        assert retried.exit_code == 0, retried.output
        made = [(p["name"], [n["value"] for n in p["phones"]])
                for pid, p in box.state.persons.rows.items() if pid not in before]
        with (job / "succeeded.csv").open(encoding="utf-8") as file:
            return made, {r["key"]: r for r in csv.DictReader(file)}


def test_a_retried_row_of_another_phone_and_no_e_mail_is_a_person_of_its_own(
        tmp_path: Path) -> None:
    """x45r6 F5: a retried row is matched as any row of a later import. Without an e-mail,
    its name and a phone the file's person was not made with (row 3 lent it to no one)
    fit no one: it makes its own person, as the file would have made it — so
    docs/mapping.md promises the link only where the row's own cells fit that person."""
    made, rows = _retry_persons(tmp_path, "Pia Probe,pia@probe.example,+49 30 1111111",
                                "Pia Probe,,+49 30 2222222")
    assert sorted(made) == [("Pia Probe", ["+49 30 1111111"]),
                            ("Pia Probe", ["+49 30 2222222"])], made
    assert rows["B1"]["person_id"] != rows["G1"]["person_id"], rows
    text = " ".join((Path(__file__).parents[1] / "docs" / "mapping.md").read_text(
        encoding="utf-8").split())
    sentence = text[text.index("Retried once fixed"):][:400]
    assert "Retried once fixed, such a row links the person its file made," not in sentence
    assert "phone" in sentence, sentence
