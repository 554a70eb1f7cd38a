"""JSON records as flat rows: nested objects become dotted paths.

A record ``{"id": 7, "properties": {"dealname": "A", "hs.custom": 1},
"associations": {"contacts": [{"id": 3}, {"id": 4}]}}`` becomes the row
``{"id": 7, "properties.dealname": "A", 'properties["hs.custom"]': 1,
"associations.contacts": [{"id": 3}, {"id": 4}], "associations.contacts.id": 3}``:

- a nested key is joined to its parent with a dot; a nested key that contains a
  dot, a bracket or a quote is written in brackets as a JSON string
  (``properties["hs.custom"]``). Top-level keys are kept as they are.
- an empty object is kept as ``{}`` (a field that reads it fails its row: it is
  not a blank cell);
- an array is kept whole under its path (the mapping takes its first element,
  or joins it with the field's ``join``); when its first element is an object,
  that object's leaves are also reachable through the array's path.

``read_json_array`` streams a ``.json`` file whose top level is an array of
records with ijson: one record in memory at a time, never the file.

Numbers stay exact: an integer is an ``int`` (any size), a fraction a ``float``
when the double is the number written; any other number (an integer beyond
64 bits, ``0.1234567890123456789``) is a ``JsonNumber`` — a ``str`` holding the
number as the file writes it, so failed.csv shows the original cell and the
transforms see the true value (then refuse it: Pipedrive's doubles cannot hold
it), never a rounded double.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import sys
from collections.abc import Collection, Iterator, Mapping
from decimal import Decimal
from typing import Any

import ijson  # streaming JSON: a 2 GB export must not be loaded whole
import orjson

from .errors import InputError
from .json_depth import DepthGuard
from .json_paths import (
    _PLAIN,
    AmbiguousPath,
    PathRow,
    explicit_path,
    object_at,
    parent_paths,
    parse_path,
    path_part,
    path_problem,
    render_path,
    row_path,
)
from .manifest_encoding import open_utf8
from .manifest_peek import first_significant
from .manifest_row import SourceRow

NESTED_JSON = "nested too deeply (arrays or objects within one another past Python's limit)"
_INT64 = (-(2 ** 63), 2 ** 64 - 1)  # what orjson (and the job store) carry as integers


class JsonNumber(str):
    """A JSON number no ``int``/``float`` carries exactly, as its text (see the module
    docstring). A ``str``, so whatever does not know it keeps the text as it is."""

    __slots__ = ()


def exact_float(text: str) -> float | JsonNumber:
    """A JSON fraction: the ``float`` when it is exactly the number written, writes
    back as the same text (``0.5``) and has at most 15 significant digits, else its
    text (``12.500``, ``1e3``, ``1e400``, ``0.1234567890123456``): a failed-rows file
    gives the number back as written, and a number target refuses what a double
    cannot hold."""
    number = float(text)
    if math.isfinite(number) and repr(number) == text and len(_SIGNIFICANT.sub(
            "", text.partition("e")[0]).strip("0")) <= _DOUBLE_DIGITS:
        return number
    return JsonNumber(text)


# a double keeps 15 significant digits: a float written with more (0.1234567890123456,
# the 0.30000000000000004 of 0.1+0.2) stays its text, and the transforms refuse it as
# they refuse the same CSV text, never rounding it as they round an XLSX cell (v10r7 M5)
_DOUBLE_DIGITS = 15
_SIGNIFICANT = re.compile(r"[^0-9]")


def exact_int(text: str) -> int | JsonNumber:
    """A JSON integer: an ``int`` within 64 bits, else its text."""
    number = int(text)
    return number if _INT64[0] <= number <= _INT64[1] else JsonNumber(text)


def loads_exact(raw: bytes) -> Any:
    """``raw`` parsed with every number exact. orjson first (fast); but it turns integers
    beyond 64 bits into doubles and refuses numbers beyond a double's range (valid JSON),
    and the ``NaN`` / ``Infinity`` that Python's json.dumps writes: a record with a float,
    or one orjson refuses, is parsed again by the standard library with the number texts
    in hand (those constants become ``JsonNumber``s, so the row fails in a numeric
    column with its cells kept, and nowhere else). Whatever else orjson refuses (lone
    surrogates, syntax errors) stays refused."""
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        try:
            value = _loads_texts(raw)
            orjson.dumps(value)  # the rest is what orjson reads (no lone surrogates)
        except (ValueError, orjson.JSONEncodeError):
            raise exc from None
        return value
    if _has_float(value):
        try:
            value = _loads_texts(raw)
        except ValueError:  # stricter than orjson somewhere (lone surrogates): keep its reading
            pass
    return value


def _loads_texts(raw: bytes) -> Any:
    return json.loads(raw, parse_float=exact_float, parse_int=exact_int,
                      parse_constant=JsonNumber)


class _Pairs(dict[str, Any]):
    """A JSON object that remembers the first key it was given twice (``json`` and ijson
    keep the last value silently: x19r1 F2 keyed a deal by the second "Source ID")."""

    __slots__ = ("twice",)

    def __init__(self) -> None:
        super().__init__()
        self.twice: str | None = None

    def __setitem__(self, key: str, value: Any) -> None:
        if self.twice is None and key in self:
            self.twice = key
        super().__setitem__(key, value)


def _pairs(pairs: list[tuple[str, Any]]) -> _Pairs:
    out = _Pairs()
    for key, value in pairs:
        out[key] = value
    return out


_KEY_END = re.compile(rb'"[ \t\r\n]*:')  # ends every key (and maybe some string values)


def key_twice(raw: bytes, value: Any) -> str | None:
    """The path of a key some object of the JSON text ``raw`` (parsed: ``value``) names
    twice, else None. Cheap when there is none: the ``":`` that end keys are counted
    (a string value may hold more, never fewer) against the keys parsed; only when the
    text has more is it parsed again, keeping every pair."""
    if len(_KEY_END.findall(raw)) <= _count_keys(value):
        return None
    return twice_path(json.loads(raw, object_pairs_hook=_pairs, parse_float=exact_float,
                                 parse_int=exact_int, parse_constant=JsonNumber))


def _count_keys(value: Any) -> int:
    if isinstance(value, dict):
        return len(value) + sum(_count_keys(v) for v in value.values()
                                if isinstance(v, dict | list))
    if isinstance(value, list):
        return sum(_count_keys(v) for v in value if isinstance(v, dict | list))
    return 0


def twice_path(value: Any, parent: str = "") -> str | None:
    """The dotted path of the first key a ``_Pairs`` object in ``value`` was given twice."""
    if isinstance(value, _Pairs) and value.twice is not None:
        return f"{parent}.{value.twice}" if parent else value.twice
    if isinstance(value, dict):
        items = [(f"{parent}.{k}" if parent else k, v) for k, v in value.items()
                 if isinstance(v, dict | list)]
    elif isinstance(value, list):
        items = [(f"{parent}[{n}]", v) for n, v in enumerate(value)
                 if isinstance(v, dict | list)]
    else:
        return None
    for path, item in items:
        found = twice_path(item, path)
        if found is not None:
            return found
    return None


def _has_float(value: Any) -> bool:
    if isinstance(value, float):
        return True
    if isinstance(value, dict):
        return any(_has_float(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_float(v) for v in value)
    return False


def decimal_text(number: Decimal) -> str:
    """A number ijson parsed (``Decimal``) as JSON text: its digits and exponent kept, the
    exponent written as JSON writes it — ``1e3`` stays ``1e3`` (``str`` gives ``1E+3``),
    ``2.5e-7``, ``12.500``. The value and its significant digits are the file's; only the
    spelling may differ where Decimal keeps no trace of it (``10e2`` is ``1.0e3``)."""
    text = str(number)
    return text.replace("E+", "e").replace("E", "e")


def _exact(value: Any) -> Any:
    """An ijson value (``use_float=False``: ints and Decimals) with exact numbers."""
    if isinstance(value, Decimal):
        return exact_float(decimal_text(value))
    if isinstance(value, int) and not isinstance(value, bool):
        return value if _INT64[0] <= value <= _INT64[1] else JsonNumber(str(value))
    if isinstance(value, dict):
        return {k: _exact(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_exact(v) for v in value]
    return value


def unflatten(row: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON record ``flatten`` read ``row`` from, as far as its paths tell: each path's
    keys nested again (``props.company name`` → ``{"props": {"company name": ...}}``); a
    leaf reached through an array (its first object's, ``flatten`` adds them) left out,
    the array holding it; a key of ``row.roots`` (a top-level key with a dot) or a path
    that cannot nest kept as it is. What failed.jsonl writes, so a re-import reads every
    path the mapping used — a bracket path (``props["company name"]``: the nested key
    only) or a path into an array of objects found nothing in the flat keys, and the
    re-imported deal lost its organization or person (v10r10 S2, S3)."""
    roots: Collection[str] = getattr(row, "roots", frozenset())
    parsed: list[tuple[tuple[str, ...], Any, str]] = []
    for key, value in row.items():
        found = None if key in roots else parse_path(key)
        parsed.append(((key,) if found is None else found[0], value, key))
    arrays = {keys for keys, value, _ in parsed if isinstance(value, list)}
    out: dict[str, Any] = {}
    for keys, value, key in parsed:
        if any(keys[:n] in arrays for n in range(1, len(keys))):
            continue  # its array is written whole
        node: Any = out
        for part in keys[:-1]:
            node = node.setdefault(part, {}) if isinstance(node, dict) else None
        if isinstance(node, dict) and (keys[-1] not in node or node[keys[-1]] == {}):
            node[keys[-1]] = value
        elif key not in out:
            out[key] = value  # a path that cannot nest here: as it was
    return out


