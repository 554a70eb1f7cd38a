"""The admin API under ``/_sandbox/``: no rate limits, not Pipedrive surface.

On loopback it needs no auth. Off loopback (``allow_remote``) every admin request
must carry the sandbox's token as ``Authorization: Bearer TOKEN`` or
``x-api-token: TOKEN``; otherwise 401.

GET stats · GET deals|persons|organizations (every record, deleted too) ·
POST reset · POST load {deals, persons, organizations} · GET/POST faults.
Loaded records are trusted fixtures: defaults fill what they leave out, but
nothing else is checked, so tests can set up states the API cannot produce
(old add_time, deleted records, ...).
"""

from __future__ import annotations

import hmac
from typing import TYPE_CHECKING, Any

import orjson
from aiohttp import web

from . import contacts, deals
from .config import Faults

if TYPE_CHECKING:
    from .runtime import Runtime
    from .state import Account, Record

KINDS = {"deals": "deal", "persons": "person", "organizations": "organization"}


def _json(payload: Any, status: int = 200) -> web.Response:
    return web.Response(body=orjson.dumps(payload), status=status,
                        content_type="application/json")


def _complete(acct: Account, kind: str, record: Record) -> Record:
    table = acct.table(kind)
    rid = record.get("id")
    if not isinstance(rid, int) or isinstance(rid, bool):
        rid = table.take_id()
    if kind == "deal":
        base = deals.blank(acct, rid)
        if "stage_id" in record:
            base["pipeline_id"] = acct.stages[record["stage_id"]]["pipeline_id"]
        else:
            stage = acct.first_stage(record.get("pipeline_id") or acct.default_pipeline()["id"])
            base["stage_id"], base["pipeline_id"] = stage["id"], stage["pipeline_id"]
    elif kind == "person":
        base = contacts.blank_person(acct, rid)
    else:
        base = contacts.blank_org(acct, rid)
    return {**base, **record, "id": rid}


def _authorised(request: web.Request, token: str | None) -> bool:
    if token is None:
        return True
    given = request.headers.get("x-api-token") or ""
    bearer = request.headers.get("authorization", "")
    if bearer.lower().startswith("bearer "):
        given = given or bearer[7:].strip()
    return hmac.compare_digest(given.encode(), token.encode())


def add_admin_routes(app: web.Application, rt: Runtime) -> None:
    @web.middleware
    async def admin_auth(request: web.Request, handler: Any) -> web.StreamResponse:
        if request.path.startswith("/_sandbox/") and not _authorised(
                request, rt.config.admin_token):
            return _json({"error": "the admin API needs the sandbox token"}, 401)
        response: web.StreamResponse = await handler(request)
        return response

    app.middlewares.append(admin_auth)

    async def stats(request: web.Request) -> web.Response:
        return _json(rt.stats_dict())

    async def records(request: web.Request) -> web.Response:
        kind = KINDS[request.match_info["kind"]]
        acct = rt.account
        rows = acct.table(kind).rows.values()
        data = [deals.render(acct, r) if kind == "deal" else r for r in rows]
        return _json({"data": data, "count": len(data)})

    async def reset(request: web.Request) -> web.Response:
        rt.reset()
        return _json({"ok": True})

    async def end_day(request: web.Request) -> web.Response:
        return _json({"ok": True, "budget": rt.end_day()})

    async def load(request: web.Request) -> web.Response:
        try:
            payload = orjson.loads(await request.read() or b"{}")
            if not isinstance(payload, dict) or set(payload) - set(KINDS):
                raise ValueError(f"expected an object with keys among {sorted(KINDS)}")
            ids: dict[str, list[int]] = {}
            for key, kind in KINDS.items():
                rows = payload.get(key) or []
                if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
                    raise ValueError(f"{key} must be a list of objects")
                ids[key] = rt.account.load(
                    kind, [_complete(rt.account, kind, r) for r in rows])
        except (ValueError, KeyError, orjson.JSONDecodeError) as exc:
            return _json({"error": f"bad load payload: {exc}"}, 400)
        return _json({"ok": True, "ids": ids})

    async def get_faults(request: web.Request) -> web.Response:
        return _json(rt.faults.to_json())

    async def set_faults(request: web.Request) -> web.Response:
        try:
            payload = orjson.loads(await request.read() or b"{}")
            if not isinstance(payload, dict):
                raise ValueError("expected a JSON object of Faults fields")
            # a key given replaces that key only (x44r3 F5: {"error_rate": 0.02} set the
            # --latency-ms 150 the sandbox was started with back to 0); ?replace=1: the
            # whole set, a field not given at its default ({} clears every fault)
            if request.query.get("replace") not in ("1", "true"):
                payload = {**rt.faults.to_json(), **payload}
            rt.set_faults(Faults.from_json(payload))
        except (ValueError, TypeError, orjson.JSONDecodeError) as exc:
            return _json({"error": f"bad faults: {exc}"}, 400)
        return _json(rt.faults.to_json())

    app.router.add_get("/_sandbox/stats", stats)
    app.router.add_get(r"/_sandbox/{kind:deals|persons|organizations}", records)
    app.router.add_post("/_sandbox/reset", reset)
    app.router.add_post("/_sandbox/load", load)
    app.router.add_post("/_sandbox/day/end", end_day)
    app.router.add_get("/_sandbox/faults", get_faults)
    app.router.add_post("/_sandbox/faults", set_faults)


__all__ = ["add_admin_routes"]
