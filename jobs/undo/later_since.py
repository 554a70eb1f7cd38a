"""A resumed undo's restores in doubt that a later job wrote since: conflicts, never sent.

An undo killed with its restores in flight is reconciled on resume against the deals as
they are now (``UndoJob.reconcile``): a deal whose fields read as the undone job left
them is "not applied" and its restore is sent again. But a job of the same job directory
run after the kill (the same update file again, an import) may have written the undone
job's values back onto a deal the killed undo had already put back: the deal then reads
as "not applied", and the resume sent the undo's write over that later job's — its
values back to the before-image, said nowhere (x52r5 F1: 1-4 deals a run, 4 of 4 runs).
The undo's first run reads the later jobs of the folder and leaves such a deal alone, a
conflict (``jobs.later_jobs.later``); the resume does the same
(``jobs.later_jobs.later_conflicts``): left alone and named, nothing sent. ``--force``
sends it as before. Reads the job directory's stores (no call); never writes.
"""

from __future__ import annotations

from collections.abc import Sequence

from bulk.store import Item, JobStore, Outcome

from ..later_jobs import later_conflicts as _conflicts
from ..later_jobs import later_words


def restored_later(deal_id: int, by: str, what: str) -> str:
    """The conflict of a restore in doubt whose deal job ``by`` wrote since."""
    return (f"conflict: deal {deal_id} was {what} after this undo's write to it was in "
            "flight; left alone, not sent again (a resume never puts back over a later "
            f"job's write: undo {later_words(by)} first, newest first, then this undo's "
            "source job again)")


async def later_conflicts(store: JobStore | None, items: Sequence[Item],
                          out: list[Outcome]) -> list[Outcome]:
    """``out`` with each restore of ``items`` it sends again (PENDING) turned into a
    conflict (``restored_later``) where a job of the job directory created after this
    undo wrote its deal since, in a group the restore puts back. Raises nothing."""
    return await _conflicts(store, [i for i in items if i.op == "restore"], out,
                            restored_later)


__all__ = ["later_conflicts", "restored_later"]