def flatten(record: dict[str, Any]) -> PathRow:
    """The record as a flat row keyed by paths (see the module docstring). A path two
    top-level keys give (``"a.b"`` and ``{"a": {"b": ...}}``) keeps the nested reading
    under it and the other under ``render_path`` (``["a.b"]``); when they differ, reading
    the path as written is an ``AmbiguousPath`` naming both (``PathRow``)."""
    if all(_PLAIN.fullmatch(str(k)) for k in record):
        # plain top-level keys: a path's top-level key ends at its first "." or "[", so two
        # of them never give the same path (the common case, kept fast)
        plain = PathRow()
        _walk_plain(record, None, plain)
        return plain
    out: dict[str, Any] = {}
    roots: set[str] = set()
    origin: dict[str, tuple[str, ...]] = {}  # each path's keys, from the top level
    clashes: dict[str, list[tuple[tuple[str, ...], Any]]] = {}
    for key, item in record.items():
        key = str(key)
        part: dict[str, Any] = {}
        paths: dict[str, tuple[str, ...]] = {}
        _walk({key: item}, None, part, paths, ())
        for path, value in part.items():
            if path in clashes or path in origin:
                if path not in clashes:
                    clashes[path] = [(origin[path], out.pop(path))]
                    roots.discard(path)
                clashes[path].append((paths[path], value))
                continue
            out[path] = value
            origin[path] = paths[path]
            if not _PLAIN.fullmatch(key):
                roots.add(path)
    ambiguous: dict[str, str] = {}
    for path, readings in clashes.items():
        for keys, value in readings:
            at = path if _PLAIN.fullmatch(keys[0]) else render_path(keys)
            out[at] = value
        if any(v != readings[0][1] for _, v in readings[1:]):
            ambiguous[path] = (
                f"{path!r} reads two values in this record: "
                + " and ".join(f"{explicit_path(k)} ({_shown(v)})" for k, v in readings)
                + "; write the one meant (a nested key in brackets, a[\"b\"]; a top-level "
                  'key with a dot in brackets, ["a.b"])')
    return PathRow(out, roots=roots, ambiguous=ambiguous)


