"""The dedupe state directory: remembered keep-separate decisions and the nightly index.

Files (all rewritten atomically: a temporary file, then a rename):
- ``keep-separate.json``: ``[[a, b], ...]`` deal-id pairs a person marked distinct
  (``decision = keep-separate`` in groups.csv); they are passed to
  ``find_duplicates(keep_separate=...)`` and never proposed again.
- ``index-v1.json``: one compact ``DealRecord`` per live deal, as a JSON array
  (id, title, status, org and its name, person, value, currency, pipeline, stage
  and its order, owner, add/update time in Unix seconds, expected close, archived,
  non-empty custom fields, the other non-empty fields a merge can lose:
  ``DealRecord.more``, and the close time of a won / lost deal: its won_time / lost_time);
  100,000 deals: about 1 s to load or save,
  and ``index.json``: ``{"updated_since": RFC 3339, "deals": n, "pending": [ids], "at_since":
  [ids], "review": [ids]}`` — the largest ``update_time`` the index has seen, as Pipedrive's
  clock gave it, so the next ``--since-last`` run pulls ``GET /api/v2/deals?updated_since=``
  (spec: openapi-v2.yaml ``getDeals``) and nothing else; ``pending``: deals of groups the
  last apply wanted but did not finish, and the late copies its plan left out of their
  groups (``Group.left_out``), compared again with the changed ones; ``at_since``: the deals updated in that
  very second — the pull is inclusive (times have 1 s resolution), so they come
  back unchanged and are not compared again (``DealIndex.seen``), while a deal
  changed later in the same second is (its record differs); ``review``: the deals of the
  last plan's review groups, proposed again by each ``--since-last`` plan until decided.
- ``config.toml``: a copy of the dedupe config the last ``dedupe run`` or ``dedupe plan``
  was given (``--config``); a run, plan or ``plan dedupe`` given none uses it
  (``remembered_config``), so a nightly run never forgets an identifier guard.
- ``merges.json``: ``[[merged_id, survivor_id, record, state], ...]`` — every merge an
  apply sent, with the merged-away deal's compact record as the plan's re-read
  saw it: ``intended`` once the apply is confirmed, right before it is sent (a
  killed apply has it too; a cancelled one writes nothing), ``confirmed`` once
  Pipedrive made it (the job's item done; also on ``pdbulk resume``). Only a
  confirmed entry proves that a deal gone now was merged by us. A survivor stands
  for the deals merged into it: ``absorbed`` gives each live
  deal the records of the deals merged into it (through chains), so a guard or
  a keep-separate pair that held through a merged-away deal still holds
  through its survivor, and the next plan does not propose what this one kept
  apart (a nightly run converges). An entry whose merged deal is still live
  (the merge failed or was never sent) is ignored.

``dedupe plan --since-last`` leaves the state's index as it is and writes the index
it refreshed into the plan directory (``index/``, with the index time it started
from); ``dedupe apply`` of that plan installs it (``install_plan_index``) unless a
run moved the state's index meanwhile. So a plan nobody applies never hides its
groups from the next nightly run. Any other apply drops the deals it merged away from the
state's index (``forget_merged``).

Why ~510 lines: every file of the state directory is read and written here (decisions,
merges, makers, config, the index and its plan copy), under one lock and one atomic write;
apart, two writers of one folder would each need the other's format.
"""

from __future__ import annotations

import fcntl
import hashlib
import itertools
import os
from collections.abc import Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import orjson

from bulk.errors import InputError, JobBusy
from bulk.store import make_private, private_tree

from .decisions import CONFIG  # the matching config the last run / plan was given
from .model import DealRecord


def _ts(t: datetime | None) -> int | None:
    return None if t is None else int(t.timestamp())


def _row(r: DealRecord) -> list[object]:
    """A record as a compact JSON array (times as Unix seconds)."""
    return [r.id, r.title, r.status, r.org_id, r.org_name, r.person_id, r.value, r.currency,
            r.pipeline_id, r.stage_id, r.stage_order, r.owner_id, _ts(r.add_time),
            _ts(r.update_time),
            None if r.expected_close_date is None else r.expected_close_date.isoformat(),
            r.is_archived, dict(r.fields) or None, dict(r.more) or None, _ts(r.close_time),
            r.person_name, list(r.person_keys) or None]


