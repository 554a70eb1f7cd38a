"""A person's name written with German umlauts and as German writes them without (x44r1
F3): ``Jürgen Müller`` and ``Juergen Mueller`` of one phone and organization, no e-mail,
made two persons (so did ``Björn Jäger`` / ``Bjoern Jaeger``, ``Günther Schütz`` /
``Guenther Schuetz``), and ``Sophie Krueger`` with her phone did not find the account's
``Sophie Krüger``. A name is now matched under each of its keys (``tf.name_match_keys``,
as organizations are); ``Mueller`` and ``Muller`` share none: two persons."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import anyio

from bulk.sandbox import Sandbox, SandboxConfig
from jobs import transforms as tf
from jobs.account import PersonIndex
from tests.import_support import import_once, read_csv
from tests.sandbox_helpers import threaded_sandbox

MAPPING = """version = 1
[import]
key_column = "key"
[deal]
title = "title"
[person]
name = "name"
phone = "phone"
[organization]
name = "company"
"""


def _add_person(sb: Sandbox, name: str, phone: str) -> int:
    body = {"name": name, "phones": [{"value": phone, "primary": True, "label": "work"}]}
    request = urllib.request.Request(
        f"{sb.url}/api/v2/persons", data=json.dumps(body).encode(),
        headers={"x-api-token": sb.token, "content-type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=10) as answer:
        return int(json.load(answer)["data"]["id"])


def test_name_keys_fold_german_transcriptions_only() -> None:
    assert tf.names_agree("Jürgen Müller", "Juergen Mueller")
    assert tf.names_agree("Jürgen Müller", "Jurgen Muller")  # (as before)
    assert tf.names_agree("Sophie Krüger", "SOPHIE KRUEGER")
    assert tf.names_agree("Strauß", "Strauss")
    assert tf.names_agree("José Núñez", "Jose Nunez")
    assert not tf.names_agree("Mueller", "Muller")  # two persons, never merged
    assert not tf.names_agree("Samuel Blue", "Samul Blu")
    index = PersonIndex()
    index.add({"id": 7, "name": "Sophie Krüger", "phones": ["+49 30 5525758"]})
    index.add({"id": 8, "name": "Hans Muller", "phones": ["+49 30 5525758"]})
    assert index.find(None, "Sophie Krueger", "+49 30 5525758") == 7
    assert index.find(None, "Hans Mueller", "+49 30 5525758") is None
    assert index.find(None, "Hans Müller", "+49 30 5525758") == 8  # (as before)


def test_umlaut_and_transcribed_rows_make_one_person(tmp_path: Path) -> None:
    manifest = tmp_path / "rows.csv"
    manifest.write_text(
        "key,title,name,phone,company\n"
        "U1,u1,Jürgen Müller,+49 89 4441234,Umlaut Test AG\n"
        "U2,u2,Juergen Mueller,+49 89 4441234,Umlaut Test AG\n"
        "U3,u3,Bjoern Jaeger,+49 89 4441235,Umlaut Test AG\n"  # the plain spelling first
        "U4,u4,Björn Jäger,+49 89 4441235,Umlaut Test AG\n"
        "U5,u5,Günther Schütz,,Umlaut Test AG\n"  # no phone: by name at the organization
        "U6,u6,Guenther Schuetz,,Umlaut Test AG\n"
        "U7,u7,Sophie Krueger,+49 30 5525758,\n"
        "U8,u8,Hans Mueller,+49 40 7770001,\n"
        "U9,u9,Hans Muller,+49 40 7770001,\n", encoding="utf-8")
    (tmp_path / "m.toml").write_text(MAPPING, encoding="utf-8")
    with threaded_sandbox(SandboxConfig(time_scale=0.02)) as sb:
        sophie = _add_person(sb, "Sophie Krüger", "+49 30 5525758")
        store, _, _ = anyio.run(lambda: import_once(sb, tmp_path / "jobs", manifest,
                                                    tmp_path / "m.toml"))
        try:
            rows = {r["key"]: r for r in read_csv(store.directory / "succeeded.csv")}
            failed = read_csv(store.directory / "failed.csv")
        finally:
            store.close()
    assert failed == [], failed
    person = {k: r["person_id"] for k, r in rows.items()}
    assert person["U1"] == person["U2"], rows  # before: two persons
    assert person["U3"] == person["U4"], rows
    assert person["U5"] == person["U6"], rows
    assert person["U7"] == str(sophie), rows  # before: a new Sophie Krueger
    assert person["U8"] != person["U9"], rows  # Mueller is not Muller
