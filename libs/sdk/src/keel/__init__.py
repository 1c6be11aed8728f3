"""Keel: the Python SDK and the `keel` command line."""

from keel.client import Client, WorkspaceClient
from keel.errors import (
    ApiError,
    Conflict,
    ConnectionFailed,
    FieldError,
    Forbidden,
    InvalidRequest,
    KeelError,
    NotFound,
    NotLoggedIn,
    RateLimited,
    Unauthenticated,
    Unavailable,
)
from keel.retry import RetryPolicy

__all__ = [
    "ApiError",
    "Client",
    "Conflict",
    "ConnectionFailed",
    "FieldError",
    "Forbidden",
    "InvalidRequest",
    "KeelError",
    "NotFound",
    "NotLoggedIn",
    "RateLimited",
    "RetryPolicy",
    "Unauthenticated",
    "Unavailable",
    "WorkspaceClient",
]
