"""What a resume does with a loaded job whose input files changed since its load, said
without doing it (no API call: the files are local), for ``jobs.resume_verdict`` (what
``pdbulk status`` / ``jobs`` say) and the resume's own note, so the two never disagree.

- An import maps its rows still to send again with the mapping as it is now when the
  mapping file's SHA-256 is no longer the load's (``jobs.importing.base``: ``mapping_changed``),
  and refuses a change of a setting that decides which record a row is
  (``jobs.import_identity``: key column / field, mode, person / organization matching;
  x46r2 F1: status said "interrupted" and ``resume: null`` while resume refused it, exit 1;
  and said nothing of the 182 rows a value-only edit has the resume map again). A create
  in doubt the job's claims prove its own is counted created as sent (x46r8 F3).
- An update, move-stage or merge prepared its bodies at its load: its resume sends them as
  prepared, whatever its mapping, manifest or pairs file says now (x46r2 F2: nothing said
  an edit of the mapping is ignored).

Reads the job's store and the input files; never changes the job, never prints.
"""

from __future__ import annotations

from collections.abc import Mapping

from bulk.errors import InputError
from bulk.store import ItemState, JobStore

from .import_checks import stored_settings
from .import_identity import META_IDENTITY, check_identity
from .import_items import file_sha
from .import_store import META_SHA
from .mapping import Mapping as ImportMapping
from .reload_recipe import RELOAD, RELOAD_FILES, changed_files

# how a kind's input file is named, by its recipe argument
_FILE_WORDS = {"mapping": "the mapping", "manifest": "the manifest", "pairs": "the pairs file"}


def import_mapping_words(store: JobStore) -> tuple[str, bool] | None:
    """What a resume of the loaded import ``store`` does about its mapping file, changed
    since the load (another SHA-256 than the job's ``import.mapping_sha``), and whether
    it refuses: (words, refused). None when the file is the load's, gone or unreadable
    (the resume's own refusal names why), the job kept no digest, or no row is left to
    send (a row of a duplicate key is never mapped again)."""
    if store.kind != "import":
        return None
    try:
        settings = stored_settings(store)
    except (KeyError, TypeError, ValueError):
        return None
    kept, now = store.meta_get(META_SHA), file_sha(settings.mapping)
    if not isinstance(kept, str) or now is None or now == kept:
        return None
    rows = sum(1 for state in (ItemState.PENDING, ItemState.SENDING)
               for item in store.items(state) if not item.payload.get("duplicate"))
    if not rows:
        return None
    try:
        mapping = ImportMapping.load(settings.mapping)
        check_identity(store.meta_get(META_IDENTITY), mapping, path=settings.mapping)
    except InputError as exc:
        if "decides which record a row is" in str(exc):
            return f"`pdbulk resume` refuses it (exit 1, nothing sent): {exc}", True
        return None  # a mapping that does not load: the resume's refusal names why
    except (OSError, ValueError):
        return None
    return (f"the mapping {settings.mapping!r} changed since the load (no setting that "
            "decides which record a row is): `pdbulk resume` maps its "
            f"{rows:,} row(s) still to send again first, with the mapping as it is now, "
            "then sends them; a create in doubt found made is reconciled as sent: counted "
            "created, with the values of the run before the edit"), False


def prepared_note(store: JobStore) -> str | None:
    """What a resume of the loaded job ``store`` of a kind that prepares its bodies at its
    load (update, move-stage, merge) says when an input file (mapping, manifest, pairs)
    changed since: its rows go as prepared then. None when nothing is left to send, for
    an import (it maps again: ``import_mapping_words``), an undo or dedupe job (no such
    file), or when no file changed."""
    if store.kind in ("import", "undo", "dedupe"):
        return None
    counts = store.counts()
    if not counts.get(ItemState.PENDING, 0) + counts.get(ItemState.SENDING, 0):
        return None  # nothing left to send
    args = store.config.get(RELOAD)
    kept = store.config.get(RELOAD_FILES)
    if not isinstance(args, Mapping) or not isinstance(kept, Mapping):
        return None
    changed = set(changed_files(store.config))
    names = [name for name in _FILE_WORDS if name in kept and args.get(name) in changed]
    if not names:
        return None
    files = " and ".join(f"{_FILE_WORDS[n]} {args[n]!r}" for n in names)
    edited = " and ".join(_FILE_WORDS[n].removeprefix("the ") for n in names)
    return (f"{files} changed since the load; a resume sends the rows as prepared then: "
            f"start a new {store.kind} job for the edited {edited}")


__all__ = ["import_mapping_words", "prepared_note"]
