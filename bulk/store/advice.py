"""What starting a job of each kind again does, for the advice on a job folder whose store
is damaged or gone (``damaged_advice``, ``lost_store_advice``). f25a: an update's, a
move-stage's and a merge's damaged store were told to "import the file again" and that
rows would be "created"; each kind now says what its own re-run does.

The words are the job kinds' (``jobs`` registers them with ``advise`` when it is
imported: x28r1 12, the engine held every kind's "merges are final" and "re-reads each
deal"); the store knows only that a kind may have words of its own, and says a kind it
has none for as a risk."""

from __future__ import annotations

_AGAIN: dict[str, str] = {}  # kind -> what starting it again does (``advise``)
_UNKNOWN = ("starting {again} again may send its rows again and double what it already "
            "did")


def advise(kind: str, again: str) -> None:
    """Register what starting a job of ``kind`` again does (the text after "; ", with
    ``{again}`` for "the <kind>"); a later call for the kind replaces it."""
    _AGAIN[kind] = again


def again_advice(kind: str | None) -> str:
    """What starting a job of ``kind`` again does (None or a kind no one registered: the
    command's words, said as a risk)."""
    again = f"the {kind}" if kind else "the command"
    return (_AGAIN.get(kind or "") or _UNKNOWN).format(again=again)


def advised_kinds() -> frozenset[str]:
    """The kinds ``again_advice`` has words of their own for."""
    return frozenset(_AGAIN)


__all__ = ["advise", "advised_kinds", "again_advice"]
