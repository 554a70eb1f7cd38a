"""Shared fixtures: anyio on asyncio (aiohttp is asyncio-only)."""

import pytest


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
