"""pipedrive-bulk: an async, high-throughput bulk-operations engine for the Pipedrive API."""

from .clock import Clock, FakeClock, SystemClock
from .errors import (
    ApiError,
    Blocked,
    BudgetExhausted,
    BulkError,
    Forbidden,
    Gone,
    InputError,
    NotFound,
    PaymentRequired,
    PlanLimit,
    RateLimited,
    ServerError,
    StoreError,
    TransportError,
    Unauthorized,
    ValidationRejected,
)
from .headers import RateHeaders
from .operations import OPERATIONS, Operation, get_operation
from .plans import Limits, plan_limits

__version__ = "0.1.0"

__all__ = [
    "OPERATIONS", "ApiError", "Blocked", "BudgetExhausted", "BulkError", "Clock", "FakeClock",
    "Forbidden", "Gone", "InputError", "Limits", "NotFound", "Operation", "PaymentRequired",
    "PlanLimit", "RateHeaders", "RateLimited", "ServerError", "StoreError", "SystemClock",
    "TransportError", "Unauthorized", "ValidationRejected", "get_operation", "plan_limits",
]
