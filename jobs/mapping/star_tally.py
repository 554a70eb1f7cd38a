"""The rows whose stage the stage map's ``"*"`` placed, for the plan's note (x49r11 F2: a
``"*"`` added for ``Won`` / ``Lost`` also caught ``Demo booked``, a stage forgotten in the
map, and made those deals open in ``Negotiations Started`` with no word). Counts only:
never decides a row's stage (``compiler._stage`` does)."""

from __future__ import annotations

import json

from .. import transforms as tf

# the cell values a tally names apart; a column of unique junk caught by "*" must not grow
# memory (the others are counted together)
_VALUES_KEPT = 1000
_VALUES_SHOWN = 8
_SPELLINGS_KEPT = 4  # a value's spellings named apart


class Starred:
    """A stage id only the stage map's ``"*"`` gave, with the cell as read (a stage step's
    memo keeps it, ``steps._StageStep``)."""

    __slots__ = ("id", "name")

    def __init__(self, stage_id: int, name: str) -> None:
        self.id, self.name = stage_id, name


class StarTally:
    """Rows placed by ``"*"``, by cell value (``tf.stage_key`` alike values are one, each
    spelling as written counted too: x50r9 F7, ``'Won' 28 rows`` held 15 ``won\u200b``).
    A row is counted once however many passes map it: a bitmap of row numbers (1 bit a
    row: ~125 KB for 1,000,000 rows)."""

    __slots__ = ("_seen", "_spelled", "_spellings", "counts", "rows")

    def __init__(self) -> None:
        self._seen = bytearray()
        self._spelled: dict[str, str] = {}  # a value's key -> its first cell, as cleaned
        # a value's key -> its spellings as written (``tf.said_cell``) -> rows
        self._spellings: dict[str, dict[str, int]] = {}
        self.counts: dict[str, int] = {}  # a value's key -> its rows
        self.rows = 0  # every row counted, the values not kept apart too

    def __repr__(self) -> str:
        return f"<StarTally {self.rows:,} rows, {len(self.counts):,} values>"

    def add(self, value: str, row: int) -> None:
        """Count ``row`` (a manifest row number, >= 0), whose stage cell ``value`` (as
        written) ``"*"`` placed; a row counted before is not counted again."""
        byte, bit = divmod(row, 8)
        seen = self._seen
        if byte >= len(seen):
            seen.extend(bytes(max(byte + 1 - len(seen), len(seen))))  # doubling: amortized
        if seen[byte] >> bit & 1:
            return
        seen[byte] |= 1 << bit
        self.rows += 1
        text = tf.clean_text(value) or value
        key = tf.stage_key(text)
        if key in self.counts or len(self.counts) < _VALUES_KEPT:
            self.counts[key] = self.counts.get(key, 0) + 1
            self._spelled.setdefault(key, text)
            spellings = self._spellings.setdefault(key, {})
            said = tf.said_cell(value, text)
            if said in spellings or len(spellings) < _SPELLINGS_KEPT:
                spellings[said] = spellings.get(said, 0) + 1

    def _shown(self, key: str, count: int) -> str:
        """``'Won' 28 rows`` of one spelling; of several, each as written after it:
        ``'Won' 28 rows (as written: 'won\u200b' 15, 'Won' 13)`` (the rows of spellings
        past the kept ones: ``N in other spellings``)."""
        spellings = sorted(self._spellings[key].items(), key=lambda kv: (-kv[1], kv[0]))
        head = f"{self._spelled[key]!r} {count:,} {_rows(count)}"
        if len(spellings) == 1 and spellings[0][0] == repr(self._spelled[key]):
            return head
        shown = [f"{said} {n:,}" for said, n in spellings]
        if (rest := count - sum(n for _, n in spellings)) > 0:
            shown.append(f"{rest:,} in other spellings")
        return f"{head} (as written: {', '.join(shown)})"

    def note(self, target: str, column: str | None) -> str | None:
        """The plan's line: how many rows ``"*"`` (whose ``target`` stage is looked up in
        each row's pipeline) placed, and each cell value with its rows, most first; None
        when it placed none."""
        if not self.rows:
            return None
        ranked = sorted(self.counts.items(), key=lambda kv: (-kv[1], self._spelled[kv[0]]))
        shown = [self._shown(k, n) for k, n in ranked[:_VALUES_SHOWN]]
        rest = self.rows - sum(n for _, n in ranked[:_VALUES_SHOWN])
        if rest:
            shown.append(f"and {rest:,} more {_rows(rest)} of "
                         f"{max(len(ranked) - _VALUES_SHOWN, 1):,}+ other values")
        where = f"column {column!r}: " if column else ""
        first = self._spelled[ranked[0][0]]
        cells = ("1 row's stage cell names" if self.rows == 1
                 else f"{self.rows:,} rows' stage cells name")
        return (f"{where}{cells} no stage of their row's pipeline and no entry of "
                f"deal.stage.map: placed by \"*\" ({target!r}): {', '.join(shown)}; if "
                "one of them is a stage forgotten in the map, map it "
                f"({json.dumps(first, ensure_ascii=False)} = "
                "\"<its stage>\"), else those deals land in that stage")


def _rows(n: int) -> str:
    return "row" if n == 1 else "rows"
