"""Reading rosters from CSV and JSON: the entries ``team.plan`` takes, and errors naming the line."""

from __future__ import annotations

import json
import tempfile
import unittest
from pathlib import Path
from typing import Callable, List, Tuple

from tiledesk_rpc import Roster, RosterError, parse_roster_csv, parse_roster_json, read_roster

from .support import CLIENT_ROOT

CSV = """\
email,role,user_available,groups
alice@example.com,agent,yes,Support team
Bob@Example.com , Supervisor ,0,"Support team; Billing ;"

zoe@example.com,admin,,
"""


def check_errors(test: unittest.TestCase, parse: Callable[[str], Roster], cases: List[Tuple[str, str]]) -> None:
    """Each text fails with a RosterError (a ValueError) whose message starts as given."""
    for text, message in cases:
        with test.subTest(text=text):
            with test.assertRaises(RosterError) as ctx:
                parse(text)
            test.assertTrue(str(ctx.exception).startswith(message), str(ctx.exception))
            test.assertIsInstance(ctx.exception, ValueError)


class CsvTests(unittest.TestCase):
    def test_entries(self) -> None:
        roster = parse_roster_csv(CSV, "team.csv")
        self.assertEqual(roster, [
            {"email": "alice@example.com", "role": "agent", "user_available": True, "groups": ["Support team"]},
            {"email": "Bob@Example.com", "role": "supervisor", "user_available": False, "groups": ["Support team", "Billing"]},
            {"email": "zoe@example.com", "role": "admin"},
        ])
        self.assertEqual(roster.lines, [2, 3, 5])
        self.assertEqual(roster.where("roster[2].role"), "team.csv line 5 (role)")
        self.assertEqual(roster.where("roster[1]"), "team.csv line 3")
        self.assertEqual(roster.where("absent"), "absent")
        self.assertEqual(roster.where("roster[9].email"), "roster[9].email")

    def test_columns_in_any_order_and_max_assigned_chat(self) -> None:
        roster = parse_roster_csv("Role,EMAIL,max_assigned_chat\nagent,a@example.com,4\n")
        self.assertEqual(roster, [{"email": "a@example.com", "role": "agent", "max_assigned_chat": 4}])

    def test_booleans(self) -> None:
        for text, value in (("true", True), ("TRUE", True), ("Yes", True), ("1", True), ("false", False), ("no", False), ("0", False)):
            with self.subTest(text=text):
                roster = parse_roster_csv(f"email,role,user_available\na@example.com,agent,{text}\n")
                self.assertIs(roster[0].get("user_available"), value)

    def test_a_quoted_cell_over_two_lines_keeps_the_line_numbers(self) -> None:
        roster = parse_roster_csv('email,role,groups\na@example.com,agent,"One\nTwo"\nb@example.com,agent,\n')
        self.assertEqual(roster.lines, [2, 4])
        self.assertEqual(roster[0].get("groups"), ["One\nTwo"])

    def test_errors_name_the_line(self) -> None:
        cases = [
            ("email,role\na@example.com,owner\n", "team.csv line 2: role 'owner' is not one of agent, supervisor, admin"),
            ("email,role,user_available\na@example.com,agent,maybe\n", "team.csv line 2: 'maybe' is not a boolean"),
            ("email,role\n\n,agent\n", "team.csv line 3: email is missing"),
            ("email,role\na@example.com,\n", "team.csv line 2: role is missing"),
            ("email,role,max_assigned_chat\na@example.com,agent,-1\n", "team.csv line 2: '-1' is not a whole number"),
            ("email,role\na@example.com,agent\nA@EXAMPLE.COM,admin\n", "team.csv line 3: A@EXAMPLE.COM is already on line 2"),
            ("email,role\na@example.com,agent,extra\n", "team.csv line 2: 3 cells, but the header names 2 columns"),
            ("email,rank\n", "team.csv line 1: unknown column 'rank'"),
            ("email\n", "team.csv line 1: the first line must name the columns"),
            ("email,role,email\n", "team.csv line 1: the first line must name the columns"),
            ("", "team.csv line 1: the first line must name the columns"),
        ]
        check_errors(self, lambda text: parse_roster_csv(text, "team.csv"), cases)


class JsonTests(unittest.TestCase):
    def test_an_array_or_the_params_of_a_call(self) -> None:
        entries = [{"email": "a@example.com", "role": "agent", "groups": ["Billing"]},
                   {"email": "b@example.com", "role": "admin", "user_available": False, "max_assigned_chat": 0}]
        plain = parse_roster_json(json.dumps(entries, indent=2))
        self.assertEqual(plain, entries)
        self.assertEqual(plain.lines, [2, 9])
        params = parse_roster_json(json.dumps({"absent": "keep", "note": {"x": [1, "]"]}, "roster": entries}))
        self.assertEqual(params, entries)
        self.assertEqual(params.lines, [1, 1])

    def test_errors_name_the_line(self) -> None:
        cases = [
            ('[\n  {"email": "a@example.com", "role": "agent"},\n  {"email": "b@example.com", "role": "owner"}\n]',
             "r.json line 3: role 'owner' is not one of"),
            ('[\n {"email": "a@example.com", "role": "agent", "user_available": "yes"}]', "r.json line 2: user_available must be"),
            ('[{"email": "a@example.com", "role": "agent", "colour": "red"}]', "r.json line 1: entry 1: unknown key 'colour'"),
            ('[{"email": "a@example.com", "role": "agent", "groups": "Billing"}]', "r.json line 1: groups must be a list"),
            ('[{"email": "a@example.com", "role": "agent", "max_assigned_chat": true}]', "r.json line 1: max_assigned_chat must be"),
            ('[\n"a@example.com"]', "r.json line 2: entry 1 is not an object"),
            ('{"roster": {}}', "r.json: expected an array of entries"),
            ('[\n{"email": "a@example.com",\n "role": agent}]', "r.json line 3: Expecting value"),
        ]
        check_errors(self, lambda text: parse_roster_json(text, "r.json"), cases)


class FileTests(unittest.TestCase):
    def test_by_extension(self) -> None:
        with tempfile.TemporaryDirectory() as folder:
            csv_path, json_path = Path(folder, "team.csv"), Path(folder, "team.JSON")
            csv_path.write_text("\ufeffemail,role\na@example.com,agent\n", encoding="utf-8")
            json_path.write_text('[{"email": "a@example.com", "role": "agent"}]', encoding="utf-8")
            self.assertEqual(read_roster(csv_path), read_roster(json_path))
            self.assertEqual(read_roster(csv_path).source, "team.csv")

    def test_the_sample_rosters_agree(self) -> None:
        examples = CLIENT_ROOT / "examples"
        roster = read_roster(examples / "roster.csv")
        self.assertIsInstance(roster, Roster)
        self.assertEqual(roster, read_roster(examples / "roster.json"))


if __name__ == "__main__":
    unittest.main()