def _time(ts: int | None) -> datetime | None:
    return None if ts is None else datetime.fromtimestamp(ts, UTC)


def _from_row(row: list[Any]) -> DealRecord:
    (i, title, status, org_id, org_name, person_id, value, currency, pipeline_id, stage_id,
     stage_order, owner_id, add, update, ecd, archived, fields, *more) = row
    # an older row: no 18th cell (more) or no 19th (close time: unknown, so the recurring
    # rule holds a pair with that closed deal to review; ``DealIndex.load`` reads an older
    # index with closed deals whole again) or no 20th (the person's name: not known) or no
    # 21st (the person's ``person_keys``: none, so no other record is read as that person)
    return DealRecord(i, title, status, org_id, org_name, person_id, value, currency,
                      pipeline_id, stage_id, stage_order, owner_id, _time(add), _time(update),
                      None if ecd is None else date.fromisoformat(ecd), archived, fields or {},
                      (more[0] if more else None) or {},
                      _time(more[1]) if len(more) > 1 else None,
                      person_name=more[2] if len(more) > 2 else None,
                      person_keys=tuple(more[3] or ()) if len(more) > 3 else ())

ROW_CELLS = 19  # an index row's cells that a closed deal needs (21 now: + the person's name
#                 and its ``person_keys``;
#                 18: no close time; 17: no ``more`` either)
compact_row, from_compact_row = _row, _from_row  # a DealRecord as a JSON array and back


KEEP_SEPARATE, INDEX, INDEX_META = "keep-separate.json", "index-v1.json", "index.json"
PLAN_INDEX, PLAN_BASE = "index", "base.json"  # in a plan directory
MERGES = "merges.json"
MAKERS = "merged-by.json"  # merged-away deal id -> the job whose merge of it was answered
INTENDED, CONFIRMED = "intended", "confirmed"  # a merges.json entry's state
LOCK = "lock"


class StateBusy(JobBusy):
    """Another live process holds the dedupe state directory (the CLI's busy exit code, 6:
    try later)."""


_HELD: set[Path] = set()  # the state directories this process holds (state_lock)


@contextmanager
def state_lock(state: Path, *, again: bool = False) -> Iterator[None]:
    """Hold the state directory for one apply/run (an OS lock: released if the process
    dies). Raises ``StateBusy`` at once when another holder has it. ``again``: a hold this
    process has already is enough (a job's ``after_run`` settles the index under the lock
    its run holds)."""
    where = Path(os.path.abspath(state))
    if again and where in _HELD:
        yield
        return
    with _state_lock(state):
        _HELD.add(where)
        try:
            yield
        finally:
            _HELD.discard(where)


@contextmanager
def _state_lock(state: Path) -> Iterator[None]:
    state.mkdir(parents=True, exist_ok=True)
    private_tree(state)  # deal snapshots, names: 0700 / 0600 like a job folder, whatever the umask
    with open(state / LOCK, "a+") as f:
        try:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise StateBusy(f"another pdbulk dedupe is running on {state}; try again "
                            "later") from None
        try:
            yield
        finally:
            private_tree(state)  # what the run wrote there (plans/TIME/ too)
            fcntl.flock(f.fileno(), fcntl.LOCK_UN)


def remember_config(state: Path, path: Path) -> bool:
    """Keep a copy of the dedupe config file ``path`` (its bytes) in the state directory
    (``CONFIG``, 0600), so that a later run given no ``--config`` matches as this one
    did (``remembered_config``). Whether the copy changed. ``OSError`` when ``path``
    cannot be read (load it first: ``DedupeConfig.load`` says so as an InputError)."""
    data = Path(path).read_bytes()
    kept = state / CONFIG
    if kept.is_file() and kept.read_bytes() == data:
        return False
    _write(kept, data)
    return True


