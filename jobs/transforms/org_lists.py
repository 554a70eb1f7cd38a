"""Whether an organization cell lists several organizations (``Acme Inc;Globex Corp``,
``Acme Inc | Globex Corp``, ``Acme Inc / Globex Corp``, one name a line), as CRM exports
write every company of a deal in one cell (x14r2 F5: HubSpot's ``;``; z55r1 F4: ``|``,
`` / `` and a line break made ONE new organization ``'Acme Inc | Globex Corp'`` while
both existed, and the deal was linked to it).

The separators are those the person cell always reads as a list (``name_lists.
_SEPARATORS``) that no company's own name writes: ``;`` ``|`` a line break (``\\n``,
``\\r``, U+2028, U+2029), the ideographic comma ``、`` (U+3001), the fullwidth comma and
semicolon (U+FF0C, U+FF1B), the Arabic comma ``،`` (U+060C), and a ``/`` spaced on
either side (``Acme / Globex``, ``Acme /Globex``). Outside brackets (``Acme (Berlin |
Munich)`` is one). Company names write the others: ``&`` (``Procter & Gamble``),
``and`` / ``und``, ``+``, ``,`` (``Smith, Jones & Co``), an unspaced ``/`` (``Maersk
A/S``, ``AC/DC Ltd``): those stay one name, whatever the account holds (z55r1 judged
them ambiguous). A list is two parts or more each holding a letter or a digit (``Acme
Inc;`` and ``Acme |`` are one organization).

Pure; no I/O.
"""

from __future__ import annotations

import re

_SPLIT = re.compile(r"[;|\n\r\u2028\u2029\u3001\uff0c\uff1b\u060c]|\s/|/\s")
_QUICK = re.compile(r"[;|\n\r\u2028\u2029\u3001\uff0c\uff1b\u060c]|\s/|/\s")
_BRACKETS = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|<[^<>]*>|\{[^{}]*\}")
_NAME = re.compile(r"[^\W_]")


def listed_organizations(value: object) -> tuple[list[str], str] | None:
    """The organizations (each stripped, as written) an organization cell ``value`` lists
    and the first separator between two of them as the cell writes it (stripped of
    spaces, a line break as ``"a line break"``), or None when it names one (or is no
    text). See the module's docstring for the separators. Pure."""
    if not isinstance(value, str) or _QUICK.search(value) is None:
        return None
    masked = _BRACKETS.sub(lambda m: "\0" * len(m[0]), value)
    parts: list[str] = []
    seps: list[str] = []
    start = 0
    for m in _SPLIT.finditer(masked):
        parts.append(value[start:m.start()].strip())
        seps.append(m[0].strip() or m[0])
        start = m.end()
    parts.append(value[start:].strip())
    named = [(i, p) for i, p in enumerate(parts) if _NAME.search(p)]
    if len(named) < 2:
        return None
    sep = seps[named[1][0] - 1]
    if sep in ("\n", "\r", "\u2028", "\u2029"):
        sep = "a line break"
    return [p for _, p in named], sep


__all__ = ["listed_organizations"]
