"""Reading a roster, the list of people ``team.plan`` and ``team.apply`` make the team match, from
a CSV or a JSON file.

CSV: a header line naming the columns ``email`` and ``role`` (required) and any of
``user_available``, ``max_assigned_chat`` and ``groups``; a blank cell is an absent value;
``user_available`` is ``true``/``false``/``yes``/``no``/``1``/``0``; ``groups`` are separated by
``;``. JSON: an array of entries, or an object holding it under ``"roster"`` (the params of
``tiledesk-rpc call team.plan --params @roster.json``; its other keys are not read). Either way an
error names the file and the line (:class:`RosterError`), and one address twice is an error.
"""

from __future__ import annotations

import csv
import io
import json
import os
from typing import Any, Callable, Dict, List, Literal, Mapping, Optional, TypedDict, Union

__all__ = ["RosterEntry", "RosterRole", "Roster", "RosterError", "read_roster", "parse_roster_csv", "parse_roster_json"]

#: The roles a roster may give (never ``owner``).
RosterRole = Literal["agent", "supervisor", "admin"]
ROLES = ("agent", "supervisor", "admin")

#: The CSV columns and JSON keys of an entry.
FIELDS = ("email", "role", "user_available", "max_assigned_chat", "groups")
_REQUIRED = ("email", "role")
_BOOLEANS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}


class _RosterEntryRequired(TypedDict):
    email: str
    role: RosterRole


class RosterEntry(_RosterEntryRequired, total=False):
    """One person of a roster: what ``team.plan`` / ``team.apply`` take in ``roster``."""

    user_available: bool
    max_assigned_chat: int
    groups: List[str]


class RosterError(ValueError):
    """A roster that cannot be used; the message names the file and the line."""

    def __init__(self, source: str, line: Optional[int], message: str) -> None:
        super().__init__(f"{source} line {line}: {message}" if line else f"{source}: {message}")
        #: the file (or the name given for the text)
        self.source = source
        #: the line the problem is on, from 1 (None when it is the whole file)
        self.line = line
        self.reason = message


class Roster(List[RosterEntry]):
    """The entries of a roster, in order, with the line each came from."""

    def __init__(self, source: str, entries: List[RosterEntry], lines: List[int]) -> None:
        super().__init__(entries)
        #: the file the roster was read from
        self.source = source
        #: the line each entry starts on
        self.lines = lines

    def where(self, field: str) -> str:
        """Where a field the bridge names (``roster[3].role``) is in the file, e.g.
        ``roster.csv line 5 (role)``; the field itself when it names no entry."""
        head, dot, rest = field.partition(".")
        if head.startswith("roster[") and head.endswith("]") and head[7:-1].isdigit():
            index = int(head[7:-1])
            if index < len(self.lines):
                return f"{self.source} line {self.lines[index]}" + (f" ({rest})" if dot else "")
        return field


def read_roster(path: Union[str, "os.PathLike[str]"]) -> Roster:
    """The roster in a file: JSON when its name ends in ``.json``, else CSV."""
    source = os.fspath(path)
    with open(source, encoding="utf-8-sig", newline="") as f:
        text = f.read()
    parse = parse_roster_json if source.lower().endswith(".json") else parse_roster_csv
    return parse(text, os.path.basename(source))


# -- values ---------------------------------------------------------------------------------------


def _boolean(text: str) -> bool:
    value = _BOOLEANS.get(text.lower())
    if value is None:
        raise ValueError(f"{text!r} is not a boolean (true, false, yes, no, 1 or 0)")
    return value


def _count(text: str) -> int:
    if not text.isdigit():
        raise ValueError(f"{text!r} is not a whole number of chats, 0 or more")
    return int(text)


def _groups(text: str) -> List[str]:
    return [name.strip() for name in text.split(";") if name.strip()]


#: How a CSV cell becomes its value.
_CELLS: Dict[str, Callable[[str], Any]] = {
    "email": str,
    "role": str.lower,
    "user_available": _boolean,
    "max_assigned_chat": _count,
    "groups": _groups,
}


def _entry(values: Mapping[str, Any]) -> RosterEntry:
    """Check one entry's values (its keys among :data:`FIELDS`); raises ValueError saying what is wrong."""
    for name in _REQUIRED:
        if not isinstance(values.get(name), str) or not values[name].strip():
            raise ValueError(f"{name} is missing")
    if values["role"] not in ROLES:
        raise ValueError(f"role {values['role']!r} is not one of {', '.join(ROLES)}")
    if "user_available" in values and not isinstance(values["user_available"], bool):
        raise ValueError("user_available must be true or false")
    chats = values.get("max_assigned_chat", 0)
    if isinstance(chats, bool) or not isinstance(chats, int) or chats < 0:
        raise ValueError("max_assigned_chat must be a whole number, 0 or more")
    groups = values.get("groups", [])
    if not isinstance(groups, list) or not all(isinstance(g, str) and g.strip() for g in groups):
        raise ValueError("groups must be a list of group names or ids")
    entry = {name: values[name] for name in FIELDS if name in values}
    entry["email"] = values["email"].strip()
    return entry  # type: ignore[return-value]


