"""An import upsert's row whose key finds a deal reads its stage and status cells as
``pdbulk update`` reads the same row, whatever its Pipeline cell holds (x52r2): one
decision (``RowMapper.found_place``) for the update's rows and the upsert's found rows.

Before: F1, with ``status = { column = "Stage" }`` (the update starter's line, no "*")
and ``"Done" = "Sales > Won"``, ``"Late" = "Negotiation"``, ``"*" = "Qualified"``, found
rows failed ``unknown status 'Done'`` where the update placed them (40 rows of the
tester's file); F2, a row naming its deal's own pipeline with a won / lost word that
pipeline has no stage of (``Sales`` + ``Closed Won``) failed where the update, and the
blank-Pipeline row, closed the deal where it is (60 rows). A create keeps the import's
rules. The grid here: cells x Pipeline cell (blank / own / other) x deal status x entries,
upsert found == update for every one."""

from __future__ import annotations

import dataclasses
import itertools
from typing import Any

import pytest

from bulk.errors import InputError
from bulk.manifest import SourceRow
from jobs.catalog import Catalog
from jobs.mapping import Mapping, compile_mapping
from jobs.mapping.rowmapper import InDealPipeline
from jobs.prepared import Prepared
from jobs.update_mapping import UpdateMapping, wanted_values
from jobs.updating import _decide, _in_deal_pipeline
from tests.test_mapping import RAW_FIELDS

# x52r2's account (stage ids in this order)
PIPELINES = {1: ("Sales", ("Lead", "Qualified", "Proposal", "Won")),
             2: ("Enterprise", ("Lead", "Qualified", "Negotiation", "Closed Won")),
             3: ("SMB", ("Intake", "Qualified", "Lost", "Closing")),
             4: ("Renewals", ("Intake", "Negotiation", "Won", "Closed Won"))}
CATALOG = Catalog.from_api(
    pipelines=[{"id": pid, "name": name} for pid, (name, _) in PIPELINES.items()],
    stages=[{"id": pid * 10 + i, "name": stage, "pipeline_id": pid, "order_nr": i}
            for pid, (_, stages) in PIPELINES.items() for i, stage in enumerate(stages, 1)],
    users=[], deal_fields=RAW_FIELDS)

HEAD = {"upsert": 'version = 1\n[import]\nkey_column = "Ref"\nmode = "upsert"\n',
        "update": 'version = 1\n[update]\nid_column = "Ref"\n'}
BODY = ('[deal]\ntitle = "Deal Name"\npipeline = "Pipeline"\n{status}'
        '[deal.stage]\ncolumn = "Stage"\n[deal.stage.map]\n{entries}')
STATUSES = {
    "none": "",
    "stage column": 'status = { column = "Stage" }\n',
    "with a key": 'status = { column = "Stage", map = { "Closed Lost" = "lost" } }\n',
}
ENTRIES = {
    "none": "",
    "F1": '"Done" = "Sales > Won"\n"Late" = "Negotiation"\n',
    "F1 star": '"Done" = "Sales > Won"\n"Late" = "Negotiation"\n"*" = "Qualified"\n',
    "other pipeline": '"Qualified" = "Enterprise > Qualified"\n',
}
# ... and a blank cell: the update leaves the deal's stage (x52r12 F1: the upsert's found
# row failed "the stage is empty", 12 of 432 rows of f53a's twin-sandbox grid a mapping)
CELLS = ("Done", "Late", "Foo", "Qualified", "Negotiation", "Closed Won", "Closed Lost",
         "Won", "lost", "Enterprise \u203a Qualified", "Lead", "")


def _mapper(kind: str, status: str, entries: str) -> Any:
    text = HEAD[kind] + BODY.format(status=STATUSES[status], entries=ENTRIES[entries])
    if kind == "update":
        return UpdateMapping.loads(text).compile(CATALOG)
    mapper = compile_mapping(Mapping.loads(text), CATALOG, upsert=True)
    return dataclasses.replace(mapper, defers_stage=True)


def _row(pipeline: str, cell: str) -> SourceRow:
    return SourceRow(2, 2, {"Ref": "7", "Deal Name": "D", "Pipeline": pipeline or None,
                            "Stage": cell})


