"""Mapping throughput and plan memory (issue 8): rows/s of an import's load, peak RSS of a plan.

(a) **rows/s**: the import's load phase without the network — read the demo's dirty
export (``jobs.demo_data.write_demo_export``, 50,000 rows), learn its decimal marks,
then map and decide every row (``RowPlanner.decide``: map, check, match persons and
organizations, build the stored item); "RowPlanner + contacts" learns the marks and the
whole-file contacts on one read (``learn_file``: each row's person and organization too,
before any row is decided), as ``pdbulk plan import`` does, and is the figure judged — against
``csv.DictReader`` over the same file and ``bulk.manifest.read_manifest`` alone, timed
in the same run (the ratios show what reading and mapping cost). The planner is built offline: the catalog and
the person / organization indexes come from the sandbox's seeded account (the
demo's: 200 deals), made in this process by ``bulk.sandbox``'s own seeding code, no
HTTP; upsert mode with an empty key index (a first import: every valid row a create).
Best of ``REPEATS`` passes, each in a fresh process (what a pass remembers — e-mail
verdicts, match keys — never helps the next; a pass on a loaded machine is noisy).

(b) **peak RSS**: ``pdbulk plan import`` of a generated 1,000,000-row export
(``jobs.demo_data.write_demo_rows``: the same dirt, ~1.5 % bad rows, persons =
rows / 7) against the sandbox in another process; the figure is the child's
high-water mark (``os.wait4``), so it is the plan's alone.

Targets (issue 8): ≥ 15,000 rows/s; peak RSS ≤ 150 MB. ``--quick``: 5,000 rows
for (a), 50,000 for (b).
"""

from __future__ import annotations

import csv
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from .harness import BenchArgs, Check, Row, SandboxProcess, progress

TITLE = "Mapping throughput and plan memory (demo's dirty export)"
FOOTNOTES = (
    "rows/s: rows ÷ wall of the whole pass (best of the passes, each in a fresh process); "
    "rows/CPU s: the same pass by its CPU time; ÷ DictReader: this runner's rows/s ÷ "
    "csv.DictReader's over the same file in this run",
    "read_manifest: the import's CSV reader alone (encoding, dialect, row numbers)",
    "RowPlanner: read_manifest + learn_marks (a second read of the file) + map + decide "
    "(the figure of earlier runs, kept for the ratio)",
    "RowPlanner + contacts: the same with learn_file (learn_marks and learn_contacts, "
    "mapping each row's person and organization, on one read) before the decide, as "
    "`pdbulk plan import` runs it; the target is judged on this one, by wall (its CPU "
    "figure beside it: on a loaded machine the wall one measures the load); it leaves out "
    "plan import's other reads of the file (keys, contested, similar keys) and its "
    "per-item work (failed rows' spill, re-check batches, claims): the plan import row "
    "below is the end-to-end figure",
    "plan import: `pdbulk plan import` in a child process, sandbox in another; peak MB = "
    "the child's ru_maxrss",
)
ROWS, QUICK_ROWS = 50_000, 5_000
PLAN_ROWS, QUICK_PLAN_ROWS = 1_000_000, 50_000
RATE_TARGET, RSS_TARGET = 15_000, 150
REPEATS = 3
KEY_CODE = "f" * 40  # the key field's code in the offline catalog


