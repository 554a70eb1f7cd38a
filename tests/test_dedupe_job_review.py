"""review.html: every group, its score, reasons and highlighted differences are on the page
— checked as text and, when Chromium is installed (scripts/ensure_chromium.sh), in a real
headless browser (its rendered DOM)."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest

from jobs.dedupe.config import DedupeConfig
from jobs.dedupe.matching import find_duplicates
from jobs.dedupe.model import DealRecord
from jobs.dedupe.review import render_review, write_review


def _records() -> list[DealRecord]:
    t = datetime(2026, 11, 1, 10, 0, tzinfo=UTC)
    t2 = datetime(2026, 11, 1, 10, 3, tzinfo=UTC)
    return [
        DealRecord(1, "Website redesign", "open", org_id=7, org_name="Acme Corp", value=1000,
                   currency="EUR", pipeline_id=1, stage_id=2, add_time=t, update_time=t),
        DealRecord(2, "ACME Corp - Website redesign", "open", org_id=7, org_name="Acme Corp",
                   value=5000, currency="EUR", pipeline_id=1, stage_id=2, add_time=t2,
                   update_time=t2),
        DealRecord(3, "<script>alert(1)</script> renewal", "open", org_id=8,
                   org_name="Globex", value=10, currency="EUR", pipeline_id=1, add_time=t,
                   update_time=t),
        DealRecord(4, "<script>alert(1)</script> renewal", "open", org_id=8,
                   org_name="Globex", value=10, currency="EUR", pipeline_id=1, add_time=t2,
                   update_time=t2),
    ]


class _Cells(HTMLParser):
    """Collects sections (group ids), and per group the data-field of highlighted cells."""

    def __init__(self) -> None:
        super().__init__()
        self.groups: list[str] = []
        self.diff: dict[str, set[str]] = {}
        self.scores: list[str] = []
        self._field = ""
        self._in_score = False
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "script":
            self.scripts += 1
        if tag == "section" and a.get("id"):
            self.groups.append(a["id"] or "")
        if tag == "tr":
            self._field = a.get("data-field") or ""
        if tag == "td" and "diff" in (a.get("class") or "").split():
            self.diff.setdefault(self.groups[-1], set()).add(self._field)
        self._in_score = tag == "span" and a.get("class") == "score"

    def handle_data(self, data: str) -> None:
        if self._in_score:
            self.scores.append(data)
            self._in_score = False


def _check(page: str) -> None:
    result = find_duplicates(_records(), DedupeConfig.default())
    cells = _Cells()
    cells.feed(page)
    assert cells.scripts == 0  # titles are escaped; the page runs no script at all
    assert sorted(cells.groups) == sorted(g.id for g in result.groups) == ["g-1", "g-3"]
    assert sorted(cells.scores) == sorted(f"{g.score:.3f}" for g in result.groups)
    assert {"title", "value"} <= cells.diff["g-1"]  # the copy's title and value differ
    assert "value" not in cells.diff.get("g-3", set())
    for g in result.groups:
        assert all(r in page for r in g.reasons[:2])


def test_review_page_shows_groups_scores_and_differences() -> None:
    """The static page: one section per group, its score, reasons, highlighted cells."""
    result = find_duplicates(_records(), DedupeConfig.default())
    _check(render_review(result.groups, {r.id: r for r in _records()}))


def _browser() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(_browser() is None, reason="no chromium on PATH: scripts/ensure_chromium.sh "
                    "(run by `make test`) installs Debian's chromium package; it could not here")
def test_review_page_in_headless_chromium(tmp_path: Path) -> None:
    """Chromium renders the page (--dump-dom) with the groups, scores and highlights, and
    takes a screenshot of it."""
    browser = _browser()
    assert browser is not None
    result = find_duplicates(_records(), DedupeConfig.default())
    page = write_review(tmp_path, result.groups, {r.id: r for r in _records()})
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
             f"--user-data-dir={tmp_path / 'profile'}"]
    dom = subprocess.run([browser, *flags, "--dump-dom", page.as_uri()], capture_output=True,
                         text=True, timeout=120, check=True).stdout
    assert "<section" in dom
    _check(dom)
    shot = tmp_path / "review.png"
    subprocess.run([browser, *flags, f"--screenshot={shot}", "--window-size=1200,900",
                    page.as_uri()], capture_output=True, timeout=120, check=True)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.anyio
async def test_the_review_pages_owner_names_come_from_every_page_of_users() -> None:
    """x12r1 (read from the code): the review page's owner names read only the first page
    of v1 ``getUsers``; an owner on the second page was shown as an id."""
    from types import SimpleNamespace
    from typing import Any

    from jobs.dedupe.records import review_names

    pages = {0: ([{"id": 1, "name": "Ann"}], 1), 1: ([{"id": 2, "name": "Bob"}], None)}

    class Ctx:  # a run's CallContext: call, and pages through the one pagination loop
        async def call(self, op: str, params: dict[str, Any]) -> Any:
            assert op == "getUsers", op
            data, nxt = pages[params.get("start", 0)]
            return SimpleNamespace(data=data, next_start=nxt)

        async def pages(self, op: str, *, params: Any = None, limit: int = 500) -> Any:
            from bulk.client import paginate
            return [page async for page in paginate(self.call, op, params=params, limit=limit)]

    names = await review_names(Ctx(), [DealRecord(id=9, title="x", status="open",  # type: ignore[arg-type]
                                                  owner_id=2)])
    assert names["owner"] == {1: "Ann", 2: "Bob"}


class _Texts(HTMLParser):
    """Each row's cell texts by its data-field."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, list[str]] = {}
        self._field = ""
        self._in_td = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self._field = dict(attrs).get("data-field") or ""
        if tag == "td":
            self._in_td = True
            self.rows.setdefault(self._field, []).append("")

    def handle_endtag(self, tag: str) -> None:
        self._in_td = self._in_td and tag != "td"

    def handle_data(self, data: str) -> None:
        if self._in_td:
            self.rows[self._field][-1] += data


def test_review_page_numbers_read_as_the_csv_and_terminal_say_them() -> None:
    """A custom number field's cell is grouped, with no spurious ``.0`` (before:
    ``1000000.0``), as groups.csv's drops and the terminal say it
    (``planfiles.dropped_value``); a monetary one with its currency (``99,999.99 EUR``)."""
    from jobs.dedupe.model import Group
    from jobs.dedupe.planfiles import dropped_value

    base = _records()[:2]
    seats, money, count = "a1_seats", "a2_money", "a3_count"
    fields = [{seats: 1000000.0, money: {"value": 99999.99, "currency": "EUR"}, count: 1500},
              {seats: 12.5, money: {"value": 1000000, "currency": "JPY"}, count: 7}]
    records = {r.id: DealRecord(r.id, r.title, r.status, org_id=r.org_id, value=r.value,
                                currency=r.currency, fields=f)
               for r, f in zip(base, fields, strict=True)}
    group = Group("g-1", 1, (2,), "review", 0.9, ("title",), ("older",), ())
    cells = _Texts()
    cells.feed(render_review([group], records,
                             fields={seats: "Seats", money: "Money", count: "Count"}))
    assert cells.rows[seats] == ["1,000,000", "12.5"], cells.rows
    assert cells.rows[money] == ["99,999.99 EUR", "1,000,000 JPY"], cells.rows
    assert cells.rows[count] == ["1,500", "7"], cells.rows
    said = dropped_value(seats, 1000000.0, records[1], {seats: "Seats"}, None, None)
    assert said == f"Seats {cells.rows[seats][0]}", said
