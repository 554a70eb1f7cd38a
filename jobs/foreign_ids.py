"""Whether an update's deal ids look like another account's (x47r3 F5: a Pipedrive deals
export of ANOTHER account, ``Deal - ID`` 1..40, set up to update by id, changed title,
value and currency of 40 of 40 unrelated deals of this account, with no word). Pure: it
reads the deals the load read anyway, no call of its own.

The rule, per row whose deal was read (``ForeignIds.see``):

- with a title, the row looks foreign when its title is **unrelated** to the deal's
  (``related``: not the same once case, accents' forms, punctuation, spacing, a hyphen
  inside a word (``On-boarding`` / ``Onboarding``) and a number's zeros (``SO-01001``)
  are set aside; neither holds the other's words in their order — a rename keeps them:
  ``2027 <old>``, ``<OLD> (new)``, ``<old> [EU]``, ``EU: <old>``, ``SO-2027-1021``; and
  their rapidfuzz token-sort similarity under ``SIMILAR`` or their numbers apart by more
  than ``NEAR``: ``Deal 17`` / ``Deal 23``, but ``Renewal 2026`` / ``2027`` is one) **and**
  any other field the row gives differs from the deal's: one of ``GROUPS`` or any other
  (status, expected close date, probability, a custom field, …: x48r7 F1, another
  account's title + status export closed 40 of 40 unrelated deals unwarned) — or the row
  gives nothing but the title (x48r7 F1: 40 of 40 renamed unwarned; renaming every deal
  to unrelated titles is rare, and ``--yes`` runs it). A row whose other fields all agree
  with the deal is a rename of it, unless all that agrees is a field most deals share
  (``WEAK``: the currency, the status, …; x49r4 F3);
- without a title (no title column, or the cell blank), when ``BLIND`` of ``GROUPS``
  differ. Fewer cannot be told: a file of value + owner, no title, reads the same as a
  re-valuation and re-assignment of this account's deals, and is not warned.

The fields that tell a deal count by group, each one field (x48r2 F3): the amount (value
and currency: the README decides them whole), the place (pipeline, or the stage standing
for it), the owner, the organization, the person (an update never writes the last two:
``jobs.update_mapping`` refuses them; a library caller's rows may). A field the plan keeps
because a colleague changed it in Pipedrive since (``jobs.update_edits``: not sent) is not
counted, nor is a row that would write nothing (x49r4 F8). When ``LEAST`` rows or more and
most rows compared look so, the plan warns loudly
(its first note; ``--json``: ``foreign_ids``, ``ForeignIds.to_json``); when they look like
a whole export of another account — an unrelated title and ``STRONG`` other fields
differing (``ForeignIds.refuses``; rows without a title are only warned of: x49r4 F9) —
``update`` also
refuses to start without ``--yes`` (``pdbulk update``, its plan shown first),
``foreign_ids=True`` (the library). A title with one other field, or alone, is warned of
and runs: a mass rename and re-valuation of this account's deals to unrelated titles reads
the same, and refusing it would stop an ordinary update (the update's before-images let
``pdbulk undo`` put back what it wrote).

Why the title: field counts alone cannot tell a rename with a re-value in EUR from another
account's title + value export (x48r2 F2: 4 of 9 foreign exports went unwarned, one wrote
40 of 40 unrelated deals; F3: 15 of 15 renames + re-values refused); a rename keeps a
relation to the old title, another account's row names another deal. ``SIMILAR`` was
measured on the sandbox's titles (``<Company> <Suffix> - <Product>``, three pairs of
seeds, 300 ids each): another account's titles under the same ids score 37 (median) to
86 (the most, 1-2 % of rows at 80 or more: the same company); a typo, ``Ltd`` written
``Limited``, a year added score 82 or more. A rename of the product alone
(``Acme Corp - Pilot`` to ``Acme Corp - Expansion``, 52-76) is unrelated: with a new
value on most rows too, the plan warns and ``--yes`` runs it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from .deals import blank, deal_changes

# the fields besides the title that tell one deal from another (the row mapper's names),
# by group: a group differing is one field, whichever of its members differ
GROUPS: dict[str, tuple[str, ...]] = {
    "amount": ("value", "currency"), "stage": ("pipeline_id", "stage_id"),
    "owner": ("owner_id",), "organization": ("org_id",), "person": ("person_id",)}
IDENTITY = tuple(name for names in GROUPS.values() for name in names)
# fields most deals share, whose agreeing says nothing of a row's deal (x49r4 F3: a mapping's
# default currency, every deal open)
WEAK = frozenset({"currency", "status", "visible_to", "pipeline_id"})
LEAST = 3  # rows looking foreign, at least: fewer tell nothing (a small file of renames)
BLIND = 3  # groups differing on a row without a title
# fields besides an unrelated title differing on a row whose ids are refused, not only
# warned of: a whole export of another account (x47r10 F1: title, value, stage, owner)
STRONG = 2
SIMILAR = 80.0  # rapidfuzz token_sort_ratio (0-100) from which two titles are related
NEAR = 1  # numbers this far apart are one (a year or FY bump: 2026 -> 2027, FY26 -> FY27)
_SHOWN = 5  # rows named in the warning
_CUSTOM = "custom fields"  # the name a row's differing custom fields count under
# a word's letters apart from its digits (``SO1001`` is ``SO 1001``, ``FY26`` ``FY 26``);
# punctuation, underscores and spacing are set aside
_PART = re.compile(r"[^\W\d_]+|\d+")


def _words(value: object) -> list[str]:
    """``value``'s words, as titles are compared: case, accents' forms, punctuation and
    spacing aside, letters apart from digits, a number by its value (``01001`` is
    ``1001``)."""
    text = unicodedata.normalize("NFKC", str(value)).casefold()
    return [str(int(w)) if w.isdigit() else w for w in _PART.findall(text)]


def _glued(words: list[str], other: Collection[str]) -> list[str]:
    """``words`` with two or three neighbours joined where ``other`` has them as one word
    (``on boarding`` / ``on-boarding`` beside ``onboarding``)."""
    out: list[str] = []
    i = 0
    while i < len(words):
        for n in (3, 2):
            joined = "".join(words[i:i + n])
            if i + n <= len(words) and joined in other:
                out.append(joined)
                i += n
                break
        else:
            out.append(words[i])
            i += 1
    return out


def _within(longer: list[str], shorter: list[str]) -> bool:
    """Whether ``shorter``'s words are ``longer``'s in their order, others between
    (``SO 1021`` in ``SO 2027 1021``)."""
    if not shorter:
        return False
    rest = iter(longer)
    return all(word in rest for word in shorter)


def _numbers(words: list[str]) -> set[int]:
    return {int(w) for w in words if w.isdigit()}


def related(title: object, other: object) -> bool:
    """Whether two titles name one deal, one renamed (``2027 Acme``, ``ACME (new)``, a
    typo, ``Ltd`` written ``Limited``, ``On-boarding`` written ``Onboarding``, ``SO-1001``
    written ``SO1001`` or ``SO-01001``, a year bumped): the same words (hyphens and
    punctuation inside a word folded both ways: ``on-boarding`` = ``onboarding`` =
    ``on boarding``), or one's words among the other's in their order, or rapidfuzz
    token-sort similarity ``SIMILAR`` or more with a number in common where both have
    numbers — by value, and ``NEAR`` apart counts as common (``Renewal 2026`` is
    ``Renewal 2027``; ``Deal 17`` is not ``Deal 23``, ``Order 1001`` not ``Order 1007``).
    Two empty titles are related."""
    a, b = _words(title), _words(other)
    a, b = _glued(a, set(b)), _glued(b, set(a))
    if a == b or _within(a, b) or _within(b, a):
        return True
    if not a or not b:
        return False
    na, nb = _numbers(a), _numbers(b)
    if na and nb and not any(abs(x - y) <= NEAR for x in na for y in nb):
        return False
    from rapidfuzz import fuzz  # here: a load without renames never loads it (issue 8's RSS)

    return fuzz.token_sort_ratio(" ".join(a), " ".join(b)) >= SIMILAR


def _same(wanted: object, now: object) -> bool:
    """Whether the row's value is the deal's: numbers by value (``40000`` is ``40000.0``),
    the rest as titles are compared."""
    if now is None:
        return False
    try:
        return float(str(wanted)) == float(str(now))
    except ValueError:
        return _words(wanted) == _words(now)


def differing(deal: Mapping[str, Any], wanted: Mapping[str, Any],
              kept: Collection[str] = ()) -> list[str]:
    """The groups (``GROUPS``' names) where the row's values differ from the deal's, a
    field blank in the row or in ``kept`` (the plan keeps Pipedrive's) not compared; a
    stage given beside a pipeline is compared with it, as one group."""
    out = []
    for group, names in GROUPS.items():
        if any(wanted.get(name) not in (None, "") and name not in kept
               and not _same(wanted[name], deal.get(name)) for name in names):
            out.append(group)
    return out


def others(deal: Mapping[str, Any], wanted: Mapping[str, Any],
           kept: Collection[str] = ()) -> list[str]:
    """The fields besides the title and ``GROUPS`` (status, expected close date,
    probability, …; the mapper's names, ``custom fields`` for any custom field) whose row
    value, not blank and not in ``kept``, differs from the deal's as an update's diff
    reads them (``jobs.deals.deal_changes``) — x48r7 F1: another account's title + status
    export closed 40 of 40 unrelated deals unwarned."""
    rest: dict[str, Any] = {}
    for name, value in wanted.items():
        if name in ("title", *IDENTITY) or name in kept or blank(value):
            continue
        if name == "custom_fields" and isinstance(value, Mapping):
            value = {c: v for c, v in value.items() if c not in kept and not blank(v)}
        rest[name] = value
    changes = deal_changes(deal, rest, currency_alone=True)
    return [_CUSTOM if name == "custom_fields" else name for name in changes]


def _tells(wanted: Mapping[str, Any]) -> bool:
    """Whether the row gives a field besides the title (kept or not) that tells one deal
    from another when it agrees: not one of ``WEAK``, which most deals share (x49r4 F3:
    another account's titles with the currency every deal has, from a column or a mapping
    default, read as renames: 8 of 8 overwritten unwarned)."""
    return any(name != "title" and name not in WEAK and not blank(value)
               for name, value in wanted.items())


@dataclass(slots=True)
class ForeignIds:
    """The rows ``see`` compared with their deal, and those that look like another
    account's (the module's rule). ``rows``: the first few of them (manifest rows),
    ``shown``: the same as (row, the file's title or None, deal id, the deal's title);
    ``fields``: field group (or ``title`` or another field's name) -> rows; ``blind``: the
    rows without a title among them, ``alone``: those whose title is all the row gives."""

    compared: int = 0
    titled: int = 0  # of ``compared``: the rows giving a title
    foreign: int = 0
    strong: int = 0  # of ``foreign``: an unrelated title and ``STRONG`` other fields
    blind: int = 0
    alone: int = 0
    rows: list[int] = field(default_factory=list)
    shown: list[tuple[int, str | None, object, str]] = field(default_factory=list)
    fields: dict[str, int] = field(default_factory=dict)

    def see(self, row: int, deal: Mapping[str, Any] | None, wanted: Mapping[str, Any],
            kept: Collection[str] = ()) -> None:
        """Compare row ``row``'s mapped values ``wanted`` with its ``deal`` as read (a deal
        missing or deleted is not compared); ``kept``: the fields (the mapper's names) the
        plan keeps as Pipedrive has them, not compared."""
        if deal is None or deal.get("is_deleted"):
            return
        title = wanted.get("title")
        if title in (None, "") or "title" in kept:
            other = differing(deal, wanted, kept)
            if not other and not others(deal, wanted, kept):
                return  # writes nothing: tells nothing (x49r4 F8)
            self.compared += 1
            if len(other) < BLIND:
                return
            self.blind += 1  # warned, never refused (x49r4 F9)
        else:
            if related(title, deal.get("title") or ""):
                if title != deal.get("title") or differing(deal, wanted, kept) or others(
                        deal, wanted, kept):
                    self.compared += 1  # a row writing nothing is not compared (x49r4 F8)
                    self.titled += 1
                return
            self.compared += 1
            self.titled += 1
            other = [*differing(deal, wanted, kept), *others(deal, wanted, kept)]
            if not other:
                if _tells(wanted):  # the rest agrees with the deal: a rename of it
                    return
                self.alone += 1  # a title alone tells nothing else (x48r7 F1)
            elif len(other) >= STRONG:
                self.strong += 1
            other = ["title", *other]
        self.foreign += 1
        for name in other:
            self.fields[name] = self.fields.get(name, 0) + 1
        if len(self.rows) < _SHOWN:
            self.rows.append(row)
            self.shown.append((row, None if title in (None, "") else str(title),
                               deal.get("id"), str(deal.get("title") or "")))

    @property
    def stands(self) -> bool:
        """Whether the ids look foreign: ``LEAST`` rows or more, and most rows compared — a
        row that would write nothing is not compared (x49r4 F8: 8 rows of another account
        beside 9 unchanged rows of this one were written unwarned)."""
        return (self.foreign >= LEAST and self.foreign * 2 > self.compared) or self._titled_most(
            self.foreign - self.blind, warn=True)

    def _titled_most(self, count: int, *, warn: bool = False) -> bool:
        """Whether ``count`` rows giving a title, ``LEAST`` or more, are most of the rows
        compared that give one (x49r6 F1: another account's export with every other title
        blank, 15 of 15 titled rows unrelated, went unwarned: its untitled rows were
        counted against them) — and those rows a quarter of the rows compared at least (three
        unrelated titles among a thousand untitled rows tell little). A warning (``warn``)
        needs no quarter from ``2 * LEAST`` such rows (x50r4 F1: 9 of 9 titled rows of
        another account, 31 untitled beside them, ran unwarned; six renames to unrelated
        titles in one file are rare, and the warning stops nothing)."""
        if count < LEAST or count * 2 <= self.titled:
            return False
        return self.titled * 4 >= self.compared or (warn and count >= 2 * LEAST)

    @property
    def refuses(self) -> bool:
        """Whether the run is refused without ``--yes``, not only warned of: ``LEAST`` rows
        or more, and most rows compared, look like a whole export of another account (an
        unrelated title and ``STRONG`` other fields differing). A title with one other
        field, or alone, and rows without a title are warned of and run: a rename and a
        re-valuation of this account's deals reads so too (x49r4 F9: value, stage and
        owner of 8 of 8 own deals, no title column, were refused), and the update's
        before-images let ``pdbulk undo`` put them back."""
        return (self.strong >= LEAST and self.strong * 2 > self.compared) or self._titled_most(
            self.strong)

    def _what(self) -> str:
        """What the rows counted have: an unrelated title and what else, or no title."""
        titled = self.foreign - self.blind
        said = []
        if titled:
            said.append("an unrelated title" + (
                f" ({self.alone} of them with no other field: a rename of every deal to "
                "unrelated titles is rare; if that is what the file does, --yes runs it)"
                if self.alone else "") + (" and other differing fields"
                                          if titled > self.alone else ""))
        if self.blind:
            said.append(f"no title and {BLIND} or more of amount, stage, owner differing"
                        + (f" ({self.blind} of them)" if titled else ""))
        return "; or ".join(said)

    def to_json(self) -> dict[str, Any]:
        """The plan's ``foreign_ids`` (``--json``): ``count`` rows looking foreign of
        ``compared``, the first ``rows`` (manifest rows), ``groups``: field -> rows."""
        return {"count": self.foreign, "compared": self.compared, "rows": list(self.rows),
                "groups": dict(sorted(self.fields.items(), key=lambda kv: (-kv[1], kv[0])))}

    def warning(self) -> str | None:
        """The plan's line (None when the ids look like this account's)."""
        if not self.stands:
            return None
        named = ", ".join(f"{n} {c}" for n, c in sorted(
            self.fields.items(), key=lambda kv: (-kv[1], kv[0])))
        more = "; …" if self.foreign > len(self.shown) else ""
        rows = "; ".join(
            f"row {row}: " + (f"{mine!r} vs " if mine is not None else "") +
            ("its deal" if deal is None else f"deal {deal}") + f" {theirs!r}"
            for row, mine, deal, theirs in self.shown)
        return (f"WARNING: foreign ids? {self.foreign} of {self.compared} rows name a deal "
                f"of {self._what()} ({named}) — {rows}{more}: the ids look like another "
                "account's (a Pipedrive export of another company names its own deals 1, "
                "2, 3 …), and the update would overwrite unrelated deals of this account. "
                + ("Check a few of them in Pipedrive; `pdbulk update` refuses to start "
                   "without --yes while this warning stands" if self.refuses else
                   "Check a few of them in Pipedrive; the update runs (a rename and a new "
                   "value of this account's deals read so too): `pdbulk undo JOB` puts back "
                   "what it wrote"))

    def refusal(self) -> str | None:
        """Why the run does not start (None when the ids look like this account's)."""
        if not self.refuses:
            return None
        return (f"not started: {self.foreign} of {self.compared} rows name a deal of "
                f"{self._what()} (foreign ids? see the plan's WARNING); if the ids are this "
                "account's deals, run again with --yes")

    def __repr__(self) -> str:
        return f"ForeignIds(compared={self.compared}, foreign={self.foreign})"


__all__ = ["BLIND", "GROUPS", "IDENTITY", "LEAST", "NEAR", "SIMILAR", "STRONG", "WEAK", "ForeignIds",
           "differing", "others", "related"]
