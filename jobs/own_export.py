"""Whether an import's file is this account's own Pipedrive export (z55r1 F5: Pipedrive's
deals export, keyed on ``Deal - ID`` with the ``[import]`` section init-mapping leaves
commented "for another account", re-imported into the SAME account planned ``addDeal 250``
— a copy of each of 250 live deals — exit 0, without a word; 450 of 450 too).

The rule: the first ``SAMPLE`` rows whose key cell is a whole number (a Pipedrive id is
one: ``Deal - ID`` 17, or ``17.0`` as a spreadsheet writes it) and whose title cell is
not blank are compared with this account's live deals of those ids. A row is **own**
when its id is a live deal here whose title is the row's, once case, accents' forms,
punctuation and spacing are set aside (``jobs.foreign_ids``' words). Another account's
export names unrelated deals under the same small ids (x47r3 F5: 40 of 40 unrelated):
its rows are not own; a row whose id names no live deal (deleted since, or never here)
is compared and not own either.

- ``LEAST`` own rows or more, and a ``SHARE`` of the compared rows or more: the file is
  taken for this account's own export. The plan's first note says it loudly (``WARNING:
  own export?``; ``--json``: ``own_export``), and ``pdbulk import`` refuses it before any
  write, exit 1, unless ``--copy-own-deals`` (``ImportSettings.copy_own_deals``) says a copy
  of each deal is wanted. The way to change those deals is the mapping's ``[update]``
  section (``pdbulk update``).
- fewer own rows (one or two, or under the share): a note naming them, nothing refused
  (two accounts may hold a deal of one title under one id by chance).

Tokens: none when the load lists the live deals anyway (an insert into an account
with the key field, within its page bound, ``import_load.index_keyed_deals``; an upsert's
index): the titles of the sampled ids are kept from those pages
(``account.index_deals_by_key``' ``titles_of``). Else, only when the key column is named
as Pipedrive's export names a deal's id (``ID_COLUMNS``), one ``getDeals`` read of the
sampled ids (``GET /api/v2/deals?ids=``, 100 ids a call, 10 tokens: openapi-v2.yaml),
priced in the plan and said in its note; a key column of another name is not read for.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bulk.errors import InputError
from bulk.manifest import read_manifest
from bulk.wording import counted

from .foreign_ids import _words

if TYPE_CHECKING:
    from bulk.calls import CallContext

    from .import_items import ImportSettings
    from .mapping import Mapping as ImportMapping

SAMPLE = 100  # rows compared at most: one getDeals?ids= read (100 ids a call)
SCANNED = 1_000  # rows read at most for the sample: a file of no whole-number key (another
# system's ids: Salesforce's 18 characters) is not read to its end for it (f57a)
LEAST = 3  # own rows, at least, for the file to be taken for an own export
SHARE = 0.25  # ... and this share of the rows compared
_SHOWN = 3  # rows named in the note
# the key column's names, casefolded, that Pipedrive's own exports and their copies give
# a deal's id (``Deal - ID``: the deals export; update's id columns: README); a bare
# ``id`` is any system's, read for nothing (its first import would pay 10 tokens for it)
ID_COLUMNS = frozenset({"deal - id", "deal id", "pipedrive id", "pipedrive deal id"})
_WHOLE = re.compile(r"\s*(\d{1,18})(?:\.0+)?\s*")
FLAG = "--copy-own-deals"


def deal_id(cell: object) -> int | None:
    """A key cell read as a Pipedrive deal id (a whole number above 0), else None."""
    if isinstance(cell, bool):
        return None
    if isinstance(cell, int):
        return cell if cell > 0 else None
    if isinstance(cell, float):
        return int(cell) if cell.is_integer() and cell > 0 else None
    match = _WHOLE.fullmatch(str(cell)) if isinstance(cell, str) else None
    return int(match.group(1)) or None if match else None


def id_column(name: str) -> bool:
    """Whether a key column of this header names a deal's id as Pipedrive's exports do."""
    return " ".join(name.split()).casefold() in ID_COLUMNS


@dataclass
class OwnExport:
    """The sampled rows compared (``compared``), those own (``own``: (row, deal id,
    title)), whether a read of its own was made (``read``: its calls, 0 when the load's
    list served) and the deals compared (``found``: live here)."""

    compared: int = 0
    own: list[tuple[int, int, str]] = field(default_factory=list)
    found: int = 0
    read: int = 0

    @property
    def count(self) -> int:
        return len(self.own)

    @property
    def refuses(self) -> bool:
        """The file is taken for this account's own export."""
        return self.count >= LEAST and self.count >= SHARE * self.compared

    def note(self, key_column: str) -> str | None:
        """The plan's note (None: no row is own and nothing was read for it)."""
        if not self.own:
            return None if not self.read else (
                f"own export? {self.compared} rows' ids in {key_column!r} compared with this "
                f"account's deals ({self.read} getDeals read, "
                f"{counted(self.read * 10, 'token')}): none "
                "names a live deal of the same title")
        shown = "; ".join(f"row {r}: deal {i} {t!r}" for r, i, t in self.own[:_SHOWN])
        cost = (f"; {self.read} getDeals read ({counted(self.read * 10, 'token')}) "
                "made for this "
                "check" if self.read else "; read from the deals the load lists anyway, "
                "no extra call")
        if not self.refuses:
            return (f"own export? {self.count} of {self.compared} rows sampled name in "
                    f"{key_column!r} a live deal of this account with the same title "
                    f"({shown}): each is created again as a new deal{cost}")
        return (f"WARNING: own export? {self.count} of {self.compared} rows sampled name "
                f"in {key_column!r} a live deal of this account with the same title "
                f"({shown}): this looks like this account's own export, and importing it "
                "creates a copy of each of those deals. To change those deals instead, "
                f"use the mapping's [update] section (id_column = {key_column!r}; "
                "`pdbulk init-mapping` writes it for a Pipedrive export) and `pdbulk "
                f"update`; to create the copies anyway, pass {FLAG} (`pdbulk import` "
                f"refuses without it, nothing sent){cost}")

    def refusal(self, key_column: str) -> str:
        """Why ``pdbulk import`` refuses (``refuses``), nothing sent."""
        shown = "; ".join(f"row {r}: deal {i} {t!r}" for r, i, t in self.own[:_SHOWN])
        return (f"this file looks like this account's own Pipedrive export: {self.count} of "
                f"{self.compared} rows sampled name in {key_column!r} a live deal of this "
                f"account with the same title ({shown}), and importing it would create a "
                "copy of each of those deals; nothing was sent. To change those deals, use "
                f"the mapping's [update] section (id_column = {key_column!r}) with `pdbulk "
                f"plan update` and `pdbulk update`; to create the copies anyway, pass {FLAG}")

    def to_json(self) -> dict[str, Any]:
        return {"refuses": self.refuses, "count": self.count, "compared": self.compared,
                "found": self.found, "calls": self.read,
                "rows": [{"row": r, "deal_id": i, "title": t} for r, i, t in self.own[:_SHOWN]]}