def _updated(mapper: Any, row: SourceRow, deal: dict[str, Any]) -> tuple[Any, ...]:
    """The deal's (stage id, status) after ``pdbulk update``'s row, or ("fails", why)."""
    try:
        wanted = wanted_values(mapper, row)[1]
    except InputError as exc:
        return ("fails", exc.reason)
    prep = Prepared("update")
    placed = _in_deal_pipeline(prep, row, "7", deal, wanted)
    if placed is None:
        return ("fails", str(prep.items[0].error))
    return (placed.get("stage_id", deal["stage_id"]), placed.get("status", deal["status"]))


def _upserted(mapper: Any, row: SourceRow, deal: dict[str, Any], *, why: bool = False
              ) -> tuple[Any, ...]:
    """... after an upsert's row whose key finds ``deal`` (as ``jobs.import_rows``; ``why``:
    its lost reason judged by the status placed, as there)."""
    try:
        wanted = dict(mapper.map(row).deal)
    except InputError as exc:
        return ("fails", exc.reason)
    if isinstance(marker := wanted.get("stage_id"), InDealPipeline):
        try:
            placed = marker.place(deal["pipeline_id"])
        except InputError as exc:
            return ("fails", exc.reason)
        wanted = {k: v for k, v in {**wanted, **placed}.items()
                  if not (k in ("stage_id", "status") and v is None)}
    status = wanted.get("status", deal["status"])
    if why and wanted.get("lost_reason") is not None and status != "lost":
        return ("fails", f"a lost reason is given but the status is {status}")
    return (wanted.get("stage_id", deal["stage_id"]), wanted.get("status", deal["status"]))


@pytest.mark.parametrize(("status", "entries"),
                         list(itertools.product(STATUSES, ENTRIES)))
def test_an_upsert_row_of_a_found_deal_reads_as_the_update(status: str, entries: str) -> None:
    """Every cell x Pipeline cell (blank / the deal's own / another) x deal (pipeline,
    status): the same stage and status, or both refuse."""
    update, upsert = _mapper("update", status, entries), _mapper("upsert", status, entries)
    differ = []
    for cell, pid, deal_status, which in itertools.product(
            CELLS, PIPELINES, ("open", "won", "lost"), ("blank", "own", "other")):
        named = {"blank": "", "own": PIPELINES[pid][0],
                 "other": PIPELINES[1 if pid != 1 else 2][0]}[which]
        deal = {"id": 7, "pipeline_id": pid, "stage_id": pid * 10 + 1, "status": deal_status}
        row = _row(named, cell)
        want, got = _updated(update, row, dict(deal)), _upserted(upsert, row, dict(deal))
        if (want[0] == "fails") != (got[0] == "fails") or (want[0] != "fails" and want != got):
            differ.append((cell, PIPELINES[pid][0], deal_status, which, want, got))
    assert not differ, f"{len(differ)} differ, e.g. {differ[:4]}"


@pytest.mark.parametrize(("status", "entries", "cell", "named", "pid", "placed"), [
    # F1: the report's rows (a lost Sales deal to Sales > Won, still lost; Renewals to its
    # own Negotiation, status kept; "*" places Foo in Sales' Qualified)
    ("stage column", "F1", "Done", "", 1, (14, "lost")),
    ("stage column", "F1", "Late", "", 4, (42, "lost")),
    ("stage column", "F1 star", "Foo", "", 1, (12, "lost")),
    # F2: the deal's own pipeline named with a won / lost word it has no stage of
    ("stage column", "none", "Closed Won", "Sales", 1, (11, "won")),
    ("with a key", "none", "Closed Lost", "Enterprise", 2, (21, "lost")),
])
def test_the_reports_rows(status: str, entries: str, cell: str, named: str, pid: int,
                          placed: tuple[Any, ...]) -> None:
    deal = {"id": 7, "pipeline_id": pid, "stage_id": pid * 10 + 1, "status": "lost"
            if placed[1] == "lost" and cell in ("Done", "Late", "Foo") else "open"}
    row = _row(named, cell)
    assert _upserted(_mapper("upsert", status, entries), row, deal) == placed
    assert _updated(_mapper("update", status, entries), row, deal) == placed


def test_a_create_keeps_the_imports_refusal() -> None:
    """A row whose key finds no deal: ``unknown status 'Done'`` as before (the import's
    reading), and a row naming its pipeline with a word of no stage of it still fails."""
    mapper = _mapper("upsert", "stage column", "F1")
    marker = mapper.map(_row("", "Done")).deal["stage_id"]
    assert isinstance(marker, InDealPipeline) and marker.create is None
    assert "unknown status 'Done'" in marker.reason, marker.reason
    named = _mapper("upsert", "stage column", "none").map(_row("Sales", "Closed Won"))
    marker = named.deal["stage_id"]
    assert isinstance(marker, InDealPipeline) and marker.create is None
    assert "no stage named 'Closed Won' in pipeline 'Sales'" in marker.reason


