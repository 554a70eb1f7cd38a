"""An import's base after an undo that stopped before it finished (x53r1 F1-F3).

Import (A) -> ``pdbulk update`` U1 (B on every deal) -> ``pdbulk undo U1`` stopped at its
``--max-tokens`` cap, or killed, resumed or not -> U2 (or a colleague) -> the same,
unchanged import file: before, the first settled row of the undo noted U1 undone for
every deal, so on each deal the undo had not reached U1's write stood as the import's
base, the walk of priors stopped there, and the file's A read as a change: written over
U2's corrections and the colleague's values, "changed both" (54 of 80 deals), and over
U1's own values, unsaid (54 of 80). Now U1 is noted undone only once its undo is done,
and an undone update's write is the base only as a field's newest write (what the deal
still holds of it: x51r3 F1), never behind a later job's write.

The grid: every ordering of {the undo reaching half the deals (its plan), the undo
reaching the rest and finishing, U2 (the amount), a colleague (the title)} after import
and U1, each on deals whose file changed nothing, the title, the amount or both; the
oracle, per field: the file changed it -> the file's value; else whoever set it last —
the import or the undo's restore: the import's value; U2 or the colleague: theirs kept;
U1: kept while its undo is not done (a change made in Pipedrive since the import), the
file's once it is (disowned: x51r3 F1)."""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from typing import Any

import pytest

from jobs import last_written as lw
from tests.sandbox_helpers import ThreadedSandbox
from tests.test_plan_tokens import cli, engine
from tests.test_undo_restores_base import CONFIG, _run

URL = "https://acme.pipedrive.com"
SOURCE = "import Import source key"
FIELDS = ("title", "value")  # U1 writes both; U2 the amount; a colleague the title
N = 8  # deals: even ones reached by the undo's first run; file changes by (i // 2) % 4
EVENTS = ("plan", "rest", "U2", "col")


class _World:
    """Pipedrive's deals, who set each field last, and the record, kept in step."""

    def __init__(self) -> None:
        self.t = 1000.0
        self.pd: dict[int, dict[str, Any]] = {}
        self.last: dict[int, dict[str, str]] = {}
        self.u2_at: dict[int, float] = {}
        self.plan_at: float | None = None
        self.reached: set[int] = set()
        self.finished = False
        self.conn = lw._writable()
        self.names = lw._Names(self.conn)

    def write(self, job: str, source: str, values: dict[int, dict[str, Any]]) -> None:
        self.t += 1
        with self.conn:
            self.conn.execute("BEGIN IMMEDIATE")
            lw._note_source(self.conn, self.names.id("jobs", job), source)
            lw._put(self.conn, self.names, self.names.id("accounts", lw._account(URL)),
                    self.names.id("jobs", job),
                    [(d, f, lw.digest(v), self.t) for d, fs in values.items()
                     for f, v in fs.items()])
        for d, fs in values.items():
            self.pd.setdefault(d, {}).update(fs)
            self.last.setdefault(d, {}).update(dict.fromkeys(fs, job))
            if job == "U2":
                self.u2_at[d] = self.t

    def colleague(self) -> None:
        self.t += 1
        for d in range(N):
            self.pd[d]["title"] = f"C{d}"
            self.last[d]["title"] = "col"

    def undo(self, deals: list[int]) -> None:
        """The undo of U1 reaching ``deals`` (as ``jobs.undo.bases.settle_row`` gives the
        record each): refused whole when U2 wrote it before the undo's plan (a later job
        of this folder: nothing judged); else each field still as U1 wrote it put back,
        the others left (a conflict, in part or whole: rebased with ``left``)."""
        self.t += 1
        if self.plan_at is None:
            self.plan_at = self.t
        for d in deals:
            self.reached.add(d)
            if d in self.u2_at and self.u2_at[d] < self.plan_at:
                continue
            changed = {f for f in FIELDS if self.last[d][f] != "U1"}
            back = [f for f in FIELDS if f not in changed]
            lw.rebase(URL, {d: {f: lw.digest(self._a(d, f)) for f in FIELDS}}, undone="U1",
                      job="undo1", at=self.t, left={d: changed})
            if back:
                lw.forget(URL, [d], job="U1", only={d: set(back)})
            for f in back:
                self.pd[d][f] = self._a(d, f)
                self.last[d][f] = "undo"
        if len(self.reached) == N:
            self.finished = True
            lw.undone("U1")

    @staticmethod
    def _a(d: int, f: str) -> Any:
        return f"A{d}" if f == "title" else 1000 + d


