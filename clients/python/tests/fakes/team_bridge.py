"""A stand-in bridge for the jobs built on notifications and pages, as the protocol specifies
them: ``team.apply`` reporting progress, ``team.watch`` / ``team.unwatch`` and their
notifications, ``activity.list`` pages. Tests and example runs use it where the real bridge
does not serve these yet, and to script what a real one does only by chance.

The team: the sandbox's four teammates and its pending invitation (``protocol/sandbox.md``).

- ``team.plan`` / ``team.apply`` ``{roster, fingerprint?, dry_run?}``: an ``invite`` for an
  address that is neither a teammate nor invited, an ``update`` for a role or availability that
  differs (a dry run of apply answers the plan). Apply carries the actions out in order
  (``fail@example.com`` fails with 502), sends ``$/progress`` ``{done, total, action}`` after
  each when the params carry ``_meta.progressToken``, and after inviting ``hold@example.com``
  waits for a ``$/cancelRequest`` (then answers -32800 with ``data.applied``). A stale
  ``fingerprint`` is 409 with the fresh plan in ``data.plan``.
- ``team.watch`` ``{interval?}`` (at least 5): answers ``{subscription, teammates,
  invitations}`` and right after it sends, in this order: ``team.changed`` (Bob becomes
  available), ``team.watchError`` (a 503), ``team.changed`` (the pending invitation is removed
  and its address joins, in one notification), plus one notification for nobody.
- ``team.unwatch`` ``{subscription}``: ``{}``; an unknown subscription is -32602.
- ``activity.list`` ``{limit?, page?}``: 7 entries, newest first, ``{count, page, per_page,
  activities}``.
- ``fake.emit`` ``{notifications}``: writes them, then answers ``{}``.
- ``fake.prepend_activity``: a new newest entry (shifting every page by one).
- ``fake.log``: ``{unwatched, cancels}``, what the bridge was asked to end.

Flags: ``--no-progress``: a bridge that predates progress (``_meta`` is an unknown param, -32602).
"""

import json
import sys
import threading

from serving import serve_concurrently

NO_PROGRESS = "--no-progress" in sys.argv[1:]

out_lock = threading.Lock()
state_lock = threading.Lock()
cancelled = {}  # request id -> threading.Event
log = {"unwatched": [], "cancels": []}
watches = set()


def user(n, first, email):
    return {"_id": f"65f0000000000000000000a{n}", "id": f"65f0000000000000000000a{n}", "firstname": first, "lastname": "Test", "email": email}


def teammate(n, role, available, first, email):
    return {"_id": f"65f0000000000000000000b{n}", "id": f"65f0000000000000000000b{n}", "role": role,
            "user_available": available, "status": "active", "presence": {"status": "online" if available else "offline"},
            "id_user": user(n, first, email)}


team = [
    teammate(1, "owner", True, "Olivia", "owner@example.com"),
    teammate(2, "admin", True, "Adam", "admin@example.com"),
    teammate(3, "agent", True, "Alice", "alice@example.com"),
    teammate(4, "agent", False, "Bob", "bob@example.com"),
]
invitations = [{"_id": "65f0000000000000000000c1", "id": "65f0000000000000000000c1", "email": "pending@example.com",
                "role": "agent", "createdAt": "2026-01-15T09:40:00.000Z"}]


def activity(n):
    """The n-th entry of the log: Olivia changing Bob (odd n: his availability, in the server's words)."""
    entry = {"_id": f"65f00000000000000000e00{n}", "id": f"65f00000000000000000e00{n}", "verb": "PROJECT_USER_UPDATE",
             "actor": {"type": "user", "id": "65f0000000000000000000a1", "name": "Olivia Owner"},
             "target": {"type": "project_user", "id": "65f0000000000000000000b4"}, "createdAt": f"2026-02-0{n}T10:00:00.000Z"}
    if n % 2:
        entry.update(verb="PROJECT_USER_AVAILABILITY_SELF", message=f"Bob Test changed availability status to available ({n})")
    return entry


activities = [activity(n) for n in range(7, 0, -1)]
version = [1]


def write(message):
    with out_lock:
        sys.stdout.write(json.dumps(message, separators=(",", ":")) + "\n")
        sys.stdout.flush()


def notify(method, params):
    write({"jsonrpc": "2.0", "method": method, "params": params})


def error(code, message, **data):
    return {"error": {"code": code, "message": message, "data": {"retryable": code in (502, 503), **data}}}


def email_of(member):
    return member["id_user"]["email"]


def plan(roster):
    """The actions making the team match the roster, and how many entries need none."""
    members = {email_of(t): t for t in team}
    invited = {i["email"] for i in invitations}
    actions, unchanged = [], 0
    for entry in roster:
        email = entry["email"].lower()
        member = members.get(email)
        if member is None:
            if email in invited:
                unchanged += 1
            else:
                actions.append({"action": "invite", "email": email, "role": entry["role"]})
            continue
        changes = {f: {"from": member[f], "to": entry[f]} for f in ("role", "user_available") if f in entry and entry[f] != member[f]}
        if changes:
            actions.append({"action": "update", "email": email, "project_user_id": member["id"], "changes": changes})
        else:
            unchanged += 1
    summary = {}
    for action in actions:
        summary[action["action"]] = summary.get(action["action"], 0) + 1
    return {"project_id": "65f000000000000000000001", "fingerprint": f"fp-{version[0]}", "actions": actions,
            "unchanged": unchanged, "summary": summary, "skipped": [], "waiting": []}


