"""pipedrive-bulk: an async, high-throughput bulk-operations engine for the Pipedrive API.

The library surface: configure an ``EngineConfig``, open a ``JobStore``, and open an
``Engine`` on them (``async with Engine.open(config, token, store=store) as engine``):
``engine.call`` / ``engine.paginate`` for your own calls, ``await engine.run(kind)`` for
a job kind (see ``jobs``).
"""

from .calls import CallContext
from .claims import Claim, Claims, Held
from .claims_local import LocalClaims
from .client import ApiResult, PipedriveClient
from .clock import Clock, FakeClock, SystemClock
from .engine import Engine, EngineConfig
from .errors import (
    AnswerLost,
    ApiError,
    Blocked,
    BudgetExhausted,
    BulkError,
    ConfigError,
    CoordinatorLost,
    CoordinatorMismatch,
    DiskFull,
    Forbidden,
    Gone,
    InDoubt,
    InputError,
    JobBusy,
    MalformedResponse,
    NotFound,
    NotResumable,
    PaymentRequired,
    PlanLimit,
    RateLimited,
    RequestNotSent,
    ServerError,
    StoreError,
    TransportError,
    Unauthorized,
    ValidationRejected,
)
from .headers import RateHeaders
from .operations import OPERATIONS, Operation, get_operation
from .plans import Limits, plan_limits
from .retry import RetryPolicy
from .runner import JobKind, Runner, RunResult, RunStats
from .scheduler import BudgetPolicy, Scheduler, SchedulerStats
from .store import AsyncJobStore, Item, ItemState, JobStore, NewItem, Outcome
from .transport import AiohttpTransport, MockTransport, Request, Response, Transport

__version__ = "0.1.0"

__all__ = [
    "OPERATIONS", "AiohttpTransport", "ApiError", "ApiResult", "AsyncJobStore", "Blocked",
    "BudgetExhausted", "BudgetPolicy", "BulkError", "CallContext", "Clock", "Engine", "EngineConfig",
    "FakeClock", "Forbidden", "Gone", "InDoubt", "InputError", "Item", "ItemState", "JobKind",
    "JobStore", "Limits", "MalformedResponse", "MockTransport", "NewItem", "NotFound", "Operation",
    "Outcome", "PaymentRequired", "PipedriveClient", "PlanLimit", "RateHeaders", "RateLimited",
    "Request", "Response", "RetryPolicy", "RunResult", "RunStats", "Runner", "Scheduler",
    "SchedulerStats", "ServerError", "StoreError", "SystemClock", "Transport", "TransportError",
    "Unauthorized", "ValidationRejected", "get_operation", "plan_limits",
]
__all__ += ["Claim", "Claims", "Held", "LocalClaims"]  # bulk.claims: creates claimed across runs
__all__ += ["AnswerLost", "RequestNotSent"]  # bulk.errors: the phases of a TransportError
__all__ += ["ConfigError"]  # bulk.errors: a setting refused before anything is sent
__all__ += ["NotResumable"]  # bulk.errors: a resume / retry refused (jobs.resume_job)
__all__ += ["CoordinatorLost", "CoordinatorMismatch", "DiskFull", "JobBusy"]  # named by the docs
