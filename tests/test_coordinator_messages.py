"""The coordinator's start-up failures say what is wrong in words (F7): a Redis that wants a
password, a port where something else than Redis listens; never a password, never Redis'
raw protocol text."""

from __future__ import annotations

import socket
import threading
from pathlib import Path

import pytest

from bulk.coordinator_redis import check
from bulk.errors import CoordinatorLost
from tests.redis_helpers import redis_binary, running_redis

pytestmark = pytest.mark.anyio


async def test_a_port_where_no_redis_listens_is_named_as_such() -> None:
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(4)
    srv.settimeout(10)
    port = srv.getsockname()[1]

    def serve() -> None:
        for _ in range(4):  # bounded: the client's tries
            try:
                conn, _ = srv.accept()
            except OSError:
                return
            with conn:
                conn.recv(1024)
                conn.sendall(b"HTTP/1.1 400 Bad Request\r\n\r\n")

    threading.Thread(target=serve, daemon=True).start()
    try:
        with pytest.raises(CoordinatorLost, match="is not a Redis server"):
            await check(f"redis://:hunter2@127.0.0.1:{port}/0")
    finally:
        srv.close()


@pytest.mark.skipif(redis_binary() is None, reason="no redis-server (scripts/ensure_redis.sh)")
async def test_a_missing_password_is_named_as_such() -> None:
    with running_redis("--requirepass", "s3cret") as server:
        with pytest.raises(CoordinatorLost) as err:
            await check(server.url)
    text = str(err.value)
    assert "Redis requires a password" in text and "redis://:PASSWORD@" in text
    assert "HELLO" not in text and "s3cret" not in text


def test_coordinator_flag_of_one_invocation_does_not_reach_the_next(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``--coordinator URL`` given to one in-process invocation stayed in the environment,
    so every later invocation in that process (tests, scripts calling the app) tried a
    Redis that had long stopped: "the coordinator ... does not answer"."""
    import os

    from typer.testing import CliRunner

    from bulk.coordinator import ENV_COORDINATOR
    from pdbulk.cli import app

    monkeypatch.delenv(ENV_COORDINATOR, raising=False)
    res = CliRunner().invoke(app, ["--coordinator", "redis://127.0.0.1:1/0", "jobs",
                                   "--job-dir", str(tmp_path)])
    assert res.exit_code == 0, res.output
    assert ENV_COORDINATOR not in os.environ
    monkeypatch.setenv(ENV_COORDINATOR, "local")
    CliRunner().invoke(app, ["--coordinator", "redis://127.0.0.1:1/0", "jobs",
                             "--job-dir", str(tmp_path)])
    assert os.environ[ENV_COORDINATOR] == "local"
