// Reading a roster, the list of people `team.plan` and `team.apply` make the team match, from a
// CSV or a JSON file.
//
// CSV: a header line naming the columns `email` and `role` (required) and any of `user_available`,
// `max_assigned_chat` and `groups`; a blank cell is an absent value; `user_available` is
// true/false/yes/no/1/0; `groups` are separated by `;`. JSON: an array of entries, or an object
// holding it under "roster" (the params of `tiledesk-rpc call team.plan --params @roster.json`;
// its other keys are not read). Either way an error names the file and the line (RosterError),
// and one address twice is an error.
import fs from 'node:fs';
import path from 'node:path';

/** The roles a roster may give (never `owner`). */
export const ROSTER_ROLES = Object.freeze(['agent', 'supervisor', 'admin']);
/** The CSV columns and JSON keys of an entry. */
const FIELDS = ['email', 'role', 'user_available', 'max_assigned_chat', 'groups'];
const REQUIRED = ['email', 'role'];
const BOOLEANS = { true: true, yes: true, 1: true, false: false, no: false, 0: false };

/** A roster that cannot be used; the message names the file and the line. */
export class RosterError extends Error {
  /**
   * @param {string} source the file (or the name given for the text)
   * @param {number|undefined} line from 1; undefined when it is the whole file
   * @param {string} reason
   */
  constructor(source, line, reason) {
    super(line ? `${source} line ${line}: ${reason}` : `${source}: ${reason}`);
    this.name = 'RosterError';
    this.source = source;
    this.line = line;
    this.reason = reason;
  }
}

/** The entries of a roster, in order (an Array), with the file and the line each came from. */
export class Roster extends Array {
  static get [Symbol.species]() {
    return Array; // map() and filter() give plain arrays
  }

  /**
   * Where a field the bridge names (`roster[3].role`) is in the file, e.g. `roster.csv line 5
   * (role)`; the field itself when it names no entry.
   * @param {string} field
   */
  where(field) {
    const match = /^roster\[(\d+)\](?:\.(.*))?$/.exec(field);
    const line = match ? this.lines[Number(match[1])] : undefined;
    if (line === undefined) return field;
    return `${this.source} line ${line}` + (match[2] ? ` (${match[2]})` : '');
  }
}

/**
 * The roster in a file: JSON when its name ends in `.json`, else CSV.
 * @param {string} file
 */
export function readRoster(file) {
  const text = fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  const parse = file.toLowerCase().endsWith('.json') ? parseRosterJson : parseRosterCsv;
  return parse(text, path.basename(file));
}

// -- values ------------------------------------------------------------------------------------

class BadValue extends Error {}

function boolean(text) {
  const value = BOOLEANS[text.toLowerCase()];
  if (value === undefined) throw new BadValue(`'${text}' is not a boolean (true, false, yes, no, 1 or 0)`);
  return value;
}

function count(text) {
  if (!/^\d+$/.test(text)) throw new BadValue(`'${text}' is not a whole number of chats, 0 or more`);
  return Number(text);
}

/** How a CSV cell becomes its value. */
const CELLS = {
  email: (text) => text,
  role: (text) => text.toLowerCase(),
  user_available: boolean,
  max_assigned_chat: count,
  groups: (text) => text.split(';').map((g) => g.trim()).filter(Boolean),
};

/** Check one entry's values (keys among FIELDS); throws BadValue saying what is wrong. */
function entry(values) {
  for (const name of REQUIRED) {
    if (typeof values[name] !== 'string' || values[name].trim() === '') throw new BadValue(`${name} is missing`);
  }
  if (!ROSTER_ROLES.includes(values.role)) throw new BadValue(`role '${values.role}' is not one of ${ROSTER_ROLES.join(', ')}`);
  if ('user_available' in values && typeof values.user_available !== 'boolean') throw new BadValue('user_available must be true or false');
  const chats = values.max_assigned_chat ?? 0;
  if (!Number.isInteger(chats) || chats < 0) throw new BadValue('max_assigned_chat must be a whole number, 0 or more');
  const groups = values.groups ?? [];
  if (!Array.isArray(groups) || !groups.every((g) => typeof g === 'string' && g.trim() !== '')) {
    throw new BadValue('groups must be a list of group names or ids');
  }
  const out = {};
  for (const name of FIELDS) if (name in values) out[name] = values[name];
  out.email = values.email.trim();
  return out;
}

/** The roster of `[line, values]` rows: each checked, no address twice. */
function collect(source, rows) {
  const roster = new Roster();
  roster.source = source;
  roster.lines = [];
  const firstLine = new Map();
  for (const [line, values] of rows) {
    let checked;
    try {
      checked = entry(values);
    } catch (err) {
      if (err instanceof BadValue) throw new RosterError(source, line, err.message);
      throw err;
    }
    const key = checked.email.toLowerCase();
    if (firstLine.has(key)) throw new RosterError(source, line, `${checked.email} is already on line ${firstLine.get(key)}`);
    firstLine.set(key, line);
    roster.push(checked);
    roster.lines.push(line);
  }
  return roster;
}

// -- CSV ---------------------------------------------------------------------------------------