def carry_out(action):
    """Do one action; its result, or raises ValueError for the one that fails."""
    if action["email"] == "fail@example.com":
        raise ValueError("the server answered 502")
    with state_lock:
        version[0] += 1
        if action["action"] == "invite":
            invitation = {"_id": f"65f0000000000000000000c{len(invitations) + 1}", "email": action["email"], "role": action["role"]}
            invitation["id"] = invitation["_id"]
            invitations.append(invitation)
            return {"status": "pending", "invitation": invitation}
        member = next(t for t in team if t["id"] == action["project_user_id"])
        member.update({f: change["to"] for f, change in action["changes"].items()})
        return dict(member)


def apply(rid, params):
    current = plan(params["roster"])
    if params.get("dry_run"):
        return {"result": current}
    if "fingerprint" in params and params["fingerprint"] != current["fingerprint"]:
        return error(409, "the team changed since the plan", plan=current)
    token = (params.get("_meta") or {}).get("progressToken")
    event = threading.Event()
    cancelled[rid] = event
    applied, failed = [], []
    total = len(current["actions"])
    for done, action in enumerate(current["actions"], 1):
        try:
            applied.append({**action, "result": carry_out(action)})
        except ValueError as exc:
            failed.append({**action, "error": {"code": 502, "message": str(exc), "data": {"retryable": True}}})
        if token is not None:
            notify("$/progress", {"token": token, "value": {"done": done, "total": total, "action": action}})
        if action["email"] == "hold@example.com" and event.wait(10):
            return error(-32800, "request cancelled", applied=applied)
    return {"result": {"applied": applied, "failed": failed, "unchanged": current["unchanged"], "summary": current["summary"]}}


def watch(rid, params):
    if params.get("interval", 30) < 5:
        return error(-32602, "Invalid params: interval must be at least 5 seconds", field="interval")
    with state_lock:
        sid = f"sub-{len(watches) + len(log['unwatched']) + 1}"
        watches.add(sid)
        answer = {"subscription": sid, "teammates": [dict(t) for t in team], "invitations": [dict(i) for i in invitations]}
    write({"jsonrpc": "2.0", "id": rid, "result": answer})
    bob = dict(team[3], user_available=True)
    joined = teammate(7, "agent", True, "Pat", "pending@example.com")
    notify("team.changed", {"subscription": sid, "project_id": "65f000000000000000000001", "changes": [
        {"kind": "updated", "teammate": bob, "fields": {"user_available": {"from": False, "to": True}}}]})
    notify("team.watchError", {"subscription": sid, "error": {"code": 503, "message": "upstream unreachable", "data": {"retryable": True}}})
    notify("team.changed", {"subscription": sid, "project_id": "65f000000000000000000001", "changes": [
        {"kind": "invitation_removed", "invitation": invitations[0]}, {"kind": "joined", "teammate": joined}]})
    notify("team.changed", {"subscription": "sub-nobody", "project_id": "65f000000000000000000001", "changes": []})
    return None


def unwatch(params):
    with state_lock:
        if params.get("subscription") not in watches:
            return error(-32602, "Invalid params: unknown subscription", field="subscription")
        watches.discard(params["subscription"])
        log["unwatched"].append(params["subscription"])
    return {"result": {}}


def activity_page(params):
    limit, page = params.get("limit", 40), params.get("page", 0)
    with state_lock:
        entries = activities[page * limit:(page + 1) * limit]
        return {"result": {"count": len(activities), "page": page, "per_page": limit, "activities": entries}}


def prepend_activity():
    with state_lock:
        n = len(activities) + 1
        activities.insert(0, {"_id": f"65f00000000000000000e0{n:02d}", "id": f"65f00000000000000000e0{n:02d}",
                              "verb": "PROJECT_USER_INVITE", "createdAt": "2026-03-01T10:00:00.000Z"})
    return {"result": {}}


def answer(request):
    """The response body ({result} or {error}) of one request; None when it answered already."""
    method, params, rid = request.get("method"), request.get("params") or {}, request.get("id")
    if NO_PROGRESS and "_meta" in params:
        return error(-32602, f'Invalid params: unknown param "_meta" for {method}', field="_meta")
    if method == "team.plan":
        return {"result": plan(params["roster"])}
    if method == "team.apply":
        return apply(rid, params)
    if method == "team.watch":
        return watch(rid, params)
    if method == "team.unwatch":
        return unwatch(params)
    if method == "activity.list":
        return activity_page(params)
    if method == "fake.emit":
        for message in params["notifications"]:
            write(message)
        return {"result": {}}
    if method == "fake.prepend_activity":
        return prepend_activity()
    if method == "fake.log":
        with state_lock:
            return {"result": json.loads(json.dumps(log))}
    if method == "ping":
        return {"result": {}}
    return error(-32601, f"Method not found: {method}", method=method)


def serve(request):
    body = answer(request)
    if body is not None and "id" in request:
        write({"jsonrpc": "2.0", "id": request["id"], **body})


def cancel(message):
    with state_lock:
        log["cancels"].append(message["params"]["id"])
    event = cancelled.get(message["params"]["id"])
    if event is not None:
        event.set()


if __name__ == "__main__":
    serve_concurrently(serve, cancel)
