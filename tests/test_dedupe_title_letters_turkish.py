# ruff: noqa: RUF001, RUF002  # the letters are the point here
"""A Turkish title folds as Turkish, not German (x52r9 F5): ``ö`` / ``ü`` in a title with
``ş`` / ``ğ`` / ``ı`` are ``o`` / ``u`` typed without their marks, never ``oe`` / ``ue``
(``Bakım sözleşmesi`` / ``Bakim sozlesmesi`` were review, "different words:
soezleşmesi≠sozlesmesi"); a Vietnamese ``máy`` (machine) typed ``may`` is not the month May
when the other copy writes ``máy`` ("number only on one: may"): the month reading holds only
when both sides read a month. The German rule stays for German (``Kühlanlage`` /
``Kuhlanlage``: two words)."""

from __future__ import annotations

import pytest

from tests.dedupe_job_support import two_titles_bands

SAME = [("Bakım sözleşmesi", "Bakim sozlesmesi"), ("Güneş paneli kurulumu", "Gunes paneli kurulumu"),
        ("Sözleşme yenileme", "Sozlesme yenileme"), ("Ağ güvenliği denetimi", "Ag guvenligi denetimi"),
        ("Bảo dưỡng máy lạnh", "Bao duong may lanh"), ("Lắp đặt máy chủ", "Lap dat may chu")]


@pytest.mark.parametrize(("a", "b"), SAME)
def test_a_copy_typed_without_the_marks_is_a_duplicate(a: str, b: str) -> None:
    bands, said = two_titles_bands(a, b, org="Globex Unit", person="Ayse Demir", value=4200.0)
    assert bands == [("duplicate", {1, 2})], said


@pytest.mark.parametrize(("a", "b"), [("Wartung Kühlanlage", "Wartung Kuhlanlage"),
                                      ("Wartung Mai", "Wartung"), ("Service May 2025", "Service 2025"),
                                      ("Wartung Mai", "Wartung Juni")])
def test_the_german_rule_and_a_month_stay(a: str, b: str) -> None:
    bands, said = two_titles_bands(a, b, org="Globex Unit", person="Ayse Demir", value=4200.0)
    assert ("duplicate", {1, 2}) not in bands, said
