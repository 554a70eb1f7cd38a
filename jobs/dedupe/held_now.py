"""A planned pair judged again right before it is merged, on what the account holds now:
by the apply before its question, by a resume before anything is sent, and by each batch's
re-check right before its merges go (``MergeJob.recheck``: a colleague renaming an org to a
catch-all while the run merges, or a merge found in flight and not applied on resume and
sent again, is judged as any).

The "changed since the plan" check reads the deals alone (their ``update_time``), but a
match also rests on what no deal write shows: the names of the deals' organization and
person (a rename changes no deal: FACTS.md, and ``records.orgs_since``) and the
reviewers' keep-separate decisions recorded in the state directory since the plan
(x37r2 F2: a resume of night 1's job merged a pair whose org a colleague had renamed
``Privatkunden Nord``, a catch-all, which night 2's plan held; F2b: an apply of an older
plan merged a pair a reviewer had marked keep-separate in a newer one; F2c: an org renamed
``Privatkunden Ost`` and a person ``Walk-in customer`` since the plan). A pair is held —
left alone, nothing sent, named — when, since its plan:

- a pair of its group is in the state's ``keep-separate.json``;
- a deal's organization or person is another record (``org_id`` / ``person_id``: an
  organization or person merged, say);
- its organization or person is renamed to a catch-all name (``catch_all.named_catch_all``),
  or renamed at all when the pair's two deals sit at two organizations (or with two
  persons): their names were part of the match. A shared organization or person renamed
  to another real name leaves the match as it was.

Reads (``names_calls`` prices them, for ``pdbulk plan dedupe``, the apply's plan and a
resume's, once for the whole and once a re-check batch): the names of the organizations
and persons the plan recorded for the pairs' deals, by ids, the cheaper way for their
count (``records.names_by_ids``, by the ``x-token-cost`` of openapi-v2.yaml): one ``GET
/api/v2/organizations/{id}`` (``getOrganization``, 1 token) a record for up to 9 of them,
else ``GET /api/v2/organizations?ids=`` (100 ids a call, 10 tokens; ``/persons`` alike) —
never the whole lists, so the count is exact before the run. Deals with neither cost
nothing. A record read by id as 404 / 410 or marked deleted is deleted (no name), as the
list leaves it out. A user who may not read persons (403) is judged on the organizations
alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from bulk.calls import CallContext
from bulk.errors import Forbidden

from ..deals import Deal
from .catch_all import named_catch_all
from .model import DealRecord
from .never_takeable import kept_pair, kept_reason
from .records import names_by_ids, names_calls_of


def wanted_ids(records: Iterable[DealRecord | None]) -> tuple[set[int], set[int]]:
    """The organization and person ids the plan recorded for ``records`` (the pairs' deals):
    the names ``names_now`` reads."""
    orgs: set[int] = set()
    persons: set[int] = set()
    for r in records:
        if r is None:
            continue
        if r.org_id is not None:
            orgs.add(r.org_id)
        if r.person_id is not None:
            persons.add(r.person_id)
    return orgs, persons


def names_calls(orgs: int, persons: int) -> dict[str, int]:
    """The calls ``names_now`` makes for ``orgs`` organization and ``persons`` person ids,
    by operation (``records.names_calls_of``: by id for up to 9, else 100 ids a call)."""
    return {**names_calls_of("getOrganizations", orgs), **names_calls_of("getPersons", persons)}


async def names_now(ctx: CallContext, orgs: Iterable[int], persons: Iterable[int]
                    ) -> tuple[dict[int, str], dict[int, str] | None]:
    """Organization id -> name and person id -> name as the account holds them now (an id
    missing: deleted); persons None when the user may not read them (403)."""
    org_names = await names_by_ids(ctx, "getOrganizations", orgs)
    try:
        person_names: dict[int, str] | None = await names_by_ids(ctx, "getPersons", persons)
    except Forbidden:
        person_names = None
    return org_names, person_names


def held_now(member_ids: Sequence[int], planned: Mapping[int, DealRecord],
             live: Mapping[int, Deal], orgs: Mapping[int, str],
             persons: Mapping[int, str] | None,
             separate: Iterable[frozenset[int]]) -> str | None:
    """Why the deals ``member_ids`` (a group, or a pair: survivor first) are no longer a
    match by what the account holds now (the module docstring), else None. ``planned``:
    the plan's records; ``live``: the deals read now; ``orgs`` / ``persons``: names now
    (``names_now``); ``separate``: the state's keep-separate pairs. A deal ``live`` lacks
    (not read) is judged on the names alone."""
    if (pair := kept_pair(member_ids, set(separate))) is not None:  # never takeable
        return f"{kept_reason(*pair)}; nothing sent"
    records = [r for i in member_ids if (r := planned.get(i)) is not None]
    for kind, names in (("org", orgs), ("person", persons)):
        if names is None:
            continue
        shared = len({_of(r, kind) for r in records}) == 1
        for r in records:
            deal = live.get(r.id)
            then = _of(r, kind)
            if then is None:
                continue
            now = then if deal is None else _id(deal.get(f"{kind}_id"))  # None: not read
            if now != then:
                return (f"held now: deal {r.id}'s {_word(kind)} is {_word(kind)} {now} since "
                        f"the plan ({then} then; merged or replaced); left alone — merges "
                        "are final: plan it again")
            name, before = names.get(then), (r.org_name if kind == "org" else r.person_name)
            if name is None or name == (before or ""):
                continue
            if named_catch_all(name, kind):
                return (f"held now: {kind} {then} renamed '{name}' since the plan, a "
                        "catch-all; nothing sent")
            if not shared and before is not None:  # None: the plan knew no name
                return (f"held now: {kind} {then} renamed '{name}' since the plan "
                        f"('{before or ''}' then), and the pair's deals sit at two "
                        f"{_word(kind)}s: plan it again; nothing sent")
    return None


def _of(r: DealRecord, kind: str) -> int | None:
    return r.org_id if kind == "org" else r.person_id


def _word(kind: str) -> str:
    return "organization" if kind == "org" else "person"


def _id(raw: object) -> int | None:
    if isinstance(raw, Mapping):
        raw = raw.get("value", raw.get("id"))
    return raw if isinstance(raw, int) and not isinstance(raw, bool) else None


__all__ = ["held_now", "names_calls", "names_now", "wanted_ids"]