def _shown(value: Any) -> str:
    text = value if isinstance(value, str) else orjson.dumps(
        value, default=str).decode()
    return repr(text[:40] + ("..." if len(text) > 40 else ""))


def _walk_plain(value: dict[str, Any], parent: str | None, out: dict[str, Any]) -> None:
    for key, item in value.items():
        path = path_part(parent, str(key))
        if isinstance(item, dict):
            if item:
                _walk_plain(item, path, out)
            else:
                out[path] = {}  # kept: a field that reads it fails, never reads it as blank
            continue
        out[path] = item
        if isinstance(item, list) and item and isinstance(item[0], dict):
            _walk_plain(item[0], path, out)


def _walk(value: dict[str, Any], parent: str | None, out: dict[str, Any],
          paths: dict[str, tuple[str, ...]], above: tuple[str, ...]) -> None:
    for key, item in value.items():
        path = path_part(parent, str(key))
        keys = (*above, str(key))
        if isinstance(item, dict):
            if item:
                _walk(item, path, out, paths, keys)
            else:
                out[path] = {}  # kept: a field that reads it fails, never reads it as blank
                paths[path] = keys
            continue
        out[path] = item
        paths[path] = keys
        if isinstance(item, list) and item and isinstance(item[0], dict):
            _walk(item[0], path, out, paths, keys)


