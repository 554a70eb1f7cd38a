"""Every class of the error tree (``bulk.errors``) says in its docstring when it is raised
and what the caller can do (x18r3 F3: six had none)."""

from __future__ import annotations

import inspect

import bulk.errors as errors


def test_every_error_class_has_its_own_docstring() -> None:
    """Each exception class defined in bulk.errors has a docstring of its own (not one
    inherited), and an API error's names its HTTP status."""
    classes = [c for _, c in inspect.getmembers(errors, inspect.isclass)
               if issubclass(c, BaseException) and c.__module__ == errors.__name__]
    assert len(classes) >= 29
    missing = [c.__name__ for c in classes if not (c.__dict__.get("__doc__") or "").strip()]
    assert not missing, missing
    for name, status in (("Unauthorized", "401"), ("PaymentRequired", "402"),
                         ("Forbidden", "403"), ("Gone", "410"), ("ServerError", "5xx")):
        assert status in (getattr(errors, name).__doc__ or ""), name
