"""Candidate generation (blocking): which pairs of deals are worth scoring. Never all-pairs.

Deals share a block when they have the same organization, the same person (or two person
records sharing an e-mail, or a name and a phone number: ``records.person_keys``),
the same organization *name* (two org records of one company), the same identifier
value (``DedupeConfig.identifier_fields``: a PO number, the import's source key), or the same
title key (the normalized title's words without numbers, sorted — finds copies
with no org or person, and copies on another org record). A title block of
more than 12 deals (a generic title used at many companies) is compared as a
neighbourhood sorted by organization name and person (window 4). A block larger than
``max_block_size`` (e.g. every deal of a huge org, or a generic title) is
compared as a sorted neighbourhood: members sorted by normalized title, each
compared with the next ``window - 1``. On top, one global sorted neighbourhood
over all titles (words sorted; window 3) catches copies whose only shared
evidence is a near-equal title. Work is O(n · (block cap + window)), not O(n²).

With ``focus`` only pairs with at least one member in focus are produced.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterator, Sequence

from .scoring import Prepared

GLOBAL_WINDOW = 3
TITLE_BLOCK_FULL = 12  # a title block up to this size is compared in full
TITLE_WINDOW = 4  # else: each deal with its next 3 neighbours in (org name, person) order


def block_keys(p: Prepared) -> Iterator[tuple[str, object]]:
    """The keys a prepared deal is blocked under (see the module docstring), each once: a
    key given twice put the deal twice in its block, paired with itself (x29r1 F4: an
    umlaut only in the legal form, ``beschränkter Haftung``, made both readings of the
    name ``acme``)."""
    seen: set[tuple[str, object]] = set()
    for key in _keys(p):
        if key not in seen:
            seen.add(key)
            yield key


def _keys(p: Prepared) -> Iterator[tuple[str, object]]:
    d = p.deal
    if d.org_id is not None:
        yield ("org", d.org_id)
    if d.person_id is not None:
        yield ("person", d.person_id)
    for person in d.person_keys:  # one person on two records (an e-mail shared: x43r2 F4)
        yield ("person_key", person)
    if p.org:
        yield ("org_name", p.org.replace(" ", ""))  # normalize.same_company: spacing aside
    if p.org_plain:  # Björk read as Bjork too (normalize.same_org_name)
        yield ("org_name", p.org_plain.replace(" ", ""))
    for ident in p.idents:  # one identifier value (PO number, source key): compared whatever the title
        yield ("identifier", ident)
    key = " ".join(sorted(t for t in p.title.tokens if t not in p.title.numbers))
    if key:
        yield ("title", key)


def _window_pairs(members: Sequence[int], window: int, sort_key: Callable[[int], str],
                  focus: Collection[int] | None) -> Iterator[tuple[int, int]]:
    order = sorted(members, key=sort_key)
    n = len(order)
    for i in range(n):
        x = order[i]
        for j in range(i + 1, min(n, i + window)):
            y = order[j]
            if focus is None or x in focus or y in focus:
                yield (x, y) if x < y else (y, x)


def candidate_pairs(prepared: Sequence[Prepared], *, max_block_size: int, window: int,
                    focus: Collection[int] | None = None) -> set[tuple[int, int]]:
    """Index pairs ``(i, j)``, ``i < j``, into ``prepared`` worth scoring.

    ``focus`` holds *indexes* into ``prepared``; when given, every pair has a member in it.
    """
    blocks: defaultdict[tuple[str, object], list[int]] = defaultdict(list)
    if focus is None:
        for i, p in enumerate(prepared):
            for k in block_keys(p):
                blocks[k].append(i)
    else:  # only the blocks a focused deal is in
        wanted = {k for f in focus for k in block_keys(prepared[f])}
        for i, p in enumerate(prepared):
            for k in block_keys(p):
                if k in wanted:
                    blocks[k].append(i)

    def by_title(i: int) -> str:
        return prepared[i].title.sorted_text

    def by_company(i: int) -> str:
        p = prepared[i]
        return f"{p.org}\x00{p.deal.person_id}"

    pairs: set[tuple[int, int]] = set()
    for key, members in blocks.items():
        n = len(members)
        if n < 2:
            continue
        if focus is not None and not any(m in focus for m in members):
            continue
        if key[0] == "title" and n > TITLE_BLOCK_FULL:
            # one title at many companies (a generic title): neighbours by company, not all pairs
            pairs.update(_window_pairs(members, TITLE_WINDOW, by_company, focus))
            continue
        if n > max_block_size:
            pairs.update(_window_pairs(members, window, by_title, focus))
            continue
        if focus is None:
            pairs.update((members[x], members[y]) for x in range(n) for y in range(x + 1, n))
        else:
            for f in (m for m in members if m in focus):
                pairs.update((f, m) if f < m else (m, f) for m in members if m != f)
    pairs.update(_window_pairs(range(len(prepared)), GLOBAL_WINDOW, by_title, focus))
    return pairs
