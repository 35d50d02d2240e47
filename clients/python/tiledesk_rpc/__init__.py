"""Python client of ``tiledesk-rpc``, the JSON-RPC 2.0 bridge to Tiledesk team management.

::

    from tiledesk_rpc import TiledeskRPC

    with TiledeskRPC(sandbox=True) as client:
        for teammate in client.team.list():
            print(teammate["role"], teammate["id_user"]["email"])

:class:`TiledeskRPC` (threads) and :class:`AsyncTiledeskRPC` (asyncio) spawn the
``tiledesk-rpc`` binary and speak line-delimited JSON-RPC 2.0 with it over its
stdin/stdout. Errors are :class:`TiledeskRPCError` subclasses named after the
contract's codes (:class:`NotFound` for 404, :class:`Conflict` for 409, ...).
"""

from ._batch import AsyncBatch, Batch, BatchItem
from ._common import BASIC_ENV_VARS, find_binary, settings_from_environ
from .aio import AsyncTiledeskRPC
from .client import PendingCall, TiledeskRPC
from .errors import (
    BRIDGE_CLOSED_CODE,
    ERROR_CLASSES,
    BridgeClosed,
    BridgeNotFound,
    CallTimeout,
    Cancelled,
    Conflict,
    Forbidden,
    InternalError,
    InvalidParams,
    InvalidRequest,
    MethodNotFound,
    NotAuthenticated,
    NotFound,
    ParseError,
    RateLimited,
    TiledeskRPCError,
    UpstreamError,
    UpstreamTimeout,
    UpstreamUnavailable,
    error_from_wire,
)
from .types import (
    DryRunRequest,
    DryRunResult,
    Invitation,
    InviteResult,
    LeaveMode,
    Membership,
    Presence,
    PresenceInfo,
    Project,
    Role,
    SigninResult,
    Teammate,
    TeamStatus,
    User,
)

__version__ = "0.1.0"

__all__ = [
    "TiledeskRPC",
    "AsyncTiledeskRPC",
    "PendingCall",
    "Batch",
    "AsyncBatch",
    "BatchItem",
    "find_binary",
    "settings_from_environ",
    "BASIC_ENV_VARS",
    # errors
    "TiledeskRPCError",
    "ParseError",
    "InvalidRequest",
    "MethodNotFound",
    "InvalidParams",
    "InternalError",
    "Cancelled",
    "CallTimeout",
    "NotAuthenticated",
    "Forbidden",
    "NotFound",
    "Conflict",
    "RateLimited",
    "UpstreamError",
    "UpstreamUnavailable",
    "UpstreamTimeout",
    "BridgeClosed",
    "BridgeNotFound",
    "ERROR_CLASSES",
    "BRIDGE_CLOSED_CODE",
    "error_from_wire",
    # result types
    "User",
    "Teammate",
    "Invitation",
    "InviteResult",
    "Membership",
    "Project",
    "PresenceInfo",
    "DryRunRequest",
    "DryRunResult",
    "SigninResult",
    "Role",
    "TeamStatus",
    "Presence",
    "LeaveMode",
    "__version__",
]
