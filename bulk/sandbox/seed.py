"""The seeded account: users, pipelines with realistic stages, custom deal fields and,
if asked, pre-existing deals with their persons and organizations.

Everything comes from the account's seeded RNG, so a seed always gives the
same account. Stage names repeat across pipelines on purpose ("Proposal Made"
exists in several): a name alone does not identify a stage.
"""

from __future__ import annotations

import gc
import uuid
from typing import TYPE_CHECKING, Any

from .blanks import blank_deal, blank_org, blank_person
from .fields import code_salt, custom_field, new_field_code, seed_company, standard_fields
from .values import format_time

if TYPE_CHECKING:  # annotations only: state seeds every new account with populate
    from .state import Account, Record

USER_NAMES = ("Maria Jensen", "Tom Becker", "Priya Nair", "Luis Ortega", "Emma Walsh",
              "Kenji Sato", "Aisha Bello", "Jonas Berg", "Chloe Martin", "Omar Haddad")
PIPELINES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Sales", ("Qualified", "Contact Made", "Demo Scheduled", "Proposal Made",
               "Negotiations Started")),
    ("Partnerships", ("Lead In", "Contact Made", "Needs Defined", "Proposal Made",
                      "Negotiations Started", "Agreement Signed")),
    ("Renewals", ("Upcoming", "Contacted", "Quote Sent", "Verbal Yes")),
    ("Enterprise", ("Discovery", "Qualified", "Solution Review", "Proposal Made",
                    "Procurement", "Contract Sent")),
)
# (name, type, option labels)
CUSTOM_FIELDS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("External ID", "varchar", ()),
    ("Lead source", "enum", ("Website", "Referral", "Event", "Cold call", "Partner")),
    ("Products of interest", "set", ("CRM", "Analytics", "Support", "Training")),
    ("Contract value", "monetary", ()),
    ("Renewal date", "date", ()),
    ("Discount", "double", ()),
)
DEAL_LABELS = (("Hot", "red"), ("Warm", "yellow"), ("Cold", "blue"))
COMPANIES = ("Acme", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Hooli", "Vandelay",
             "Soylent", "Tyrell", "Cyberdyne", "Wonka", "Oceanic", "Monarch", "Nakatomi",
             "Aperture", "Gekko", "Dunder", "Pied Piper", "Massive Dynamic")
SUFFIXES = ("Corp", "Ltd", "GmbH", "Inc", "Group", "Labs", "Partners", "Holdings")
FIRST = ("Anna", "Ben", "Carla", "David", "Elena", "Felix", "Grace", "Hugo", "Ines", "Jack",
         "Kira", "Leo", "Mia", "Noah", "Olga", "Paul", "Rosa", "Sam", "Tara", "Victor")
LAST = ("Smith", "Müller", "Rossi", "García", "Novak", "Kowalski", "Dubois", "Jensen",
        "Silva", "Tanaka", "Cohen", "Okafor", "Larsen", "Moreau", "Petrov")
PRODUCTS = ("CRM rollout", "Analytics add-on", "Support plan", "Training package",
            "Annual renewal", "Pilot", "Expansion", "Migration")
LOST_REASONS = ("Price", "Went with a competitor", "No budget", "No response")
DAY = 86400


def populate(acct: Account) -> None:
    cfg = acct.config
    rng = acct.rng
    now = acct.clock.wall()
    company_id = cfg.company_id if cfg.company_id is not None else seed_company(cfg.seed)
    acct.company = {"id": company_id, "name": "Sandbox Company",
                    "domain": "sandbox", "country": "US", "industry": "Software",
                    "default_currency": "USD"}
    created = format_time(now - 400 * DAY)
    for i in range(cfg.users):
        name = USER_NAMES[i % len(USER_NAMES)] + (f" {i // len(USER_NAMES) + 1}"
                                                  if i >= len(USER_NAMES) else "")
        acct.users[i + 1] = {
            "id": i + 1, "name": name, "is_admin": i == 0, "created": created,
            "email": name.lower().replace(" ", ".") + "@sandbox-company.example",
            "permission_set_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "active_flag": i < cfg.users - cfg.deactivated_users,
        }
    acct.me_id = 1
    stage_id = 1
    for p in range(cfg.pipelines):
        name, stages = PIPELINES[p % len(PIPELINES)]
        if p >= len(PIPELINES):
            name = f"{name} {p // len(PIPELINES) + 1}"
        acct.pipelines[p + 1] = {"id": p + 1, "name": name, "order_nr": p,
                                 "is_deleted": False, "is_deal_probability_enabled": True,
                                 "add_time": created, "update_time": created}
        for order, stage_name in enumerate(stages):
            acct.stages[stage_id] = {
                "id": stage_id, "name": stage_name, "order_nr": order + 1,
                "pipeline_id": p + 1, "deal_probability": min(100, 10 + order * 20),
                "is_deal_rot_enabled": False, "days_to_rotten": None, "is_deleted": False,
                "add_time": created, "update_time": created}
            stage_id += 1
    for field in standard_fields():
        acct.fields[field["field_code"]] = field
    for name, ftype, labels in CUSTOM_FIELDS:
        options = [{"id": oid, "label": label}
                   for oid, label in zip(acct.take_option_ids(len(labels)), labels, strict=True)]
        code = new_field_code(rng, code_salt(company_id, cfg.seed))
        acct.fields[code] = custom_field(code, name, ftype, options)
    # Pipedrive's default deal labels: the options of the built-in label field
    acct.fields["label_ids"]["options"] = [
        {"id": oid, "label": label, "color": color} for oid, (label, color) in zip(
            acct.take_option_ids(len(DEAL_LABELS)), DEAL_LABELS, strict=True)]
    if cfg.deals:
        # Creating ~30 containers per deal makes the cyclic GC rescan the growing heap
        # over and over (half the time at 100k deals); nothing here forms cycles.
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            _deals(acct, cfg.deals, now)
        finally:
            if was_enabled:
                gc.enable()


