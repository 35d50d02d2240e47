#!/usr/bin/env node
// A live board of a Tiledesk team: who is there, their role, whether they take chats, who is
// invited; redrawn each time the bridge finds a change (team.watch). ^C stops it.
//
//   node examples/watch-team.mjs --sandbox
//   node examples/watch-team.mjs --interval 10 --project-id 65f0...
//   node examples/watch-team.mjs --once            # print the board and stop
//
// On a terminal the board is redrawn in place; piped into a file, each version is printed after
// the last. A failed poll is shown on the board and the watch goes on.
import { BridgeClosed, WatchError } from '../index.js';
import { connect, describeError, parseFlags, run, shown } from './_common.mjs';

const USAGE = `usage: watch-team.mjs [--sandbox] [--interval S] [--once] [--changes N] [--project-id ID] [--binary PATH]`;
const CLEAR = '\x1b[H\x1b[2J';

/** `Alice Agent <alice@example.com>` for a teammate whose user is populated. */
function person(teammate) {
  const user = teammate.id_user;
  if (!user || typeof user !== 'object') return String(user ?? teammate.id);
  const name = [user.firstname, user.lastname].filter(Boolean).join(' ');
  return name ? `${name} <${user.email}>` : String(user.email);
}

/** One line for a change: who, and what happened. */
function describe(change) {
  const who = change.invitation ? String(change.invitation.email) : person(change.teammate ?? {});
  const fields = Object.entries(change.fields ?? {}).map(([name, d]) => `${name} ${shown(d.from)} → ${shown(d.to)}`).join(', ');
  return `${who} ${change.kind.replaceAll('_', ' ')}${fields ? `: ${fields}` : ''}`;
}

/** The board's text: the teammates (available ones first), the invitations, the latest news. */
function board(watch, news) {
  const lines = [`${'TEAMMATE'.padEnd(40)} ${'ROLE'.padEnd(11)} ${'TAKES CHATS'.padEnd(12)} PRESENCE`];
  const teammates = [...watch.teammates.values()].sort(
    (a, b) => Number(!a.user_available) - Number(!b.user_available) || person(a).toLowerCase().localeCompare(person(b).toLowerCase()),
  );
  for (const t of teammates) {
    const disabled = t.status === 'disabled' ? ' (disabled)' : '';
    lines.push(`${person(t).padEnd(40)} ${String(t.role ?? '?').padEnd(11)} ${(t.user_available ? 'yes' : 'no').padEnd(12)} ${t.presence?.status ?? ''}${disabled}`);
  }
  const invited = [...watch.invitations.values()].map((i) => `${i.email} (${i.role})`).join(', ');
  lines.push(`${watch.teammates.size} teammate(s); invited: ${invited || 'nobody'}`);
  return [...lines, ...news.slice(-5)].join('\n');
}

const now = () => new Date().toTimeString().slice(0, 8);

async function main() {
  const flags = { interval: { type: 'string' }, once: { type: 'boolean', default: false }, changes: { type: 'string' } };
  const parsed = parseFlags(flags, USAGE, { dryRun: false });
  if ('exit' in parsed) return parsed.exit;
  const { values } = parsed;
  const interval = values.interval === undefined ? undefined : Number(values.interval);
  const limit = values.changes === undefined ? Infinity : Number(values.changes);

  const client = await connect(values);
  const live = process.stdout.isTTY;
  const news = [];
  const watch = client.team.watch({ projectId: values['project-id'], interval });
  const draw = () => console.log((live ? CLEAR : '') + board(watch, news) + (live ? '' : '\n'));
  process.once('SIGINT', () => watch.close()); // ends the loop below, then the bridge
  try {
    try {
      await watch.ready;
    } catch (err) {
      console.error(`watch-team: cannot watch the team: ${describeError(err)}`);
      return 2;
    }
    draw();
    let seen = 0;
    while (!values.once && seen < limit) {
      try {
        for await (const change of watch) {
          news.push(`${now()} ${describe(change)}`);
          draw();
          if (++seen >= limit) break;
        }
        break; // closed
      } catch (err) {
        if (err instanceof BridgeClosed) break;
        if (!(err instanceof WatchError)) throw err;
        news.push(`${now()} poll failed, still watching: [${err.code}] ${err.message}`); // once per streak of failures
        draw();
      }
    }
    return 0;
  } finally {
    await watch.close();
    await client.close();
  }
}

run(main);
