"""Mass stage reassignment: move the selected deals to a stage (and maybe close them).

``pdbulk move-stage --pipeline Sales --stage Qualified --to-stage "Proposal Made"``
selects deals with the list endpoint (10 tokens per 500, never a search) or
from a manifest of ids / source keys, resolves the target names once (an
unknown or ambiguous name stops everything before a call is sent), and sends
one PATCH per deal that is not already where it should be. ``--limit N``
refuses to go on when more than N deals match: a typo in a query must not move
40,000 deals. Before-images (stage, pipeline, status, lost reason and the
close times) are stored for every deal that moves, for ``pdbulk undo``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bulk.calls import CallContext
from bulk.errors import AmbiguousName, InputError
from bulk.manifest import check_has_rows, misread_note
from bulk.manifest import header as manifest_header
from bulk.manifest_row import where_row
from bulk.manifest_stamp import file_stamp
from bulk.manifest_xlsx import twice_problem
from bulk.store import BeforeImage, Item, JobStore, NewItem, Outcome
from bulk.wording import counted, noun

from .account import READ_ONLY_KEY_ADVICE, ensure_key_field, index_deals_by_key, key_problem, load_catalog
from .alike_columns import refuse_alike
from .catalog import Catalog, Stage
from .deals import (
    META_VALUE_LABELS,
    Deal,
    before_image,
    deal_changes,
    drifted,
    field_group,
    field_types,
    read_deals,
    same,
    shown,
    stored_labels,
    write_groups,
)
from .load_stop import checked, collected
from .patch_job import conflict
from .prepared import META_KEY_CHANGED, keys_scan_since, remember_labels, row_values
from .results import META_TYPED, typed_for_manifest
from .selection import STATUSES, DealQuery, Ref, id_column, list_deals, read_refs
from .updating import META_KEY_FIELD, PatchJob, Prepared, changed_names

# move-stage has no --unarchive: the way out it names must exist (issue 9, F5)
MOVE_ARCHIVED_HINT = ("unarchive it in Pipedrive first, or with `pdbulk update --unarchive`, "
                      "then move it")
OP = "move"
MOVE_COLUMNS = ("row", "key", "deal_id", "action", "fields", "note")


META_SELECTION = "selection"  # the query's filters a re-read checks again (``_unselected``)
_RECHECKED = ("pipeline_id", "stage_id", "status", "owner_id", "updated_until")


class MoveStageJob(PatchJob):
    name = "move-stage"
    action = "moved"

    def _unselected(self, store: JobStore, deal: Deal) -> str | None:
        """Why ``deal`` no longer matches the query that selected it (its pipeline, stage,
        status, owner or --updated-before, as stored at load time under ``selection``);
        None when it still does, or when the deals were named by a manifest. A saved
        filter (--filter-id) is not checked again (only Pipedrive can evaluate it)."""
        selection = self.once(store, META_SELECTION, lambda s: s.meta_get(META_SELECTION))
        if not isinstance(selection, Mapping):
            return None
        for name, wanted in selection.items():
            if name == "updated_until":
                now = _instant(deal.get("update_time"))
                cutoff = _instant(wanted)
                if now is not None and cutoff is not None and now >= cutoff:
                    return f"updated at {deal.get('update_time')}, not before {wanted}"
            elif name in _RECHECKED and not same(deal.get(name), wanted):
                held, labels = _plain_id(deal.get(name)), stored_labels(store)
                return (f"{name} is {_said(name, held, labels)} now, not "
                        f"{_said(name, wanted, labels)}")
        return None

    def _now(self, store: JobStore, item: Item, deal: Deal | None,
             image: Mapping[str, Any] | None, since: str,
             labels: Mapping[str, str] | None = None,
             types: Mapping[str, str] | None = None) -> tuple[str, Outcome] | None:
        """``PatchJob._now``, with a deal already where the move puts it still a conflict
        when a field of the target it does not write changed since (its before-image holds
        the whole target: a colleague moved it to the stage and set it won, where the move
        says ``--status-to open``). Only the target's groups it does not write count: a
        field that goes with one it writes (a stage's pipeline, a status's times) is what
        Pipedrive set with the very change someone else made — already as wanted, not a
        conflict (x51r13 F3: cross-pipeline moves and closes failed 65/65, 110/110)."""
        decided = super()._now(store, item, deal, image, since, labels, types)
        if decided is not None and decided[0] == "unchanged" and deal is not None \
                and (drift := drifted(deal, _unwritten(image, item.payload["changes"]),
                                      item.payload["changes"], labels)):
            return "conflicts", conflict(item, int(item.payload["deal_id"]), since, drift)
        return decided


def _unwritten(image: Mapping[str, Any] | None, changes: Mapping[str, Any]
               ) -> Mapping[str, Any] | None:
    """``image`` (``before_image``'s shape) less the fields of the groups (``field_group``)
    the write ``changes`` sets."""
    if not image:
        return image
    written = set(write_groups(changes))
    return {**image, "fields": {name: value for name, value in (image.get("fields") or {}).items()
                                if field_group(name) not in written}}


@dataclass(frozen=True, slots=True)
class MoveTarget:
    """Where the deals go, by name: a stage (in ``pipeline``), and maybe a new status."""

    stage: str
    pipeline: str | None = None
    status: str | None = None  # open | won | lost
    lost_reason: str | None = None

    def body(self, catalog: Catalog, from_pipeline: str | None = None) -> dict[str, Any]:
        """The wanted values, every name resolved (InputError before anything is sent,
        naming every problem at once: ``problems``)."""
        if problems := self.problems(catalog, from_pipeline):
            raise InputError("; ".join(problems))
        pipeline = self.pipeline or from_pipeline
        pipeline_id = catalog.pipeline(pipeline).id if pipeline is not None else None
        body: dict[str, Any] = {"stage_id": self._stage(catalog, pipeline_id).id}
        if self.status is not None:
            body["status"] = self.status
        if self.lost_reason is not None:
            body["lost_reason"] = self.lost_reason
        return body

    def problems(self, catalog: Catalog, from_pipeline: str | None = None) -> list[str]:
        """Every reason the target cannot be (f24c F4: an unknown pipeline hid an unknown
        stage until the next run): the status, the lost reason, the pipeline, the stage —
        looked for in every pipeline when the pipeline named is unknown."""
        problems: list[str] = []
        if self.status is not None and self.status not in STATUSES:
            problems.append(f"--status-to must be one of {', '.join(STATUSES)}, "
                            f"not {self.status!r}")
        if self.lost_reason is not None and self.status != "lost":
            problems.append("--lost-reason needs --status-to lost")
        elif self.lost_reason is not None and not self.lost_reason.strip():
            problems.append("--lost-reason is empty: give the reason, or leave it out to keep "
                            "each deal's own")
        pipeline, pipeline_id = self.pipeline or from_pipeline, None
        try:
            pipeline_id = catalog.pipeline(pipeline).id if pipeline is not None else None
        except InputError as exc:
            problems.append(str(exc))
        try:
            self._stage(catalog, pipeline_id)
        except AmbiguousName as exc:
            if pipeline_id is not None or pipeline is None:  # else: its pipeline is unknown
                # the flag that names it (x26r2 4a: "name the pipeline" named no option)
                problems.append(str(exc).replace(
                    "name the pipeline", "name the one to move to with --to-pipeline").replace(
                    # twins of one pipeline: no option targets either (x49r6 F6)
                    "rename one in Pipedrive", "renaming one of them in Pipedrive is the only "
                    "way to move deals to it (no option targets either)"))
        except InputError as exc:
            problems.append(str(exc))
        return problems

    def _stage(self, catalog: Catalog, pipeline_id: int | None) -> Stage:
        """The target stage, looked up in ``pipeline_id`` (``--to-pipeline``, else
        ``--pipeline``); a target that names its own pipeline and reads no other way is that
        pipeline's stage though ``--pipeline`` selected others (x48r8 F4: ``--pipeline
        Sales --to-stage "Inbound - Web U+203A Won"`` was refused; README: a stage written
        with its pipeline is that pipeline's stage). ``--to-pipeline`` still decides: a
        target named in another pipeline than it is refused."""
        try:
            return catalog.stage(self.stage, pipeline_id)
        except AmbiguousName:
            raise
        except InputError:
            own = catalog.with_its_pipeline(self.stage)
            if self.pipeline is not None or own is None:
                raise
            return own


# the names a refusal of ``check_move`` gives each argument: the library's keywords, or the
# command line's flags
_KEYWORDS = {"status_to": "status_to", "lost_reason": "lost_reason", "limit": "limit",
             "lost": "status_to='lost'",
             "select": "select= (a DealQuery with at least one criterion) or manifest="}
_FLAGS = {"status_to": "--status-to", "lost_reason": "--lost-reason", "limit": "--limit",
          "lost": "--status-to lost",
          "select": "a query (--pipeline, --stage, --status, --owner, --updated-before, "
                    "--filter-id) or --manifest"}


def check_move(status_to: str | None, lost_reason: str | None, *, selected: bool,
               listed: bool, limit: int | None, flags: bool = False) -> None:
    """InputError, before any call, for move options that cannot go together, named as
    the caller gave them (``flags``: the CLI's flags, else ``move_deals``' keywords;
    x18r3 F2: the library refused them only at plan_job / run_job, in the CLI's words).
    ``selected``: a query with a criterion; ``listed``: a manifest."""
    name = _FLAGS if flags else _KEYWORDS
    if status_to is not None and status_to not in STATUSES:
        raise InputError(f"{name['status_to']} must be one of {', '.join(STATUSES)}, "
                         f"not {status_to!r}")
    if lost_reason is not None and status_to != "lost":
        raise InputError(f"{name['lost_reason']} needs {name['lost']}")
    if lost_reason is not None and not lost_reason.strip():
        # x34r5 F1 (severe): "" cleared the lost reason of every deal already lost, and
        # "   " wrote blank text on each, as an empty --stage or --owner is refused
        raise InputError(f"{name['lost_reason']} is empty: give the reason, or leave it out "
                         "to keep each deal's own")
    if selected == listed:
        raise InputError(f"select the deals either by {name['select']}, not both and not "
                         "neither")
    if limit is not None and limit < 1:
        raise InputError(f"{name['limit']} must be at least 1")


@dataclass(frozen=True, slots=True)
class DealSource:
    """The deals to move: a query, or a manifest naming them by id or by source key."""

    query: DealQuery | None = None
    manifest: Path | None = None
    id_column: str | None = None  # manifest column of Pipedrive ids (default: deal_id / id)
    key_column: str | None = None  # manifest column of source keys (instead of ids)
    key_field: str = "Import source key"  # the deal field holding the source keys
    limit: int | None = None  # refuse when more deals than this are selected
    encoding: str | None = None  # the manifest's text encoding (None: detected)
    sheet: str | None = None  # XLSX: the worksheet (None: the first)
    header_row: int | None = None  # the header's row, as a spreadsheet numbers it (None: found)

    def check(self) -> None:
        if (self.query is None or self.query.is_empty()) == (self.manifest is None):
            raise InputError("select the deals either by a query (--pipeline, --stage, "
                             "--status, --owner, --updated-before, --filter-id) or by "
                             "--manifest, not both and not neither")
        if self.limit is not None and self.limit < 1:
            raise InputError("--limit must be at least 1")


def _instant(value: object) -> datetime | None:
    """A deal's ``update_time`` or an RFC 3339 cutoff as an aware datetime (None: unreadable)."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _said(name: str, value: object, labels: Mapping[str, str]) -> str:
    """A selection's value as the message says it: an id by its name (``shown``), any
    other value quoted as before (``'open'``)."""
    return shown(name, value, labels)


def _plain_id(value: object) -> object:
    return value.get("id") if isinstance(value, Mapping) else value


def _too_many(limit: int, what: str, count: str) -> InputError:
    """The refusal of a selection over ``--limit``, naming how many deals it counted
    (``count``: "412", or "at least 500" when the listing stopped early; w56r1 F4: "more
    than 337 deals match ..." said no figure, though it had read them)."""
    return InputError(f"more than {limit:,} deals {what}: {count} (--limit {limit:,}); "
                      "nothing was sent. Narrow the selection or raise --limit")


async def select(ctx: CallContext, source: DealSource, catalog: Catalog, prep: Prepared
                 ) -> list[tuple[int, str, Deal, Mapping[str, Any]]]:
    """The selected deals as (row, key, deal, values); rows that name no deal fail in
    ``prep``."""
    source.check()
    if source.query is not None and source.manifest is None:
        listing = await list_deals(ctx, source.query.params(catalog), limit=source.limit)
        if listing.more and source.limit is not None:
            raise _too_many(source.limit, f"match {source.query.describe()}",
                            f"{listing.matched()} read" + ("" if listing.whole else
                                                           " before the listing stopped"))
        prep.notes.append(f"{counted(len(listing.deals), 'deal')} "
                          f"{noun(len(listing.deals), 'matches', 'match')} {source.query.describe()} "
                          f"({listing.pages} list page(s))")
        return [(n, str(d["id"]), d, {"deal_id": d["id"], "title": d.get("title")})
                for n, d in enumerate(listing.deals, start=1)]
    assert source.manifest is not None
    since = file_stamp(source.manifest)  # the rows' read must see this file (x17r3 F5)
    head = manifest_header(source.manifest, encoding=source.encoding, sheet=source.sheet,
                           header_row=source.header_row)
    check_has_rows(source.manifest, encoding=source.encoding, sheet=source.sheet,  # x17r3 F8
                   header_row=source.header_row)
    prep.meta["source_columns"] = head
    if (misread := misread_note(source.manifest, source.encoding, mapping=False,
                                run="move-stage")) is not None:
        prep.notes.append(misread)  # a key the declared code page garbles matches no deal
        prep.refusal = misread  # the run refuses (x26r3)
    prep.meta[META_TYPED] = typed_for_manifest(source.manifest, sheet=source.sheet)
    by_id = source.key_column is None
    column = id_column(head, source.id_column) if by_id else source.key_column
    if (problem := _column_problem(source, head)) is not None:
        raise InputError(problem)
    assert column is not None
    # `id` beside `ID ` (x45r5 F6); a deal id column found by its usual name is found in any
    # case: no spelling of the pair is the one read (x45r11 F2)
    refuse_alike(head, [column], source.header_row, "move-stage",
                 by_name=by_id and source.id_column is None, path=source.manifest)
    refs = await collected(ctx, read_refs(
        source.manifest, id_col=column if by_id else None, key_col=None if by_id else column,
        encoding=source.encoding, sheet=source.sheet, since=since,
        header_row=source.header_row))
    good = [r for r in refs if r.error is None]
    # the deals named, not the rows: a deal named twice is one deal (its second row a
    # duplicate, as the plan counts it; v57r1 F5: deal 20 twice at --limit 1 was refused)
    named = len({("id", r.deal_id) if by_id else ("key", r.key) for r in good})
    if source.limit is not None and named > source.limit:
        raise _too_many(source.limit, "are named in the manifest", f"{named:,} named")
    if by_id:
        found = await read_deals(ctx, [r.deal_id for r in good if r.deal_id is not None])
        deal_of = {str(i): d for i, d in found.items()}
    else:
        key_code, catalog = await ensure_key_field(ctx, catalog, source.key_field,
                                                   create=False, missing=READ_ONLY_KEY_ADVICE)
        deal_of = await index_deals_by_key(ctx, key_code, since=keys_scan_since(ctx.clock.wall()))
        prep.meta[META_KEY_FIELD] = key_code  # a resume looks for deals added with the keys
        prep.meta[META_KEY_CHANGED] = deal_of.changed  # ... and its plan prices that scan
    # deal id -> (row, line) that named it; matched row by row, where a stop or a cancel
    # lands (f24o)
    seen: dict[int, tuple[int, int]] = {}
    return [m async for ref in checked(ctx, refs)
            if (m := _match(ref, deal_of, prep, column, seen)) is not None]


def _column_problem(source: DealSource, head: Sequence[str]) -> str | None:
    """Why the manifest's header has no column naming the deals (None: it has one)."""
    if source.key_column is None:
        if id_column(head, source.id_column) is None:
            return ("the manifest has no deal_id, id or Deal - ID column; name it with "
                    "--id-column, "
                    "or use --key-column for source keys")
        return None
    return None if source.key_column in head else (
        twice_problem(head, source.key_column)
        or f"no column {source.key_column!r} in the manifest")


def _match(ref: Ref, deal_of: Mapping[str, Deal], prep: Prepared, column: str | None,
           seen: dict[int, tuple[int, int]]) -> tuple[int, str, Deal, Mapping[str, Any]] | None:
    """``ref``'s deal, or None with its row failed naming ``column`` (the id / key column:
    x20r2 F5, failed.csv left it empty); ``seen``: deal id -> (row, line) of the row that
    named it first."""
    if ref.error is not None:
        prep.fail(ref.row, None, ref.error.reason, op=OP, values=ref.values,
                  column=ref.error.column, line=ref.line)
        return None
    deal = deal_of.get(ref.label)
    problem = key_problem(deal_of, ref.label, hint=MOVE_ARCHIVED_HINT) if ref.deal_id is None else None
    if problem is not None:
        prep.fail(ref.row, ref.label, problem, op=OP, values=ref.values, column=column,
                  line=ref.line)
    elif deal is None:
        what = "id" if ref.deal_id is not None else "key"
        prep.fail(ref.row, ref.label, f"no deal with {what} {ref.label!r} (missing, "
                                      "deleted or archived)", op=OP, values=ref.values,
                  column=column, line=ref.line)
    elif int(deal["id"]) in seen:
        # a row names its deal only: every row asks the one move the command gives, so a
        # deal named again is one row written twice, never a contest (f29e: it was held,
        # duplicate-key, as an import holds a key whose rows write different things)
        at = where_row(*seen[int(deal["id"])])
        prep.skip(ref.row, ref.label, {
            "deal_id": int(deal["id"]), "action": "duplicate",
            "note": f"deal {deal['id']} is already named by {at} (the same move): decided "
                    "once, as that row"}, op=OP, values=ref.values, deal_id=int(deal["id"]))
    else:
        seen[int(deal["id"])] = (ref.row, ref.line)
        return ref.row, ref.label, deal, ref.values
    return None


async def move_catalog(ctx: CallContext, source: DealSource) -> Catalog:
    """The account metadata a move's names need: pipelines and stages always, users only
    for --owner, deal fields only for source keys (30 tokens saved when neither)."""
    return await load_catalog(ctx, users=source.query is not None and source.query.owner
                              is not None, deal_fields=source.key_column is not None)


async def prepare_move(ctx: CallContext, source: DealSource, target: MoveTarget,
                       catalog: Catalog, *, now: float | None = None) -> Prepared:
    """Resolve the target, select the deals, and decide each deal's PATCH (or none)."""
    taken = ctx.clock.wall() if now is None else now
    from_pipeline = source.query.pipeline if source.query is not None else None
    # names and the manifest's columns first, every problem at once (f24c F4: one a run):
    # nothing is read if they are wrong
    problems = target.problems(catalog, from_pipeline)
    if source.manifest is not None and source.query is None:
        head = manifest_header(source.manifest, encoding=source.encoding, sheet=source.sheet,
                               header_row=source.header_row)
        problems += filter(None, [_column_problem(source, head)])
    if problems:
        raise InputError("; ".join(problems))
    wanted = target.body(catalog, from_pipeline)
    prep = Prepared("move-stage", meta={"target": wanted})
    if source.query is not None and source.manifest is None:  # re-checked after a wait
        prep.meta[META_SELECTION] = {k: v for k, v in source.query.params(catalog).items()
                                     if k in _RECHECKED}
        # what the selection's ids are called: a deal no longer selected is said by name
        # ("owner_id is Ann Lee now, not Tom Becker"), not "is 2 now, not 3" (f27d 2)
        named = prep.meta.setdefault(META_VALUE_LABELS, {})
        for name in prep.meta[META_SELECTION]:
            if name not in named and (names := catalog.value_names(name)):
                named[name] = names
    stage = next(s for s in catalog.stages if s.id == wanted["stage_id"])
    prep.notes.append(f"to stage {stage.name!r} of pipeline "
                      f"{catalog.pipeline_by_id(stage.pipeline_id).name!r}"
                      + (f", status {target.status}" if target.status else "")
                      + (f" ({target.lost_reason})" if target.lost_reason else ""))
    types = field_types(catalog.deal_fields)
    async for row, key, deal, values in checked(ctx, await select(ctx, source, catalog, prep)):
        deal_id = int(deal["id"])
        changes = deal_changes(deal, wanted, types=types)
        if not changes:
            prep.skip(row, key, {"deal_id": deal_id, "action": "unchanged"}, op=OP,
                      values=values, deal_id=deal_id)
            continue
        remember_labels(prep, changes, catalog)
        prep.count_fields(changes, catalog, deal)
        prep.add(NewItem(row=row, key=key, op=OP, payload={
            "deal_id": deal_id, "changes": changes, "fields": changed_names(changes, catalog),
            **row_values(values)}), "move")
        # what the move writes (x14r1 F1) and the rest of its target: a status it holds
        # already is compared at each re-read too (x43r3 F2: a colleague's "won" at the
        # prompt was moved to the new stage and reported moved); undo puts back only the
        # written part (``jobs.deals.written_part``)
        image = before_image(deal, {**wanted, **changes})
        prep.images.append(BeforeImage("deal", deal_id, None, image, taken))
    prep.calls["updateDeal"] += prep.actions["move"]
    return prep


__all__ = ["MOVE_COLUMNS", "DealSource", "MoveStageJob", "MoveTarget", "check_move", "move_catalog",
           "prepare_move", "select"]