def test_an_entry_for_another_pipelines_deals_is_refused_as_absent() -> None:
    """F3: a Renewals deal's ``Qualified`` beside ``"Qualified" = "Enterprise >
    Qualified"``: no stage Qualified in Renewals (the entry is Enterprise's deals' only),
    not "maps to ... is in pipeline 'Enterprise'"."""
    row, deal = _row("", "Qualified"), {"id": 7, "pipeline_id": 4, "stage_id": 41,
                                         "status": "open"}
    for kind in ("update", "upsert"):
        read = (_updated if kind == "update" else _upserted)(
            _mapper(kind, "none", "other pipeline"), row, deal)
        assert read[0] == "fails", read
        assert "no stage named 'Qualified' in pipeline 'Renewals'" in read[1], read
        assert "is for the deals of pipeline 'Enterprise' only" in read[1], read
        assert "maps to" not in read[1], read


WHY = BODY.replace('pipeline = "Pipeline"\n', 'pipeline = "Pipeline"\nlost_reason = "Why"\n')


@pytest.mark.parametrize(("named", "cell", "deal_status", "placed"), [
    ("", "Qualified", "lost", (12, "lost")),  # a lost deal's new reason, its status left
    ("Sales", "Proposal", "lost", (13, "lost")),
    ("", "Qualified", "open", None),  # an open deal: the reason refused, as the update's
    ("Sales", "Closed Won", "lost", None),  # closed won where it is: no lost reason
])
def test_a_lost_reason_is_judged_by_the_status_placed(
        monkeypatch: pytest.MonkeyPatch, named: str, cell: str, deal_status: str,
        placed: tuple[Any, ...] | None) -> None:
    """A found lost deal's row leaving its status takes a new lost reason, as the update's
    does (x14r1 F3); the upsert read it with the create's status (open) and failed it. A
    row whose status placed is not lost never sends one (``jobs.import_rows``)."""
    monkeypatch.setitem(globals(), "BODY", WHY)
    update = _mapper("update", "stage column", "none")
    upsert = _mapper("upsert", "stage column", "none")
    row = SourceRow(2, 2, {"Ref": "7", "Deal Name": "D", "Pipeline": named or None,
                           "Stage": cell, "Why": "Price"})
    deal = {"id": 7, "pipeline_id": 1, "stage_id": 11, "status": deal_status}
    got = _upserted(upsert, row, dict(deal), why=True)
    want = _updated(update, row, dict(deal))
    if placed is None:
        assert got[0] == "fails" and "lost reason" in got[1], got
        assert want[0] == "fails" or want[1] != "lost", want
    else:
        assert got == want == placed, (got, want)
    created = upsert.map(row).deal["stage_id"]  # a create: the import's refusal
    assert isinstance(created, InDealPipeline) and created.create is None


WON_AT = BODY.replace('pipeline = "Pipeline"\n', 'pipeline = "Pipeline"\nwon_time = "Won at"\n')


@pytest.mark.parametrize(("named", "cell", "deal_status", "placed"), [
    ("", "Qualified", "won", (12, "won")),  # a won deal's new won time, its status left
    ("Sales", "Proposal", "won", (13, "won")),
    ("", "Done", "won", (14, "won")),  # (F1's entry, as the update)
    ("", "Qualified", "open", None),  # an open deal has no won time: refused
    ("Sales", "Closed Lost", "won", None),  # closed lost where it is: no won time
])
def test_close_times_are_judged_by_the_status_placed(
        monkeypatch: pytest.MonkeyPatch, named: str, cell: str, deal_status: str,
        placed: tuple[Any, ...] | None) -> None:
    """As the lost reason (``jobs.import_rows`` judges the times once the found deal's
    status is placed: ``RowMapper.judge_times``): before, 638 of the won-time grid's
    cells failed "a won time is given but the status is open" where the update wrote
    the time; a create keeps the import's refusal."""
    monkeypatch.setitem(globals(), "BODY", WON_AT)
    update = _mapper("update", "stage column", "F1")
    upsert = _mapper("upsert", "stage column", "F1")
    row = SourceRow(2, 2, {"Ref": "7", "Deal Name": "D", "Pipeline": named or None,
                           "Stage": cell, "Won at": "2025-01-02"})
    deal = {"id": 7, "pipeline_id": 1, "stage_id": 11, "status": deal_status}
    want = _updated(update, row, dict(deal))
    try:
        wanted = dict(upsert.map(row).deal)
    except InputError as exc:
        got: tuple[Any, ...] = ("fails", exc.reason)
    else:
        marker = wanted["stage_id"]
        assert isinstance(marker, InDealPipeline) and marker.create is None, marker
        wanted = {k: v for k, v in {**wanted, **marker.place(1)}.items()
                  if not (k in ("stage_id", "status") and v is None)}
        status = wanted.get("status", deal["status"])
        try:
            upsert.judge_times(2, wanted, status)
            got = (wanted.get("stage_id"), status)
        except InputError as exc:
            got = ("fails", exc.reason)
    if placed is None:
        assert got[0] == "fails" and "won time" in got[1], got
        assert want[0] == "fails" or want[1] != "won", want
    else:
        assert got == want == placed, (got, want)


