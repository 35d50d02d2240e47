#!/usr/bin/env python3
"""Generate ``tiledesk_rpc/_api.py``: the method helpers of the sync, async and batch clients.

The three families (``client.team.list()``, ``await aclient.team.list()``,
``batch.team.list()``) share one table below so their names, parameters and
docstrings cannot drift apart. After changing the table run::

    python3 clients/python/tools/gen_api.py

``tests/test_api_surface.py`` fails when the generated file is out of date.

Adding a method: add it to METHODS (and its parameter docs to PARAM_DOCS), run this
script, add a test in tests/test_helpers.py, and list it in README.md.
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path
from typing import List, NamedTuple, Optional, Tuple

OUT = Path(__file__).resolve().parents[1] / "tiledesk_rpc" / "_api.py"


class P(NamedTuple):
    name: str  # Python name
    wire: str  # JSON-RPC param name
    ann: str  # annotation (without Optional for optional params)
    kind: str  # "req": positional, required; "pos": positional, default None; "kw": keyword-only, default None


class M(NamedTuple):
    group: str  # "user", "project", "team", "auth"
    name: str  # Python method name
    wire: str  # JSON-RPC method
    params: Tuple[P, ...]
    returns: str
    http: str
    doc: str
    mutating: bool = False


PID = P("project_id", "project_id", "str", "pos")
PUID = P("project_user_id", "project_user_id", "str", "req")
DRY = P("dry_run", "dry_run", "bool", "kw")

METHODS: List[M] = [
    M("user", "get", "user.get", (), "User", "GET /users", "The signed-in user."),
    M(
        "user",
        "update",
        "user.update",
        (
            P("firstname", "firstname", "str", "kw"),
            P("lastname", "lastname", "str", "kw"),
            P("attributes", "attributes", "Mapping[str, Any]", "kw"),
            P("description", "description", "str", "kw"),
            P("public_email", "public_email", "str", "kw"),
            P("public_website", "public_website", "str", "kw"),
            P("phone", "phone", "str", "kw"),
            DRY,
        ),
        "User",
        "PUT /users/",
        "Update the signed-in user's profile (give at least one field); returns the updated user.",
        True,
    ),
    M(
        "project",
        "list",
        "project.list",
        (),
        "List[Membership]",
        "GET /projects",
        "The caller's memberships, each with its project populated in ``id_project``.",
    ),
    M(
        "team",
        "list",
        "team.list",
        (
            PID,
            P("role", "role", "str", "pos"),
            P("status", "status", "TeamStatus", "pos"),
            P("presence", "presence", "Presence", "pos"),
            P("include_trashed", "include_trashed", "bool", "pos"),
        ),
        "List[Teammate]",
        "GET /{project_id}/project_users",
        "The project's teammates, optionally filtered.",
    ),
    M(
        "team",
        "get",
        "team.get",
        (PUID, PID),
        "Teammate",
        "GET /{project_id}/project_users/{project_user_id}",
        "One teammate by its teammate (project_user) id.",
    ),
    M(
        "team",
        "get_by_user",
        "team.getByUser",
        (P("user_id", "user_id", "str", "req"), PID),
        "Teammate",
        "GET /{project_id}/project_users/users/{user_id}",
        "The teammate record of a user (an ObjectId, or a guest uuid).",
    ),
    M(
        "team",
        "me",
        "team.me",
        (PID,),
        "Teammate",
        "GET /{project_id}/project_users/me",
        "The caller's own teammate record in the project.",
    ),
    M(
        "team",
        "invite",
        "team.invite",
        (
            P("email", "email", "str", "req"),
            P("role", "role", "str", "req"),
            PID,
            P("user_available", "user_available", "bool", "kw"),
            P("ensure", "ensure", "bool", "kw"),
            DRY,
        ),
        "InviteResult",
        "POST /{project_id}/project_users/invite",
        "Invite someone to the project.\n\n"
        'The result is ``{"status": "added", "teammate": ...}`` for a registered user,\n'
        '``{"status": "pending", "invitation": ...}`` for an unknown address, and with\n'
        '``ensure=True`` ``{"status": "existing", "teammate": ...}`` for a member\n'
        "(otherwise :class:`~tiledesk_rpc.Conflict`).",
        True,
    ),
    M(
        "team",
        "update",
        "team.update",
        (
            PUID,
            PID,
            P("role", "role", "str", "kw"),
            P("user_available", "user_available", "bool", "kw"),
            P("max_assigned_chat", "max_assigned_chat", "int", "kw"),
            P("profile_status", "profileStatus", "str", "kw"),
            P("status", "status", "TeamStatus", "kw"),
            P("attributes", "attributes", "Mapping[str, Any]", "kw"),
            P("settings", "settings", "Mapping[str, Any]", "kw"),
            DRY,
        ),
        "Teammate",
        "PUT /{project_id}/project_users/{project_user_id}",
        "Update a teammate (give at least one field); returns the updated teammate.\n\n"
        "The bridge checks the teammate belongs to the project (else 404) and refuses to\n"
        "change the owner's role or disable the owner (403).",
        True,
    ),
    M(
        "team",
        "update_me",
        "team.updateMe",
        (
            PID,
            P("user_available", "user_available", "bool", "kw"),
            P("max_assigned_chat", "max_assigned_chat", "int", "kw"),
            P("profile_status", "profileStatus", "str", "kw"),
            P("attributes", "attributes", "Mapping[str, Any]", "kw"),
            P("settings", "settings", "Mapping[str, Any]", "kw"),
            DRY,
        ),
        "Teammate",
        "PUT /{project_id}/project_users/",
        "Update the caller's own teammate record; returns it.",
        True,
    ),
    M(
        "team",
        "leave",
        "team.leave",
        (PUID, PID, P("mode", "mode", "LeaveMode", "kw"), DRY),
        "Teammate",
        "DELETE /{project_id}/project_users/{project_user_id}",
        "Remove a teammate from the project: ``disable`` (the bridge's default), ``trash`` or ``delete``.\n\n"
        "The bridge refuses to remove the project's owner (403).",
        True,
    ),
    M(
        "team",
        "restore",
        "team.restore",
        (PUID, PID, DRY),
        "Teammate",
        "PUT /{project_id}/project_users/{project_user_id}/restore",
        "Restore a trashed teammate (not trashed: 409); returns it.",
        True,
    ),
    M(
        "auth",
        "signin",
        "auth.signin",
        (P("email", "email", "str", "req"), P("password", "password", "str", "req")),
        "SigninResult",
        "POST /auth/signin",
        "Sign in; later calls on this bridge use the token it returns.",
    ),
]

PARAM_DOCS = {
    "project_id": "the project (24-hex ObjectId); omitted: the bridge's default project",
    "project_user_id": "the teammate's id (24-hex ObjectId)",
    "user_id": "the user's id (ObjectId or guest uuid)",
    "role": "``agent``, ``supervisor`` or ``admin`` (``team.list``: any role to filter by)",
    "status": "``active`` or ``disabled``",
    "presence": "``online`` or ``offline``",
    "include_trashed": "include trashed teammates",
    "email": "an e-mail address",
    "password": "the password",
    "user_available": "whether the teammate takes new conversations",
    "ensure": "an existing member gives ``status: existing`` instead of a conflict",
    "max_assigned_chat": "most conversations assigned at once",
    "profile_status": "free-text profile status (wire name ``profileStatus``)",
    "attributes": "free-form attributes (replace the stored object)",
    "settings": 'e-mail notification switches: ``{"email": {"notification": {"conversation": '
    '{"assigned": {"toyou": bool}, "pooled": bool}}}}``',
    "mode": "``disable`` (default), ``trash`` or ``delete``",
    "dry_run": "validate and run the guards only; send no change and return a :class:`DryRunResult`",
    "firstname": "first name",
    "lastname": "last name",
    "description": "profile description",
    "public_email": "public e-mail",
    "public_website": "public website",
    "phone": "phone number",
}

GROUP_DOCS = {
    "user": "``user.*``: the signed-in user.",
    "project": "``project.*``: the caller's projects.",
    "team": "``team.*``: a project's teammates (Tiledesk ``project_users``).",
    "auth": "``auth.*``: signing in.",
}

VARIANTS = ("sync", "async", "batch")
CLASS_PREFIX = {"sync": "", "async": "Async", "batch": "Batch"}
CALLER = {"sync": "_SyncCaller", "async": "_AsyncCaller", "batch": "_BatchCaller"}


def param_sig(m: M, variant: str, dry: Optional[str]) -> List[str]:
    """The parameter list after ``self``; dry is None (plain), "true", "false" or "bool" for overloads."""
    parts: List[str] = []
    star = False
    for p in m.params:
        if p.kind == "kw" and not star:
            parts.append("*")
            star = True
        if p.kind == "req":
            parts.append(f"{p.name}: {p.ann}")
        elif p.name == "dry_run" and dry == "true":
            parts.append("dry_run: Literal[True]")
        elif p.name == "dry_run" and dry == "false":
            parts.append("dry_run: Literal[False, None] = None")
        else:
            default = "..." if dry in ("true", "false", "bool") else "None"
            parts.append(f"{p.name}: Optional[{p.ann}] = {default}")
    if variant != "batch":
        if not star:
            parts.append("*")
        parts.append("timeout: Optional[float] = " + ("..." if dry else "None"))
    return ["self"] + parts


def wrap_return(ret: str, variant: str) -> str:  # noqa: D103
    return f"BatchItem[{ret}]" if variant == "batch" else ret


def docstring(m: M, variant: str) -> str:
    lines = m.doc.split("\n")
    args = [p for p in m.params]
    if args or variant != "batch":
        lines += ["", "Args:"]
        for p in args:
            lines.append(f"    {p.name}: {PARAM_DOCS[p.name]}")
        if variant != "batch":
            lines.append("    timeout: seconds to wait (default: the client's); on expiry the call is")
            lines.append("        cancelled on the bridge and :class:`~tiledesk_rpc.CallTimeout` is raised")
    if variant == "batch":
        lines += ["", "Returns a handle; its result is available once the batch has been sent."]
    lines += ["", f"JSON-RPC ``{m.wire}``; HTTP ``{m.http}``."]
    return '"""' + "\n".join(lines) + '\n"""'


def body(m: M, variant: str) -> str:
    items = ", ".join(f'("{p.wire}", {p.name})' for p in m.params)
    params = f"_params({items})" if m.params else "None"
    if variant == "sync":
        return f'return self._c.call("{m.wire}", {params}, timeout=timeout)  # type: ignore[no-any-return]'
    if variant == "async":
        return f'return await self._c.call("{m.wire}", {params}, timeout=timeout)  # type: ignore[no-any-return]'
    return f'return self._c.call("{m.wire}", {params})'


def def_line(adef: str, name: str, sig: List[str], ret: str, tail: str) -> str:
    """A method's ``def`` line, one parameter per line when it would be too long."""
    ind = "    "
    line = f"{ind}{adef} {name}({', '.join(sig)}) -> {ret}:{tail}"
    if len(line) <= 110:
        return line
    params = "".join(f"{ind * 2}{part},\n" for part in sig)
    return f"{ind}{adef} {name}(\n{params}{ind}) -> {ret}:{tail}"


