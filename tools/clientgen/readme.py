"""The README's method table, written between ``<!-- methods:begin -->`` and ``<!-- methods:end -->``."""

from __future__ import annotations

from typing import List

from .model import DRY_RUN, Catalogue, Method, Param

BEGIN = "<!-- methods:begin -->"
END = "<!-- methods:end -->"


def _param(param: Param) -> str:
    values = param.schema.get("enum")
    return f"`{param.wire}`" + (" (" + ", ".join(f"`{v}`" for v in values) + ")" if values else "")


def _params(method: Method) -> str:
    required = [_param(p) for p in method.params if p.required]
    optional = [_param(p) for p in method.params if not p.required and p.wire != DRY_RUN]
    parts = [", ".join(required)] if required else []
    if optional:
        parts.append("optional " + ", ".join(optional))
    return "; ".join(parts) or "—"


def _result(method: Method) -> str:
    return f"`{method.result.name}[]`" if method.result.array else f"`{method.result.name}`"


def table(catalogue: Catalogue) -> str:
    rows: List[str] = ["| method | params | Tiledesk call | result |", "|---|---|---|---|"]
    for group in catalogue.all_groups:
        for m in group.methods:
            http = f"`{m.http[0]}`" if m.http else "none"
            if len(m.http) > 1:
                http += " (also " + ", ".join(f"`{route}`" for route in m.http[1:]) + ")"
            rows.append(f"| `{m.wire}` | {_params(m)} | {http} | {_result(m)} |")
    return "\n".join(rows)


def with_table(readme: str, catalogue: Catalogue) -> str:
    """The README with the table between the markers replaced."""
    start, end = readme.index(BEGIN) + len(BEGIN), readme.index(END)
    return readme[:start] + "\n" + table(catalogue) + "\n" + readme[end:]
