"""The official MCP Python SDK as a real client of the bridge (clients/mcp/run-sdk-check.sh).

Starts `tiledesk-rpc --sandbox` through the SDK's stdio client, initializes and lists the tools,
then calls every tool `tools/list` offers, each in a fresh sandbox, with sample arguments from
the protocol's own data: a test vector that calls the method successfully (its earlier steps
replayed first, as tool calls, so a restore has something to restore), else the method's first
OpenRPC example. The result must match what the vector or example expects. Prints one line per
check and `N passed, N failed` at the end.
"""

import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

PROTOCOL = Path(__file__).resolve().parents[2] / "protocol"
OWNER_TEAMMATE = "65f0000000000000000000b1"

#: A tool call: (method, arguments), and whether it must succeed.
Step = Tuple[str, Dict[str, Any]]
Setup = Tuple[Step, bool]
Sample = Tuple[List[Setup], Step, Any, str]


def field(obj: Any, camel: str, snake: str) -> Any:
    """An attribute under its camelCase name (SDK 1.x) or snake_case name (later SDKs)."""
    return getattr(obj, camel) if hasattr(obj, camel) else getattr(obj, snake)


def matches(expected: Any, actual: Any) -> bool:
    """The vectors' rule (protocol/vectors/README.md): objects by the expected keys (`{}` only
    matches `{}`), arrays element by element, anything else as equal JSON values."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict) or (not expected and actual):
            return False
        return all(k in actual and matches(v, actual[k]) for k, v in expected.items())
    if isinstance(expected, list):
        return isinstance(actual, list) and len(actual) == len(expected) and all(map(matches, expected, actual))
    if isinstance(expected, bool) or isinstance(actual, bool):
        return expected is actual
    return expected == actual


def structured(result: Any) -> Any:
    """What a tool's structuredContent holds for a method result (arrays come wrapped)."""
    return {"items": result} if isinstance(result, list) else result


def from_vectors(method: str) -> Optional[Sample]:
    """The shortest vector with a successful request of `method` whose earlier steps are all
    plain requests: those steps, that request and its expected result."""
    best: Optional[Sample] = None
    for path in sorted((PROTOCOL / "vectors").glob("*.json")):
        vector = json.loads(path.read_text(encoding="utf-8"))
        if vector.get("args") != ["--sandbox"]:
            continue
        setup: List[Setup] = []
        for step in vector["steps"]:
            send, expect = step["send"], step["expect"]
            if not isinstance(send, dict) or "id" not in send or len(expect) != 1 or not isinstance(expect[0], dict):
                break
            call = (send["method"], send.get("params", {}))
            if send["method"] == method and "result" in expect[0]:
                if best is None or len(setup) < len(best[0]):
                    best = (list(setup), call, structured(expect[0]["result"]), path.name)
                break
            setup.append((call, "result" in expect[0]))
    return best


def from_example(method: Dict[str, Any]) -> Optional[Sample]:
    for example in method.get("examples", [])[:1]:
        arguments = {p["name"]: p["value"] for p in example["params"]}
        return [], (method["name"], arguments), structured(example["result"]["value"]), f"example {example['name']!r}"
    return None


async def call_tool(session: ClientSession, tools: Dict[str, str], step: Step) -> Tuple[bool, Any, str]:
    result = await session.call_tool(tools[step[0]], step[1])
    text = result.content[0].text if result.content else ""
    return not field(result, "isError", "is_error"), field(result, "structuredContent", "structured_content"), text


