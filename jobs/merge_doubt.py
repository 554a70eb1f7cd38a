"""What ``pdbulk status`` says a resume does with the merges of a merge or dedupe job left
in flight by a kill (in doubt: applied or not, nobody knows), as ``jobs.merging``'s
``reconcile`` does it (x46r2 F4: status said only ``in doubt 3`` where an import's and an
update's say what their resume does with them). Pure; no I/O."""

from __future__ import annotations


def merge_doubt_words(in_doubt: int, kind: str) -> str | None:
    """The line for ``in_doubt`` merges of a job of ``kind`` ("merge" or "dedupe") left in
    flight; None when none is."""
    if in_doubt <= 0:
        return None
    changed = ("`pdbulk dedupe apply` skips it, with the rest of its group"
               if kind == "dedupe" else "it fails, nothing sent")
    return (f"in doubt: {in_doubt:,} merge(s) left in flight (applied or not, nobody knows): "
            "a resume first reads both deals of each pair back (100 a call) and sends "
            "nothing before: a merged-away deal gone into a survivor changed since is "
            "`merged`; one deleted by someone else, or archived, or a survivor gone or "
            "archived fails and is left alone; else the merge did not apply and is sent "
            "again — unless a deal of its pair changed since the plan: a conflict, "
            f"{changed} (merges are final)")


__all__ = ["merge_doubt_words"]
