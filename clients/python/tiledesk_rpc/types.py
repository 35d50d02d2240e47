"""Typed shapes of the bridge's results.

Results are Tiledesk's own objects, unwrapped from its envelopes, with every field
the server sent kept (unknown ones included). These TypedDicts are ``total=False``:
they name the fields Tiledesk documents, none is guaranteed, and a result may carry
more. Each object carries ``id`` (the bridge copies it from ``_id`` when missing).
"""

from __future__ import annotations

from typing import Any, Dict, List, Literal, Optional, TypedDict

__all__ = [
    "Role",
    "TeamStatus",
    "Presence",
    "LeaveMode",
    "User",
    "PresenceInfo",
    "Teammate",
    "Project",
    "Membership",
    "Invitation",
    "InviteResult",
    "DryRunRequest",
    "DryRunResult",
    "SigninResult",
    "NotificationSettings",
    "TeammateSettings",
]

#: Roles the bridge assigns (it never assigns ``owner``; results may still say ``owner``).
Role = Literal["agent", "supervisor", "admin"]
#: ``team.list(status=...)`` and ``team.update(status=...)``.
TeamStatus = Literal["active", "disabled"]
#: ``team.list(presence=...)``.
Presence = Literal["online", "offline"]
#: ``team.leave(mode=...)``: ``disable`` (the default), ``trash`` (soft) or ``delete`` (hard).
LeaveMode = Literal["disable", "trash", "delete"]


class User(TypedDict, total=False):
    """A Tiledesk user (``user.get``, ``user.update``, a populated ``id_user``)."""

    _id: str
    id: str
    email: str
    firstname: str
    lastname: str
    emailverified: bool
    status: int
    attributes: Dict[str, Any]
    description: str
    public_email: str
    public_website: str
    phone: str
    createdAt: str
    updatedAt: str


class PresenceInfo(TypedDict, total=False):
    """A teammate's ``presence``."""

    status: str
    changedAt: str


class NotificationSettings(TypedDict, total=False):
    """``settings.email.notification.conversation``."""

    assigned: Dict[str, bool]
    pooled: bool


class TeammateSettings(TypedDict, total=False):
    """The only teammate settings the server stores: e-mail notification switches.

    Shape: ``{"email": {"notification": {"conversation": {"assigned": {"toyou": bool}, "pooled": bool}}}}``.
    """

    email: Dict[str, Any]


class Teammate(TypedDict, total=False):
    """A project member (Tiledesk's ``project_user``)."""

    _id: str
    id: str
    id_project: str
    #: the populated :class:`User` (``team.list``, ``team.get``, ``team.getByUser``) or
    #: the user id string (``team.me``, ``team.invite``, ...); typed ``Any`` so that
    #: ``teammate["id_user"]["email"]`` type-checks where the server populates it
    id_user: Any
    uuid_user: str
    role: str
    roleType: int
    user_available: bool
    profileStatus: str
    presence: PresenceInfo
    attributes: Dict[str, Any]
    settings: Dict[str, Any]
    max_assigned_chat: int
    number_assigned_requests: int
    last_login_at: str
    last_ip: str
    tags: List[Dict[str, Any]]
    permissions: List[str]
    createdBy: str
    status: str
    trashed: bool
    isBusy: bool
    isAuthenticated: bool
    rolePermissions: Any
    createdAt: str
    updatedAt: str


class Project(TypedDict, total=False):
    """A Tiledesk project (populated in ``project.list``)."""

    _id: str
    id: str
    name: str
    status: int
    settings: Dict[str, Any]
    widget: Dict[str, Any]
    profile: Dict[str, Any]
    channels: List[Any]
    createdBy: str
    createdAt: str
    updatedAt: str


class Membership(TypedDict, total=False):
    """One of the caller's memberships (``project.list``): a teammate record with the project populated."""

    _id: str
    id: str
    id_project: Optional[Project]
    id_user: str
    role: str
    roleType: int
    user_available: bool
    status: str
    trashed: bool
    presence: PresenceInfo
    createdAt: str
    updatedAt: str


class Invitation(TypedDict, total=False):
    """A pending invitation (someone with no Tiledesk account yet)."""

    _id: str
    id: str
    email: str
    role: str
    id_project: str
    createdBy: str
    createdAt: str
    updatedAt: str


class InviteResult(TypedDict, total=False):
    """``team.invite``: ``added`` / ``existing`` carry ``teammate``, ``pending`` carries ``invitation``."""

    status: Literal["added", "pending", "existing"]
    teammate: Teammate
    invitation: Invitation


class DryRunRequest(TypedDict, total=False):
    """The request a mutating call would have sent (credentials never shown)."""

    method: str
    url: str
    body: Any


class DryRunResult(TypedDict, total=False):
    """The result of any mutating method called with ``dry_run=True``."""

    dry_run: bool
    request: DryRunRequest


class SigninResult(TypedDict, total=False):
    """``auth.signin``: the token (later calls use it) and the user."""

    token: str
    user: User