def _collect(source: str, rows: List[tuple]) -> Roster:
    """The roster of ``(line, values)`` rows: each checked, no address twice."""
    entries: List[RosterEntry] = []
    lines: List[int] = []
    first_line: Dict[str, int] = {}
    for line, values in rows:
        try:
            entry = _entry(values)
        except ValueError as exc:
            raise RosterError(source, line, str(exc)) from None
        earlier = first_line.setdefault(entry["email"].lower(), line)
        if earlier != line:
            raise RosterError(source, line, f"{entry['email']} is already on line {earlier}")
        entries.append(entry)
        lines.append(line)
    return Roster(source, entries, lines)


# -- CSV ------------------------------------------------------------------------------------------


def parse_roster_csv(text: str, source: str = "roster.csv") -> Roster:
    """The roster in CSV text (see the module's doc); ``source`` names it in errors."""
    reader = csv.reader(io.StringIO(text))
    try:
        header = [name.strip().lower() for name in next(reader, [])]
        unknown = [name for name in header if name not in FIELDS]
        if unknown:
            raise RosterError(source, 1, f"unknown column {unknown[0]!r} (the columns are {', '.join(FIELDS)})")
        missing = [name for name in _REQUIRED if name not in header]
        if missing or len(set(header)) != len(header):
            raise RosterError(source, 1, "the first line must name the columns, email and role among them, each once")
        rows = []
        start = reader.line_num + 1
        for cells in reader:
            line, start = start, reader.line_num + 1
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) > len(header):
                raise RosterError(source, line, f"{len(cells)} cells, but the header names {len(header)} columns")
            try:
                values = {name: _CELLS[name](cell.strip()) for name, cell in zip(header, cells) if cell.strip()}
            except ValueError as exc:
                raise RosterError(source, line, str(exc)) from None
            rows.append((line, values))
    except csv.Error as exc:
        raise RosterError(source, reader.line_num, str(exc)) from None
    return _collect(source, rows)


# -- JSON -----------------------------------------------------------------------------------------

_DECODER = json.JSONDecoder()
_BLANK = " \t\r\n"


def parse_roster_json(text: str, source: str = "roster.json") -> Roster:
    """The roster in JSON text (see the module's doc); ``source`` names it in errors."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RosterError(source, exc.lineno, exc.msg) from None
    entries = document.get("roster") if isinstance(document, dict) else document
    if not isinstance(entries, list):
        raise RosterError(source, None, 'expected an array of entries, or an object with one under "roster"')
    lines = _entry_lines(text)
    rows = []
    for index, (line, entry) in enumerate(zip(lines, entries)):
        if not isinstance(entry, dict):
            raise RosterError(source, line, f"entry {index + 1} is not an object")
        unknown = sorted(set(entry) - set(FIELDS))
        if unknown:
            raise RosterError(source, line, f"entry {index + 1}: unknown key {unknown[0]!r} (the keys are {', '.join(FIELDS)})")
        rows.append((line, entry))
    return _collect(source, rows)


def _skip(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in _BLANK:
        pos += 1
    return pos


def _entry_lines(text: str) -> List[int]:
    """The line each entry of the roster array starts on, in valid JSON text: the array is the
    document, or the value of its ``"roster"`` key."""
    pos = _skip(text, 0)
    if text.startswith("{", pos):
        pos = _skip(text, pos + 1)
        while text.startswith('"', pos):
            key, pos = _DECODER.raw_decode(text, pos)
            pos = _skip(text, _skip(text, pos) + 1)  # past the colon
            if key == "roster":
                break
            pos = _skip(text, _DECODER.raw_decode(text, pos)[1])
            pos = _skip(text, pos + 1) if text.startswith(",", pos) else pos
    lines: List[int] = []
    line, counted = 1, 0  # the line at `counted`: newlines are counted once, entry to entry
    pos = _skip(text, pos + 1)  # past the array's "["
    while pos < len(text) and text[pos] != "]":
        line, counted = line + text.count("\n", counted, pos), pos
        lines.append(line)
        pos = _skip(text, _DECODER.raw_decode(text, pos)[1])
        pos = _skip(text, pos + 1) if text.startswith(",", pos) else pos
    return lines
