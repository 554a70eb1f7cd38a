"""Which API token a record of the state folder was written with — never the token.

The state folder serves every account this machine's runs reach, and
``https://api.pipedrive.com`` is every company's base URL: a record told apart by the URL
alone mixes companies (f32e: two companies' merges in one ``merged-deals`` record, so an
import of one read the other's, ``jobs.merged_deals``). The token is known to the engine
alone: ``bulk.engine`` binds a one-way digest of it for the run (``bind_token``:
HMAC-SHA256 under a fixed label, held in memory only, in a ContextVar as
``bulk.coordinator.bind_company`` holds the company), and a record's writer stores
``token_key()``: that digest keyed again with this state folder's secret (``claims.key``,
0600, 32 random bytes, the one the claims' names are digested with), 32 hex digits.
Neither is the token nor reversible to it, and a known token cannot be confirmed against
a record without that secret (nor on another machine).

Why not the company id: an uncoordinated run never asks ``GET /v1/users/me`` (2 tokens),
and no answer it reads otherwise names the company (the v2 records carry no
``company_id``; no response header does: openapi-v1/v2, FACTS.md). A run on a shared
coordinator knows it (``bound_company``) and its journals share by it. So, without a
coordinator, two tokens of one company are two keys: a merge one made is not known to
the other's import (its deal is at worst made again), never a merge of another company.
"""

from __future__ import annotations

import hashlib
import hmac
from contextvars import ContextVar

# the run's token, digested under a fixed label (never stored; None: no run bound one)
_TOKEN: ContextVar[bytes | None] = ContextVar("pdbulk_token_digest", default=None)


def bind_token(token: str | None) -> None:
    """Bind the current run's API token (``bulk.engine.Engine.open`` calls it): only its
    HMAC-SHA256 under a fixed label is kept, in this context (a thread the run starts
    with ``bulk.clock.in_thread`` sees it). None unbinds."""
    _TOKEN.set(None if token is None else
               hmac.new(b"pdbulk-token-key-v1", token.encode(), hashlib.sha256).digest())


def token_key() -> str | None:
    """The bound token's key in this state folder (32 hex digits: the bound digest,
    HMAC-SHA256 keyed with the state folder's secret), None when no run bound a token.
    Blocking (reads, or makes on first use, ``claims.key``): call it off the event loop.
    Raises OSError when the secret can be neither read nor made."""
    digest = _TOKEN.get()
    if digest is None:
        return None
    return hmac.new(folder_secret(), b"token\0" + digest, hashlib.sha256).hexdigest()[:32]


def folder_secret() -> bytes:
    """This state folder's secret (``claims.key``: 32 random bytes, 0600, made on first
    use), the key of every digest a record of the folder keeps of a value (the token's,
    the claims' names, ``jobs.plan_seen``'s sightings). Blocking: call it off the event
    loop. Raises OSError when it can be neither read nor made."""
    from .claims import state_dir
    from .claims_local import _digest_key
    from .state import private_folder

    return _digest_key(private_folder(state_dir()))


__all__ = ["bind_token", "folder_secret", "token_key"]