def offline_planner(manifest: Path, mapping_path: Path) -> Callable[[], Any]:
    """A factory of fresh ``RowPlanner``s for the demo export, built without a network:
    the catalog and indexes of the sandbox's seeded account (as the demo starts it)."""
    from bulk.clock import SystemClock
    from bulk.sandbox.config import SandboxConfig
    from bulk.sandbox.state import Account
    from jobs.account import DealsByKey, OrgIndex, PersonIndex
    from jobs.catalog import Catalog
    from jobs.import_load import manifest_header
    from jobs.import_rows import ImportSettings, Indexes, RowPlanner, effective_header
    from jobs.mapping import Mapping, compile_mapping

    acct = Account(SandboxConfig(deals=200, seed=7), SystemClock())
    key_field = {"field_code": KEY_CODE, "field_name": "Import source key",
                 "field_type": "varchar", "is_custom_field": True}
    catalog = Catalog.from_api(pipelines=list(acct.pipelines.values()),
                               stages=list(acct.stages.values()),
                               users=list(acct.users.values()),
                               deal_fields=[*acct.fields.values(), key_field])
    persons, orgs = PersonIndex(), OrgIndex()
    for person in acct.persons.rows.values():
        persons.add(person)
    for org in acct.orgs.rows.values():
        orgs.add(org)
    mapping = Mapping.load(mapping_path)
    settings = ImportSettings(str(manifest), str(mapping_path), "upsert")
    header = manifest_header(settings, mapping)

    def make() -> Any:
        mapper = compile_mapping(mapping, catalog, header=effective_header(mapping, header))
        planner = RowPlanner(mapper, KEY_CODE, "upsert",
                             Indexes(persons=persons, orgs=orgs, deals=DealsByKey()),
                             key_column=mapping.key_column)
        planner.read_columns = set(mapping.columns())
        planner.use(settings)
        return planner, settings
    return make


def _pass(runner: str, manifest: Path, mapping: Path) -> tuple[int, float, float]:
    """One timed pass of ``runner`` over ``manifest`` (in a fresh process: nothing a pass
    remembers, e-mail verdicts or match keys, helps the next): rows, wall and CPU seconds."""
    from bulk.manifest import read_manifest
    from jobs.import_load import _items, learn_file, learn_marks
    from jobs.load_progress import LoadProgress

    def dict_reader() -> int:
        with open(manifest, encoding="utf-8-sig", newline="") as f:
            return sum(1 for _ in csv.DictReader(f))

    def reader() -> int:
        return sum(1 for _ in read_manifest(manifest))

    make = offline_planner(manifest, mapping)  # built before the clock starts

    def planner(contacts: bool = False) -> int:
        p, settings = make()
        # as `plan import` runs it: its passes tell a progress line (no terminal, f39h)
        progress = LoadProgress(lambda _line: None) if contacts else None
        if contacts:  # the marks and contacts pass `plan import` runs (decide_and_write)
            learn_file(p, settings, progress=progress)
        else:
            learn_marks(p, settings)
        n = sum(1 for _ in _items(p, settings, progress=progress))
        assert p.counts.rows == n and p.counts.create + p.counts.bad == n, p
        return n

    count = {"csv.DictReader": dict_reader, "read_manifest": reader, "RowPlanner": planner,
             PLANNED: lambda: planner(contacts=True)}
    t0, c0 = time.perf_counter(), time.process_time()
    n = count[runner]()
    return n, time.perf_counter() - t0, time.process_time() - c0


PLANNED = "RowPlanner + contacts"  # what a user's `plan import` runs over the rows
RUNNERS = ("csv.DictReader", "read_manifest", "RowPlanner", PLANNED)


def measure_rates(directory: Path, rows: int) -> dict[str, tuple[int, float, float]]:
    """{runner: (rows, best wall seconds, its CPU seconds)} for DictReader, read_manifest,
    RowPlanner and RowPlanner + contacts, each pass in a fresh process, the runners' passes interleaved (a
    load on the machine weighs on all of them alike)."""
    from jobs.demo_data import write_demo_export

    export = write_demo_export(directory, rows=rows)
    best: dict[str, tuple[int, float, float]] = {}
    ctx = multiprocessing.get_context("spawn")
    for _ in range(REPEATS):
        for runner in RUNNERS:
            with ProcessPoolExecutor(max_workers=1, mp_context=ctx) as pool:
                n, wall, cpu = pool.submit(_pass, runner, export.manifest,
                                           export.mapping).result(timeout=600)
            if runner not in best or wall < best[runner][1]:
                best[runner] = (n, wall, cpu)
    for runner, (n, wall, cpu) in best.items():
        progress(f"{runner}: {n:,} rows, best {wall:.2f} s (CPU {cpu:.2f} s)")
    return best


