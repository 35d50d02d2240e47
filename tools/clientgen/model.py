"""The operation catalogue as the client generators see it, read from ``protocol/openrpc.json``.

One rule names everything in both clients: Python takes the snake_case of a wire name
(``getByUser`` → ``get_by_user``, ``profileStatus`` → ``profile_status``), Node its camelCase
(``project_user_id`` → ``projectUserId``). A name the rule would make a Python keyword gets a
trailing underscore (``from`` → ``from_``).
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple

#: The group whose methods the engine itself offers (``ping``): nothing is generated for it.
PROTOCOL_GROUP = "protocol"

#: The param every project-scoped method takes; positional after the required ones in Python.
PROJECT_ID = "project_id"

#: The param every changing method takes.
DRY_RUN = "dry_run"

_WORD_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def snake_case(name: str) -> str:
    """``getByUser`` → ``get_by_user``; snake_case names are kept."""
    text = _WORD_BOUNDARY.sub("_", name).lower()
    return text + "_" if keyword.iskeyword(text) else text


def camel_case(name: str) -> str:
    """``project_user_id`` → ``projectUserId``; camelCase names are kept."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def ref_name(schema: Dict[str, Any]) -> Optional[str]:
    """``Teammate`` for ``{"$ref": "#/components/schemas/Teammate"}``, else None."""
    ref = schema.get("$ref")
    return ref.rsplit("/", 1)[-1] if isinstance(ref, str) else None


@dataclass(frozen=True)
class Param:
    wire: str
    required: bool
    description: str
    schema: Dict[str, Any]

    @property
    def python(self) -> str:
        return snake_case(self.wire)

    @property
    def node(self) -> str:
        return camel_case(self.wire)


@dataclass(frozen=True)
class ResultType:
    """The success type of a method: a schema name (``Empty`` for ``{}``), maybe an array of it."""

    name: str
    array: bool

    @classmethod
    def parse(cls, text: str) -> "ResultType":
        return cls(text[:-2], True) if text.endswith("[]") else cls(text, False)


@dataclass(frozen=True)
class Method:
    wire: str
    group: str
    summary: str
    description: str
    params: Tuple[Param, ...]
    http: Tuple[str, ...]
    effect: str
    result: ResultType
    examples: Tuple[Dict[str, Any], ...]

    @property
    def short(self) -> str:
        """The name inside its group: ``getByUser`` for ``team.getByUser``."""
        return self.wire.split(".", 1)[-1]

    @property
    def python(self) -> str:
        return snake_case(self.short)

    @property
    def node(self) -> str:
        return camel_case(self.short)

    @property
    def changes(self) -> bool:
        """Write and destructive methods take ``dry_run`` and may answer a dry-run result."""
        return self.effect != "read"

    def python_order(self) -> Tuple[List[Param], Optional[Param], List[Param]]:
        """The Python positional rule, the same for every method: the required params but
        ``project_id`` (positional, in declared order), then ``project_id`` (positional or
        keyword, default the bridge's project), then every other param (keyword-only)."""
        positional = [p for p in self.params if p.required and p.wire != PROJECT_ID]
        project = next((p for p in self.params if p.wire == PROJECT_ID), None)
        keywords = [p for p in self.params if not p.required and p.wire != PROJECT_ID]
        return positional, project, keywords


@dataclass(frozen=True)
class Group:
    name: str
    description: str
    methods: Tuple[Method, ...]


@dataclass(frozen=True)
class Catalogue:
    #: every group, the protocol group included
    all_groups: Tuple[Group, ...]
    schemas: Dict[str, Dict[str, Any]]

    @property
    def groups(self) -> List[Group]:
        """The groups the clients have helpers for: all but the protocol group (the engine offers it)."""
        return [g for g in self.all_groups if g.name != PROTOCOL_GROUP]

    @property
    def methods(self) -> List[Method]:
        """The methods of :attr:`groups`."""
        return [m for g in self.groups for m in g.methods]

    def params(self) -> Dict[str, Param]:
        """Every param by wire name (its first declaration)."""
        found: Dict[str, Param] = {}
        for method in self.methods:
            for param in method.params:
                found.setdefault(param.wire, param)
        return found


def _group_of(method: Dict[str, Any]) -> str:
    tags = method.get("tags") or []
    if len(tags) != 1:
        raise ValueError(f"{method['name']}: expected exactly one tag (its group), found {tags}")
    return ref_name(tags[0]) or tags[0]["name"]


def load(doc: Dict[str, Any]) -> Catalogue:
    """The catalogue of an OpenRPC document: its groups in ``components.tags`` order, each with
    its methods in document order."""
    components = doc.get("components", {})
    tags: Dict[str, Any] = components.get("tags", {})
    by_group: Dict[str, List[Method]] = {name: [] for name in tags}
    for raw in doc["methods"]:
        group = _group_of(raw)
        if group not in by_group:
            raise ValueError(f"{raw['name']}: tag {group!r} is not in components.tags")
        params = tuple(
            Param(p["name"], bool(p.get("required")), p.get("description", ""), p.get("schema", {}))
            for p in raw.get("params", [])
        )
        by_group[group].append(
            Method(
                wire=raw["name"],
                group=group,
                summary=raw.get("summary", ""),
                description=raw.get("description", ""),
                params=params,
                http=tuple(raw.get("x-http", ())),
                effect=raw.get("x-effect", "read"),
                result=ResultType.parse(raw["x-result-type"]),
                examples=tuple(raw.get("examples", ())),
            )
        )
    groups = tuple(
        Group(name, tags[name].get("description", ""), tuple(methods)) for name, methods in by_group.items() if methods
    )
    catalogue = Catalogue(groups, dict(components.get("schemas", {})))
    _check_names(catalogue)
    return catalogue


def _check_names(catalogue: Catalogue) -> None:
    """The naming rule must stay one-to-one: two wire names may not meet in one client name."""
    for language in ("python", "node"):
        seen: Dict[str, str] = {}
        for param in catalogue.params().values():
            name = getattr(param, language)
            if seen.setdefault(name, param.wire) != param.wire:
                raise ValueError(f"params {seen[name]!r} and {param.wire!r} are both {name!r} in {language}")