def remembered_config(state: Path) -> tuple[Path, str] | None:
    """The config file the state directory keeps (``remember_config``) and the first 12
    hex digits of its SHA-256; None when it keeps none."""
    kept = state / CONFIG
    if not kept.is_file():
        return None
    return kept, hashlib.sha256(kept.read_bytes()).hexdigest()[:12]


def _write(path: Path, data: bytes) -> None:
    """Write ``path`` atomically, private (0600; a folder it makes 0700) whatever the umask."""
    if not path.parent.is_dir():
        path.parent.mkdir(parents=True, exist_ok=True)
        make_private(path.parent)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def _local_keep_separate(state: Path) -> set[frozenset[int]]:
    path = state / KEEP_SEPARATE
    if not path.is_file():
        return set()
    try:
        raw = orjson.loads(path.read_bytes())
        return {frozenset(int(x) for x in pair) for pair in raw}
    except (orjson.JSONDecodeError, TypeError, ValueError):
        raise InputError(f"{path} is damaged (not a JSON list of deal-id pairs)") from None


def load_keep_separate(state: Path, *, share: bool = False) -> set[frozenset[int]]:
    """The remembered keep-separate pairs (empty when none were recorded): the state
    directory's, and under a shared coordinator every host's of the company
    (``decisions.sync``, x38r2 F2). ``share``: also share what this folder decided (or
    forgot) with the company's journal — an apply or a run; a plan only reads (f39c).
    Blocking (files, Redis): a caller on the event loop runs it in a thread. Raises
    InputError (a damaged file), CoordinatorLost."""
    from .decisions import sync

    return sync(state, _local_keep_separate(state), share=share)


def remember_keep_separate(state: Path, groups: Iterable[Iterable[int]]) -> int:
    """Record every pair of each group as distinct (shared with the company's other hosts
    under a shared coordinator: ``decisions.sync``); returns how many pairs were new."""
    from .decisions import sync

    known = _local_keep_separate(state)
    new = {frozenset(p) for ids in groups for p in itertools.combinations(sorted(set(ids)), 2)}
    added = len(new - known)
    if added:
        pairs = sorted(sorted(p) for p in known | new)
        _write(state / KEEP_SEPARATE, orjson.dumps(pairs))
    sync(state, known | new)
    return added


def _merge_entry(entry: list[Any]) -> tuple[int, int, DealRecord, bool]:
    m, sv, row, *rest = entry
    return int(m), int(sv), _from_row(row), bool(rest and rest[0] == CONFIRMED)


def load_merges(state: Path, *, confirmed_only: bool = False
                ) -> dict[int, tuple[int, DealRecord]]:
    """Merged-away deal id -> (its survivor, its record), as applies recorded them;
    ``confirmed_only``: only the merges Pipedrive confirmed (sent and answered, or found
    done by a reconcile) — the proof that a deal gone now was merged by us."""
    return {m: (sv, r) for m, (sv, r, ok) in _load_merge_entries(state).items()
            if ok or not confirmed_only}


def _load_merge_entries(state: Path) -> dict[int, tuple[int, DealRecord, bool]]:
    path = state / MERGES
    if not path.is_file():
        return {}
    try:
        return {m: (sv, r, ok) for m, sv, r, ok in map(_merge_entry, orjson.loads(path.read_bytes()))}
    except (orjson.JSONDecodeError, TypeError, ValueError, IndexError):
        raise InputError(f"{path} is damaged (not a JSON list of [merged, survivor, deal, "
                         "state]); delete it to forget which deals were merged into which") from None


def remember_makers(state: Path, made: Mapping[int, str],
                    reconciled: Mapping[int, str] | None = None) -> None:
    """Record which job made each merge (merged-away id -> job id): ``made``, the merges
    whose answer the job recorded; ``reconciled``, those it settled by reading the deals
    back after a lost answer (x19r2 F2: left out, a later resume of a killed job took
    them for its own). A merge applies once, so another job's attempt in flight then did
    not (``load_makers``). An answered merge is that job's for good, over a reconciled one
    another job recorded; a reconciled one only where none is known. An unreadable file
    is started again."""
    raw = _load_raw_makers(state)
    changed = False
    for merged, job in (reconciled or {}).items():
        if str(merged) not in raw:
            raw[str(merged)], changed = {"job": job, "reconciled": True}, True
    for merged, job in made.items():
        if not isinstance(raw.get(str(merged)), str):
            raw[str(merged)], changed = job, True
    if changed:
        _write(state / MAKERS, orjson.dumps(raw))