def measure_plan_rss(directory: Path, rows: int) -> dict[str, Any]:
    """``pdbulk plan import`` of a ``rows``-row demo export in a child process: its exit
    code, wall seconds, peak RSS (MB) and what it printed (``--json``)."""
    import orjson

    from jobs.demo_data import MAPPING, write_demo_rows

    manifest = directory / "big.csv"
    progress(f"writing a {rows:,}-row export")
    write_demo_rows(manifest, rows)
    mapping = directory / "mapping.toml"
    mapping.write_text(MAPPING, encoding="utf-8")
    with SandboxProcess(plan="growth", deals=200, seed=7) as sb:
        # the state folder `make bench` gives, else one of its own: never the user's (f50d:
        # called alone, the child wrote the claims of ~/.local/state/pdbulk)
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token, "PIPEDRIVE_URL": sb.url,
               "PDBULK_STATE_DIR": os.environ.get("PDBULK_STATE_DIR")
               or str(directory / "state")}
        argv = [sys.executable, "-m", "pdbulk", "plan", "import", str(manifest), "-m",
                str(mapping), "--create-key-field", "--json",
                "--failed-csv", str(directory / "plan-failed.csv")]
        progress(f"pdbulk plan import of {rows:,} rows")
        with tempfile.TemporaryFile() as out:
            t0 = time.perf_counter()
            proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, env=env,
                                    cwd=Path(__file__).resolve().parent.parent)
            try:
                _, status, usage = os.wait4(proc.pid, 0)
            except BaseException:
                proc.kill()
                proc.wait()
                raise
            proc.returncode = os.waitstatus_to_exitcode(status)  # reaped by wait4
            wall = time.perf_counter() - t0
            out.seek(0)
            text = out.read().decode(errors="replace")
    plan: dict[str, Any] = {}
    try:
        plan = orjson.loads(text[text.index("{"):])
    except (ValueError, orjson.JSONDecodeError):
        pass
    return {"code": proc.returncode, "wall": wall, "peak": usage.ru_maxrss / 1024,
            "plan": plan, "output": text[-2000:]}


def run(args: BenchArgs) -> list[Row]:
    out: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="pdbulk-bench-mapping-") as tmp:
        rows = QUICK_ROWS if args.quick else ROWS
        rates = measure_rates(Path(tmp) / "demo", rows)
        base_n, base_s, _ = rates["csv.DictReader"]
        base = base_n / base_s
        for runner, (n, seconds, cpu) in rates.items():
            rate = n / seconds
            # judged by wall time; the CPU rate beside it tells a loaded machine apart
            checks = [Check(f"mapping >= {RATE_TARGET:,} rows/s (wall)", rate >= RATE_TARGET,
                            f"{rate:,.0f} rows/s by wall ({n / cpu:,.0f} rows per CPU "
                            "second)")
                      ] if runner == PLANNED else []
            out.append(Row(scenario=f"demo export, {n:,} rows", runner=runner, calls=n,
                           wall=seconds, extra={"rows/s": f"{rate:,.0f}",
                                                "rows/CPU s": f"{n / cpu:,.0f}",
                                                "÷ DictReader": f"{rate / base:.3f}"},
                           checks=checks))
        plan_rows = QUICK_PLAN_ROWS if args.quick else PLAN_ROWS
        m = measure_plan_rss(Path(tmp), plan_rows)
        plan = m["plan"]
        ok = m["code"] in (0, 3) and bool(plan)  # 3: some rows would fail (they do, on purpose)
        note = (f"exit {m['code']}; bad rows {plan.get('bad_rows', 0):,}" if ok
                else f"FAILED (exit {m['code']}): {m['output'][-300:]!r}")
        out.append(Row(scenario=f"plan import, {plan_rows:,} rows", runner="pdbulk plan",
                       calls=plan_rows, wall=m["wall"],
                       extra={"rows/s": f"{plan_rows / m['wall']:,.0f}",
                              "peak MB": f"{m['peak']:.0f}"},
                       note=note,
                       checks=[Check(f"plan import of {plan_rows:,} rows: peak RSS <= "
                                     f"{RSS_TARGET} MB", ok and m["peak"] <= RSS_TARGET,
                                     f"{m['peak']:.0f} MB")]))
    return out


if __name__ == "__main__":
    from .harness import format_table
    print(format_table(TITLE, run(BenchArgs(quick="--quick" in sys.argv)), FOOTNOTES))