def structured(value: Any) -> bool:
    """Whether a flat row's value is an object or an array holding an object: no text
    target can take it (its leaves are paths of their own), so a path where any record
    has one is never proposed as a column."""
    return isinstance(value, dict) or (isinstance(value, list)
                                       and any(isinstance(v, dict | list) for v in value))


@contextlib.contextmanager
def _any_int_digits() -> Iterator[None]:
    """Lift Python's limit on the digits of an int read from text while ijson reads a file.

    ijson's C backend (yajl2_c, ijson 3.6) crashes the process (SIGSEGV, no message) when an
    integer of more than ``sys.get_int_max_str_digits()`` (4,300) digits fails to convert
    (x41r1 S1: ``pdbulk plan import`` of a .json with such a number ended with exit 139).
    With the limit lifted the number is read, and the row's own checks refuse it as they
    refuse one in a CSV cell. The limit is put back when the file is done."""
    before = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(0)
    try:
        yield
    finally:
        sys.set_int_max_str_digits(before)


# the keys an API response wraps its records in: HubSpot's and most REST APIs' "results",
# Salesforce's "records", JSON:API's "data", "items"
WRAPPER_KEYS = ("results", "records", "data", "items")
_WRAPPERS_SAID = ", ".join(f'"{k}"' for k in WRAPPER_KEYS)


def wrapper_key(path: str | os.PathLike[str], encoding: str | None = None) -> str:
    """The key of a ``.json`` file's top-level object that holds its records: the one
    ``WRAPPER_KEYS`` key whose value is an array (``{"results": [...], "paging": {}}``).
    One streaming pass over the file (constant memory). InputError when no such key, or
    more than one, holds an array, naming the top-level keys."""
    arrays: list[str] = []
    keys: list[str] = []
    records: list[str] = []  # top-level keys whose array holds objects (records)
    ended = False  # the top-level object is closed: what follows is another value
    with open_utf8(path, encoding) as f, _any_int_digits():
        if f.peek(3)[:3] == b"\xef\xbb\xbf":
            f.read(3)
        try:  # DepthGuard: ijson's memory grows with the nesting's square (x43r4 F2)
            for prefix, event, value in ijson.parse(DepthGuard(f, path), use_float=False):
                if prefix == "" and event == "map_key":
                    keys.append(str(value))
                elif event == "start_array" and prefix in WRAPPER_KEYS:
                    arrays.append(prefix)
                elif event == "start_map" and prefix.endswith(".item") \
                        and prefix[:-5] in keys and prefix[:-5] not in records:
                    records.append(prefix[:-5])
                elif prefix == "" and event == "end_map":
                    ended = True
        except ijson.JSONError as exc:
            if not ended and len(arrays) == 1 and all(k in arrays for k in records):
                # broken inside the one array of records (a truncated download): its reader
                # yields the records before it and one failed row, as for a plain array
                # (x9r3: the whole file was refused here)
                return arrays[0]
            raise InputError(f"{os.fspath(path)!r}: " + (
                "a .json manifest must be an array of records, and this file holds more than "
                "one object (one object per line? name it .jsonl)" if ended
                else f"not valid JSON ({json_error(exc)})")) from None
    others = [k for k in records if k not in arrays]
    if len(arrays) == 1 and others:
        # v10r21: {"results": [...], "archived": [...]} imported the results and dropped the
        # archived records with a note that did not name them
        raise InputError(f"{os.fspath(path)!r}: the top-level object holds records under "
                         f"{arrays[0]!r} and also under {', '.join(map(repr, others))}: which "
                         "are the records to import is not clear; save those records as an "
                         "array ([{...}, ...]) or as .jsonl (one file per kind)")
    if len(arrays) == 1:
        return arrays[0]
    shown = ", ".join(f'"{k}"' for k in keys[:10]) or "none"
    if arrays:
        raise InputError(f"{os.fspath(path)!r}: the top-level object holds arrays under "
                         f"{', '.join(map(repr, arrays))}: which are the records is not "
                         "clear; save the records as an array ([{...}, ...]) or as .jsonl")
    raise InputError(f"{os.fspath(path)!r}: a .json manifest is an array of records, or an "
                     f"object holding one under {_WRAPPERS_SAID}; this object has no array "
                     f"there (its keys: {shown}); save the records as an array "
                     "([{...}, ...]) or one object per line as .jsonl")


