"""What starting a job of each kind again does, for the advice on a job folder whose store
is damaged or gone (``damaged_advice``, ``lost_store_advice``): the one place that words
it, per kind. f25a: an update's, a move-stage's and a merge's damaged store were told to
"import the file again" and that rows would be "created"; each kind now says what its own
re-run does. Text only: the store still never knows what a kind does with its items."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

# kind -> what starting it again does (after "; "), with "{again}": "the <kind>"
_AGAIN: Mapping[str, str] = MappingProxyType({
    "import": ("starting {again} again may create those rows again (in upsert mode, with a "
               "key, a new import finds them; in insert mode it would double them)"),
    "update": ("re-run the update: it re-reads each deal and skips those already changed "
               "(nothing is doubled; the before-images this store held are lost, so its "
               "changes can no longer be undone)"),
    "move-stage": ("re-run the move-stage: it selects the deals again and skips those "
                   "already in the target stage (nothing is moved twice; the before-images "
                   "this store held are lost, so its moves can no longer be undone)"),
    "merge": ("merges are final in Pipedrive: re-run the merge and each pair is read "
              "again, a pair whose deal was already merged away fails as gone (nothing is "
              "merged twice); the before-images this store held, the merges' audit trail, "
              "are lost"),
    "undo": ("run `pdbulk undo` of the same job again: it re-reads each deal and leaves "
             "those already put back or deleted (nothing is undone twice)"),
    "dedupe": ("run `pdbulk dedupe apply` of the same plan again: merges are final, so a "
               "cluster already merged fails as gone (nothing is merged twice); the "
               "before-images this store held, the merges' audit trail, are lost"),
    "touch": ("re-run the touch: it sets the same values again, which leaves a deal "
              "already set as it is"),
})
_UNKNOWN = ("starting {again} again may send its rows again and double what it already "
            "did")


def again_advice(kind: str | None) -> str:
    """What starting a job of ``kind`` again does (None or a kind not listed: the
    command's words, said as a risk)."""
    again = f"the {kind}" if kind else "the command"
    return (_AGAIN.get(kind or "") or _UNKNOWN).format(again=again)


def advised_kinds() -> frozenset[str]:
    """The kinds ``again_advice`` has words of their own for."""
    return frozenset(_AGAIN)


__all__ = ["advised_kinds", "again_advice"]
