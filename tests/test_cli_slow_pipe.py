"""``pdbulk … --json | slow reader``: the whole document arrives, as it does to a file.

f46a saw ``pdbulk plan import --json`` of a big dirty file cut at 65,544 / 131,080 bytes
on a pipe (exit 3, nothing said): under ``PYTHONUNBUFFERED=1`` (``python -u``; many
container images and cron wrappers set it) ``sys.stdout.buffer`` is the raw ``FileIO``,
whose ``write`` is one write(2) and may write less than it was given (a pipe's 64 KB
while the reader lags); the JSON line's one ``write`` dropped the rest. A stdout that
another process sharing it made non-blocking (O_NONBLOCK is the open pipe's, not the
process's) lost everything past the pipe's room the same way (EAGAIN)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest

from bulk.sandbox import SandboxConfig
from tests.sandbox_helpers import ThreadedSandbox

TOKEN = "slow-pipe-token"
ROOT = Path(__file__).resolve().parent.parent


def _slow_read(fd: int, proc: subprocess.Popen[bytes], limit: float = 120.0) -> bytes:
    """Everything written to the pipe ``fd`` until its writer ends: first after a pause
    (the pipe fills), then 4 KB at a time with short pauses; bounded by ``limit`` s."""
    time.sleep(0.3)
    chunks: list[bytes] = []
    end = time.monotonic() + limit
    while time.monotonic() < end:
        chunk = os.read(fd, 4096)
        if not chunk:
            break
        chunks.append(chunk)
        time.sleep(0.002)
    proc.wait(timeout=max(1.0, end - time.monotonic()))
    return b"".join(chunks)


@pytest.mark.parametrize("how", ["unbuffered", "non-blocking"])
def test_json_to_a_slow_pipe_is_whole(tmp_path: Path, how: str) -> None:
    """``plan import --json`` of 3,000 failing rows (~250 KB of JSON) into a pipe whose
    reader is slow: the bytes parse as one JSON object and match the run into a file."""
    manifest, mapping = tmp_path / "in.csv", tmp_path / "m.toml"
    manifest.write_text("id,title,value\n" + "".join(f"k{i},,not-a-number-{i}\n"
                                                     for i in range(3000)))
    mapping.write_text('[import]\nkey_column = "id"\n[deal]\ntitle = "title"\n'
                       'value = "value"\npipeline = { default = "Sales" }\n')
    env = {**os.environ, "PIPEDRIVE_API_TOKEN": TOKEN, "PYTHONPATH": str(ROOT)}
    env.pop("PYTHONUNBUFFERED", None)
    if how == "unbuffered":
        env["PYTHONUNBUFFERED"] = "1"
    with ThreadedSandbox(SandboxConfig(plan="ultimate", auth="oauth", token=TOKEN,
                                       deals=5, seed=3)) as sb:
        argv = [sys.executable, "-m", "pdbulk", "plan", "import", str(manifest), "--mapping",
                str(mapping), "--create-key-field", "--url", sb.url, "--plan", "ultimate",
                "--oauth", "--json"]
        whole = tmp_path / "out.json"
        with whole.open("wb") as out:
            to_file = subprocess.run(argv, stdout=out, stderr=subprocess.PIPE, env=env,
                                     cwd=tmp_path, timeout=120, check=False)
        read, write = os.pipe()
        if how == "non-blocking":  # as a process sharing the pipe (a libuv parent) leaves it
            os.set_blocking(write, False)
        try:
            proc = subprocess.Popen(argv, stdout=write, stderr=subprocess.PIPE, env=env,
                                    cwd=tmp_path)
            os.close(write)
            got = _slow_read(read, proc)
        finally:
            os.close(read)
        assert proc.stderr is not None
        err = proc.stderr.read().decode()
        proc.stderr.close()
    expected = orjson.loads(whole.read_bytes())
    assert to_file.returncode == 3 and len(whole.read_bytes()) > 200_000, to_file.stderr
    assert proc.returncode == 3, (proc.returncode, err)
    assert got.endswith(b"\n") and got.count(b"\n") == 1, (len(got), err)
    data = orjson.loads(got)
    for doc in (data, expected):  # what differs from one run to the next
        for name in ("seconds", "end_seconds", "tokens_left_today"):
            doc.pop(name, None)
    assert data == expected
    assert "stdout cannot be written" not in err and "Traceback" not in err, err


_WRITER = """
import sys
from bulk.stdio import guard_streams
guard_streams("lost: {reason}")
stream = getattr(sys, sys.argv[1])
line = "".join(chr(0x41 + i % 26) for i in range(99)) + "\\n"
for i in range(1500):  # ~150 KB of lines, then ~150 KB in one write: text, then bytes
    print(line, end="", file=stream)
stream.write(line * 1500)
stream.flush()
stream.buffer.write(line.encode() * 1500)
"""


@pytest.mark.parametrize("how", ["unbuffered", "non-blocking"])
@pytest.mark.parametrize("name", ["stdout", "stderr"])
def test_every_write_of_a_guarded_stream_reaches_a_slow_pipe(name: str, how: str) -> None:
    """Each entry point's guarded stdout and stderr (``bulk.stdio``): lines, one big
    text write and one big binary write (~450 KB) into a slow pipe arrive whole and in
    order, ``python -u`` or a non-blocking pipe alike; the run exits 0."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("PYTHONUNBUFFERED", None)
    if how == "unbuffered":
        env["PYTHONUNBUFFERED"] = "1"
    read, write = os.pipe()
    if how == "non-blocking":
        os.set_blocking(write, False)
    try:
        proc = subprocess.Popen([sys.executable, "-c", _WRITER, name], env=env,
                                stdout=write if name == "stdout" else None,
                                stderr=write if name == "stderr" else None)
        os.close(write)
        got = _slow_read(read, proc)
    finally:
        os.close(read)
    line = "".join(chr(0x41 + i % 26) for i in range(99)) + "\n"
    assert proc.returncode == 0
    assert got == line.encode() * 4500, (len(got), 4500 * len(line))
