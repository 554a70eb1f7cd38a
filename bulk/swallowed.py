"""Errors a run goes on past, said instead of dropped (``went_on``).

A few writes are not worth stopping a run for when they fail: the park of the items
waiting for the daily reset (they stay SENDING: in doubt, safe), the ledger's last
flush of a cancelled run, a kind's ``finish`` / ``run_ended`` after the run's own end,
the claims' last flush as an engine closes. Each was under ``suppress(Exception)`` and
said nothing (f26f 1): a store error there left items reading as sending, or a claim
outcome unwritten, with no word. Here each is caught narrowly (the errors its store
raises; a job kind's hook, as at the runner's boundary, any Exception), logged as a
``pdbulk.*`` warning (the CLI prints those on stderr) and, when the caller passes a list,
kept there too (``bulk.runner.RunStats.warnings``: the run's result names it).

It never stops anything and never swallows a BaseException (a cancel, Ctrl-C). Its
lines carry the error's class and text: no message of the error tree holds the API
token (``bulk.errors``), and a foreign exception's text is cut at ``_MOST`` characters.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

_log = logging.getLogger("pdbulk.run")  # the CLI prints its warnings on stderr
_MOST = 300  # characters of an error's text a warning keeps


def said(what: str, exc: BaseException, consequence: str = "") -> str:
    """The line for ``exc`` caught while doing ``what``: ``what`` failed (class: text),
    then ``consequence`` (what it leaves the user with), if any."""
    text = str(exc) or "no detail"
    if len(text) > _MOST:
        text = text[:_MOST] + "…"
    line = f"{what} failed ({type(exc).__name__}: {text})"
    return f"{line}; {consequence}" if consequence else line


def note(what: str, exc: BaseException, *, consequence: str = "",
         into: list[str] | None = None, once: set[str] | None = None) -> None:
    """Say ``exc`` (caught while doing ``what``, and dropped by the caller): a ``pdbulk.run``
    warning, and a line appended to ``into``. ``once``: the set of ``what``s already said —
    a repeated failure (a ticker's, every 0.25 s) is said the first time only."""
    if once is not None:
        if what in once:
            return
        once.add(what)
    line = said(what, exc, consequence)
    _log.warning("%s", line)
    if into is not None:
        into.append(line)


@contextlib.contextmanager
def went_on(what: str, errors: tuple[type[BaseException], ...], *,
            consequence: str = "", into: list[str] | None = None,
            once: set[str] | None = None) -> Iterator[None]:
    """Run the body; one of ``errors`` raised in it is said (``note``), then dropped;
    anything else goes on up."""
    try:
        yield
    except errors as exc:
        note(what, exc, consequence=consequence, into=into, once=once)


__all__: list[str] = []  # internal: bulk.runner and bulk.claims_* use it
