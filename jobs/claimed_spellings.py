"""An insert that did not list the deals carrying a key still refuses a key this state
folder made a deal for in another spelling (x37r1 F3).

An insert lists the account's keyed deals only while the list costs at most
``import_load.KEY_LIST_SHARE`` of its creates (``index_keyed_deals``); past that it gives
up, and ``jobs.similar_keys`` — which reads the account's keys from that list — was never
asked: ``417`` beside a deal of ``000417``, a Salesforce 15-character id beside the
18-character one, created a second deal, exit 0, though this machine's claims named the
first deal (the same file in upsert mode is refused).

The other spellings of each row's key are exact or few (``other_spellings``): a Salesforce
id's other length (its checksum), a number's digits without their leading zeros, and with
up to ``PAD_WIDTH`` digits of them. Looked up in the claims (no API call), a spelling whose
claim names a created deal is read back by id (``GET /api/v2/deals?ids=``, 10 tokens a 100;
the archived list, 20 tokens a 100, for those the default list does not hold: archived or
gone), so a deal deleted since holds nothing against the row, and a deal that carries the
spelling in its key field is handed to ``RowPlanner`` as the index ``similar_keys`` reads
(``RowPlanner.claimed_spellings``). The plan runs the same load: plan = run. Keys made
elsewhere in another spelling are still not looked for (the plan's note says so).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from bulk.calls import CallContext
from bulk.clock import in_thread

from .account import DealsByKey, deal_key
from .deals import read_archived, read_deals
from .import_store import claim_name
from .similar_keys import SALESFORCE, ZEROS, key_form, salesforce_suffix

PAD_WIDTH = 12  # the widest zero-padded form of a number's key looked up (digits)
_CHUNK = 2000  # claim names asked at once


def other_spellings(key: str) -> list[str]:
    """The spellings of ``key`` another row or deal of the same record may carry, ``key``
    itself left out: ``417`` → ``0417`` … (``PAD_WIDTH`` digits); ``000417`` → ``417``,
    ``0417``, …; a 15-character Salesforce id → its 18-character form, an 18 → its 15."""
    form = key_form(key)
    if form is None:
        return []
    kind, core = form
    if kind == SALESFORCE:
        other = core if len(key) == 18 else core + salesforce_suffix(core)
        return [other] if other != key else []
    assert kind == ZEROS
    return [spelled for width in range(len(core), max(PAD_WIDTH, len(key)) + 1)
            if (spelled := core.rjust(width, "0")) != key]


def _names(keys: Iterable[str | None], key_code: str) -> Iterator[tuple[str, str]]:
    """(claim name, spelling) of every other spelling of ``keys``, each once."""
    seen: set[str] = set()
    for key in keys:
        for spelled in other_spellings(key) if key else ():
            if spelled not in seen:
                seen.add(spelled)
                yield claim_name(key_code, spelled), spelled


async def claimed_spellings(ctx: CallContext, key_code: str,
                            keys: Callable[[], Iterable[str | None]],
                            outcomes: Callable[[list[str]], Any]) -> DealsByKey | None:
    """The deals this state folder's claims say it created under another spelling of one of
    ``keys`` (the file's raw keys, read in a worker thread by the caller's ``keys``), read
    back and still carrying that spelling: spelling → deal (``archived`` for those only
    the archived list holds). ``outcomes``: the claims' ``outcomes`` (names → outcome).
    None when no claim names one (no call made)."""
    from bulk.claims import IN_DOUBT

    pairs = await in_thread(lambda: list(_names(keys(), key_code)))
    made: dict[str, int] = {}
    for start in range(0, len(pairs), _CHUNK):
        chunk = pairs[start:start + _CHUNK]
        named = await outcomes([name for name, _ in chunk])
        for name, spelled in chunk:
            outcome = named.get(name) or {}
            deal_id = outcome.get("deal_id")
            if isinstance(deal_id, int) and IN_DOUBT not in outcome:
                made[spelled] = deal_id
    if not made:
        return None
    live = await read_deals(ctx, made.values())
    archived = await read_archived(ctx, [i for i in made.values() if i not in live])
    found = DealsByKey()
    for spelled, deal_id in made.items():
        deal = live.get(deal_id) or archived.get(deal_id)
        if deal is not None and deal_key(deal, key_code) == spelled:
            found.add(spelled, deal, archived=deal_id not in live)
    return found


__all__ = ["PAD_WIDTH", "claimed_spellings", "other_spellings"]
