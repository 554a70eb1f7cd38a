"""The import load's bounded caches keep what a whole file repeats (f55h: issue 8)."""

from __future__ import annotations

import random

from jobs import import_rows
from jobs.last_written import digest
from jobs.mapping import OrgRef, PersonRef


def test_ref_digests_kept_for_persons_far_apart() -> None:
    """A file of 3,000 persons, each on three rows spread over the file (seeded order):
    each person's digest is made once, the same as ``digest`` makes it, and the cache
    stays bounded (the 1,024 it kept made half the calls misses)."""
    rng = random.Random(55)
    persons = [PersonRef(f"Person {n}", f"p{n}@x.example", f"+49 30 {n:07d}")
               for n in range(3000)]
    orgs = [OrgRef(f"Org {n}", None) for n in range(150)]
    rows = [(p, rng.choice(orgs)) for p in persons * 3]
    rng.shuffle(rows)
    import_rows._ref_digest.cache_clear()
    for person, org in rows:
        got = import_rows._ref_digest(person), import_rows._ref_digest(org)
        assert got[0] == digest(person._asdict()) and got[1] == digest(org._asdict())
    info = import_rows._ref_digest.cache_info()
    assert info.maxsize is not None and info.maxsize <= 16_384, info
    assert info.misses == len(persons) + len(orgs), info
