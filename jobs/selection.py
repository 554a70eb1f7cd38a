"""Which deals a job works on: a query over the cheap list endpoint, or a manifest of ids/keys.

``DealQuery`` holds the names a person typed (``--pipeline Sales --stage
Qualified --owner ann@acme.com``); ``DealQuery.params(catalog)`` resolves them
once, offline, into ``GET /api/v2/deals`` filters — an unknown or ambiguous
name is an ``InputError`` before anything is sent. ``list_deals`` follows the
cursor (10 tokens per 500 deals) and stops as soon as it has enough;
``read_deals`` reads known ids 100 at a time (10 tokens per 100). Never a
search, never a GET per deal. ``read_refs`` streams a manifest of ids or
source keys.

This module never writes to Pipedrive and never knows what a job will do with
the deals it selects.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from bulk.calls import CallContext
from bulk.errors import AmbiguousName, InputError
from bulk.manifest import read_manifest
from bulk.manifest_stamp import Stamp
from bulk.manifest_xlsx import twice_problem

from . import setting_checks as checks
from .catalog import Catalog
from .deals import Deal
from .transforms import source_key
from .transforms.no_such_day import no_such_day

PAGE = 500  # the largest page of a v2 list
STATUSES = ("open", "won", "lost")

# ... and Pipedrive's own export's ``Deal - ID``, which update's starter mapping takes too
# (x43r3 F6: move-stage needed --id-column for it)
_ID_COLUMNS = ("deal_id", "id", "deal id", "pipedrive id", "pipedrive_id", "deal - id")


@dataclass(frozen=True, slots=True)
class DealQuery:
    """A selection of deals by what a person knows about them (names, not ids), for
    ``move_deals(select=...)``: ``pipeline`` and ``stage`` names, ``status`` ("open",
    "won", "lost"), ``owner`` (e-mail or name), ``updated_before`` (YYYY-MM-DD or an RFC
    3339 instant), ``filter_id`` (a saved filter's id); criteria given together all hold.
    Raises ``InputError`` naming the keyword when built with a bad ``status``,
    ``updated_before`` or ``filter_id``; the names are resolved against the account when
    the job is planned or run (``InputError`` for a name it lacks)."""

    pipeline: str | None = None
    stage: str | None = None
    status: str | None = None
    owner: str | None = None  # e-mail or name
    updated_before: str | None = None  # YYYY-MM-DD or an RFC 3339 instant
    filter_id: int | None = None  # a saved filter of the account

    def __post_init__(self) -> None:
        """Refused when built, naming the keyword (x18r3 F2: a bad status was refused
        only by plan_job / run_job, in the CLI's words); names are resolved later.
        x41r1 M4: a name given as a number or a list was taken, to fail at the run."""
        for name in ("pipeline", "stage", "status", "owner", "updated_before"):
            checks.text("DealQuery", name, getattr(self, name))
        if self.status is not None and self.status not in STATUSES:
            raise InputError(f"DealQuery(status=...) must be one of {', '.join(STATUSES)}, "
                             f"not {self.status!r}")
        if self.updated_before is not None:
            try:
                rfc3339(self.updated_before)
            except InputError as exc:
                raise InputError(f"DealQuery(updated_before=...): {exc}") from None
        if self.filter_id is not None and (isinstance(self.filter_id, bool)
                                           or not isinstance(self.filter_id, int)):
            raise InputError(f"DealQuery(filter_id=...) must be a saved filter's id (a whole "
                             f"number), not {self.filter_id!r}")

    def is_empty(self) -> bool:
        """True when no criterion is given (every field None): such a query selects
        nothing, and ``move_deals`` refuses it as no selection."""
        return all(v is None for v in (self.pipeline, self.stage, self.status, self.owner,
                                       self.updated_before, self.filter_id))

    def params(self, catalog: Catalog) -> dict[str, object]:
        """The getDeals filters; every name resolved (InputError names what is wrong;
        ``AmbiguousName`` for a stage of several pipelines, with a spelling for each and
        ``--pipeline`` as the option that picks one)."""
        params: dict[str, object] = {}
        pipeline_id = None
        if self.pipeline is not None:
            pipeline_id = catalog.pipeline(self.pipeline).id
            params["pipeline_id"] = pipeline_id
        if self.stage is not None:
            try:
                params["stage_id"] = catalog.stage(self.stage, pipeline_id).id
            except AmbiguousName as exc:  # the option that names it (x48r14 F5: "name the
                # pipeline" named none, as --to-stage's did before x26r2 4a)
                reason = exc.reason.replace(
                    "name the pipeline", "name the one to select from with --pipeline")
                if "rename one in Pipedrive" in reason:  # twins of one pipeline: no stage
                    # option picks either, a deal id does (x49r6 F6)
                    reason = reason.replace("rename one in Pipedrive", (
                        "rename one in Pipedrive to select by stage, or select the deals "
                        "by id (--manifest: a file of their deal ids)"))
                raise AmbiguousName(reason) from None
        if self.status is not None:
            if self.status not in STATUSES:
                raise InputError(f"--status must be one of {', '.join(STATUSES)}, "
                                 f"not {self.status!r}")
            params["status"] = self.status
        if self.owner is not None:
            params["owner_id"] = owner_id(catalog, self.owner)
        if self.updated_before is not None:
            params["updated_until"] = rfc3339(self.updated_before)
        if self.filter_id is not None:
            params["filter_id"] = self.filter_id
        return params

    def describe(self) -> str:
        """The query as the notes say it; a value of an invisible character quoted with it
        shown (x51r4 F6: ``--stage "Won\u200b"`` was echoed ``stage=Won``)."""
        parts = [f"{name.replace('_', '-')}="
                 f"{value if str(value).isprintable() else ascii(str(value))}"
                 for name, value in (
            ("pipeline", self.pipeline), ("stage", self.stage), ("status", self.status),
            ("owner", self.owner), ("updated_before", self.updated_before),
            ("filter_id", self.filter_id)) if value is not None]
        return ", ".join(parts) or "every deal"


def rfc3339(text: str) -> str:
    """``2024-01-31`` (midnight UTC) or an ISO 8601 instant, as RFC 3339 in UTC."""
    raw = text.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
            return date.fromisoformat(raw).isoformat() + "T00:00:00Z"
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        # a day its month does not have, said so (x27r3 6: 2025-02-29 was "not a date")
        if (why := no_such_day(raw[:10], "%Y-%m-%d")) is not None:
            raise InputError(f"not a date or an instant: {why}") from None
        raise InputError(f"not a date or an instant: {text!r} (use YYYY-MM-DD or "
                         "2024-01-31T12:00:00Z)") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True, slots=True)
class Listing:
    """What a list pull found: the deals, the pages it took, and whether it stopped early."""

    deals: list[Deal]
    pages: int
    more: bool  # True: stopped at ``limit``; more deals match
    # the deals read before it stopped (more than ``limit`` when ``more``), and whether
    # that is every one that matches (the last page read), or at least that many (w56r1 F4)
    read: int = 0
    whole: bool = True

    def matched(self) -> str:
        """How many deals were read as matching, "at least N" when reading stopped early
        (its refusal by --limit names the count: w56r1 F4)."""
        return f"{self.read:,}" if self.whole else f"at least {self.read:,}"


async def list_deals(ctx: CallContext, params: dict[str, object], *,
                     limit: int | None = None) -> Listing:
    """Every deal the filters match (cursor pages of 500), or the first ``limit`` of them:
    reading stops at the page that passes ``limit`` (``Listing.more``; ``Listing.read``
    counts what was read, ``Listing.whole`` whether no page was left)."""
    deals: list[Deal] = []
    pages = 0
    async for page in ctx.paginate("getDeals", params=params, limit=PAGE):
        pages += 1
        deals.extend(page.data or ())
        if limit is not None and len(deals) > limit:
            return Listing(deals[:limit], pages, True, len(deals), page.next_cursor is None)
    return Listing(deals, pages, False, len(deals))


def owner_id(catalog: Catalog, ref: str) -> int:
    """The id of the user ``--owner`` names: by e-mail or name (``Catalog.user``), else,
    for digits no user is named, the id of a user of the account (x46r3 F6: ``--owner 2``
    said ``no user named '2'``). InputError naming what the option takes otherwise."""
    try:
        return catalog.user(ref).id
    except InputError as exc:
        text = ref.strip()
        if "@" in text or type(exc) is not InputError:  # AmbiguousName: as it said
            raise
        if text.isascii() and text.isdigit():
            if any(u.id == int(text) for u in catalog.users):
                return int(text)
            raise InputError(f"no user named {ref!r} and no user with id {text}: give a "
                             "user's name, e-mail or id") from None
        raise InputError(f"{exc.reason}: give a user's name, e-mail or id") from None


# -- a manifest of deals ---------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Ref:
    """One manifest row naming a deal: by Pipedrive id, or by source key."""

    row: int
    deal_id: int | None
    key: str | None
    values: dict[str, Any]
    error: InputError | None = None
    line: int = 0  # the file's line the row starts on (``SourceRow.line``; 0: not known)

    @property
    def label(self) -> str:
        return str(self.deal_id) if self.deal_id is not None else str(self.key or "")


def id_column(header: Sequence[str], wanted: str | None = None) -> str | None:
    """The manifest's deal-id column: the one named, else a usual name (deal_id, id)."""
    if wanted is not None:
        if wanted not in header:
            raise InputError(twice_problem(header, wanted)
                             or f"no column {wanted!r} in the manifest (columns: "
                             f"{', '.join(header)})")
        return wanted
    lowered = {h.strip().casefold(): h for h in header}
    return next((lowered[name] for name in _ID_COLUMNS if name in lowered), None)


# the largest id a JSON number carries exactly (2**53 - 1): none of Pipedrive's ids is
# larger, and a larger one sent in a list read (``ids=``) could fail the ids beside it
MAX_ID = 2**53 - 1


# an id a spreadsheet's number format wrote with thousands separators (x21r2 F2): 1.234,
# 1,234, 1 234, 1'234
# a number as a spreadsheet groups its thousands: by a dot, a comma, an apostrophe, a space,
# a no-break, narrow no-break, thin, figure or punctuation space (x46r12 F2: a thin space's
# ``1 234`` was read as deals 1 and 234 in a merge group)
GROUPED_ID = re.compile(
    r"\d{1,3}(?:([.,\u00a0\u202f\u2009\u2007\u2008' ])\d{3})(?:\1\d{3})*")


# full-width digits (an East Asian input method's 478 typed as U+FF14 U+FF17 U+FF18): the id NFKC reads, as a
# source key's cell is read (x46r3 F5); superscripts, circled and other scripts' digits stay
# refused (x34r5 F2)
_FULL_WIDTH = str.maketrans({chr(0xFF10 + d): str(d) for d in range(10)})


def parse_id(raw: object, *, grouped: bool = False) -> int:
    """A Pipedrive id from a cell: a positive integer (``12``, ``"12"``, ``12.0``,
    ``"16.00"``, ``"105,0"`` — a decimal-comma save of 105.0 —, full-width digits (U+FF10-U+FF19);
    not ``"1.000"`` nor ``"1.234"`` nor ``"1,000"``, which may be grouped thousands, and say
    so) of ASCII digits, at most ``MAX_ID``. The one id reader of update, move-stage, merge,
    undo and dedupe apply (x43r4 F5: groups.csv had its own, which refused ``1.0`` and took
    ``٤٦``; x46r3 F5: update, move-stage and merge answered one cell three ways).
    ``grouped``: thousands separators are read through (``1.234``, ``1 234`` = 1234) —
    only for a file whose every id is checked against ids it was written with (a dedupe
    plan's groups.csv, saved again by a spreadsheet: x21r2 F2).
    Raises InputError (``not a deal id: ...``) otherwise: ``²``, ``٤٦``, ``+45``, ``1e3``, a
    5,000-digit number (x34r5 F2 / F5 / F6: the first and last stopped whole commands as
    "unexpected error"; the others were read as ids, and a merge is final)."""
    if isinstance(raw, bool):
        raise InputError(f"not a deal id: {raw!r}")
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, float) and raw.is_integer():
        if abs(raw) > MAX_ID:
            raise InputError(f"not a deal id: {raw!r} (larger than any Pipedrive id, {MAX_ID})")
        value = int(raw)
    else:
        text = str(raw if raw is not None else "").strip().translate(_FULL_WIDTH)
        # a spreadsheet's decimal zeros (``12.0``, ``16.00``: x43r3 F7, only one zero was
        # taken off; ``105,0`` in a decimal-comma locale: x46r3 F5), never three of them:
        # ``1.000`` may be a thousand, grouped
        mark = "," if "," in text and "." not in text else "."
        whole, dot, zeros = text.partition(mark)
        if grouped and GROUPED_ID.fullmatch(text):
            text = re.sub(r"\D", "", text)
        elif dot and whole and zeros and not zeros.strip("0") and len(zeros) != 3:
            text = whole
        elif GROUPED_ID.fullmatch(text):
            raise InputError(f"not a deal id: {raw!r} is a number as a spreadsheet shows it "
                             "with thousands separators (or a fraction); format the id column "
                             "as Text or General and save again")
        if not (text.isascii() and text.isdigit()):
            raise InputError(f"not a deal id: {raw!r}" if text else "the deal id is empty")
        if len(text.lstrip("0")) > len(str(MAX_ID)):
            raise InputError(f"not a deal id: {_clipped(text)} (larger than any Pipedrive "
                             f"id, {MAX_ID})")
        value = int(text)
    if value < 1:
        raise InputError(f"not a deal id: {raw!r}")
    if value > MAX_ID:
        raise InputError(f"not a deal id: {_clipped(str(value))} (larger than any Pipedrive "
                         f"id, {MAX_ID})")
    return value


def _clipped(text: str) -> str:
    """``text`` as an error names it: a long one cut to its first 20 characters."""
    return repr(text) if len(text) <= 24 else f"{text[:20]!r}... ({len(text)} digits)"


def read_refs(path: str | Path, *, id_col: str | None = None, key_col: str | None = None,
              encoding: str | None = None, sheet: str | None = None,
              since: Stamp | None = None, header_row: int | None = None) -> Iterator[Ref]:
    """Stream a manifest's rows as deal references (bad rows carry their error);
    ``since``: the file's stamp before the caller's first read (``read_manifest``);
    ``header_row``: the row its header is on, as a spreadsheet numbers it (None: found)."""
    if (id_col is None) == (key_col is None):
        raise ValueError("name exactly one of id_col and key_col")
    column = id_col or key_col
    assert column is not None
    for source in read_manifest(path, encoding=encoding, sheet=sheet,
                                keys=(key_col,) if key_col is not None else (),
                                since=since, header_row=header_row):
        if source.error is not None:
            yield Ref(source.row, None, None, source.values, source.error, source.line)
            continue
        raw = source.values.get(column)
        try:
            if id_col is not None:
                yield Ref(source.row, parse_id(raw), None, source.values, line=source.line)
            else:
                # read as import and update read it (v10r16 M4: a JSON 9003.0 was looked
                # up as "9003.0", an array as "['9001']")
                key = source_key(raw)
                if not key:
                    raise InputError("the source key is empty")
                yield Ref(source.row, None, key, source.values, line=source.line)
        except InputError as exc:
            yield Ref(source.row, None, None, source.values,
                      InputError(exc.reason, row=source.row, column=column), source.line)


__all__ = ["PAGE", "STATUSES", "DealQuery", "Listing", "Ref", "id_column", "list_deals",
           "GROUPED_ID", "owner_id", "parse_id", "read_refs", "rfc3339"]