def json_error(exc: Exception) -> str:
    """A JSON parser's error as one line: yajl's message without the excerpt and the
    ``(right here) ------^`` pointer it puts on the lines below (every error a user
    meets is one line, README)."""
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return " ".join(first.split())


def wrapped(path: str | os.PathLike[str], encoding: str | None = None) -> str | None:
    """The wrapper key a ``.json`` file's records are under (``wrapper_key``), or None
    when its top level is an array (or the file cannot say: its reader will)."""
    try:
        with open_utf8(path, encoding) as f:
            head = first_significant(f, 1)
        return wrapper_key(path, encoding) if head.startswith(b"{") else None
    except InputError:
        return None


def read_json_array(path: str | os.PathLike[str], encoding: str | None = None) -> Iterator[Any]:
    """Stream a ``.json`` file whose top level is an array of records — or an API
    response's object holding one under a ``WRAPPER_KEYS`` key (``wrapper_key``) — as
    ``SourceRow``s.

    The ``line`` of a row is its position in the array (1-based): ijson gives no
    line numbers. An element that is not an object is an error row; a syntax
    error ends the file with one error row saying how many records were read.
    """
    with open_utf8(path, encoding) as head_file:  # the encoding is checked before any record
        head = first_significant(head_file, 1)  # past any whitespace (x45r5 F2)
    if not head:
        raise InputError(f"{os.fspath(path)!r} has no records (the file is empty): nothing "
                         "to read")
    prefix = "item"
    if head.startswith(b"{"):
        prefix = f"{wrapper_key(path, encoding)}.item"
    elif not head.startswith(b"["):
        raise InputError(f"{os.fspath(path)!r}: a .json manifest must be an array of records, "
                         "or an object holding one under " + _WRAPPERS_SAID
                         + " (one object per line? name it .jsonl)")
    with open_utf8(path, encoding) as f, _any_int_digits():
        if f.peek(3)[:3] == b"\xef\xbb\xbf":
            f.read(3)
        number = 0
        try:
            # use_float=False: exact ints and Decimals (yajl's own integers overflow at 64 bits)
            for number, item in enumerate(ijson.items(DepthGuard(f, path), prefix,
                                                      use_float=False, map_type=_Pairs), 1):
                try:
                    twice = twice_path(item)
                    value = _exact(item)
                    row = flatten(value) if twice is None and isinstance(value, dict) else None
                except RecursionError:  # x19r1 F6
                    yield SourceRow(number, number, {}, InputError(
                        f"record {number}: {NESTED_JSON}", row=number))
                    continue
                if twice is not None:
                    yield SourceRow(number, number, {"(record)": orjson.dumps(value).decode()},
                                    InputError(f"record {number}: record names {twice!r} "
                                               "twice", row=number))
                elif row is not None:
                    yield SourceRow(number, number, row)
                else:
                    yield SourceRow(number, number, {"(record)": orjson.dumps(value).decode()},
                                    InputError(
                                        f"record {number}: expected a JSON object, got "
                                        f"{type(value).__name__}", row=number))
        except ijson.JSONError as exc:
            yield SourceRow(number + 1, number + 1, {}, InputError(
                f"record {number + 1}: not valid JSON ({json_error(exc)}); the file's other "
                "records after this point cannot be read", row=number + 1))


__all__ = ["NESTED_JSON", "unflatten",
           "AmbiguousPath", "JsonNumber", "PathRow", "decimal_text", "exact_float", "exact_int",
           "explicit_path", "flatten", "key_twice", "loads_exact", "object_at", "parse_path", "path_part",
           "parent_paths", "path_problem", "read_json_array", "render_path", "row_path", "structured",
           "WRAPPER_KEYS", "wrapper_key", "wrapped", "json_error"]
