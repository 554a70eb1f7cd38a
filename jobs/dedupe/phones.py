"""A phone number as its national significant number, so one number written with its
country code and with its national trunk 0 reads the same (``+43 1 5556667`` =
``01 5556667``, ``+49 89 123456`` = ``089 123456``, ``+46 8 123 456`` = ``08-123 456``:
x44r8 F5, the last 9 digits told them apart). No phone library is a dependency: the
country calling codes are ITU-T E.164's (1 and 7 one digit; the two-digit ones below;
every other three digits). Pure: no I/O.
"""

from __future__ import annotations

# ITU-T E.164 country calling codes of two digits (the rest of 2x-9x take three)
_TWO_DIGIT = frozenset({
    "20", "27", "30", "31", "32", "33", "34", "36", "39", "40", "41", "43", "44", "45", "46",
    "47", "48", "49", "51", "52", "53", "54", "55", "56", "57", "58", "60", "61", "62", "63",
    "64", "65", "66", "81", "82", "84", "86", "90", "91", "92", "93", "94", "95", "98",
})


def national_number(text: str) -> str:
    """The digits of phone number ``text`` without its country code (written ``+43 …`` or
    ``0043 …``) or its national trunk 0 (``01 …``): ``+43 1 5556667`` -> ``15556667``,
    ``01 5556667`` -> ``15556667``, ``22123456`` -> ``22123456``; "" when it has no
    digits. A trunk 0 kept in the international form (Italy's ``+39 06 …``) is kept there
    and dropped from ``06 …``: the caller keeps its last-digits reading too."""
    stripped = text.strip()
    digits = "".join(c for c in stripped if c.isdigit())
    if stripped.startswith("+") or digits.startswith("00"):
        rest = digits[2:] if not stripped.startswith("+") else digits
        if rest[:1] in ("1", "7"):
            return rest[1:]
        return rest[2:] if rest[:2] in _TWO_DIGIT else rest[3:]
    return digits[1:] if digits.startswith("0") else digits
