"""Shared fixtures: anyio on asyncio (aiohttp is asyncio-only); Hypothesis profiles."""

import os

import pytest
from hypothesis import settings

# CI runs a fixed, reproducible set of examples; locally Hypothesis explores.
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(autouse=True)
def _private_state_dir(tmp_path_factory: pytest.TempPathFactory,
                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test gets its own claims file (bulk.claims), never the user's."""
    monkeypatch.setenv("PDBULK_STATE_DIR", str(tmp_path_factory.mktemp("state")))
