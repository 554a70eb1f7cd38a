"""Shared fixtures: anyio on asyncio (aiohttp is asyncio-only); Hypothesis profiles."""

import itertools
import os
import signal
import subprocess
import sys
from collections.abc import Iterator

import pytest
from hypothesis import settings

# CI runs a fixed, reproducible set of examples; locally Hypothesis explores.
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


def _click_command_built_once() -> None:
    """``typer.main.get_command(app)`` memoised per Typer app, for CliRunner and the
    in-process ``pdbulk.entry.main`` alike: typer builds the whole click tree (every
    command's signature and type hints read again) on each call, ~25 ms of CPU for
    pdbulk's, and ~1,100 tests of 125 files invoke the CLI in-process, some dozens of
    times each (f40e: 5 of those files 23.2 -> 8.0 CPU s). A process of pdbulk builds it
    once, as each test process now does: the click objects keep no state of an
    invocation (``pdbulk.cli.SafeGroup`` neither). An app whose commands change after it
    was built (none does) would need the memo dropped."""
    import typer.main
    import typer.testing

    real = typer.main.get_command
    built: dict[int, tuple[typer.Typer, object]] = {}  # the app kept: its id stays its own

    def get_command(app: typer.Typer) -> object:
        if id(app) not in built:
            built[id(app)] = (app, real(app))
        return built[id(app)][1]

    typer.main.get_command = get_command  # type: ignore[assignment]
    typer.testing._get_command = get_command  # type: ignore[assignment]


_click_command_built_once()


_SIGNALS = tuple(getattr(signal, n) for n in ("SIGINT", "SIGTERM", "SIGHUP")
                 if hasattr(signal, n))


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


_STATE = "PDBULK_STATE_DIR"
_state_root: list[str] = []  # this process's folder of the tests' state folders, once made
_state_count = itertools.count()


@pytest.fixture(autouse=True)
def _private_state_and_signals(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Each test gets its own claims file (bulk.claims), never the user's: a new, empty
    0700 folder of its own as PDBULK_STATE_DIR, which is put back as the test found it
    after it. And the SIGINT / SIGTERM / SIGHUP handlers as each test found them, put back
    after it (f32j 1): a test that runs ``pdbulk.entry.main`` in-process leaves its
    start-up handler (SIGTERM and SIGHUP raise KeyboardInterrupt), and a handler left
    installed fires in whichever test a later signal comes in — a KeyboardInterrupt there
    ends the whole run (seen from a Hypothesis gc callback, pytest's summary line lost).

    One fixture, environ set by hand, the folder made by ``os.mkdir`` in one folder this
    process made with ``tmp_path_factory``: pytest's per-fixture and per-``mktemp`` cost
    (~2 ms a test, ~21,500 tests; issue 8) paid once. A test's own ``monkeypatch`` of
    PDBULK_STATE_DIR is set up after this and undone before it."""
    if not _state_root:
        _state_root.append(str(tmp_path_factory.mktemp("state")))
    folder = os.path.join(_state_root[0], str(next(_state_count)))
    os.mkdir(folder, 0o700)
    had = os.environ.get(_STATE)
    os.environ[_STATE] = folder
    before = {sig: signal.getsignal(sig) for sig in _SIGNALS}
    try:
        yield
    finally:
        if had is None:
            os.environ.pop(_STATE, None)
        else:
            os.environ[_STATE] = had
        for sig, handler in before.items():
            if handler is not None and signal.getsignal(sig) is not handler:
                signal.signal(sig, handler)


@pytest.fixture
def sleeper() -> Iterator[int]:
    """The pid of another live process (a sleeping child): another run's holder of a
    claim, alive for the test (a module's own ``sleeper`` overrides this one)."""
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        yield proc.pid
    finally:
        proc.kill()
        proc.wait(10)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under pytest-xdist, each worker's first run of tests starts with the heavy files
    (``tests/heavy_first.py``: none of them the pass's tail); alone, collection order.
    Last, so ``-m`` / ``-k`` have deselected first; every worker orders alike."""
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "0"))
    if workers > 1:
        from tests.heavy_first import file_seconds, heavy_first

        items[:] = heavy_first(items, lambda item: item.path.name, workers, file_seconds())
