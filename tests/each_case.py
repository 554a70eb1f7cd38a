"""One test item checking a whole family of cheap cases, each failing case named (issue 8).

A grid of thousands of parametrized items whose own work is a fraction of a millisecond
costs pytest ~3 ms an item to run and ~1 ms to collect in every xdist worker. A family
looped in one item costs its cases' work alone; :func:`check_each` runs EVERY case (none
stops the others), then fails once naming each case that failed, by its id, with its own
assertion message (or exception), and how many of how many failed::

    check_each({f"{sep!r} {word}": (sep, word) for sep in SEPS for word in WORDS}, _check)

``_check(*case)`` is a plain function with ``assert`` statements, written in the test
module (pytest rewrites its asserts there, so each message shows the compared values).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

A = TypeVar("A", bound=tuple[Any, ...])

MAX_SHOWN = 50  # failing cases written out in full; the rest counted, and named by id


def check_each(cases: Mapping[str, tuple[Any, ...]] | Iterable[tuple[str, tuple[Any, ...]]],
               check: Callable[..., object]) -> int:
    """Call ``check(*args)`` for every ``(case_id, args)`` of ``cases`` (a mapping of
    id -> argument tuple, or pairs of them) and return how many cases ran.

    Raises AssertionError, after all of them ran, naming every case that raised (an
    AssertionError's message, or any other exception's type and text), and
    ValueError before any ran when ``cases`` is empty or repeats an id (a case a
    grid lost, or one that would be reported twice)."""
    __tracebackhide__ = True  # pytest shows the test's line and the message, not this loop
    pairs = list(cases.items() if isinstance(cases, Mapping) else cases)
    if not pairs:
        raise ValueError("check_each: no cases (a grid that lost its cases passes nothing)")
    ids = [case_id for case_id, _ in pairs]
    if len(set(ids)) != len(ids):
        twice = sorted({i for i in ids if ids.count(i) > 1})
        raise ValueError(f"check_each: case ids given twice: {twice[:10]}")
    failed: list[tuple[str, str]] = []
    for case_id, args in pairs:
        try:
            check(*args)
        except AssertionError as exc:
            failed.append((case_id, str(exc) or "assertion failed"))
        except Exception as exc:  # one case's error must not hide the others' verdicts
            failed.append((case_id, f"{type(exc).__name__}: {exc}"))
    if failed:
        shown = "\n".join(f"- {case_id}: {why}" for case_id, why in failed[:MAX_SHOWN])
        more = ("" if len(failed) <= MAX_SHOWN else
                f"\n... and {len(failed) - MAX_SHOWN} more: "
                + ", ".join(case_id for case_id, _ in failed[MAX_SHOWN:]))
        raise AssertionError(f"{len(failed)} of {len(pairs)} cases failed:\n{shown}{more}")
    return len(pairs)


def cases_of(rows: Iterable[A], label: Callable[..., str] = lambda *args: repr(args)
             ) -> dict[str, A]:
    """``{id: row}`` for check_each: each row's id is ``label(*row)``; a row listed again
    (a grid may list one case twice, as pytest ran it twice) keeps its place with ``#2``,
    ``#3`` ... after its id, so no case is lost."""
    out: dict[str, A] = {}
    for row in rows:
        case_id, n = label(*row), 1
        while (case_id if n == 1 else f"{case_id} #{n}") in out:
            n += 1
        out[case_id if n == 1 else f"{case_id} #{n}"] = row
    return out
