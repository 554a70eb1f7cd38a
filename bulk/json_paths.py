"""The JSON path grammar: how a mapping names a value inside a JSON record.

``properties.dealname`` (dotted keys), ``props["deal name"]`` / ``props['deal name']`` (a
key holding a dot, a bracket, a quote or a space, in brackets), ``["a.b"]`` (a top-level
key with a dot). ``parse_path`` reads a path into its keys, ``render_path`` writes keys
as the path that reads nothing else, ``PathRow`` is a flat row (``manifest_json.flatten``)
read by any spelling of a path. Moved out of ``bulk.manifest_json`` (issue 8: one concept
per module), which still re-exports every name.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from .errors import InputError

_PLAIN = re.compile(r"[^.\[\]\"]+")


def path_part(parent: str | None, key: str) -> str:
    """The path of ``key`` under ``parent`` (None: a top-level key, kept as is)."""
    if parent is None:
        return key
    if _PLAIN.fullmatch(key):
        return f"{parent}.{key}"
    return f"{parent}[{json.dumps(key, ensure_ascii=False)}]"


# ---------------------------------------------------------------- the path grammar
#
#   path    := root segment*
#   root    := bracket | NAME      NAME: any text up to a "." or a "[" followed by a quote
#   segment := "." DOTTED | bracket      DOTTED: one or more of anything but . [ ] "
#   bracket := '["' JSON string body '"]'  |  "['" body with \' and \\ escapes "']"
#
# A key holding any character (a space, a dot, a bracket, a quote) is written in brackets.

_ROOT = re.compile(r'(?:[^.\[]|\[(?!["\']))+')
_DOTTED = re.compile(r'\.([^.\[\]"]+)')
_DOUBLE = re.compile(r'\["((?:[^"\\]|\\.)*)"\]')
_SINGLE = re.compile(r"\['((?:[^'\\]|\\.)*)'\]")


def _bracket(path: str, at: int) -> tuple[str, int] | None:
    """The key of the bracket at ``at`` and the position after it, or None."""
    if (m := _DOUBLE.match(path, at)) is not None:
        try:
            return json.loads(f'"{m[1]}"'), m.end()
        except ValueError:
            return None
    if (m := _SINGLE.match(path, at)) is not None:
        body = re.sub(r"\\(['\"\\])", lambda e: f"\\u{ord(e[1]):04x}", m[1])
        try:
            return json.loads('"' + body.replace('"', '\\"') + '"'), m.end()
        except ValueError:
            return None
    return None


@functools.lru_cache(maxsize=4096)
def parse_path(path: str) -> tuple[tuple[str, ...], bool] | None:
    """``path``'s keys from the top level down and whether its top-level key is written
    in brackets, or None when it is not a path of the grammar (module docstring):
    ``props["deal name"]`` and ``props['deal name']`` are ``("props", "deal name")``."""
    at, keys = 0, []
    bracketed = path.startswith(('["', "['"))
    if bracketed:
        first = _bracket(path, 0)
        if first is None:
            return None
        keys.append(first[0])
        at = first[1]
    elif (m := _ROOT.match(path)) is not None:
        keys.append(m[0])
        at = m.end()
    else:
        return None
    while at < len(path):
        if (m := _DOTTED.match(path, at)) is not None:
            keys.append(m[1])
            at = m.end()
        elif (b := _bracket(path, at)) is not None:
            keys.append(b[0])
            at = b[1]
        else:
            return None
    return tuple(keys), bracketed


def _quoted(key: str) -> str:
    return f"[{json.dumps(key, ensure_ascii=False)}]"


def render_path(keys: Sequence[str]) -> str:
    """The path of these keys that reads nothing else: a top-level key holding a dot, a
    bracket or a quote is bracketed (``["a.b"]``), as ``path_part`` brackets nested ones.
    ``parse_path(render_path(keys))[0] == tuple(keys)`` for any non-empty ``keys``."""
    root = keys[0] if _PLAIN.fullmatch(keys[0]) else _quoted(keys[0])
    for key in keys[1:]:
        root = path_part(root, key)
    return root


def explicit_path(keys: Sequence[str]) -> str:
    """``render_path`` with every nested key in brackets (``a["b"]``): never a top-level
    key's name as it is, so it names the nested value where a record also has ``"a.b"``."""
    root = keys[0] if _PLAIN.fullmatch(keys[0]) else _quoted(keys[0])
    return root + "".join(_quoted(k) for k in keys[1:])


def row_path(keys: Sequence[str]) -> str:
    """The key ``flatten`` gives the value at ``keys`` (its top-level key as it is)."""
    path = keys[0]
    for key in keys[1:]:
        path = path_part(path, key)
    return path