def _file(d: int) -> dict[str, Any]:
    """The re-imported row: the import's values, changed in the fields (i // 2) % 4 says."""
    kind = (d // 2) % 4
    return {"title": f"E{d}" if kind in (1, 3) else f"A{d}",
            "value": 9000 + d if kind in (2, 3) else 1000 + d}


def _oracle(world: _World, d: int) -> dict[str, Any]:
    kind = (d // 2) % 4
    out = {}
    for f in FIELDS:
        changed = (f == "title" and kind in (1, 3)) or (f == "value" and kind in (2, 3))
        who = world.last[d][f]
        if changed or who in ("i1", "undo") or (who == "U1" and world.finished):
            out[f] = _file(d)[f]
        else:
            out[f] = world.pd[d][f]
    return out


def _reimport(world: _World) -> dict[int, dict[str, Any]]:
    """What the upsert of ``_file`` leaves on each deal: its load's three-way comparison
    (``jobs.import_rows``'s: ``of``, ``later``, ``held_undone``, ``met``, ``three_way``)."""
    record = lw.LastWritten.open(URL)
    assert record is not None
    record.source = SOURCE
    out = {}
    try:
        for d in range(N):
            now, row = world.pd[d], _file(d)
            changes = {f: v for f, v in row.items() if v != now[f]}
            base = record.of(d)
            later = record.later(d)
            base = lw.held_undone(base, record.undone_held(d), now)
            if later:
                base = lw.met(base, later, changes)
            decided = lw.three_way(now, changes, base) if changes else lw.ThreeWay({})
            out[d] = {f: decided.changes.get(f, now[f]) for f in FIELDS}
    finally:
        record.close()
    return out


def _orderings() -> list[tuple[str, ...]]:
    out = []
    for n in range(len(EVENTS) + 1):
        for steps in itertools.permutations(EVENTS, n):
            if "rest" in steps and ("plan" not in steps
                                    or steps.index("rest") < steps.index("plan")):
                continue
            out.append(steps)
    return out


@pytest.mark.parametrize("steps", _orderings(), ids=lambda s: "-".join(s) or "none")
def test_every_ordering_of_a_stopped_undo_keeps_what_was_set_since(
        steps: tuple[str, ...], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PDBULK_STATE_DIR", str(tmp_path / "state"))
    world = _World()
    try:
        world.write("i1", SOURCE, {d: {"title": f"A{d}", "value": 1000 + d} for d in range(N)})
        world.write("U1", "update", {d: {"title": f"B{d}", "value": 5000 + d}
                                     for d in range(N)})
        for step in steps:
            if step == "plan":
                world.undo([d for d in range(N) if d % 2 == 0])
            elif step == "rest":
                world.undo([d for d in range(N) if d % 2 == 1])
            elif step == "U2":
                world.write("U2", "update", {d: {"value": 6000 + d} for d in range(N)})
            else:
                world.colleague()
        got = _reimport(world)
        want = {d: _oracle(world, d) for d in range(N)}
    finally:
        world.conn.close()
    wrong = {d: (got[d], want[d], world.last[d]) for d in range(N) if got[d] != want[d]}
    assert not wrong, wrong


IMPORT = """version = 1
[import]
key_column = "Ref"
key_field = "Import source key"
mode = "upsert"
[defaults]
decimal = "."
currency = "USD"
[deal]
title = "Title"
value = "Value"
"""
UPDATE = """version = 1
[update]
key_column = "Ref"
key_field = "Import source key"
[defaults]
decimal = "."
currency = "USD"
[deal]
value = "Value"
"""
KEYS = [f"K{i}" for i in range(12)]


def _values(sb: Any) -> dict[str, Any]:
    return {d["title"].split(" ")[1]: d["value"] for d in sb.state.deals.rows.values()}


def _notes(output: str) -> dict[str, str]:
    from tests.import_support import read_csv
    folder = re.findall(r"job \S+-import-\w+ \(upsert\) in (\S+)", output)[-1]
    return {r["key"]: r["note"] for r in read_csv(Path(folder) / "succeeded.csv")}


@pytest.mark.parametrize("later", ["U2", "none"])
def test_a_capped_undo_then_the_unchanged_file_keeps_and_names_what_was_set_since(
        later: str, tmp_path: Path) -> None:
    """Import -> U1 (5000+i) -> undo U1 capped by --max-tokens (exit 4, some deals put
    back) -> [U2 (6000+i)] -> the same file: nothing written back; each deal the undo did
    not reach keeps the newest update's amount, its note naming that job (before: the
    file's 1000+i written over them, "changed both by pdbulk update U2", or silently
    over U1's)."""
    with ThreadedSandbox(CONFIG) as sb:
        jobs = tmp_path / "jobs"
        (tmp_path / "m.toml").write_text(IMPORT)
        (tmp_path / "u.toml").write_text(UPDATE)
        source = tmp_path / "f0.csv"
        source.write_text("Ref,Title,Value\n" + "".join(
            f"{k},Deal {k},{1000 + n}\n" for n, k in enumerate(KEYS)))
        _run(sb, jobs, "import", str(source), "-m", str(tmp_path / "m.toml"),
             "--create-key-field")
        jobs_of = {}
        for name, base in (("U1", 5000), *((("U2", 6000),) if later == "U2" else ())):
            (tmp_path / f"{name}.csv").write_text("Ref,Value\n" + "".join(
                f"{k},{base + n}\n" for n, k in enumerate(KEYS)))
            out = _run(sb, jobs, "update", str(tmp_path / f"{name}.csv"), "-m",
                       str(tmp_path / "u.toml"), "--yes")
            jobs_of[name] = re.findall(r"job (\S+-update-\w+)", out)[0]
            if name == "U1":
                capped = cli(sb, jobs, "undo", jobs_of["U1"], "--yes", "--max-tokens", "30",
                             *engine(sb, jobs))
                assert capped.exit_code == 4, capped.output
                after_undo = _values(sb)
                reached = {k for k in KEYS if after_undo[k] < 5000}
                assert 0 < len(reached) < len(KEYS), (after_undo, capped.output)
        before = _values(sb)
        again = _run(sb, jobs, "import", str(source), "-m", str(tmp_path / "m.toml"), "--yes")
        after = _values(sb)
        notes = _notes(again)
    assert after == before, (before, after, again)
    newest = jobs_of[later if later == "U2" else "U1"]
    for k in KEYS:
        if k in reached and later != "U2":
            assert not notes[k], notes[k]
            continue
        assert f"changed since by pdbulk update {newest}, not in the file: kept" \
            in notes[k], (k, notes[k])
        assert "changed both" not in notes[k], (k, notes[k])
