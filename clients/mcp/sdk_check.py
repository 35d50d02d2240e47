"""The official MCP Python SDK as a real client of the bridge (clients/mcp/run-sdk-check.sh).

Starts `tiledesk-rpc --sandbox` through the SDK's stdio client, initializes, lists every tool
and calls each one; prints one line per check and `N passed, N failed` at the end.
"""

import asyncio
import json
import sys
import time

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

def field(obj, camel: str, snake: str):
    """An attribute under its camelCase name (SDK 1.x) or snake_case name (later SDKs)."""
    return getattr(obj, camel) if hasattr(obj, camel) else getattr(obj, snake)


ALICE, BOB, OWNER = "65f0000000000000000000b3", "65f0000000000000000000b4", "65f0000000000000000000b1"

# One call per tool, in an order that leaves each later call valid (leave before restore).
CALLS = [
    ("user_get", {}, lambda r: r["email"] == "owner@example.com"),
    ("user_update", {"lastname": "Owner-Smith"}, lambda r: r["lastname"] == "Owner-Smith"),
    ("project_list", {}, lambda r: r["items"][0]["id_project"]["name"] == "Demo Support"),
    ("team_list", {}, lambda r: len(r["items"]) == 4),
    ("team_get", {"project_user_id": ALICE}, lambda r: r["role"] == "agent"),
    ("team_getByUser", {"user_id": "65f0000000000000000000a4"}, lambda r: r["_id"] == BOB),
    ("team_me", {}, lambda r: r["role"] == "owner"),
    ("team_invite", {"email": "nina@example.com", "role": "agent"}, lambda r: r["status"] == "added"),
    ("team_updateMe", {"user_available": False}, lambda r: r["user_available"] is False),
    ("team_update", {"project_user_id": BOB, "user_available": True}, lambda r: r["user_available"] is True),
    ("team_leave", {"project_user_id": BOB, "mode": "trash"}, lambda r: r["trashed"] is True),
    ("team_restore", {"project_user_id": BOB}, lambda r: r["status"] == "active"),
]


async def main(binary: str) -> int:
    passed, failed = 0, 0

    def check(name: str, ok: bool, detail: str = "") -> None:
        nonlocal passed, failed
        passed, failed = (passed + 1, failed) if ok else (passed, failed + 1)
        print(f"{'ok  ' if ok else 'FAIL'} {name}{(': ' + detail) if detail and not ok else ''}")

    params = StdioServerParameters(command=binary, args=["--sandbox"])
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:
            started = time.monotonic()
            init = await session.initialize()
            elapsed = time.monotonic() - started
            check("initialize", field(init, "serverInfo", "server_info").name == "tiledesk-rpc", str(init))
            check(f"initialize in under one second ({elapsed * 1000:.0f} ms)", elapsed < 1.0)

            tools = (await session.list_tools()).tools
            names = {t.name for t in tools}
            expected = {name for name, _, _ in CALLS}
            check(f"tools/list offers every tool ({len(tools)})", names == expected, str(sorted(names ^ expected)))
            for tool in tools:
                check(f"{tool.name} has a schema and a description",
                      field(tool, "inputSchema", "input_schema").get("type") == "object" and len(tool.description or "") > 40)

            for name, arguments, expect in CALLS:
                result = await session.call_tool(name, arguments)
                structured = field(result, "structuredContent", "structured_content") or {}
                text = result.content[0].text if result.content else ""
                ok = not field(result, "isError", "is_error") and expect(structured) and json.loads(text) is not None
                check(f"tools/call {name}", ok, text[:300])

            bad = await session.call_tool("team_get", {"project_user_id": "not-an-id"})
            message = bad.content[0].text if bad.content else ""
            check("a validation failure is an isError result naming the field",
                  field(bad, "isError", "is_error") and "project_user_id" in message, message)
            owner = await session.call_tool("team_leave", {"project_user_id": OWNER})
            check("the owner cannot be removed (isError)", field(owner, "isError", "is_error") is True)

    print(f"mcp-sdk: {passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1])))