async def main(binary: str) -> int:
    passed, failed = 0, 0

    def check(name: str, ok: bool, detail: str = "") -> None:
        nonlocal passed, failed
        passed, failed = (passed + 1, failed) if ok else (passed, failed + 1)
        print(f"{'ok  ' if ok else 'FAIL'} {name}{(': ' + detail) if detail and not ok else ''}")

    doc = json.loads((PROTOCOL / "openrpc.json").read_text(encoding="utf-8"))
    methods = {m["name"]: m for m in doc["methods"]}
    params = StdioServerParameters(command=binary, args=["--sandbox"])

    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:
            started = time.monotonic()
            init = await session.initialize()
            elapsed = time.monotonic() - started
            check("initialize", field(init, "serverInfo", "server_info").name == "tiledesk-rpc", str(init))
            check(f"initialize in under one second ({elapsed * 1000:.0f} ms)", elapsed < 1.0)
            listed = (await session.list_tools()).tools
    by_tool = {name.replace(".", "_"): name for name in methods}
    tools = {by_tool[t.name]: t.name for t in listed if t.name in by_tool}
    strays = sorted(t.name for t in listed if t.name not in by_tool)
    check("every tool is a method of the OpenRPC document", not strays, str(strays))
    for tool in listed:
        check(f"{tool.name} has a schema and a description",
              field(tool, "inputSchema", "input_schema").get("type") == "object" and len(tool.description or "") > 40)

    for method in sorted(tools):
        sample = from_vectors(method) or from_example(methods[method])
        if sample is None:
            check(f"tools/call {tools[method]}", False, "no vector and no OpenRPC example gives sample arguments")
            continue
        setup, call, expected, source = sample
        async with stdio_client(params) as (read, write):
            async with ClientSession(read, write) as session:
                await session.initialize()
                ready = [(await call_tool(session, tools, step))[0] or not succeeds for step, succeeds in setup if step[0] in tools]
                ok, result, text = await call_tool(session, tools, call)
        detail = f"{source}: {text[:300]}"
        check(f"tools/call {tools[method]} ({source})", all(ready) and ok and matches(expected, result), detail)

    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:
            await session.initialize()
            bad = await session.call_tool("team_get", {"project_user_id": "not-an-id"})
            message = bad.content[0].text if bad.content else ""
            check("a validation failure is an isError result naming the field",
                  field(bad, "isError", "is_error") and "project_user_id" in message, message)
            owner = await session.call_tool("team_leave", {"project_user_id": OWNER_TEAMMATE})
            check("the owner cannot be removed (isError)", field(owner, "isError", "is_error") is True)

    # The team as a resource: listed, read, subscribed; a change made through a tool is heard.
    updated = asyncio.Event()

    async def on_message(message: Any) -> None:
        # SDK 1.x wraps the notification in a root model; later SDKs hand it over as it is.
        notification = getattr(message, "root", message)
        if getattr(notification, "method", "") == "notifications/resources/updated":
            updated.set()

    team_uri = "tiledesk://projects/65f000000000000000000001/team"
    watching = StdioServerParameters(command=binary, args=["--sandbox", "--watch-interval", "5"])
    async with stdio_client(watching) as (read, write):
        async with ClientSession(read, write, message_handler=on_message) as session:
            init = await session.initialize()
            resources_cap = field(init, "capabilities", "capabilities").resources
            check("initialize offers resources with subscribe", resources_cap is not None and resources_cap.subscribe is True, str(resources_cap))
            listed_resources = (await session.list_resources()).resources
            check("resources/list offers the default project's team", [str(r.uri) for r in listed_resources] == [team_uri],
                  str(listed_resources))
            read_back = await session.read_resource(team_uri)
            team = json.loads(read_back.contents[0].text)
            check("resources/read answers the team and its invitations as JSON",
                  len(team.get("teammates", [])) == 4 and len(team.get("invitations", [])) == 1, read_back.contents[0].text[:200])
            await session.subscribe_resource(team_uri)
            await session.call_tool("team_update", {"project_user_id": "65f0000000000000000000b4", "user_available": True})
            try:
                await asyncio.wait_for(updated.wait(), 15)
            except asyncio.TimeoutError:
                pass
            check("a subscribed change sends notifications/resources/updated", updated.is_set())
            await session.unsubscribe_resource(team_uri)

    print(f"mcp-sdk: {passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1])))
