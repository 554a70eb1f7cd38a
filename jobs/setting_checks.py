"""The checks of a library caller's settings, made before any call: each refuses a value
with ``ConfigError`` (an ``InputError``) naming the owner, the field and what it takes.

x41r1 M4: the positional arguments (a manifest or job path, the ``EngineConfig``, the
token, the ``Work``) were not checked: ``None`` or an int ended in a bare TypeError or
AttributeError; ``arguments`` checks them, for every function ``jobs.__all__`` exports.

x25r3 F1: ``ImportSettings(mode="UPSERT")`` was taken as it came and made every row
"exists" (0 updates, a "finished" job). What the CLI's options check for the command
line, these check for the library: enumerated fields against their choices, flags as
booleans, counts and thresholds in their ranges. They read nothing and send nothing.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable
from typing import Any

from bulk.errors import ConfigError


def one_of(owner: str, name: str, value: Any, choices: Iterable[str], *,
           optional: bool = False) -> None:
    """``value`` is one of ``choices`` (or None when ``optional``)."""
    allowed = tuple(choices)
    if value is None and optional:
        return
    if not isinstance(value, str) or value not in allowed:
        either = ", ".join(allowed) + (" or None" if optional else "")
        raise ConfigError(f"{owner}({name}=...) must be one of {either}, not {value!r}")


def flag(owner: str, name: str, value: Any) -> None:
    """``value`` is True or False (a string "no" is true to Python: refused)."""
    if not isinstance(value, bool):
        raise ConfigError(f"{owner}({name}=...) must be True or False, not {value!r}")


def whole(owner: str, name: str, value: Any, *, least: int, optional: bool = False) -> None:
    """``value`` is a whole number of at least ``least`` (or None when ``optional``)."""
    if value is None and optional:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        none = " or None" if optional else ""
        raise ConfigError(f"{owner}({name}=...) must be a whole number of at least {least}"
                          f"{none}, not {value!r}")


def share(owner: str, name: str, value: Any, *, optional: bool = False) -> None:
    """``value`` is a number in [0, 1] (a score; or None when ``optional``)."""
    if value is None and optional:
        return
    if isinstance(value, bool) or not isinstance(value, int | float) \
            or not (math.isfinite(value) and 0 <= value <= 1):
        none = " or None" if optional else ""
        raise ConfigError(f"{owner}({name}=...) must be a number in [0, 1]{none}, "
                          f"not {value!r}")


def text(owner: str, name: str, value: Any, *, optional: bool = True) -> None:
    """``value`` is a string (or None when ``optional``)."""
    if value is None and optional:
        return
    if not isinstance(value, str):
        raise ConfigError(f"{owner}({name}=...) must be a string{' or None' if optional else ''}"
                          f", not {value!r}")


def texts(owner: str, **values: Any) -> None:
    """Each of ``values`` (keyword: value) a string or None (``text``)."""
    for name, value in values.items():
        text(owner, name, value)


_UNSET: Any = object()


def path(owner: str, name: str, value: Any, *, optional: bool = False) -> None:
    """``value`` is a file or folder path: a ``str`` or an ``os.PathLike`` (or None when
    ``optional``); an empty string is refused too (it names the current folder)."""
    if value is None and optional:
        return
    if isinstance(value, str) and value.strip() == "":
        raise ConfigError(f"{owner}({name}=...) is empty: give a file or folder path")
    if not isinstance(value, str | os.PathLike):
        none = " or None" if optional else ""
        raise ConfigError(f"{owner}({name}=...) must be a path (str or pathlib.Path){none}, "
                          f"not {_kind(value)}")


def instance(owner: str, name: str, value: Any, cls: type | tuple[type, ...], what: str, *,
             optional: bool = False) -> None:
    """``value`` is an instance of ``cls`` (``what`` says it in words; or None when
    ``optional``)."""
    if value is None and optional:
        return
    if not isinstance(value, cls):
        raise ConfigError(f"{owner}({name}=...) must be {what}, not {_kind(value)}")


def arguments(owner: str, *, cfg: Any = _UNSET, token: Any = _UNSET, **paths: Any) -> None:
    """The arguments a library door takes first, checked before anything is read, created
    or sent (x41r1 M4): ``cfg`` a ``bulk.EngineConfig``, ``token`` the API token (a
    non-empty printable string: ``bulk.client.Secret``; the message never shows it),
    each of ``paths`` (keyword: value) a path (``path``). Raises ``ConfigError``."""
    if cfg is not _UNSET:
        from bulk.engine import EngineConfig
        instance(owner, "cfg", cfg, EngineConfig, "a bulk.EngineConfig")
    if token is not _UNSET:
        from bulk.client import Secret
        try:
            Secret(token)
        except ConfigError as exc:
            raise ConfigError(f"{owner}(token=...): {exc}") from None
    for name, value in paths.items():
        path(owner, name, value)


def _kind(value: Any) -> str:
    """What a refused value is, in words: None, or its type (never the value: a token or
    a long object)."""
    return "None" if value is None else type(value).__name__
