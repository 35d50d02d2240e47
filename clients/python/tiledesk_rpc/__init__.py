"""Python client of ``tiledesk-rpc``, the JSON-RPC 2.0 bridge to Tiledesk team management.

::

    from tiledesk_rpc import TiledeskRPC

    with TiledeskRPC(sandbox=True) as client:
        for teammate in client.team.list():
            print(teammate["role"], teammate["user_available"])

:class:`TiledeskRPC` (threads) and :class:`AsyncTiledeskRPC` (asyncio) spawn the
``tiledesk-rpc`` binary and speak line-delimited JSON-RPC 2.0 with it over its
stdin/stdout. Errors are :class:`TiledeskRPCError` subclasses named after the
protocol's codes (:class:`NotFound` for 404, :class:`Conflict` for 409, ...).
"""

from . import errors, roster, types
from ._batch import AsyncBatch, Batch, BatchItem
from ._common import find_binary
from ._environment import BASIC_ENV_VARS
from ._notices import AsyncSubscription, ThreadSubscription
from ._progress import Progress, ProgressCallback, ProgressStream
from ._streams import AsyncTeamWatch, ChangeKind, FieldChange, TeamChange, TeamView, TeamWatch
from .aio import AsyncTiledeskRPC
from .client import PendingCall, TiledeskRPC
from .errors import *  # noqa: F403 - the error classes, listed in errors.__all__
from .roster import *  # noqa: F403 - the roster reader, listed in roster.__all__
from .types import *  # noqa: F403 - the result types, listed in types.__all__

__version__ = "0.1.0"

__all__ = [
    "TiledeskRPC",
    "AsyncTiledeskRPC",
    "PendingCall",
    "Batch",
    "AsyncBatch",
    "BatchItem",
    "ThreadSubscription",
    "AsyncSubscription",
    "Progress",
    "ProgressCallback",
    "ProgressStream",
    "TeamWatch",
    "AsyncTeamWatch",
    "TeamView",
    "TeamChange",
    "FieldChange",
    "ChangeKind",
    "find_binary",
    "BASIC_ENV_VARS",
    "__version__",
]
__all__ += errors.__all__
__all__ += roster.__all__
__all__ += types.__all__