CLOSING = BODY.replace('pipeline = "Pipeline"\n', 'pipeline = "Pipeline"\n'
                       'lost_reason = "Why"\nwon_time = "Won at"\n')
CLOSE_CELLS = {"lost reason": {"Why": "Price"}, "won time": {"Won at": "2025-01-02"}}


def _update_sent(mapper: Any, row: SourceRow, deal: dict[str, Any]) -> tuple[Any, ...]:
    """What ``pdbulk update`` sends for ``row`` of ``deal`` (through ``_decide``): the deal
    after it (stage id, status, lost reason, won time), or ("fails", why)."""
    try:
        wanted = wanted_values(mapper, row)[1]
    except InputError as exc:
        return ("fails", exc.reason)
    prep = Prepared("update")
    placed = _in_deal_pipeline(prep, row, "7", deal, wanted)
    if placed is not None:
        _decide(prep, CATALOG, row, "7", deal, placed, {}, 2e9, what="id",
                judge=mapper.judge_found)
    item = prep.items[0]
    if item.error:
        return ("fails", item.error)
    after = {**deal, **(item.payload.get("changes") or {})}
    return tuple(after.get(k) for k in ("stage_id", "status", "lost_reason", "won_time"))


def _upsert_sent(mapper: Any, row: SourceRow, deal: dict[str, Any]) -> tuple[Any, ...]:
    """... an upsert's row whose key finds ``deal`` (``jobs.import_rows``' found row)."""
    try:
        wanted = dict(mapper.map(row).deal)
    except InputError as exc:
        return ("fails", exc.reason)
    marker = wanted.get("stage_id")
    if isinstance(marker, InDealPipeline):
        try:
            placed = marker.place(deal["pipeline_id"])
        except InputError as exc:
            return ("fails", exc.reason)
        wanted = {k: v for k, v in {**wanted, **placed}.items()
                  if not (k in ("stage_id", "status") and v is None)}
    try:
        wanted = mapper.judge_found(row.row, wanted, deal)
    except InputError as exc:
        return ("fails", exc.reason)
    wanted.pop("custom_fields", None)
    after = {**deal, **wanted}
    return tuple(after.get(k) for k in ("stage_id", "status", "lost_reason", "won_time"))


@pytest.mark.parametrize(("status", "entries", "given"),
                         list(itertools.product(STATUSES, ENTRIES, CLOSE_CELLS)))