def _when(acct: Account, now: float, max_days: int) -> tuple[str, str]:
    added = now - acct.rng.uniform(1, max_days) * DAY
    updated = added + acct.rng.uniform(0, now - added)
    return format_time(added), format_time(updated)


def _deals(acct: Account, count: int, now: float) -> None:
    rng = acct.rng
    orgs = []
    user_ids = list(acct.users)
    for i in range(max(1, count // 8)):
        name = f"{COMPANIES[i % len(COMPANIES)]} {SUFFIXES[(i // len(COMPANIES)) % len(SUFFIXES)]}"
        if i >= len(COMPANIES) * len(SUFFIXES):
            name += f" {i // (len(COMPANIES) * len(SUFFIXES)) + 1}"
        org = blank_org(acct, acct.orgs.take_id())
        org["add_time"], org["update_time"] = _when(acct, now, 500)
        rng.randint(1, 200)  # was the street number: kept so the seeded data stays the same
        # one street per company, as the demo export writes it (jobs/demo_data._street)
        street = sum(map(ord, COMPANIES[i % len(COMPANIES)])) % 200 + 1
        org.update(name=name, owner_id=rng.choice(user_ids),
                   address={"value": f"{street} Main Street, Springfield"})
        acct.orgs.put(org)
        orgs.append(org)
    persons = []
    for _ in range(max(1, count // 3)):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        org = rng.choice(orgs)
        person = blank_person(acct, acct.persons.take_id())
        person["add_time"], person["update_time"] = _when(acct, now, 500)
        person.update(
            name=f"{first} {last}", first_name=first, last_name=last, org_id=org["id"],
            owner_id=org["owner_id"],
            emails=[{"value": f"{first}.{last}.{person['id']}@example.com".lower(),
                     "primary": True, "label": "work"}],
            phones=[{"value": f"+1 555 {rng.randint(1000000, 9999999)}", "primary": True,
                     "label": "work"}])
        acct.persons.put(person)
        persons.append(person)
    stages = list(acct.stages.values())
    custom = {f["field_name"]: f for f in acct.custom_fields()}
    created = acct.now_iso()  # overwritten below; saves two clock reads per deal
    for _ in range(count):
        person = rng.choice(persons)
        stage = rng.choice(stages)
        deal = blank_deal(acct, acct.deals.take_id(), created)
        deal["add_time"], deal["update_time"] = _when(acct, now, 365)
        roll = rng.random()
        status = "open" if roll < 0.8 else "won" if roll < 0.92 else "lost"
        org_name = acct.orgs.rows[person["org_id"]]["name"]
        deal.update(
            title=f"{org_name} - {rng.choice(PRODUCTS)}", owner_id=person["owner_id"],
            person_id=person["id"], org_id=person["org_id"], stage_id=stage["id"],
            pipeline_id=stage["pipeline_id"], value=rng.randrange(5, 500) * 100,
            status=status, stage_change_time=deal["update_time"], origin="ManuallyCreated",
            custom_fields=_custom_values(rng, custom, deal["id"]))
        if status != "open":
            deal["close_time"] = deal["update_time"]
            deal["won_time" if status == "won" else "lost_time"] = deal["update_time"]
            if status == "lost":
                deal["lost_reason"] = rng.choice(LOST_REASONS)
        acct.deals.put(deal)
    for kind in ("organization", "person", "deal"):
        for row in acct.table(kind).rows.values():
            acct.search.settle(kind, row["id"], row)


def _custom_values(rng: Any, custom: dict[str, Record], deal_id: int) -> Record:
    values: Record = {custom["External ID"]["field_code"]: f"SEED-{deal_id:06d}"}
    if rng.random() < 0.6:
        field = custom["Lead source"]
        values[field["field_code"]] = rng.choice(field["options"])["id"]
    if rng.random() < 0.3:
        field = custom["Products of interest"]
        picked = rng.sample(field["options"], rng.randint(1, 3))
        values[field["field_code"]] = sorted(o["id"] for o in picked)
    if rng.random() < 0.3:
        values[custom["Contract value"]["field_code"]] = {
            "value": rng.randrange(10, 900) * 100, "currency": "USD"}
    return values


__all__ = ["CUSTOM_FIELDS", "PIPELINES", "populate"]
