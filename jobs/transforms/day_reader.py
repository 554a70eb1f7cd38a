"""``datetime.strptime(text, pattern).date()`` without strptime's per-call overhead, for
the numeric patterns a date column is read by (``%d/%m/%Y``, ``%m/%d/%y %H:%M``).

strptime takes ~6 µs a call (its lock, locale check, five-entry regex cache and a loop
over every directive it knows), and an import tries a date cell against each of the
column's patterns, in both orders while learning them (issue 8: ~17,000 calls for 5,000
rows of the demo's export). ``read_day`` builds the same regex strptime builds for the
pattern (its directives' groups, its escaping, whitespace as ``\\s+``, IGNORECASE), once
per pattern, and reads the numbers as strptime does (``%y`` 00-68 as 20xx). It must never
read a text strptime refuses, nor refuse one it reads, nor say it otherwise: a text the
regex does not read whole raises strptime's own ValueError messages, and a date that does
not exist (``02/30/2026``, second 60) is handed to strptime itself, so its exception is
strptime's. A pattern with any other directive (``%b``, ``%j``, ``%z``, a directive twice,
no day, month or year) is strptime's alone. Pure: it reads no cell state.
"""

from __future__ import annotations

import functools
import re
from datetime import date, datetime

__all__ = ["read_day"]

# strptime's own groups for these directives (CPython 3.11 ``_strptime.TimeRE``)
_GROUPS = {
    "d": r"(?P<d>3[0-1]|[1-2]\d|0[1-9]|[1-9]| [1-9])",
    "m": r"(?P<m>1[0-2]|0[1-9]|[1-9])",
    "Y": r"(?P<Y>\d\d\d\d)",
    "y": r"(?P<y>\d\d)",
    "H": r"(?P<H>2[0-3]|[0-1]\d|\d)",
    "M": r"(?P<M>[0-5]\d|\d)",
    "S": r"(?P<S>6[0-1]|[0-5]\d|\d)",
}
_REGEX_CHARS = re.compile(r"([\\.^$*+?\(\){}\[\]|])")  # strptime's escaping
_WHITESPACE = re.compile(r"\s+")


@functools.lru_cache(maxsize=64)
def _compiled(fmt: str) -> re.Pattern[str] | None:
    """The regex strptime reads ``fmt`` by, or None when ``fmt`` is not a pattern of
    ``_GROUPS``' directives, each at most once, with a day, a month and one year."""
    text = _WHITESPACE.sub(r"\\s+", _REGEX_CHARS.sub(r"\\\1", fmt))
    out: list[str] = []
    seen: set[str] = set()
    while "%" in text:
        at = text.index("%")
        code = text[at + 1:at + 2]
        if code not in _GROUPS or code in seen:
            return None
        seen.add(code)
        out.append(text[:at])
        out.append(_GROUPS[code])
        text = text[at + 2:]
    out.append(text)
    if not {"d", "m"} <= seen or ("Y" in seen) == ("y" in seen):
        return None
    return re.compile("".join(out), re.IGNORECASE)


def read_day(text: str, fmt: str) -> date:
    """``datetime.strptime(text, fmt).date()``, the same date or the same ValueError
    (module docstring)."""
    pattern = _compiled(fmt) if type(text) is str else None
    if pattern is None:
        return datetime.strptime(text, fmt).date()
    found = pattern.match(text)
    if found is None:
        raise ValueError(f"time data {text!r} does not match format {fmt!r}")
    if len(text) != found.end():
        raise ValueError(f"unconverted data remains: {text[found.end():]}")
    parts = found.groupdict()
    if (y := parts.get("y")) is not None:
        year = int(y)
        year += 2000 if year <= 68 else 1900
    else:
        year = int(parts["Y"])
    second = parts.get("S")
    try:
        if second is not None and int(second) > 59:
            raise ValueError(second)
        return date(year, int(parts["m"]), int(parts["d"]))
    except ValueError:  # no such day (or second): strptime's own exception
        return datetime.strptime(text, fmt).date()
