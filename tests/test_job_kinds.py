"""The job registry (``jobs.kinds``): each kind's class, imported by name where it is
looked up, is the class ``KINDS`` names for it; an unknown kind is refused."""

from __future__ import annotations

import importlib

import pytest

import jobs
from jobs.kinds import KINDS, kind_class, kind_for


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_kind_class_is_the_class_kinds_names(kind: str) -> None:
    """``kind_class(kind)`` is ``module:Class`` of ``KINDS[kind]``."""
    module, _, name = KINDS[kind].partition(":")
    assert kind_class(kind) is getattr(importlib.import_module(module), name)


def test_unknown_kind_is_refused() -> None:
    """A kind no module runs: ValueError naming it."""
    with pytest.raises(ValueError, match="'nightly'"):
        kind_class("nightly")


def test_package_exports_the_registry() -> None:
    """``jobs.KINDS`` and ``jobs.kind_for`` are the registry's, as before it moved."""
    assert jobs.KINDS is KINDS and jobs.kind_for is kind_for
