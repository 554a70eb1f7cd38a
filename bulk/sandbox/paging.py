"""v2 cursor pagination: opaque cursors, ``limit`` default 100 and at most 500.

List cursors are keyset positions (sort key and id of the last item served),
so records created or deleted while a client pages never shift a page: each
surviving record is served exactly once. Search cursors are offsets.
"""

from __future__ import annotations

import base64
import binascii
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from .errors import invalid
from .values import query_choice, query_int

Record = dict[str, Any]
DEFAULT_LIMIT = 100
MAX_LIMIT = 500
SORTS = ("id", "update_time", "add_time")


def limit_param(query: Mapping[str, str]) -> int:
    limit = query_int(query, "limit")
    if limit is None:
        return DEFAULT_LIMIT
    if not 1 <= limit <= MAX_LIMIT:
        raise invalid("limit", f"must be between 1 and {MAX_LIMIT}")
    return limit


def encode_cursor(payload: Mapping[str, Any]) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(payload)).decode().rstrip("=")


def decode_cursor(raw: str) -> dict[str, Any]:
    try:
        data = orjson.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
    except (binascii.Error, orjson.JSONDecodeError, ValueError):
        raise invalid("cursor", "is not a valid cursor") from None
    if not isinstance(data, dict):
        raise invalid("cursor", "is not a valid cursor")
    return data


@dataclass(frozen=True, slots=True)
class PageQuery:
    """Sort, direction, page size and the position after which to start."""

    sort_by: str
    desc: bool
    limit: int
    after: tuple[Any, int] | None  # (sort value, id) of the last item already served

    @classmethod
    def parse(cls, query: Mapping[str, str], sorts: tuple[str, ...] = SORTS) -> PageQuery:
        sort_by = query_choice(query, "sort_by", sorts, "id")
        desc = query_choice(query, "sort_direction", ("asc", "desc"), "asc") == "desc"
        limit = limit_param(query)
        after = None
        raw = query.get("cursor")
        if raw:
            data = decode_cursor(raw)
            if data.get("s") != sort_by or data.get("d") != desc or not isinstance(
                    data.get("i"), int):
                raise invalid("cursor", "does not belong to this sort_by/sort_direction")
            after = (data.get("v"), data["i"])
        return cls(sort_by, desc, limit, after)

    def cursor_after(self, record: Record) -> str:
        return encode_cursor({"s": self.sort_by, "d": self.desc,
                              "v": record.get(self.sort_by), "i": record["id"]})


def _ids_from(ids: list[int], after: int | None, desc: bool) -> Iterator[int]:
    if not desc:
        start = 0 if after is None else bisect_right(ids, after)
        for i in range(start, len(ids)):
            yield ids[i]
    else:
        end = len(ids) if after is None else bisect_left(ids, after)
        for i in range(end - 1, -1, -1):
            yield ids[i]


SortKey = tuple[bool, Any, int]


def sort_key(value: Any, rid: int) -> SortKey:
    """Order of (value, id); nulls first, never compared with values of another type."""
    return (value is not None, 0 if value is None else value, rid)


def sorted_keys(rows: Mapping[int, Record], sort_by: str) -> list[SortKey]:
    return sorted(sort_key(r.get(sort_by), r["id"]) for r in rows.values())


def _walk(order: list[SortKey], after: SortKey | None, desc: bool) -> Iterator[int]:
    if not desc:
        start = 0 if after is None else bisect_right(order, after)
        for i in range(start, len(order)):
            yield order[i][2]
    else:
        end = len(order) if after is None else bisect_left(order, after)
        for i in range(end - 1, -1, -1):
            yield order[i][2]


def keyset_page(rows: Mapping[int, Record], ordered_ids: list[int],
                keep: Callable[[Record], bool], page: PageQuery,
                order: list[SortKey] | None = None) -> tuple[list[Record], str | None]:
    """One page of ``rows`` that pass ``keep``, in ``page`` order; and the next cursor.

    Walks from the cursor and stops after one page: by id over ``ordered_ids``
    (sorted ids), otherwise over ``order`` (``sorted_keys`` of the rows, which
    tables cache between writes) or, without it, a fresh sort of ``ordered_ids``.
    """
    want = page.limit + 1
    if page.sort_by == "id":
        after_id = None if page.after is None else page.after[1]
        walk = _ids_from(ordered_ids, after_id, page.desc)
    else:
        if order is None:
            order = sorted(sort_key(rows[i].get(page.sort_by), i) for i in ordered_ids)
        after = None if page.after is None else sort_key(*page.after)
        walk = _walk(order, after, page.desc)
    found: list[Record] = []
    for rid in walk:
        row = rows.get(rid)
        if row is not None and keep(row):
            found.append(row)
            if len(found) == want:
                break
    more = len(found) > page.limit
    items = found[:page.limit]
    return items, page.cursor_after(items[-1]) if more and items else None


def offset_page(items: list[Any], query: Mapping[str, str]) -> tuple[list[Any], str | None]:
    """Offset pages (search results, which have no stable sort key)."""
    limit = limit_param(query)
    start = 0
    raw = query.get("cursor")
    if raw:
        data = decode_cursor(raw)
        offset = data.get("o")
        if not isinstance(offset, int) or offset < 0:
            raise invalid("cursor", "is not a valid cursor")
        start = offset
    end = start + limit
    return items[start:end], encode_cursor({"o": end}) if end < len(items) else None


__all__ = ["DEFAULT_LIMIT", "MAX_LIMIT", "PageQuery", "Record", "SortKey", "decode_cursor",
           "encode_cursor", "keyset_page", "limit_param", "offset_page", "sort_key",
           "sorted_keys"]
