"""The values matching works on and produces: deals in, scored pairs and groups out.

Pure data (frozen, slotted dataclasses); nothing here talks to Pipedrive. A
``DealRecord`` is the compact view of a deal that matching needs and also the
nightly index row. Field names follow Pipedrive's deal object (v2
``GET /api/v2/deals``: ``title``, ``status``, ``org_id``, ``person_id``,
``value``, ``currency``, ``pipeline_id``, ``stage_id``, ``owner_id``,
``add_time``, ``update_time``, ``expected_close_date``, ``is_archived``; ``close_time``:
its ``won_time`` / ``lost_time``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

Band = Literal["duplicate", "review", "distinct"]
GroupBand = Literal["duplicate", "review"]


@dataclass(frozen=True, slots=True)
class DealRecord:
    """The compact view of a deal that matching needs (also the nightly index row).

    ``status`` is Pipedrive's ``open`` / ``won`` / ``lost`` / ``deleted``;
    ``stage_order`` is the stage's ``order_nr`` in its pipeline; ``value`` is in
    ``currency`` units (a 3-letter code); times are aware UTC; ``fields`` holds
    custom field values by field key, for field policies.
    """

    id: int
    title: str
    status: str
    org_id: int | None = None
    org_name: str | None = None
    person_id: int | None = None
    value: float | None = None
    currency: str | None = None
    pipeline_id: int | None = None
    stage_id: int | None = None
    stage_order: int | None = None
    owner_id: int | None = None
    add_time: datetime | None = None
    update_time: datetime | None = None
    expected_close_date: date | None = None
    is_archived: bool = False
    fields: Mapping[str, object] = field(default_factory=dict)
    # the deal's other standard fields a merge can lose (``records.merge_losable``: every
    # field but the system ones and those above), non-empty ones only: label_ids,
    # probability, lost_reason, visible_to, channel... by their API names
    more: Mapping[str, object] = field(default_factory=dict)
    # when a won / lost deal was closed: its ``won_time`` / ``lost_time`` (``close_time`` when
    # that is all it has); None for an open deal and when the account gave none. Never its
    # ``update_time``: a label or a note written after the close moves that (x23r2 1)
    close_time: datetime | None = None
    # a digest of the fields a person edits beyond those above (probability, labels,
    # visibility, lost reason: ``jobs.deals.editable_digest`` without custom fields); None
    # when not read. Apply compares it with the deal read then (an edit in the plan's own
    # second keeps update_time: x9r6)
    digest: str | None = field(default=None, compare=False)
    # the person's name (v2 ``getPersons``' ``name``), read with the plan: a person named
    # as no one (``Unknown``, ``Walk-in customer``, ``Kunde``) is a catch-all (``catch_all``)
    person_name: str | None = None
    # what tells the person record apart as a person (``records.person_keys``): digests of its
    # e-mails (case aside) and of its name with each phone number's digits, read with its name;
    # two person records sharing one are one person entered twice (x42r2 F5). () when not read
    person_keys: tuple[str, ...] = field(default=(), compare=False)


@dataclass(frozen=True, slots=True)
class ScoredPair:
    """One candidate pair, ``a < b``, its score in [0, 1], band and the evidence.

    ``reasons`` are human-readable, e.g. ``"title 0.97"``, ``"same org"``,
    ``"add_time 3 min apart"``, ``"guard: currency EUR≠USD"``.
    """

    a: int
    b: int
    score: float
    band: Band
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Group:
    """Deals that are one deal: the survivor and the others in merge order.

    ``id`` is stable (``"g-"`` + smallest member id); ``score`` is the minimum
    pairwise score within the group; ``survivor_reasons`` says which survivor
    rule decided; ``differing`` lists the DealRecord field names whose values
    differ within the group.
    """

    id: str
    survivor_id: int
    merged_ids: tuple[int, ...]
    band: GroupBand
    score: float
    reasons: tuple[str, ...]
    survivor_reasons: tuple[str, ...]
    differing: tuple[str, ...]
    # late copies taken out of the group (added days after its first copy, within the copy
    # gap of another: ``cluster.Cluster.left_out``): the next plan compares them again
    left_out: tuple[int, ...] = ()
    # a reviewer's decision an earlier plan's groups.csv held, carried into this plan
    # (``earlier_decisions.carry``): "merge", or "" (none: matching never sets it)
    decision: str = ""

    @property
    def member_ids(self) -> tuple[int, ...]:
        """Survivor first, then the merged ids."""
        return (self.survivor_id, *self.merged_ids)


@dataclass(frozen=True, slots=True)
class MatchResult:
    """What ``find_duplicates`` found.

    ``pairs``: every scored pair in the review or duplicate band (candidates, and
    the pairs inside a group);
    ``compared``: how many candidate pairs were scored (the blocking's cost);
    ``held``: pairs whose score reached the review threshold but that a guard or a
    keep-separate decision holds apart (band ``distinct``; the reasons say which),
    and pairs inside a group scoring below the review band (a chain).
    """

    groups: tuple[Group, ...]
    pairs: tuple[ScoredPair, ...]
    compared: int
    held: tuple[ScoredPair, ...] = ()
