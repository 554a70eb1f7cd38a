"""A private file of the state folder is written whole through a temporary file unique to
each write: two writers in one process (threads; two stores in one test) once shared
``<name>.<pid>.tmp``, and one deleted the other's (``FileNotFoundError`` out of the claims
secret's first use: f33b's whole-suite run)."""

from __future__ import annotations

import stat
import threading
from collections.abc import Callable
from pathlib import Path

from bulk import claims_local
from bulk.state import write_private


def _together(n: int, work: Callable[[], object]) -> list[BaseException]:
    errors: list[BaseException] = []
    start = threading.Barrier(n)

    def one() -> None:
        start.wait(timeout=10)
        try:
            work()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=one) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return errors


def test_writers_in_one_process_never_share_a_temporary_file(tmp_path: Path) -> None:
    path = tmp_path / "marker.json"

    def many() -> None:
        for i in range(40):
            write_private(path, b"x" * (i + 1))

    assert _together(8, many) == []
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left


def test_the_first_writer_wins_and_the_others_are_told(tmp_path: Path) -> None:
    path = tmp_path / "claims.key"
    won: list[bool] = []
    assert _together(8, lambda: won.append(write_private(path, b"k", replace=False))) == []
    assert won.count(True) == 1 and len(won) == 8
    assert list(tmp_path.iterdir()) == [path]


def test_the_claims_secret_made_by_threads_at_once_is_one(tmp_path: Path) -> None:
    for n in range(5):
        folder = tmp_path / f"s{n}"
        folder.mkdir()
        keys: list[bytes] = []

        def make(f: Path = folder, k: list[bytes] = keys) -> None:
            k.append(claims_local._digest_key(f))

        assert _together(6, make) == []
        assert len(set(keys)) == 1 and len(keys) == 6