/**
 * The records of CSV text (RFC 4180: quoted cells may hold commas, quotes doubled, line breaks),
 * each with the line it starts on.
 * @returns {Array<[number, string[]]>}
 */
function csvRecords(text, source) {
  const records = [];
  let cells = [];
  let cell = '';
  let line = 1;
  let start = 1;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        if (c === '\n') line++;
        cell += c;
      }
    } else if (c === '"' && cell === '') {
      quoted = true;
    } else if (c === ',') {
      cells.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      cells.push(cell);
      records.push([start, cells]);
      cells = [];
      cell = '';
      start = ++line;
    } else {
      cell += c;
    }
  }
  if (quoted) throw new RosterError(source, start, 'a quoted cell is not closed');
  if (cell !== '' || cells.length) records.push([start, [...cells, cell]]);
  return records;
}

/**
 * The roster in CSV text (see the top of this file); `source` names it in errors.
 * @param {string} text
 * @param {string} [source]
 */
export function parseRosterCsv(text, source = 'roster.csv') {
  const [head, ...records] = csvRecords(text, source);
  const header = head ? head[1].map((name) => name.trim().toLowerCase()) : [];
  const unknown = header.find((name) => !FIELDS.includes(name));
  if (unknown !== undefined) throw new RosterError(source, 1, `unknown column '${unknown}' (the columns are ${FIELDS.join(', ')})`);
  if (!REQUIRED.every((name) => header.includes(name)) || new Set(header).size !== header.length) {
    throw new RosterError(source, 1, 'the first line must name the columns, email and role among them, each once');
  }
  const rows = [];
  for (const [line, cells] of records) {
    if (cells.every((c) => c.trim() === '')) continue;
    if (cells.length > header.length) {
      throw new RosterError(source, line, `${cells.length} cells, but the header names ${header.length} columns`);
    }
    const values = {};
    try {
      cells.forEach((cell, i) => {
        if (cell.trim() !== '') values[header[i]] = CELLS[header[i]](cell.trim());
      });
    } catch (err) {
      if (err instanceof BadValue) throw new RosterError(source, line, err.message);
      throw err;
    }
    rows.push([line, values]);
  }
  return collect(source, rows);
}

// -- JSON --------------------------------------------------------------------------------------

/**
 * The roster in JSON text (see the top of this file); `source` names it in errors.
 * @param {string} text
 * @param {string} [source]
 */
export function parseRosterJson(text, source = 'roster.json') {
  let document;
  try {
    document = JSON.parse(text);
  } catch (err) {
    throw new RosterError(source, undefined, `not JSON: ${err.message}`); // V8 says where, not on which line
  }
  const entries = document && typeof document === 'object' && !Array.isArray(document) ? document.roster : document;
  if (!Array.isArray(entries)) throw new RosterError(source, undefined, 'expected an array of entries, or an object with one under "roster"');
  const lines = entryLines(text);
  return collect(
    source,
    entries.map((value, index) => {
      if (!value || typeof value !== 'object' || Array.isArray(value)) {
        throw new RosterError(source, lines[index], `entry ${index + 1} is not an object`);
      }
      const unknown = Object.keys(value).sort().find((key) => !FIELDS.includes(key));
      if (unknown !== undefined) {
        throw new RosterError(source, lines[index], `entry ${index + 1}: unknown key '${unknown}' (the keys are ${FIELDS.join(', ')})`);
      }
      return [lines[index], value];
    }),
  );
}

/** Where the JSON value starting at `pos` ends (the text is valid JSON). */
function valueEnd(text, pos) {
  let depth = 0;
  for (let i = pos; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      for (i++; text[i] !== '"'; i++) if (text[i] === '\\') i++;
      if (depth === 0) return i + 1;
    } else if (c === '[' || c === '{') {
      depth++;
    } else if (c === ']' || c === '}') {
      if (--depth === 0) return i + 1;
    } else if (depth === 0 && /[\s,:\]}]/.test(text[i + 1] ?? ' ')) {
      return i + 1; // the last character of a number, true, false or null
    }
  }
  return text.length;
}

const skip = (text, pos) => {
  while (pos < text.length && ' \t\r\n'.includes(text[pos])) pos++;
  return pos;
};

/**
 * The line each entry of the roster array starts on, in valid JSON text: the array is the
 * document, or the value of its "roster" key.
 */
function entryLines(text) {
  let pos = skip(text, 0);
  if (text[pos] === '{') {
    pos = skip(text, pos + 1);
    while (text[pos] === '"') {
      const end = valueEnd(text, pos);
      const key = JSON.parse(text.slice(pos, end));
      pos = skip(text, skip(text, end) + 1); // past the colon
      if (key === 'roster') break;
      pos = skip(text, valueEnd(text, pos));
      if (text[pos] === ',') pos = skip(text, pos + 1);
    }
  }
  const lines = [];
  let line = 1; // the line at `counted`: newlines are counted once, entry to entry
  let counted = 0;
  pos = skip(text, pos + 1); // past the array's "["
  while (pos < text.length && text[pos] !== ']') {
    for (; counted < pos; counted++) if (text[counted] === '\n') line++;
    lines.push(line);
    pos = skip(text, valueEnd(text, pos));
    if (text[pos] === ',') pos = skip(text, pos + 1);
  }
  return lines;
}
