"""The shared coordinator's URL as text: which one is in force (``--coordinator`` or env
``PDBULK_COORDINATOR``), the URL without its password (for messages and hints), and the
flag a printed command names it with.

Below the error tree and the coordinator (issue 8: ``bulk.errors.resume_command`` names
the coordinator flag of the resume command it builds, and imported ``bulk.coordinator``
to do so, which imports ``bulk.errors``). Standard library only; ``bulk.coordinator``
re-exports every name. Checking a URL (``bulk.coordinator.check_url``: the Redis
client's own parser) and naming it in job files (``coordinator_id``) stay there."""

from __future__ import annotations

import os
import re

ENV_COORDINATOR = "PDBULK_COORDINATOR"


def coordinator_url(explicit: str | None = None) -> str | None:
    """The coordinator URL in force: ``explicit`` (``--coordinator``), else env
    ``PDBULK_COORDINATOR``; ``None`` / empty / ``local`` means the local coordinator."""
    url = (explicit if explicit is not None else os.environ.get(ENV_COORDINATOR, "")).strip()
    if url.lower() in ("", "local"):
        return None
    scheme, sep, rest = url.partition("://")  # a scheme is case-insensitive (RFC 3986 3.1)
    return f"{scheme.lower()}{sep}{rest}" if sep else url


def redacted(url: str) -> str:
    """``url`` without its password, for messages and hints (redis://:secret@h →
    redis://***@h; a ``password=`` option in the query → ``password=***``)."""
    scheme, sep, rest = url.partition("://")
    at = _userinfo_end(rest) if sep else -1
    if at < 0 and sep:
        # no host:port after it (a port "89o5", a stray space, an unclosed "["): still all
        # before the last @ may be a password (x13r6 F8: such URLs were echoed whole)
        at = rest.rfind("@")
    if at >= 0:  # everything before the host's @ is user and password, whatever it holds
        rest = "***" + rest[at:]
    return re.sub(r"(?i)([?&]password=)[^&#]*", r"\1***", f"{scheme}{sep}{rest}")


def _userinfo_end(rest: str) -> int:
    """Where the user and password of a URL's part after ``scheme://`` end: the ``@``
    (the last one) followed by a host and port and then the path, the query or the end;
    -1 when there is none. A password may hold ``?``, ``#``, ``/`` or ``@`` unencoded
    (v12r7: ``redis://:ZuluA?ZuluB@h`` was printed in clear: the old split at the first
    ``?`` saw no password)."""
    for found in reversed([m.start() for m in re.finditer("@", rest)]):
        if re.match(r"@[\w.\-]*(?:\[[0-9A-Fa-f:.]+\])?(?::\d*)?(?:[/?#]|$)", rest[found:]):
            return found
    return -1


def coordinator_flag(url: str) -> tuple[str, str]:
    """How a printed command names coordinator ``url``: ``(flag, note)``, the flag to put
    in the command and a note to print after it. A masked secret is never offered as a
    command (``--coordinator redis://***@h`` fails when pasted): a URL without a password
    is given as is; one with a password as ``--coordinator "$PDBULK_COORDINATOR"``, the
    note naming the URL's shape with ``PASSWORD`` in place of the password it does not
    show (redis://:s3cret@h:6379/0 → redis://:PASSWORD@h:6379/0)."""
    if redacted(url) == url:
        return f" --coordinator {url}", ""
    scheme, _, rest = url.partition("://")
    path, _, query = rest.partition("?")
    if "@" in path:
        user = path.rsplit("@", 1)[0].split(":", 1)[0]
        path = f"{user}:PASSWORD@{path.rsplit('@', 1)[1]}"
    query = re.sub(r"(?i)((?:^|&)password=)[^&#]*", r"\1PASSWORD", query)
    shape = f"{scheme}://{path}" + (f"?{query}" if query else "")
    return (f' --coordinator "${ENV_COORDINATOR}"',
            f" (with {ENV_COORDINATOR} set to the coordinator's URL, {shape}: its password "
            "is not shown here)")


__all__ = ["ENV_COORDINATOR", "coordinator_flag", "coordinator_url", "redacted"]
