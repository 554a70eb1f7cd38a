"""JSON records as flat rows: nested objects become dotted paths.

A record ``{"id": 7, "properties": {"dealname": "A", "hs.custom": 1},
"associations": {"contacts": [{"id": 3}, {"id": 4}]}}`` becomes the row
``{"id": 7, "properties.dealname": "A", 'properties["hs.custom"]': 1,
"associations.contacts": [{"id": 3}, {"id": 4}], "associations.contacts.id": 3}``:

- a nested key is joined to its parent with a dot; a nested key that contains a
  dot, a bracket or a quote is written in brackets as a JSON string
  (``properties["hs.custom"]``). Top-level keys are kept as they are.
- an array is kept whole under its path (the mapping takes its first element,
  or joins it with the field's ``join``); when its first element is an object,
  that object's leaves are also reachable through the array's path.

``read_json_array`` streams a ``.json`` file whose top level is an array of
records with ijson: one record in memory at a time, never the file.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from typing import Any

import ijson  # streaming JSON: a 2 GB export must not be loaded whole
import orjson

from .errors import InputError

_PLAIN = re.compile(r"[^.\[\]\"]+")


def path_part(parent: str | None, key: str) -> str:
    """The path of ``key`` under ``parent`` (None: a top-level key, kept as is)."""
    if parent is None:
        return key
    if _PLAIN.fullmatch(key):
        return f"{parent}.{key}"
    return f"{parent}[{json.dumps(key, ensure_ascii=False)}]"


def flatten(record: dict[str, Any]) -> dict[str, Any]:
    """The record as a flat row keyed by paths (see the module docstring)."""
    out: dict[str, Any] = {}
    _walk(record, None, out)
    return out


def _walk(value: dict[str, Any], parent: str | None, out: dict[str, Any]) -> None:
    for key, item in value.items():
        path = path_part(parent, str(key))
        if isinstance(item, dict):
            if item:
                _walk(item, path, out)
            else:
                out[path] = None
            continue
        out[path] = item
        if isinstance(item, list) and item and isinstance(item[0], dict):
            _walk(item[0], path, out)


def leaf_paths(row: dict[str, Any]) -> list[str]:
    """The paths of a flat row whose values are not arrays of objects (for init-mapping)."""
    return [path for path, value in row.items()
            if not (isinstance(value, list) and value and isinstance(value[0], dict))]


def read_json_array(path: str | os.PathLike[str]) -> Iterator[Any]:
    """Stream a ``.json`` file whose top level is an array of records, as ``SourceRow``s.

    The ``line`` of a row is its position in the array (1-based): ijson gives no
    line numbers. An element that is not an object is an error row; a syntax
    error ends the file with one error row saying how many records were read.
    """
    from .manifest import SourceRow

    try:
        f = open(path, "rb")
    except OSError as exc:
        raise InputError(f"cannot read {os.fspath(path)!r}: {exc.strerror}") from None
    with f:
        head = f.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
        if not head.startswith(b"["):
            raise InputError(f"{os.fspath(path)!r}: a .json manifest must be an array of records "
                             "(one object per line? name it .jsonl)")
        f.seek(0)
        if f.read(3) != b"\xef\xbb\xbf":
            f.seek(0)
        number = 0
        try:
            for number, value in enumerate(ijson.items(f, "item", use_float=True), 1):
                if isinstance(value, dict):
                    yield SourceRow(number, number, flatten(value))
                else:
                    yield SourceRow(number, number, {"(record)": orjson.dumps(value).decode()},
                                    InputError(
                                        f"record {number}: expected a JSON object, got "
                                        f"{type(value).__name__}", row=number))
        except ijson.JSONError as exc:
            yield SourceRow(number + 1, number + 1, {}, InputError(
                f"record {number + 1}: not valid JSON ({exc}); the file's other records "
                "after this point cannot be read", row=number + 1))


__all__ = ["flatten", "leaf_paths", "path_part", "read_json_array"]
