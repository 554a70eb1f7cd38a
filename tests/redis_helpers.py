"""A real redis-server on 127.0.0.1 on a free port, for the coordinator's tests.

Installed by ``scripts/ensure_redis.sh`` (``make test``). Tests that need it skip
with a clear reason when no binary is found (a machine set up without make)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def redis_binary() -> str | None:
    return shutil.which("redis-server") or (
        "/usr/bin/redis-server" if Path("/usr/bin/redis-server").exists() else None)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class RedisServer:
    """One redis-server process; ``stop()`` / ``start()`` again on the same port."""

    def __init__(self, binary: str, port: int, workdir: Path, extra: tuple[str, ...] = ()) -> None:
        self.binary, self.port, self.workdir, self.extra = binary, port, workdir, extra
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.workdir), "--protected-mode", "yes", *self.extra],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:  # bounded: 10 s
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(64).startswith((b"+PONG", b"-NOAUTH")):  # up (NOAUTH: a password)
                        return
            except OSError:
                time.sleep(0.02)
        self.stop()
        raise RuntimeError("redis-server did not start within 10 s")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None


def born_long_ago(server: RedisServer, company: str = "42") -> None:
    """Mark ``company``'s claims as born long ago (a Redis in use since; not one just
    restarted empty, whose fresh claims all say reconcile)."""
    import redis

    from bulk.claims_redis import born_key

    client = redis.Redis.from_url(server.url)
    try:
        client.hsetnx(born_key(company), "epoch", "old")
        client.hsetnx(born_key(company), "at", "0")
    finally:
        client.close()


@contextmanager
def running_redis(*extra: str) -> Iterator[RedisServer]:
    """A redis-server for the block; ``extra``: more server arguments (``--requirepass x``)."""
    binary = redis_binary()
    if binary is None:
        pytest.skip("no redis-server (run `make test`, which installs it)")
    with tempfile.TemporaryDirectory() as tmp:
        server = RedisServer(binary, free_port(), Path(tmp), extra)
        server.start()
        try:
            yield server
        finally:
            server.stop()


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    with running_redis() as server:
        yield server