def method_code(m: M, variant: str) -> str:
    ind = "    "
    out: List[str] = []
    adef = "async def" if variant == "async" else "def"
    if m.mutating:
        for dry, ret in (("true", "DryRunResult"), ("false", m.returns), ("bool", f"Union[{m.returns}, DryRunResult]")):
            out.append(ind + "@overload")
            out.append(def_line(adef, m.name, param_sig(m, variant, dry), wrap_return(ret, variant), " ..."))
        # a batch handle is invariant in its type: the implementation returns BatchItem[Any]
        ret = "Any" if variant == "batch" else f"Union[{m.returns}, DryRunResult]"
    else:
        ret = m.returns
    out.append(def_line(adef, m.name, param_sig(m, variant, None), wrap_return(ret, variant), ""))
    out.append(textwrap.indent(docstring(m, variant), ind * 2))
    out.append(ind * 2 + body(m, variant))
    return "\n".join(out)


HEADER = '''\
# Generated by tools/gen_api.py from its METHODS table: do not edit by hand.
"""Method helpers: ``client.user``, ``client.project``, ``client.team``, ``client.auth``.

Each helper sends only the parameters the caller gave (``None`` means omitted).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List, Literal, Mapping, Optional, Tuple, Union, overload

from .types import (
    DryRunResult,
    InviteResult,
    LeaveMode,
    Membership,
    Presence,
    SigninResult,
    TeamStatus,
    Teammate,
    User,
)

if TYPE_CHECKING:
    from ._batch import BatchItem
    from ._callers import _AsyncCaller, _BatchCaller, _SyncCaller


def _params(*pairs: Tuple[str, Any]) -> Optional[Dict[str, Any]]:
    """The params object holding only the given (non-None) values; None when empty."""
    params = {name: value for name, value in pairs if value is not None}
    return params or None'''


def generate() -> str:
    chunks = [HEADER]
    groups = list(dict.fromkeys(m.group for m in METHODS))
    for variant in VARIANTS:
        for g in groups:
            cls = f"{CLASS_PREFIX[variant]}{g.capitalize()}API"
            chunks.append("")
            chunks.append("")
            chunks.append(f"class {cls}:")
            kind = {"sync": "", "async": " (asyncio)", "batch": " (inside a batch)"}[variant]
            chunks.append(f'    """{GROUP_DOCS[g]}{kind}"""')
            chunks.append("")
            chunks.append("    __slots__ = (\"_c\",)")
            chunks.append("")
            chunks.append(f"    def __init__(self, caller: {CALLER[variant]}) -> None:")
            chunks.append("        self._c = caller")
            for m in METHODS:
                if m.group == g:
                    chunks.append("")
                    chunks.append(method_code(m, variant))
    return "\n".join(chunks) + "\n"


def main() -> int:
    text = generate()
    if "--check" in sys.argv:
        current = OUT.read_text(encoding="utf-8") if OUT.exists() else ""
        if current != text:
            print(f"{OUT} is out of date: run python3 {Path(__file__).name}", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
