"""Every subclass of ``BulkError`` — the engine's and the job kinds' — is named in the
error tree ``bulk/errors.py``'s docstring draws (x48r9 F7: 12 were left out)."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator

import bulk
import jobs
from bulk import errors


def _subclasses(cls: type) -> Iterator[type]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_every_error_class_is_in_the_drawing() -> None:
    for package in (bulk, jobs):  # each module loaded, so its classes are subclasses
        for module in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            importlib.import_module(module.name)
    drawn = errors.__doc__ or ""
    left_out = sorted({c.__name__ for c in _subclasses(errors.BulkError)
                       if c.__name__ not in drawn})
    assert not left_out, left_out