Sample = dict[int, tuple[int, str, object]]  # deal id -> (row, title, key cell)


def sampled(rows: Iterable[tuple[int, object, object]]) -> Sample:
    """The first ``SAMPLE`` (row, key cell, title cell) whose key is a deal id and whose
    title is not blank, among the first ``SCANNED`` rows at most: deal id -> (row, title,
    key cell); an id given twice keeps its first row. Memory: ``SAMPLE`` rows' two cells;
    rows read: ``SCANNED`` at most (a file whose keys are not Pipedrive ids is not read to
    its end)."""
    out: Sample = {}
    for scanned, (row, key, title) in enumerate(rows, 1):
        if scanned > SCANNED:
            break
        wanted = deal_id(key)
        text = "" if title is None else str(title).strip()
        if wanted is None or not text:
            continue
        out.setdefault(wanted, (row, text, key))
        if len(out) >= SAMPLE:
            break
    return out


def read_sample(settings: ImportSettings, mapping: ImportMapping) -> Sample:
    """``sampled`` of the manifest's first rows (``SCANNED`` at most; the key column and the
    deal's title column only; none without a title column: a template title tells
    nothing)."""
    spec = mapping.spec.deal.title
    column = spec.column if spec is not None and spec.template is None else None
    if not column:
        return {}
    key = mapping.key_column
    rows = read_manifest(settings.manifest, format=settings.format,
                         delimiter=settings.delimiter, encoding=settings.encoding,
                         sheet=settings.sheet, columns={key, column},
                         header_row=settings.header_row, keys=(key,))

    def cells() -> Iterator[tuple[int, object, object]]:
        for r in rows:
            try:
                yield r.row, r.values.get(key), r.values.get(column)
            except InputError:  # (a JSON path reading two values: the load fails the row)
                continue
    try:
        return sampled(cells())
    finally:
        rows.close()


async def read_titles(ctx: CallContext, ids: Iterable[int]) -> tuple[dict[int, object], int]:
    """The titles of the live deals of ``ids`` (``jobs.deals.read_deals``: GET
    /api/v2/deals?ids=, 100 ids a call, 10 tokens each) and the calls made."""
    from .deals import IDS_PER_CALL, is_gone, read_deals

    wanted = list(ids)
    found = await read_deals(ctx, wanted)
    return ({i: d.get("title") for i, d in found.items() if not is_gone(d)},
            -(-len(wanted) // IDS_PER_CALL))


async def check(ctx: CallContext, sample: Sample, key_column: str,
                listed: Mapping[int, object] | None,
                known: Callable[[object], bool] = lambda _key: False) -> OwnExport | None:
    """Judge ``sample`` (``read_sample``), less the rows whose key a deal carries
    (``known``: they create nothing), against ``listed`` (the titles the load's own list
    of the live deals kept, ``DealsByKey.titles``) or, without it and only for a key
    column named as a deal id (``id_column``), one read of its own (``read_titles``).
    None: nothing compared, nothing read."""
    sample = {i: v for i, v in sample.items() if not known(v[2])}
    if not sample:
        return None
    if listed is not None:
        return judge(sample, listed)
    if not id_column(key_column):
        return None
    titles, calls = await read_titles(ctx, sample)
    return judge(sample, titles, calls)


def judge(sample: Sample, titles: Mapping[int, object], read: int = 0) -> OwnExport:
    """Compare ``sample`` (``sampled``) with ``titles`` (live deal id -> its title, as
    listed here: an id absent is no live deal)."""
    out = OwnExport(compared=len(sample), read=read)
    for deal, (row, title, _key) in sorted(sample.items(), key=lambda kv: kv[1][0]):
        if deal not in titles:
            continue
        out.found += 1
        if _words(titles[deal]) == _words(title) and _words(title):
            out.own.append((row, deal, title))
    return out


__all__ = ["FLAG", "ID_COLUMNS", "LEAST", "SAMPLE", "SCANNED", "SHARE", "OwnExport", "Sample",
           "check", "deal_id", "id_column", "judge", "read_sample", "read_titles", "sampled"]
