"""A long load says where it is (x39r3: a 50 MB plan was minutes of silence in a cron log):
``plan import`` and ``import`` tell a ``jobs.load_progress.LoadProgress`` the rows of each
whole pass over the manifest; without a terminal it says a plain line every 30 s of its
clock (rows read of about how many, the pass, elapsed), none for a short read; on a
terminal a live line, cleared before the load's own lines. The clock is a counter here:
nothing sleeps."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import orjson
import pytest
from typer.testing import CliRunner

from bulk.clock import FakeClock
from bulk.coordinator import ENV_COORDINATOR
from bulk.engine import Engine, EngineConfig
from bulk.sandbox import SandboxConfig
from bulk.store import ItemState, JobStore
from jobs.import_load import import_job, plan_import
from jobs.import_rows import ImportSettings
from jobs.importing import ImportJob
from jobs.load_progress import LoadProgress, lines_in
from jobs.load_stop import STOP_CHECK_ROWS, stoppable
from jobs.mapping import Mapping
from pdbulk.cli import app
from tests.inproc_sandbox import InProcessSandbox
from tests.sandbox_helpers import ThreadedSandbox

ROWS = 3000
MAPPING = ('[import]\nkey_column = "id"\n[deal]\ntitle = "title"\nvalue = "value"\n'
           '[person]\nname = "contact"\nemail = "email"\n')
LINE = re.compile(r"^loading: ([\d,]+) of about 3,000 rows read \(pass (\d+): ([a-z ,]+)\), "
                  r"(\d+):(\d\d) elapsed$")


class Ticking:
    """A clock that moves ``step`` seconds each time it is read (a pass's checks)."""

    def __init__(self, step: float) -> None:
        self.t, self.step = 0.0, step

    def __call__(self) -> float:
        self.t += self.step
        return self.t


def _files(tmp_path: Path, rows: int = ROWS) -> tuple[ImportSettings, Path]:
    manifest, mapping = tmp_path / "in.csv", tmp_path / "m.toml"
    manifest.write_text("id,title,value,contact,email\n" + "".join(
        f"k{i},Deal {i},{i},Person {i % 97},p{i % 97}@x.example\n" for i in range(rows)))
    mapping.write_text(MAPPING)
    return ImportSettings(manifest=str(manifest), mapping=str(mapping), mode="upsert",
                          create_key_field=True), mapping


def _checked(lines: list[str]) -> list[tuple[int, int, str, int]]:
    """Each line's rows, pass number, pass and elapsed seconds; every line of the form."""
    out = []
    for line in lines:
        m = LINE.match(line)
        assert m, line
        out.append((int(m[1].replace(",", "")), int(m[2]), m[3], int(m[4]) * 60 + int(m[5])))
    return out


def test_a_pass_says_a_line_every_30_s_of_its_clock_and_none_when_short() -> None:
    """A pass of 10,000 rows at 1 s a check (256 rows): a line every 30 checks; the same
    pass at 0.1 s a check (under 30 s in all) says nothing."""
    said: list[str] = []
    progress = LoadProgress(said.append, now=Ticking(1.0), total=lambda: 10_000)
    assert sum(1 for _ in stoppable(range(10_000), None, progress.watch("deciding the rows"))) \
        == 10_000
    checks = -(-10_000 // STOP_CHECK_ROWS)  # 40
    assert len(said) == checks // 30 == 1 and progress.lines == 1
    assert said[0] == ("loading: 7,424 of about 10,000 rows read (pass 1: deciding the rows), "
                       "0:30 elapsed"), said
    quiet: list[str] = []
    short = LoadProgress(quiet.append, now=Ticking(0.1), total=lambda: 10_000)
    for _ in stoppable(range(10_000), None, short.watch("deciding the rows")):
        pass
    assert quiet == []


def test_on_a_terminal_the_line_is_live_and_cleared_before_the_loads_own_lines() -> None:
    """With ``live``: the line is rewritten each second of the clock, never said as a plain
    line; a line of the load's own (``said``) clears it first, as does ``clear``."""
    shown: list[str] = []
    said: list[str] = []
    progress = LoadProgress(said.append, live=shown.append, now=Ticking(0.5), total=lambda: None)
    for _ in stoppable(range(5000), None, progress.watch("learning the decimal marks")):
        pass
    assert said == [] and len(shown) == 10, shown  # 20 checks at 0.5 s: one a second
    assert shown[-1].startswith("loading: 4,864 rows read (pass 1: learning the decimal marks)")
    progress.said(said.append)("a note")
    assert shown[-1] == "" and said == ["a note"]
    progress.clear()  # already cleared: nothing more
    assert shown.count("") == 1


def test_lines_in_counts_a_text_manifests_rows_about(tmp_path: Path) -> None:
    """The "of about" figure: a CSV's lines less its header; none for a workbook."""
    settings, _ = _files(tmp_path, 1234)
    assert lines_in(settings.manifest) == 1234
    assert lines_in(tmp_path / "book.xlsx") is None


@pytest.mark.anyio
async def test_plan_import_says_where_its_passes_are(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``plan_import`` of 3,000 rows, its progress clock at 4 s a check: lines name the
    passes (contacts learned, rows decided), their rows of about 3,000, and an elapsed
    time that grows — before, the plan took no progress and said nothing until its end."""
    monkeypatch.delenv(ENV_COORDINATOR, raising=False)
    settings, mapping = _files(tmp_path)
    sb = InProcessSandbox(SandboxConfig(deals=0, clock=FakeClock()))
    cfg = EngineConfig(base_url=sb.url, plan=sb.config.plan, job_root=tmp_path / "jobs",
                       daily_tokens=sb.config.daily_tokens)
    store = JobStore.create(tmp_path / "jobs" / "p", job_id="p", kind="none", config={})
    said: list[str] = []
    progress = LoadProgress(said.append, now=Ticking(4.0),
                            total=lambda: lines_in(settings.manifest))
    try:
        async with Engine.open(cfg, sb.token, store=store, clock=FakeClock(),
                               transport=sb.transport) as engine:
            _, counts = await plan_import(engine.ctx, settings, Mapping.load(mapping),
                                             engine.scheduler.limits, stats=engine.stats,
                                             scheduler=engine.scheduler.statistics,
                                             progress=progress)
    finally:
        store.close()
    assert counts.create == ROWS
    lines = _checked(said)
    passes = {what for _, _, what, _ in lines}
    # (its value column's mark: "auto"; the contacts on a read of their own since a row
    # failing on its own cells lends nothing: x45r1 F1)
    assert passes == {"learning the decimal marks", "learning the persons and organizations",
                      "deciding the rows"}, said
    assert [s for *_, s in lines] == sorted(s for *_, s in lines)  # elapsed grows
    assert all(0 < rows < ROWS for rows, *_ in lines)
    assert all(b - a >= 30 for a, b in zip([s for *_, s in lines], [s for *_, s in lines][1:],
                                           strict=False))


@pytest.mark.anyio
async def test_the_import_load_says_where_its_passes_are(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``import_job``'s load of the same file says the same lines through ``say`` (before:
    the two lines of its start and its end, nothing between)."""
    monkeypatch.delenv(ENV_COORDINATOR, raising=False)
    settings, mapping = _files(tmp_path)
    clock = FakeClock()
    sb = InProcessSandbox(SandboxConfig(deals=0, clock=clock))
    cfg = EngineConfig(base_url=sb.url, plan=sb.config.plan, job_root=tmp_path / "jobs",
                       daily_tokens=sb.config.daily_tokens)
    store = JobStore.create(tmp_path / "jobs" / "a", job_id="a", kind="import",
                            config={"engine": cfg.to_json(), "import": settings.to_json()})
    said: list[str] = []
    progress = LoadProgress(said.append, now=Ticking(4.0),
                            total=lambda: lines_in(settings.manifest))

    class _Loaded(Exception):
        pass

    def stop_at_the_run(engine: Any) -> Any:
        raise _Loaded

    try:
        with pytest.raises(_Loaded):
            await import_job(store, ImportJob(store, settings), Mapping.load(mapping), cfg,
                             sb.token, say=said.append, clock=clock, transport=sb.transport,
                             around_run=stop_at_the_run, progress=progress)
        assert store.counts()[ItemState.PENDING] == ROWS
    finally:
        store.close()
    lines = _checked([line for line in said if line.startswith("loading: ")])
    assert "deciding the rows" in {what for _, _, what, _ in lines}, said


def test_a_short_plan_without_a_terminal_prints_no_load_line(tmp_path: Path) -> None:
    """The CLI's ``plan import --json`` of a short file: stdout is one JSON object, stderr
    holds no load line (read in well under 30 s)."""
    settings, mapping = _files(tmp_path, 200)
    with ThreadedSandbox(SandboxConfig(deals=0, seed=3)) as sb:
        res = CliRunner().invoke(app, ["plan", "import", settings.manifest, "--mapping",
                                       str(mapping), "--create-key-field", "--json",
                                       "--url", sb.url,
                                       "--failed-csv", str(tmp_path / "pf.csv")],
                                 env={"PIPEDRIVE_API_TOKEN": sb.config.token})
    assert res.exit_code == 0, res.output
    assert orjson.loads(res.stdout)["calls"]
    assert "loading:" not in res.stderr


@pytest.mark.anyio
async def test_the_update_load_says_where_its_passes_are(tmp_path: Path) -> None:
    """``prepare_update`` of 3,000 rows (50 deals, each named 60 times) says the same
    lines: its passes (the deals named twice, their rows compared, the rows decided) —
    before, an update's load took no progress and said nothing."""
    from bulk.sandbox import serve
    from jobs.account import load_catalog
    from jobs.updating import UpdateMapping, prepare_update
    from tests.import_support import api_context

    async with serve(SandboxConfig(time_scale=0.02, deals=50, seed=7)) as sb:
        ids = sorted(d["id"] for d in sb.state.deals.rows.values() if not d["is_deleted"])
        manifest = tmp_path / "rows.csv"
        manifest.write_text("Deal,Title\n" + "".join(
            f"{ids[i % len(ids)]},Title {ids[i % len(ids)]}\n" for i in range(ROWS)))
        (tmp_path / "map.toml").write_text('version = 1\n[update]\nid_column = "Deal"\n'
                                           '[deal]\ntitle = "Title"\n')
        umap = UpdateMapping.load(tmp_path / "map.toml")
        said: list[str] = []
        progress = LoadProgress(said.append, now=Ticking(4.0), total=lambda: lines_in(manifest))
        async with api_context(sb, tmp_path / "ctx") as ctx:
            prep = await prepare_update(ctx, manifest, umap, await load_catalog(ctx),
                                        progress=progress)
    assert sum(prep.actions.values()) > 0
    passes = {what for _, _, what, _ in _checked(said)}
    assert passes == {"finding the deals named twice", "comparing the rows of a deal named twice",
                      "deciding the rows"}, said