def _load_raw_makers(state: Path) -> dict[str, Any]:
    try:
        raw = orjson.loads((state / MAKERS).read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return {}
    return raw if isinstance(raw, dict) else {}


def load_makers(state: Path) -> dict[int, str]:
    """Merged-away deal id -> the job that made its merge (``remember_makers``); {} when
    none was recorded or the file is unreadable (it only refines a report)."""
    out: dict[int, str] = {}
    for merged, job in _load_raw_makers(state).items():
        if isinstance(job, dict):
            job = job.get("job")
        try:
            if isinstance(job, str):
                out[int(merged)] = job
        except ValueError:
            continue
    return out


def remember_merges(state: Path, merges: Iterable[tuple[int, int, DealRecord]], *,
                    confirmed: bool = False) -> int:
    """Record merges (merged id, survivor id, the merged deal's record); how many entries
    changed. ``confirmed=False``: merges about to be sent (``intended``: a killed run
    leaves them, and they hold guards apart through the survivor, but prove nothing);
    ``confirmed=True``: merges Pipedrive made. A confirmed entry is never downgraded."""
    known = _load_merge_entries(state)
    new: dict[int, tuple[int, DealRecord, bool]] = {}
    for m, sv, r in merges:
        old = known.get(m)
        if old is not None and old[0] == sv and (old[2] or not confirmed):
            continue
        new[m] = (sv, r, confirmed)
    if new:
        known.update(new)
        _write(state / MERGES, orjson.dumps([
            [m, sv, _row(r), CONFIRMED if ok else INTENDED]
            for m, (sv, r, ok) in sorted(known.items())]))
    return len(new)


def absorbed(merges: Mapping[int, tuple[int, DealRecord]],
             live: Collection[int]) -> dict[int, list[DealRecord]]:
    """Live deal id -> the records of the deals merged into it (directly or through a chain
    of merges). Merges whose merged deal is still live did not happen and are left out;
    a chain that ends at a deal no longer live is dropped."""
    out: dict[int, list[DealRecord]] = {}
    for merged, (survivor, record) in merges.items():
        if merged in live:
            continue
        seen = {merged}
        root = survivor
        while root not in live and root in merges and root not in seen:
            seen.add(root)
            root = merges[root][0]
        if root in live:
            out.setdefault(root, []).append(record)
    for records in out.values():
        records.sort(key=lambda r: r.id)
    return out


@dataclass
class DealIndex:
    """The account's deals as of the last run, and Pipedrive's time of the newest change."""

    deals: dict[int, DealRecord]
    updated_since: str | None  # RFC 3339; None: no index yet (a full read is needed)
    # deals of groups an apply wanted but did not finish (--max-merges, failed, stopped):
    # the next --since-last plan compares them again although they did not change
    pending: set[int] = field(default_factory=set)
    # the deals whose update_time is ``updated_since`` (1 s resolution): the next pull
    # (inclusive: ``updated_since`` is ">=") returns them again though they did not change
    at_since: set[int] = field(default_factory=set)
    review: set[int] = field(default_factory=set)  # the last plan's review groups' deals

    def seen(self, r: DealRecord) -> bool:
        """True when ``r`` is a deal this index already holds as of ``updated_since``: it
        came back only because the pull is inclusive of that second (not a change)."""
        return r.id in self.at_since and _stamp(r.update_time) == self.updated_since \
            and self.deals.get(r.id) == r

    @classmethod
    def load(cls, state: Path) -> DealIndex:
        meta_path, rows_path = state / INDEX_META, state / INDEX
        if not meta_path.is_file() or not rows_path.is_file():
            return cls({}, None)
        try:
            meta = orjson.loads(meta_path.read_bytes())
            rows = orjson.loads(rows_path.read_bytes())
            if any(len(row) < ROW_CELLS and row[2] in ("won", "lost") for row in rows):
                # written before the index kept close times: the recurring rule needs a
                # closed deal's won_time / lost_time, so read the account whole once
                return cls({}, None)
            deals = {r.id: r for r in map(_from_row, rows)}
            pending, at_since, review = ({int(i) for i in meta.get(k) or ()}
                                         for k in ("pending", "at_since", "review"))
        except (orjson.JSONDecodeError, TypeError, KeyError, ValueError, IndexError,
                AttributeError):
            raise InputError(f"the dedupe index in {state} is damaged; delete {INDEX} and "
                             f"{INDEX_META} there to rebuild it with a full read") from None
        return cls(deals, meta.get("updated_since"), pending, at_since, review)

    def refresh(self, changed: Iterable[DealRecord], gone: Iterable[int] = (), *,
                ceiling: str | None = None) -> None:
        """Take the changed deals in (closed-deleted ones out) and drop ``gone`` ids. The
        time (``updated_since``) never passes ``ceiling``, the time the run started: a deal
        whose update_time lies in the future (another integration's clock, a loaded record)
        moved it past the present, and every change after was never read (x24r4 5); such a
        deal is read, and compared, again until its time has come."""
        for r in changed:
            if r.status == "deleted":
                self.deals.pop(r.id, None)
            else:
                self.deals[r.id] = r
            stamp = _stamp(r.update_time)
            if stamp is not None:
                future = ceiling is not None and stamp > ceiling
                if future:
                    stamp = ceiling
                if self.updated_since is None or stamp > self.updated_since:  # type: ignore[operator]
                    self.updated_since = stamp
                    self.at_since = set()
                if stamp == self.updated_since and not future:
                    self.at_since.add(r.id)
        for deal_id in gone:
            self.deals.pop(deal_id, None)

    def org_names(self) -> Mapping[int, str]:
        return {r.org_id: r.org_name for r in self.deals.values() if r.org_id and r.org_name}

    def person_names(self) -> Mapping[int, str]:
        """The persons' names as the index holds them (a deal of an index row written before
        names were kept has none: its person is read again when the plan reads names)."""
        return {r.person_id: r.person_name for r in self.deals.values()
                if r.person_id and r.person_name is not None}

    def person_keys(self) -> Mapping[int, tuple[str, ...]]:
        """The persons' ``person_keys`` as the index holds them (x42r2 F5)."""
        return {r.person_id: r.person_keys for r in self.deals.values()
                if r.person_id and r.person_keys}

    def rekey_persons(self, keys: Mapping[int, tuple[str, ...]]) -> set[int]:
        """Lay persons' ``person_keys`` read now (``records.persons_since``) over the index's
        rows; returns the ids of the deals whose person's keys changed (an e-mail added
        may make two person records one person: compared again tonight)."""
        moved: set[int] = set()
        for deal_id, r in self.deals.items():
            now = keys.get(r.person_id) if r.person_id is not None else None
            if now is not None and now != r.person_keys:
                self.deals[deal_id] = replace(r, person_keys=now)
                moved.add(deal_id)
        return moved

    def rename_persons(self, names: Mapping[int, str]) -> set[int]:
        """Lay persons' names read now (``records.persons_since``) over the index's rows;
        returns the ids of the deals whose person's name changed (a rename to or from a
        catch-all name changes how their pairs score: compared again tonight)."""
        moved: set[int] = set()
        for deal_id, r in self.deals.items():
            name = names.get(r.person_id) if r.person_id is not None else None
            if name is not None and name != r.person_name:
                self.deals[deal_id] = replace(r, person_name=name)
                moved.add(deal_id)
        return moved

    def rename_orgs(self, names: Mapping[int, str]) -> set[int]:
        """``rename_persons`` for organizations (``records.orgs_since``): an org renamed to
        or from a catch-all name, or to another company's, scores its deals' pairs anew."""
        moved: set[int] = set()
        for deal_id, r in self.deals.items():
            name = names.get(r.org_id) if r.org_id is not None else None
            if name and name != r.org_name:
                self.deals[deal_id] = replace(r, org_name=name)
                moved.add(deal_id)
        return moved

    def save(self, state: Path) -> None:
        _write(state / INDEX, orjson.dumps([_row(r) for r in sorted(self.deals.values(),
                                                                    key=lambda r: r.id)]))
        _write(state / INDEX_META, orjson.dumps({
            "updated_since": self.updated_since, "deals": len(self.deals),
            "pending": sorted(self.pending & self.deals.keys()),
            "at_since": sorted(self.at_since), "review": sorted(self.review & self.deals.keys())}))


def wall_stamp(seconds: float) -> str:
    """Unix seconds as the index keeps ``updated_since`` (whole seconds, rounded down)."""
    return datetime.fromtimestamp(int(seconds), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _stamp(t: datetime | None) -> str | None:
    """A time as the index keeps ``updated_since`` (RFC 3339, UTC, whole seconds)."""
    return None if t is None else t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def indexed_since(state: Path) -> str | None:
    try:
        meta = orjson.loads((state / INDEX_META).read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return None
    return meta.get("updated_since") if isinstance(meta, dict) else None


def save_plan_index(index: DealIndex, plan_dir: Path, base: str | None) -> None:
    """Keep a plan's refreshed index in the plan directory, with the time it started from."""
    index.save(plan_dir / PLAN_INDEX)
    _write(plan_dir / PLAN_INDEX / PLAN_BASE, orjson.dumps({"base": base}))


def install_plan_index(plan_dir: Path, state: Path, gone: Iterable[int],
                       pending: Iterable[int] = ()) -> str | None:
    """Make a plan's index (``save_plan_index``) the state's, without the deals merged away,
    ``pending`` added to the deals it holds pending (the plan's late copies); a line saying
    what happened, or None when the plan has no index. Refused (the line says why) when the
    state's index moved since the plan read it."""
    folder = plan_dir / PLAN_INDEX
    if not (folder / PLAN_BASE).is_file():
        return None
    try:
        base = orjson.loads((folder / PLAN_BASE).read_bytes())["base"]
    except (orjson.JSONDecodeError, TypeError, KeyError):
        raise InputError(f"{folder / PLAN_BASE} is damaged; make the plan again") from None
    if indexed_since(state) != base:
        return (f"the index in {state} moved since this plan (another run); it stays as "
                "it is")
    index = DealIndex.load(folder)
    index.refresh((), gone=gone)
    index.pending |= set(pending)  # ... with the late copies the plan left out (f37d 1)
    index.save(state)
    return f"index: {index_state(index)} ({state})"


def index_state(index: DealIndex) -> str:
    """``3,120 deals as of 2026-12-04T02:30:11Z`` (the newest change the index saw); an
    index that saw no deal (an empty account) has no such time: ``0 deals (none seen yet:
    the next --since-last plan reads every deal)`` (x38r2 F9: "as of None")."""
    if index.updated_since is None:
        return (f"{len(index.deals):,} deals (none seen yet: the next --since-last plan "
                "reads every deal)")
    return f"{len(index.deals):,} deals as of {index.updated_since}"


def forget_merged(state: Path, gone: Collection[int]) -> str | None:
    """Drop the deals an apply merged away (``gone``) from the state's nightly index, when
    there is one and it holds any of them (an apply of a plan made without --since-last, or
    whose index was not installed): the next ``--since-last`` run does not compare them again,
    whatever ``deleted_since`` reports. Its time (``updated_since``) does not move. A line
    saying what changed, or None. InputError for a damaged index (``DealIndex.load``)."""
    if not gone or not (state / INDEX_META).is_file():
        return None
    index = DealIndex.load(state)
    dropped = set(gone) & index.deals.keys()
    if not dropped:
        return None
    index.refresh((), gone=dropped)
    index.save(state)
    return f"index: {len(dropped):,} merged-away deal(s) dropped ({state})"


__all__ = ["CONFIG", "DealIndex", "StateBusy", "indexed_since", "wall_stamp",
           "absorbed", "compact_row", "from_compact_row",
           "forget_merged", "index_state", "load_keep_separate", "install_plan_index",
           "load_merges", "remember_config", "remember_keep_separate", "remember_merges",
           "remembered_config", "save_plan_index", "state_lock"]
