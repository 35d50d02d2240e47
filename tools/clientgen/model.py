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
from typing import Any, Dict, List, Optional, Sequence, Tuple

#: The group whose methods the engine itself offers (``ping``): nothing is generated for it.
PROTOCOL_GROUP = "protocol"

#: The param every project-scoped method takes; positional after the required ones in Python.
PROJECT_ID = "project_id"

#: The param every changing method takes.
DRY_RUN = "dry_run"

#: The param that picks a page; a method taking it whose result is a page (``count``, ``page``,
#: ``per_page`` and one array of items) also gets an iterator over every item (:class:`Paging`).
PAGE = "page"

#: The result type of a changing method called with ``dry_run`` unless its result schema names
#: another (``oneOf [X, Y]``: ``Y`` is what a dry run answers).
DRY_RUN_RESULT = "DryRunResult"

#: Helpers each client's engine writes by hand, by group: the ones that answer with a stream of
#: notifications rather than one result. The generated group mixes them in, and a documented
#: method of the same name is left to them.
ENGINE_HELPERS: Dict[str, Tuple[str, ...]] = {"team": ("watch",)}

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
class Paging:
    """How to walk a paged result: ``items`` is the field holding each page's items (of schema
    ``item``); pages count from 0 and the walk stops after ``count`` items."""

    items: str
    item: str


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
    #: what a call with ``dry_run: true`` answers (changing methods only)
    dry_run_result: str = DRY_RUN_RESULT
    #: set when the method returns one page of a longer list
    paging: Optional[Paging] = None
    #: whether it reports progress (``$/progress`` for a ``_meta.progressToken``) while it runs:
    #: the document's ``x-progress``; its helpers take a progress callback
    progress: bool = False

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

    def python_order(self, params: Optional[Sequence[Param]] = None) -> Tuple[List[Param], Optional[Param], List[Param]]:
        """The Python positional rule, the same for every method: the required params but
        ``project_id`` (positional, in declared order), then ``project_id`` (positional or
        keyword, default the bridge's project), then every other param (keyword-only).
        ``params``: a subset of the method's (default all of them)."""
        params = self.params if params is None else params
        positional = [p for p in params if p.required and p.wire != PROJECT_ID]
        project = next((p for p in params if p.wire == PROJECT_ID), None)
        keywords = [p for p in params if not p.required and p.wire != PROJECT_ID]
        return positional, project, keywords

    @property
    def iterator_python(self) -> str:
        """The name of the helper walking every page: ``iterate`` for ``list``, else ``iterate_<name>``."""
        return "iterate" if self.short == "list" else f"iterate_{self.python}"

    @property
    def iterator_node(self) -> str:
        return "iterate" if self.short == "list" else "iterate" + self.node[:1].upper() + self.node[1:]

    def iterator_params(self) -> Tuple[Param, ...]:
        """The params of the walk over every page: the method's, but the page."""
        return tuple(p for p in self.params if p.wire != PAGE)


@dataclass(frozen=True)
class Group:
    name: str
    description: str
    methods: Tuple[Method, ...]

    @property
    def engine_helpers(self) -> Tuple[str, ...]:
        """The short names of the helpers the engines write by hand for this group."""
        return ENGINE_HELPERS.get(self.name, ())

    @property
    def generated(self) -> List[Method]:
        """The methods whose helpers are generated: all but those the engines write by hand."""
        return [m for m in self.methods if m.short not in self.engine_helpers]


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


def _dry_run_result(raw: Dict[str, Any]) -> str:
    """What the method answers with ``dry_run``: the ``oneOf`` member that is not its result type."""
    others = [ref_name(s) for s in raw["result"]["schema"].get("oneOf", [])]
    others = [name for name in others if name and name != raw["x-result-type"]]
    return others[0] if len(others) == 1 else DRY_RUN_RESULT


def _paging(params: Tuple[Param, ...], result: ResultType, schemas: Dict[str, Any]) -> Optional[Paging]:
    """The method's :class:`Paging` when it takes a page and answers one (``count``, ``page``,
    ``per_page`` and exactly one array of named items), else None."""
    if result.array or not any(p.wire == PAGE for p in params):
        return None
    schema = schemas.get(result.name, {})
    fields: Dict[str, Any] = schema.get("properties", {})
    if not {"count", "page", "per_page"} <= set(schema.get("required", [])):
        return None
    arrays = [(name, ref_name(f.get("items", {}))) for name, f in fields.items() if f.get("type") == "array"]
    if len(arrays) != 1 or arrays[0][1] is None:
        return None
    name, item = arrays[0]
    return Paging(name, item)


def load(doc: Dict[str, Any]) -> Catalogue:
    """The catalogue of an OpenRPC document: its groups in ``components.tags`` order, each with
    its methods in document order."""
    components = doc.get("components", {})
    tags: Dict[str, Any] = components.get("tags", {})
    schemas: Dict[str, Any] = components.get("schemas", {})
    by_group: Dict[str, List[Method]] = {name: [] for name in tags}
    for raw in doc["methods"]:
        group = _group_of(raw)
        if group not in by_group:
            raise ValueError(f"{raw['name']}: tag {group!r} is not in components.tags")
        params = tuple(
            Param(p["name"], bool(p.get("required")), p.get("description", ""), p.get("schema", {}))
            for p in raw.get("params", [])
        )
        result = ResultType.parse(raw["x-result-type"])
        by_group[group].append(
            Method(
                wire=raw["name"],
                group=group,
                summary=raw.get("summary", ""),
                description=raw.get("description", ""),
                params=params,
                http=tuple(raw.get("x-http", ())),
                effect=raw.get("x-effect", "read"),
                result=result,
                examples=tuple(raw.get("examples", ())),
                dry_run_result=_dry_run_result(raw),
                paging=_paging(params, result, schemas),
                progress=bool(raw.get("x-progress", False)),
            )
        )
    groups = tuple(
        Group(name, tags[name].get("description", ""), tuple(methods)) for name, methods in by_group.items() if methods
    )
    catalogue = Catalogue(groups, dict(schemas))
    _check_names(catalogue)
    _check_hooks(catalogue)
    return catalogue


def _check_hooks(catalogue: Catalogue) -> None:
    """The engines' helpers must be in a group of the document."""
    unknown = sorted(set(ENGINE_HELPERS) - {g.name for g in catalogue.groups})
    if unknown:
        raise ValueError(f"ENGINE_HELPERS names groups the document lacks: {unknown}")


def _check_names(catalogue: Catalogue) -> None:
    """The naming rule must stay one-to-one: two wire names may not meet in one client name."""
    for language in ("python", "node"):
        seen: Dict[str, str] = {}
        for param in catalogue.params().values():
            name = getattr(param, language)
            if seen.setdefault(name, param.wire) != param.wire:
                raise ValueError(f"params {seen[name]!r} and {param.wire!r} are both {name!r} in {language}")
