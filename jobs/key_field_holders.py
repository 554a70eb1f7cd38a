"""Before ``--create-key-field`` makes a key field: does another text field of the account
already hold the file's source keys? ``file_keys_held``, ``refuse_held_keys``.

Why: a key field renamed in Pipedrive ("Import source key" → "Legacy source key") is
recognised by its field code only where a record of that code exists
(``jobs.key_field_record``: the state folder, the job root). An import from a new state
folder and a new job root (another machine, a new cron box) knows no code, finds no field
of the mapping's name, and ``--create-key-field`` made a new key field and created every
deal again. The keys themselves are the evidence that survives the rename: when the
account's deals already carry the file's keys in a text field, that field is the key field
under another name (or a field another tool keyed the same records by), and a new key field
would double every such deal.

What it costs: one paged read of the deals (``getDeals``, 10 tokens a page of 500) with
only the account's custom text fields (``custom_fields``: at most ``CODES_A_READ`` codes a
read, so one read per 15 text fields), made only by a run that would create the key field
(a first import: never an ordinary run), and not at all when the account has no custom
text field; the file is read for its keys only once a deal with a text value is read.
``plan import`` makes the same read, so its tokens price it. Archived deals are not read
(20 tokens a page, for a guard). It never writes, and it keeps no deal: per field,
the count of the sampled keys it holds. Fields holding some keys, each under
``HELD_SHARE``, refuse nothing and are said in a note (the plan's and the load's).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Iterable, Mapping, Set
from typing import Any

from bulk.calls import CallContext
from bulk.clock import in_thread
from bulk.errors import InputError

from .catalog import Catalog, DealField
from .transforms import norm_key, whole_key

PAGE = 500  # the largest getDeals page
CODES_A_READ = 15  # getDeals' custom_fields takes at most 15 codes (FACTS.md)
# the file's first distinct keys compared (memory bounded whatever the file's size)
SAMPLED_KEYS = 10_000
# a field holding at least this share of the sampled keys (and at least one) is taken for
# a key field: a renamed key field holds nearly every key of a standing upsert's file; a
# field that holds a few by coincidence (short numeric keys) stays below it
HELD_SHARE = 0.1
_TEXT_TYPES = ("varchar", "varchar_auto", "text")


def text_fields(catalog: Catalog, label: str) -> list[DealField]:
    """The account's custom text fields other than those named ``label`` (as
    ``Catalog.field`` reads labels): the fields that could hold source keys."""
    want = norm_key(label)
    return [f for f in catalog.deal_fields
            if f.is_custom and f.type in _TEXT_TYPES and norm_key(f.name) != want]


def _value_key(value: object) -> str | None:
    """A custom text value read as a source key is (``jobs.account.deal_key``)."""
    if isinstance(value, Mapping):
        value = value.get("value")
    if value is None:
        return None
    text = str(value).strip()
    return (whole_key(text) or None) if text else None


async def file_keys_held(ctx: CallContext, fields: Iterable[DealField],
                         file_keys: Callable[[], Set[str]]) -> tuple[dict[str, int], int]:
    """(field code → how many of the file's keys the account's deals hold in that field,
    codes holding none left out; how many keys were looked for). ``fields``: the text
    fields to read (``text_fields``); one paged ``getDeals`` read (10 tokens a page of 500
    deals) per ``CODES_A_READ`` of them, nothing read when ``fields`` is empty.
    ``file_keys`` (the file's sampled keys) is called, in a thread, only once a deal with a
    value in one of ``fields`` is read: an account with no deal, or none with such a value,
    costs no pass over the file. Raises what ``ctx`` raises (an ``ApiError``, ``Stopped``)
    and what ``file_keys`` raises."""
    codes = [f.code for f in fields]
    held: dict[str, set[str]] = {}
    keys: Set[str] | None = None
    for at in range(0, len(codes), CODES_A_READ):
        chunk = codes[at:at + CODES_A_READ]
        params: dict[str, object] = {"custom_fields": ",".join(chunk)}
        async for page in ctx.paginate("getDeals", params=params, limit=PAGE):
            for deal in page.data or ():
                custom: Any = deal.get("custom_fields") if isinstance(deal, Mapping) else None
                if not isinstance(custom, Mapping):
                    continue
                for code in chunk:
                    key = _value_key(custom.get(code))
                    if key is None:
                        continue
                    if keys is None:
                        keys = await in_thread(file_keys)
                    if key in keys:
                        held.setdefault(code, set()).add(key)
    return {code: len(found) for code, found in held.items()}, len(keys or ())


# how the guard compares, said with its answers: as the import matches a row to its deal
MATCHED = "keys compared as the import matches them: surrounding spaces ignored, case kept"


def refuse_held_keys(label: str, fields: Collection[DealField], held: Mapping[str, int],
                     sampled: int) -> str | None:
    """Raise ``InputError`` (nothing created) when a field of ``fields`` holds at least
    ``HELD_SHARE`` of the ``sampled`` keys of the file (``held``: ``file_keys_held``),
    naming the field that holds most, how many it holds, and what to run instead.
    Returns a note (not a refusal) when fields hold some of the keys, each under that
    share: the fields holding most, how many, and that the key field is made all the
    same; None when none holds any."""
    if sampled <= 0:
        return None
    at_least = max(1, math.ceil(sampled * HELD_SHARE))
    ranked = sorted(((n, f) for f in fields if (n := held.get(f.code, 0)) > 0),
                    key=lambda pair: (-pair[0], pair[1].code))
    first = "first " if sampled >= SAMPLED_KEYS else ""
    found = [(n, f) for n, f in ranked if n >= at_least]
    if not found:
        if not ranked:
            return None
        some = ", ".join(f"{f.name!r} (code {f.code}): {n:,}" for n, f in ranked[:3])
        more = f" and {len(ranked) - 3:,} more fields" if len(ranked) > 3 else ""
        return (f"some of the file's {first}{sampled:,} source keys are already held on "
                f"existing deals by other text fields: {some}{more}; each holds under a "
                f"tenth, so none is taken for a renamed key field and --create-key-field "
                f"makes {label!r}, the rows of those keys creating new deals. If one of "
                f"them is your key field, name it (key_field = ... in the mapping's "
                f"[import]) and run without --create-key-field ({MATCHED})")
    n, field = found[0]
    of = (f"all {sampled:,} of the file's source keys" if n == sampled else
          f"{n:,} of the file's {first}{sampled:,} source keys")
    also = (f" (and {', '.join(repr(f.name) for _, f in found[1:3])} some)"
            if len(found) > 1 else "")
    raise InputError(
        f"the deal field {field.name!r} (code {field.code}) already holds {of} on "
        f"existing deals{also} ({MATCHED}): it looks like the key field an earlier import "
        f"wrote them into, renamed since; --create-key-field would make a new key field "
        f"{label!r} and create those deals again. Use it as the key field: key_field = "
        f"{field.name!r} in the mapping's [import], and run the import without "
        f"--create-key-field (or rename the field back to {label!r} in Pipedrive). If that "
        f"field is not a key field, create the text field {label!r} in Pipedrive and run "
        "without --create-key-field; nothing was created")


async def refuse_keys_held_elsewhere(ctx: CallContext, catalog: Catalog, label: str,
                                     file_keys: Callable[[], Set[str]]) -> str | None:
    """The check a run that would create the key field ``label`` makes first: when the
    account has a custom text field (``text_fields``), the file's sampled keys
    (``file_keys``, read in a thread once a deal holds a text value) are looked for in
    the deals' text fields (``file_keys_held``) and ``refuse_held_keys`` decides: its
    note (fields holding some keys, none enough to refuse) or None. Raises ``InputError``
    (nothing sent but the reads), or what ``ctx`` raises."""
    fields = text_fields(catalog, label)
    if not fields:
        return None
    held, sampled = await file_keys_held(ctx, fields, file_keys)
    return refuse_held_keys(label, fields, held, sampled)


__all__ = ["CODES_A_READ", "HELD_SHARE", "MATCHED", "SAMPLED_KEYS", "file_keys_held",
           "refuse_held_keys", "refuse_keys_held_elsewhere", "text_fields"]
