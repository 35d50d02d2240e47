// Reading rosters from CSV and JSON: the entries `team.plan` takes, and errors naming the line.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';

import { Roster, RosterError, parseRosterCsv, parseRosterJson, readRoster } from '../index.js';
import { PACKAGE_DIR } from '../test-support/helpers.mjs';

const CSV = `email,role,user_available,groups
alice@example.com,agent,yes,Support team
Bob@Example.com , Supervisor ,0,"Support team; Billing ;"

zoe@example.com,admin,,
`;

/** Asserts that parsing `text` fails with a message starting with `message`. */
function fails(parse, text, message) {
  assert.throws(() => parse(text), (err) => err instanceof RosterError && err.message.startsWith(message), `${JSON.stringify(text)} → ${message}`);
}

describe('CSV', () => {
  test('entries, lines and where a field is', () => {
    const roster = parseRosterCsv(CSV, 'team.csv');
    assert.deepEqual([...roster], [
      { email: 'alice@example.com', role: 'agent', user_available: true, groups: ['Support team'] },
      { email: 'Bob@Example.com', role: 'supervisor', user_available: false, groups: ['Support team', 'Billing'] },
      { email: 'zoe@example.com', role: 'admin' },
    ]);
    assert.ok(roster instanceof Roster && Array.isArray(roster));
    assert.deepEqual(roster.lines, [2, 3, 5]);
    assert.equal(roster.where('roster[2].role'), 'team.csv line 5 (role)');
    assert.equal(roster.where('roster[1]'), 'team.csv line 3');
    assert.equal(roster.where('absent'), 'absent');
    assert.equal(roster.where('roster[9].email'), 'roster[9].email');
    assert.equal(JSON.stringify(roster.map((e) => e.role)), '["agent","supervisor","admin"]');
  });

  test('columns in any order, max_assigned_chat, booleans, CRLF, quoted cells over two lines', () => {
    assert.deepEqual([...parseRosterCsv('Role,EMAIL,max_assigned_chat\r\nagent,a@example.com,4\r\n')], [
      { email: 'a@example.com', role: 'agent', max_assigned_chat: 4 },
    ]);
    for (const [text, value] of [['true', true], ['TRUE', true], ['Yes', true], ['1', true], ['false', false], ['no', false], ['0', false]]) {
      assert.equal(parseRosterCsv(`email,role,user_available\na@example.com,agent,${text}\n`)[0].user_available, value, text);
    }
    const roster = parseRosterCsv('email,role,groups\na@example.com,agent,"One\nTwo ""2"""\nb@example.com,agent,\n');
    assert.deepEqual(roster.lines, [2, 4]);
    assert.deepEqual(roster[0].groups, ['One\nTwo "2"']);
  });

  test('errors name the line', () => {
    const parse = (text) => parseRosterCsv(text, 'team.csv');
    for (const [text, message] of [
      ['email,role\na@example.com,owner\n', "team.csv line 2: role 'owner' is not one of agent, supervisor, admin"],
      ['email,role,user_available\na@example.com,agent,maybe\n', "team.csv line 2: 'maybe' is not a boolean"],
      ['email,role\n\n,agent\n', 'team.csv line 3: email is missing'],
      ['email,role\na@example.com,\n', 'team.csv line 2: role is missing'],
      ['email,role,max_assigned_chat\na@example.com,agent,-1\n', "team.csv line 2: '-1' is not a whole number"],
      ['email,role\na@example.com,agent\nA@EXAMPLE.COM,admin\n', 'team.csv line 3: A@EXAMPLE.COM is already on line 2'],
      ['email,role\na@example.com,agent,extra\n', 'team.csv line 2: 3 cells, but the header names 2 columns'],
      ['email,rank\n', "team.csv line 1: unknown column 'rank'"],
      ['email\n', 'team.csv line 1: the first line must name the columns'],
      ['email,role,email\n', 'team.csv line 1: the first line must name the columns'],
      ['', 'team.csv line 1: the first line must name the columns'],
      ['email,role\n"a@example.com,agent\n', 'team.csv line 2: a quoted cell is not closed'],
    ]) {
      fails(parse, text, message);
    }
  });
});

describe('JSON', () => {
  test('an array, or the params of a call', () => {
    const entries = [
      { email: 'a@example.com', role: 'agent', groups: ['Billing'] },
      { email: 'b@example.com', role: 'admin', user_available: false, max_assigned_chat: 0 },
    ];
    const plain = parseRosterJson(JSON.stringify(entries, null, 2));
    assert.deepEqual([...plain], entries);
    assert.deepEqual(plain.lines, [2, 9]);
    const params = parseRosterJson(JSON.stringify({ absent: 'keep', note: { x: [1, ']', 2.5e3, null, true] }, roster: entries }));
    assert.deepEqual([...params], entries);
    assert.deepEqual(params.lines, [1, 1]);
  });

  test('errors name the line', () => {
    const parse = (text) => parseRosterJson(text, 'r.json');
    for (const [text, message] of [
      ['[\n  {"email": "a@example.com", "role": "agent"},\n  {"email": "b@example.com", "role": "owner"}\n]', "r.json line 3: role 'owner' is not one of"],
      ['[\n {"email": "a@example.com", "role": "agent", "user_available": "yes"}]', 'r.json line 2: user_available must be'],
      ['[{"email": "a@example.com", "role": "agent", "colour": "red"}]', "r.json line 1: entry 1: unknown key 'colour'"],
      ['[{"email": "a@example.com", "role": "agent", "groups": "Billing"}]', 'r.json line 1: groups must be a list'],
      ['[{"email": "a@example.com", "role": "agent", "max_assigned_chat": true}]', 'r.json line 1: max_assigned_chat must be'],
      ['[\n"a@example.com"]', 'r.json line 2: entry 1 is not an object'],
      ['{"roster": {}}', 'r.json: expected an array of entries'],
      ['[\n{"email": "a@example.com",\n "role": agent}]', 'r.json: not JSON: '],
    ]) {
      fails(parse, text, message);
    }
  });
});

describe('files', () => {
  test('by extension, a byte-order mark skipped', (t) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tiledesk-rpc-roster-'));
    t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
    fs.writeFileSync(path.join(dir, 'team.csv'), '\uFEFFemail,role\na@example.com,agent\n');
    fs.writeFileSync(path.join(dir, 'team.JSON'), '[{"email": "a@example.com", "role": "agent"}]');
    const csv = readRoster(path.join(dir, 'team.csv'));
    assert.deepEqual([...csv], [...readRoster(path.join(dir, 'team.JSON'))]);
    assert.equal(csv.source, 'team.csv');
  });

  test('the sample rosters agree, with each other and with the Python client\'s', () => {
    const examples = path.join(PACKAGE_DIR, 'examples');
    const roster = [...readRoster(path.join(examples, 'roster.csv'))];
    assert.deepEqual([...readRoster(path.join(examples, 'roster.json'))], roster);
    assert.deepEqual([...readRoster(path.join(PACKAGE_DIR, '..', 'python', 'examples', 'roster.csv'))], roster);
  });
});
