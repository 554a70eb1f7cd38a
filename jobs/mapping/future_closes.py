"""init-mapping's TODO beside a proposed ``close_time`` whose sampled won / lost rows are
dated in the future (x46r1 F3: HubSpot's "Close Date" of 19 won / lost deals lay ahead, and
the proposal failed each of them "a deal is won when it happens" with no way forward).

A CRM's "Close Date" is a closed deal's close date and an open one's expected close date;
a won or lost deal dated after the run's moment in the farthest time zone (the row mapper's
bound, ``rowmapper.LATEST_MARGIN``) fails its row. The rows are counted here, from the rows
init-mapping sampled, so that the person fixes those dates or drops the ``close_time``
line before a plan says so. Pure: no API call, no clock of its own (``now`` is given).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from collections.abc import Mapping as MappingABC
from datetime import UTC, date, datetime

from bulk.errors import InputError

from .. import transforms as tf
from .rowmapper import LATEST_MARGIN
from .spec import LEFT_OUT


def _day(value: str, formats: Sequence[str]) -> date | None:
    """The day ``value`` names: ISO ``YYYY-MM-DD`` (a time after it ignored), else the
    first of ``formats`` that reads it whole — strptime patterns, and the date tokens
    (``"excel"``, ``"unix"``…: a serial or an epoch, read as the row mapper reads it, a
    serial's fraction of a day ignored; x48r4 F2: Excel serials were passed over); None
    when none does (no TODO rather than a wrong one)."""
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        pass
    for pattern in formats:
        if pattern in tf.DATE_TOKENS:
            try:
                read = tf.parse_date(value, [pattern])
            except InputError:
                continue
            return date.fromisoformat(read) if read is not None else None
        try:
            return datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    return None


def future_closes(rows: Iterable[MappingABC[str, object]], column: str,
                  status_of: Callable[[MappingABC[str, object]], str | None],
                  formats: Sequence[str], now: float) -> tuple[int, int, str | None]:
    """(future, closed, first): of ``rows`` whose ``status_of`` is ``"won"`` or ``"lost"``
    (``closed`` of them), how many have a ``column`` day after ``now`` (Unix seconds)
    plus ``LATEST_MARGIN`` (the day's midnight UTC, as the row mapper reads a date alone),
    and the first such cell as written."""
    bound = now + LATEST_MARGIN
    future = closed = 0
    first: str | None = None
    for row in rows:
        if status_of(row) not in ("won", "lost"):
            continue
        closed += 1
        cell = row.get(column)
        if not isinstance(cell, str) or (day := _day(cell.strip(), formats)) is None:
            continue
        if datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() > bound:
            future += 1
            first = first or cell.strip()
    return future, closed, first


def future_close_todo(column: str, future: int, closed: int, first: str | None) -> list[str]:
    """The TODO line written above ``close_time`` when ``future`` of the ``closed`` sampled
    won / lost rows are dated in the future; none when no row is."""
    if not future:
        return []
    rows = "row" if future == 1 else "rows"
    return [f"# TODO: {future} of the {closed} sampled won / lost rows have a {column} in the "
            f"future (e.g. {first!r}): they would fail (a deal is won or lost when it "
            "happens). Fix those dates in the file, or, if the column holds planned dates, "
            "delete the close_time line below, leaving the comment "
            f"`{LEFT_OUT}` in its place (the {rows} then close on the import day, and the "
            "plan says so without asking for close_time again); then delete this line"]
