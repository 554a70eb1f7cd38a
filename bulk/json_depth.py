"""A ``.json`` manifest's nesting bounded before any parser builds it.

ijson keeps a prefix per open array or object (``item.item.item...``), so its memory
grows with the square of the nesting: a 200 KB file of ``[[[[...]]]]`` (depth 100,000)
took more than 22 GB and was killed by the kernel (x43r4 F2). A manifest is an array of
records whose values nest a few levels (HubSpot's ``associations.contacts[0].id`` is 5);
``MAX_DEPTH`` is far above any record and far below any cost. ``DepthGuard`` wraps the
byte stream ijson reads and raises ``InputError`` as soon as a chunk opens a level past
it: the bytes of strings are skipped (a ``"[[["`` in a note is text), the rest counted
with C-level scans, one pass, constant memory. It must never hold more than one chunk.
"""

from __future__ import annotations

import io
import os
import re
from itertools import accumulate

from .errors import InputError

MAX_DEPTH = 64  # arrays and objects within one another, the top-level array counted

# unrolled (a run of plain bytes, then an escape and a run): sre's fastest form
_STRING_REST = re.compile(rb'[^"\\]*+(?:\\.[^"\\]*+)*+"', re.S)  # the rest of an open string
_STRINGS = re.compile(rb'"[^"\\]*+(?:\\.[^"\\]*+)*+"', re.S)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_STEP = [0] * 256
_STEP[ord("[")] = _STEP[ord("{")] = 1
_STEP[ord("]")] = _STEP[ord("}")] = -1


class DepthGuard(io.RawIOBase):
    """``raw`` read as it is, refusing a nesting past ``limit`` (``InputError`` naming
    ``path``, the depth and the byte offset of the chunk). Its state between chunks: the
    depth, and whether a string (and an escape in it) is still open."""

    def __init__(self, raw: io.BufferedReader, path: str | os.PathLike[str],
                 limit: int = MAX_DEPTH) -> None:
        super().__init__()
        self._raw = raw
        self._path = path
        self._limit = limit
        self._depth = 0
        self._offset = 0  # bytes read before the current chunk
        self._in_string = False
        self._escape = False  # the chunk ended on a backslash inside a string

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        chunk = self._raw.read(size)
        if chunk:
            self._scan(chunk)
            self._offset += len(chunk)
        return chunk

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        chunk = self.read(len(buffer))
        buffer[:len(chunk)] = chunk
        return len(chunk)

    def _scan(self, chunk: bytes) -> None:
        pos = 0
        if self._in_string:
            if self._escape:
                pos, self._escape = 1, False
            found = _STRING_REST.match(chunk, pos)
            if found is None:
                self._escape = _odd_backslashes(chunk[pos:])
                return
            pos, self._in_string = found.end(), False
        # whole strings out; a quote left opens a string this chunk does not close: the
        # rest of the chunk is inside it (a pair the removal finds after it is text)
        outside = _STRINGS.sub(b"", chunk[pos:] if pos else chunk)
        opened = outside.find(b'"')
        if opened >= 0:
            self._in_string = True
            self._escape = _odd_backslashes(chunk)
            outside = outside[:opened]
        brackets = outside.translate(None, _NOT_BRACKETS)
        if not brackets:
            return
        opens = brackets.count(b"[") + brackets.count(b"{")
        if self._depth + opens > self._limit:
            deepest = max(accumulate(map(_STEP.__getitem__, brackets), initial=self._depth))
            if deepest > self._limit:
                raise InputError(
                    f"{os.fspath(self._path)!r}: nested more than {self._limit} levels deep "
                    f"(arrays or objects within one another, near byte {self._offset:,}); "
                    "a .json manifest is an array of records whose values nest a few "
                    "levels at most: check the file is the export meant")
        self._depth += 2 * opens - len(brackets)


def _odd_backslashes(text: bytes) -> bool:
    return (len(text) - len(text.rstrip(b"\\"))) % 2 == 1


__all__ = ["MAX_DEPTH", "DepthGuard"]