def parent_paths(row: Mapping[str, Any]) -> set[str]:
    """The paths (as ``flatten`` keys them) that hold an object in the record ``row`` was
    flattened from: every proper prefix of its paths (a top-level key with a dot, in
    ``row.roots``, is one key). ``header``'s sample leaves out those that no sampled
    record holds a value at: ``properties.company`` (null in one record, an object in the
    others) is not a column init-mapping may propose as an organization's name; ``amount``
    (an object in one record, ``"100"`` in another) stays one."""
    roots: Collection[str] = getattr(row, "roots", frozenset())
    out: set[str] = set()
    for key in row:
        parsed = None if key in roots else parse_path(key)
        if parsed is not None and len(parsed[0]) > 1:
            keys = parsed[0]
            out.update(row_path(keys[:n]) for n in range(1, len(keys)))
    return out


class AmbiguousPath(InputError):
    """A path that reads two different values in one record (``a.b``: the top-level key
    ``"a.b"`` and the nested ``{"a": {"b": ...}}``): a row error naming both readings."""


_ABSENT = object()


class PathRow(dict[str, Any]):
    """A flattened JSON record: a ``dict`` keyed as ``flatten`` writes paths, read by any
    spelling of the path grammar (``props["deal name"]`` reads ``props.deal name``).

    ``roots``: the keys that hang from a top-level key holding a dot, bracket or quote
    (``"a.b"`` kept as it is): ``["a.b"]`` reads them, ``a["b"]`` does not. ``ambiguous``:
    paths two readings share in this record, with the message naming both; reading one
    by that spelling raises ``AmbiguousPath`` (``get`` and ``[]``; ``in`` is True)."""

    __slots__ = ("ambiguous", "roots")

    def __init__(self, values: Mapping[str, Any] | None = None, *,
                 roots: Collection[str] = (), ambiguous: Mapping[str, str] | None = None,
                 ) -> None:
        super().__init__(values or {})
        self.roots = frozenset(roots)
        self.ambiguous = dict(ambiguous or {})

    def key_of(self, path: str) -> str | None:
        """The stored key ``path`` reads here (None: none); AmbiguousPath when two."""
        parsed = parse_path(path)
        if parsed is None:
            return path if dict.__contains__(self, path) else None
        keys, bracketed = parsed
        at = row_path(keys)
        if at in self.ambiguous:
            if path == at:
                raise AmbiguousPath(self.ambiguous[at])
            if bracketed and not _PLAIN.fullmatch(keys[0]):  # the top-level key's reading
                at = render_path(keys)
            return at if dict.__contains__(self, at) else None
        if not dict.__contains__(self, at):
            return None
        top = at in self.roots
        if bracketed and not _PLAIN.fullmatch(keys[0]):
            return at if top else None  # ["a.b"] names the top-level key "a.b" only
        return at if not top or path == at else None  # a["b"] is never the key "a.b"

    def __missing__(self, key: str) -> Any:
        at = self.key_of(key)
        if at is None or at == key:
            raise KeyError(key)
        return dict.__getitem__(self, at)

    def __getitem__(self, key: str) -> Any:
        if self.ambiguous and key in self.ambiguous:
            raise AmbiguousPath(self.ambiguous[key])
        return super().__getitem__(key)

    def get(self, key: str, default: Any = None) -> Any:
        value = dict.get(self, key, _ABSENT)  # the common case: a hit, one lookup
        if value is _ABSENT:
            at = self.key_of(key)
            return default if at is None or at == key else dict.__getitem__(self, at)
        if self.ambiguous and key in self.ambiguous:
            raise AmbiguousPath(self.ambiguous[key])
        return value

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, str):
            return False
        if dict.__contains__(self, key) or key in self.ambiguous:
            return True
        try:
            return self.key_of(key) is not None
        except AmbiguousPath:
            return True


def object_at(values: Mapping[str, Any], path: str) -> bool:
    """Whether a flat row holds an object at ``path`` (paths under it)."""
    parsed = parse_path(path)
    at = row_path(parsed[0]) if parsed is not None else path
    return any(k.startswith((at + ".", at + "[")) for k in values)


def path_problem(path: str) -> str | None:
    """Why ``path`` cannot be a JSON path of the grammar (``parse_path``:
    ``properties.dealname``, ``properties["hs.custom"]``, ``props['deal name']``), or
    None: a mapping's paths into a JSON manifest are checked for their form only —
    whether records have them is known only by reading every record (a path may first
    appear in record 5,000)."""
    if not path.strip():
        return "an empty path"
    if parse_path(path) is None:
        for quoted in re.findall(r'\[("(?:[^"\\]|\\.)*")\]', path):
            try:
                json.loads(quoted)
            except ValueError:
                return f"the bracketed key {quoted} is not a JSON string"
        return ("not a path: write nested keys with dots (properties.dealname) and a key "
                'that holds a dot, a bracket, a quote or a space in brackets '
                '(properties["hs.custom"], properties["deal name"])')
    return None


__all__ = ["AmbiguousPath", "PathRow", "explicit_path", "object_at", "parent_paths",
           "parse_path", "path_part", "path_problem", "render_path", "row_path"]
