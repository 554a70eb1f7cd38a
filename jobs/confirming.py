"""The confirmation a job asks before it sends anything, kept in its store.

A job that asks (undo, merge, move-stage, dedupe apply without ``--yes``) writes its
question into the store before asking and takes it out once the answer is yes. Any
other end — no, end of input, a closed stdin, an exception in the caller's ``confirm``,
a signal at the prompt — cancels the job (nothing was sent), and a job found with its
question still there (a ``kill -9`` at the prompt) was never confirmed: a resume must
not send it (x23r4 F2: ``pdbulk resume`` of a job left at its prompt sent 40 restores
without asking). This module never prints and never reads stdin.
"""

from __future__ import annotations

from collections.abc import Callable

from bulk.store import JobStore

from .reload_recipe import RELOAD_ASKS

META_ASKING = "confirm.asking"  # the question asked and not yet answered yes
META_CONFIRMED = "confirm.yes"  # the question was answered yes (with META_ASKING's removal)
DECLINED = "declined at the confirmation prompt"
NO_ANSWER = "no answer at the confirmation prompt ({why}); nothing was sent"
UNANSWERED = "no one to answer the prompt: {why}"  # NoAnswer's (f24c F2)
SIGNALLED = "cancelled by a signal ({name}) at the confirmation prompt"  # Signalled's


class NoAnswer(Exception):
    """Raised by a ``confirm`` that could read no answer at all (stdin closed, end of
    input, a stdin that is not a terminal): the job is cancelled as unanswered, not as
    declined. ``why`` says what happened and how to run unattended (the CLI: ``--yes``;
    a library caller: ``run_job`` without ``confirm=``)."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


class Signalled(Exception):
    """Raised by a ``confirm`` whose prompt a stop signal ended (Ctrl-C, SIGTERM, SIGHUP):
    the job is cancelled as such, not as declined (x34r5 F8). ``name``: the signal's,
    ``"SIGINT"``."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def ask(store: JobStore, confirm: Callable[[str], bool], question: str) -> bool:
    """Ask ``question`` with ``confirm``; True for a yes. Anything else leaves the job
    cancelled: False for a no, or for no answer at all (``NoAnswer``: its status message
    says so, not "declined"), or for a stop signal at the prompt (``Signalled``: "cancelled
    by a signal (SIGINT)…"); any other exception (``BaseException``: a signal the caller's
    ``confirm`` lets through, a cancelled task too) is raised again once the job is
    cancelled."""
    store.meta_put(META_ASKING, question)
    try:
        yes = bool(confirm(question))
    except NoAnswer as exc:
        store.set_status("cancelled", UNANSWERED.format(why=exc.why))
        return False
    except Signalled as exc:
        store.set_status("cancelled", SIGNALLED.format(name=exc.name))
        return False
    except BaseException as exc:
        why = type(exc).__name__
        store.set_status("cancelled", NO_ANSWER.format(why=why))
        raise
    if not yes:
        store.set_status("cancelled", DECLINED)
        return False
    store.meta_put_many({META_CONFIRMED: True, META_ASKING: None})  # one transaction
    return True


def never_confirmed(store: JobStore) -> bool:
    """The job asked before sending and no yes was recorded (its process ended at the
    prompt): nothing of it was sent, and nothing may be without a new answer."""
    return store.meta_get(META_ASKING) is not None or unasked(store)


def unasked(store: JobStore) -> bool:
    """A job that was to ask (``jobs.reload_recipe.RELOAD_ASKS``, kept when it was made),
    loaded, and whose process ended before it asked (a kill -9 between the end of its load
    and its question: still "planned" / "loading" / "loaded", no yes recorded): never
    confirmed.
    A job that kept no such word (made before it was kept, an import) is not one."""
    return (store.config.get(RELOAD_ASKS) is True and store.loaded
            and store.status in ("planned", "loading", "loaded")
            and not store.meta_get(META_CONFIRMED))


__all__ = ["DECLINED", "META_ASKING", "META_CONFIRMED", "SIGNALLED", "UNANSWERED", "NoAnswer",
           "Signalled", "ask", "never_confirmed", "unasked"]