def test_update_judges_lost_reason_and_times_by_the_status_placed(
        monkeypatch: pytest.MonkeyPatch, status: str, entries: str, given: str) -> None:
    """The update's lost reason and won time judged by the status its row places, whatever
    the Pipeline cell holds, as the upsert's found row (one rule, ``judge_found``): before,
    the update's blank-Pipeline row judged them against the status step's word before
    placing (``Closed Won`` + a reason on a lost Enterprise deal failed blank, passed with
    ``Enterprise``: f52f's grid, 32 lost-reason and 8 won-time cells), and a row placed
    with an explicit won status sent its lost reason. Nothing invalid is sent: a reason
    only with lost, a won time only with won."""
    monkeypatch.setitem(globals(), "BODY", CLOSING)
    update, upsert = _mapper("update", status, entries), _mapper("upsert", status, entries)
    differ, invalid = [], []
    for cell, pid, deal_status, which in itertools.product(
            CELLS, PIPELINES, ("open", "won", "lost"), ("blank", "own", "other")):
        named = {"blank": "", "own": PIPELINES[pid][0],
                 "other": PIPELINES[1 if pid != 1 else 2][0]}[which]
        deal = {"id": 7, "pipeline_id": pid, "stage_id": pid * 10 + 1, "status": deal_status}
        row = SourceRow(2, 2, {**_row(named, cell).values, **CLOSE_CELLS[given]})
        want, got = _update_sent(update, row, dict(deal)), _upsert_sent(upsert, row, dict(deal))
        if (want[0] == "fails") != (got[0] == "fails") or (want[0] != "fails" and want != got):
            differ.append((cell, PIPELINES[pid][0], deal_status, which, want, got))
        if want[0] != "fails" and ((want[2] is not None and want[1] != "lost")
                                   or (want[3] is not None and want[1] != "won")):
            invalid.append((cell, PIPELINES[pid][0], deal_status, which, want))
    assert not invalid, f"{len(invalid)} sent, e.g. {invalid[:4]}"
    assert not differ, f"{len(differ)} differ, e.g. {differ[:4]}"


NO_STAGE = ('[deal]\ntitle = "Deal Name"\nlost_reason = "Why"\nwon_time = "Won at"\n'
            '{status}')


@pytest.mark.parametrize("status", ["", 'status = "Status"\n'])
@pytest.mark.parametrize(("given", "deal_status", "sent"), [
    ({"Why": "Price"}, "lost", ("lost", "Price", None)),  # a lost deal's new reason
    ({"Won at": "2025-01-02"}, "won", ("won", None, "2025-01-02T00:00:00Z")),
    ({"Why": "Price"}, "open", "a lost reason is given but deal 7 is 'open'"),
    ({"Won at": "2025-01-02"}, "lost", "a won time is given but the status is lost"),
])
def test_a_row_of_no_stage_column_is_judged_by_the_found_deals_status(
        status: str, given: dict[str, str], deal_status: str, sent: Any) -> None:
    """An upsert (or update) with no stage column, its row saying no status: the found
    deal's own status judges its lost reason and times (f52n: a found lost deal's new
    reason failed ``a lost reason is given but the status is open``, a new deal's status,
    in the upsert, where the update wrote it); a deal the key finds not is created open,
    the reason refused as before."""
    body = NO_STAGE.format(status=status)
    update = UpdateMapping.loads(HEAD["update"] + body).compile(CATALOG)
    upsert = compile_mapping(Mapping.loads(HEAD["upsert"] + body), CATALOG, upsert=True)
    upsert = dataclasses.replace(upsert, defers_stage=True)
    row = SourceRow(2, 2, {"Ref": "7", "Deal Name": "D", "Status": None, **given})
    deal = {"id": 7, "pipeline_id": 1, "stage_id": 11, "status": deal_status}
    for read in (_update_sent(update, row, dict(deal)), _upsert_sent(upsert, row, dict(deal))):
        if isinstance(sent, str):
            assert read[0] == "fails" and sent in read[1], read
        else:
            assert read[1:] == sent, read
    if "Why" in given:  # a create: open, the reason refused as the import's
        created = _upsert_sent(upsert, row, {})
        assert created[0] == "fails" and "but the status is open" in created[1], created


def test_a_pipeline_default_names_no_pipeline_for_a_deal_found() -> None:
    """A default fills new deals only (x41r3 F2): an upsert row whose Pipeline cell is blank
    under ``pipeline = { default = "Sales" }`` reads its stage cell for a deal found in
    that deal's pipeline, as the update's blank-Pipeline row does (an Enterprise deal's
    ``Qualified`` was read in Sales, moving the deal); a create is placed in Sales."""
    text = HEAD["upsert"] + BODY.format(status="", entries="").replace(
        'pipeline = "Pipeline"', 'pipeline = { column = "Pipeline", default = "Sales" }')
    upsert = dataclasses.replace(compile_mapping(Mapping.loads(text), CATALOG, upsert=True),
                                 defers_stage=True)
    update = _mapper("update", "none", "none")
    row = _row("", "Qualified")
    deal = {"id": 7, "pipeline_id": 2, "stage_id": 21, "status": "open"}
    assert _upserted(upsert, row, dict(deal)) == _updated(update, row, dict(deal)) \
        == (22, "open")
    created = upsert.map(row).deal["stage_id"]
    assert isinstance(created, InDealPipeline) and created.create == 12, created
