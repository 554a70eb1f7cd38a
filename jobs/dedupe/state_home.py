"""Where earlier dedupes kept their state: a note in the user's state folder, so a night run
from another working directory does not start afresh without a word.

The dedupe state directory (keep-separate decisions, merges applied, the nightly index)
defaults to ``./pdbulk-jobs/dedupe-state``, relative to the working directory; a cron line
that forgets its ``cd`` runs with an empty one, and a group a reviewer kept apart is merged
the next night (x35r2 3). Every dedupe plan, apply and run notes the state directory it used
in ``dedupe-states.json`` under ``bulk.claims.state_dir`` (``$PDBULK_STATE_DIR``), which
does not move with the working directory: ``{absolute path: ISO time last used}``.
``lost_state`` tells a command whose state directory holds nothing that another one noted
there does. The note is a hint, never the state: a note that cannot be read or written is
ignored (the state itself is where it always was, so old folders stay as they are).

A state directory belongs to one account (x37r3 F2: a consultant's one folder per client):
``account.json`` in it records the account's base URL (``normalize_base_url``'s origin)
and its company id (``GET /v1/users/me``'s ``company_id``, openapi-v1.yaml: learned by every
dedupe plan, apply and run, x38r2 F3 — every company is behind https://api.pipedrive.com,
so the URL alone told company B's night run nothing and it matched B's deals against A's
index), never the token. ``other_account`` refuses a state folder of
another account (its keep-separate decisions and index are not this account's); a folder
that records none (made before), or only a URL, adopts the current one on first use,
said in a note. The
machine-wide note is per account too: ``lost_state`` names only a folder of this account.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from pathlib import Path

import orjson

from bulk.claims import state_dir
from bulk.client import normalize_base_url
from bulk.errors import InputError
from bulk.state import private_folder, write_private

from .index import INDEX_META, KEEP_SEPARATE, MAKERS, MERGES

NOTE = "dedupe-states.json"  # in the user's state folder (bulk.claims.state_dir)
ACCOUNT = "account.json"  # in a dedupe state directory: {"base_url": origin, "company_id"}
KEPT = 20  # state directories noted at most, the most recently used


def holds_state(state: Path) -> bool:
    """Whether the dedupe state directory ``state`` holds keep-separate decisions, merges or
    a nightly index (a copy of the config alone is no state: a plan writes it)."""
    return any((state / name).is_file() for name in (KEEP_SEPARATE, MERGES, MAKERS, INDEX_META))


def origin(base_url: str) -> str:
    """The account's base URL as compared (``normalize_base_url``); the text itself when
    that refuses it (the engine refuses it before any state is touched)."""
    try:
        return normalize_base_url(base_url)
    except ValueError:
        return base_url.strip().rstrip("/")


def state_account(state: Path) -> dict[str, str | None] | None:
    """The account the state directory ``state`` belongs to (``account.json``):
    ``{"base_url": origin, "company_id": str | None}``; None when it records none (a folder
    made before x37r3 F2, or never used) or the file cannot be read."""
    try:
        data = orjson.loads((state / ACCOUNT).read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("base_url"), str):
        return None
    company = data.get("company_id")
    return {"base_url": data["base_url"],
            "company_id": str(company) if isinstance(company, (str, int)) else None}


def _same(recorded: dict[str, str | None], base_url: str, company: str | None) -> bool:
    if recorded["company_id"] is not None and company is not None:
        return recorded["company_id"] == company  # one company behind two URLs is one account
    return recorded["base_url"] == origin(base_url)


def _name(recorded: dict[str, str | None]) -> str:
    base, company = recorded["base_url"] or "", recorded["company_id"]
    return base if company is None else f"{base} (company {company})"


def other_account(state: Path, base_url: str, company: str | None = None) -> str | None:
    """When the state directory ``state`` records another account than ``base_url``
    (company ``company`` when known): what that means and what to do (``the dedupe state
    DIR belongs to the account https://b.example (company 7), not https://a.example
    (company 8) ...``: x39r1 L1, the company was not named); else None. The same company id
    behind two URLs is the same account; a folder that records its company is not judged
    while ``company`` is not known (None: x39r1 F2, the same company at another URL was
    refused before its company was read), one that records a URL only is judged by it."""
    recorded = state_account(state)
    if recorded is None or _same(recorded, base_url, company):
        return None
    if company is None and recorded["company_id"] is not None:
        return None  # judged by its company once learned (x39r1 F2: one company, two URLs)
    here = origin(base_url) if company is None else f"{origin(base_url)} (company {company})"
    return (f"the dedupe state {state} belongs to the account {_name(recorded)}, not "
            f"{here}: its keep-separate decisions, merges applied and nightly "
            "index are that account's and are not used here. Give each account its own "
            "state (--state-dir DIR or PDBULK_DEDUPE_STATE, or its own job directory); to "
            f"move this folder to the account {origin(base_url)}, delete {state / ACCOUNT}")


def own_state(state: Path, base_url: str, company: str | None = None) -> str | None:
    """Record in ``state`` (``account.json``) that it belongs to ``base_url`` (company
    ``company`` when known, added once learned). Returns a note when a folder that held
    state but recorded no account adopts this one (``note: the dedupe state DIR recorded
    no account; it now belongs to ...``), or that recorded its URL but no company adopts
    ``company`` (``note: ... recorded its account by URL only ...``: once), else None.
    OSError is left to the caller."""
    recorded = state_account(state)
    if recorded is not None and (company is None or recorded["company_id"] == company):
        return None
    held = holds_state(state)
    write_private(private_folder(state) / ACCOUNT,
                  orjson.dumps({"base_url": origin(base_url), "company_id": company}))
    if held and recorded is None:
        now = origin(base_url) if company is None else \
            f"{origin(base_url)} (company {company})"
        return (f"note: the dedupe state {state} recorded no account (it has no {ACCOUNT}: "
                f"made by an earlier version, or the file was deleted); it now belongs to "
                f"{now}, and another account given it is refused. If its keep-separate "
                "decisions and index were another account's, delete the folder and start "
                "afresh")
    if held and recorded is not None and recorded["company_id"] is None:
        # x38r2 F3: the URL alone names no company (api.pipedrive.com is every company's)
        return (f"note: the dedupe state {state} recorded its account by URL only "
                f"({recorded['base_url']}), not its company; it now belongs to company "
                f"{company}, and another company given it is refused. If its keep-separate "
                "decisions and index were another company's, delete the folder and start "
                "afresh")
    return None


def _noted() -> dict[str, tuple[str, str | None]]:
    """``{path: (ISO time, account origin or None)}``; old notes (``{path: time}``) have
    no account."""
    try:
        data = orjson.loads((state_dir() / NOTE).read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return {}
    if not isinstance(data, dict):
        return {}
    noted: dict[str, tuple[str, str | None]] = {}
    for k, v in data.items():
        if isinstance(v, str):
            noted[k] = (v, None)
        elif isinstance(v, dict) and isinstance(v.get("at"), str):
            account = v.get("account")
            noted[k] = (v["at"], account if isinstance(account, str) else None)
    return noted


def note_state(state: Path, now: datetime | None = None, *,
               base_url: str | None = None) -> None:
    """Note ``state`` (made absolute) as used now (UTC) by the account ``base_url`` in
    ``dedupe-states.json`` (``{path: {"at": ISO time, "account": origin}}``); the ``KEPT``
    most recently used are kept. Best effort: an OSError is ignored."""
    noted = _noted()
    noted[str(state.absolute())] = ((now or datetime.now(UTC)).isoformat(timespec="seconds"),
                                    origin(base_url) if base_url is not None else None)
    recent = {path: {"at": at, "account": account} for path, (at, account) in
              sorted(noted.items(), key=lambda kv: kv[1][0], reverse=True)[:KEPT]}
    with contextlib.suppress(OSError):
        write_private(private_folder(state_dir()) / NOTE, orjson.dumps(recent))


def _ours(path: Path, noted: str | None, base_url: str | None,
          company: str | None = None) -> bool:
    """Whether the noted state folder ``path`` may be this account's: its ``account.json``
    says so, else the note's account; a folder and note that record none (older) may. A
    folder that records its company is this account's only when ``company`` is known and
    the same (every company is behind https://api.pipedrive.com: the URL says nothing)."""
    if base_url is None:
        return True
    recorded = state_account(path)
    if recorded is not None:
        if recorded["company_id"] is not None and company is None:
            return False  # told once the company is learned (``lost_state`` with it)
        return _same(recorded, base_url, company)
    return noted is None or noted == origin(base_url)


class StateAdvice(InputError):
    """An InputError whose advice is worded for the caller (x46r7 F5: ``run_dedupe`` told a
    library caller to "pass --state-dir"): ``str()`` names the library's arguments
    (``state_dir=``, ``job_root``), ``flags`` the CLI's (``--state-dir``, ``--job-dir``)."""

    def __init__(self, library: str, flags: str) -> None:
        super().__init__(library)
        self.flags = flags


def lost_state(state: Path, base_url: str | None = None,
               company: str | None = None, job_root: Path | None = None, *,
               library: bool = False) -> str | None:
    """When the state directory ``state`` holds nothing (``holds_state``) while another one
    noted by an earlier dedupe of the same account ``base_url`` (any, when None; company
    ``company`` when known: a folder that records another company, or records one while
    ``company`` is not known yet, is not this account's) does: what that means and what to
    do, naming the most recently used one (``dedupe state ./pdbulk-jobs/dedupe-state holds
    nothing, but the dedupe of 2026-12-04T02:30:00+00:00 kept its state in
    /srv/pdbulk/...``); else None. Another account's folder is never named (x37r3 F2,
    x38r2 F3: company B's first run was refused naming company A's folder). ``job_root``:
    the job directory the state was looked for under; given as an absolute path (``--job-dir
    /srv/...``), the advice names it and that dedupe's own, never "cd there first" (x40r3
    F5: the working directory plays no part then). ``library``: the advice names the
    library's arguments (``state_dir=``, ``EngineConfig.job_root``), not the CLI's flags
    (``StateAdvice``)."""
    if holds_state(state):
        return None
    here = str(state.absolute())
    for path, (when, account) in sorted(_noted().items(), key=lambda kv: kv[1][0],
                                        reverse=True):
        if (path != here and holds_state(Path(path))
                and _ours(Path(path), account, base_url, company)):
            root, given = (("EngineConfig.job_root", "job_root") if library
                           else ("the job directory", "--job-dir"))
            where = (f"The state is looked for under {root} (default ./pdbulk-jobs, "
                     "relative to the working directory): run from the folder that dedupe "
                     "ran in (a cron line: cd there first), or pass")
            if job_root is not None and job_root.is_absolute():
                where = (f"The state is looked for under {root} given, {job_root}"
                         f" (the working directory plays no part): pass that dedupe's "
                         f"{given}, or")
            there, afresh = ((f"state_dir={str(path)!r}", f"state_dir={str(state)!r}")
                             if library else (f"--state-dir {path} (PDBULK_DEDUPE_STATE)",
                                              f"--state-dir {state}"))
            return (f"the dedupe state {state} holds nothing, but the dedupe of {when} kept "
                    f"its state in {path}: its keep-separate decisions, the merges applied "
                    "and the nightly index would be ignored, and groups a reviewer kept "
                    f"apart merged again. {where} {there}; to start afresh, pass {afresh}")
    return None


__all__ = ["ACCOUNT", "KEPT", "NOTE", "StateAdvice", "holds_state", "lost_state", "note_state", "origin",
           "other_account", "own_state", "state_account"]
