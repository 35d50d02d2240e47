#!/usr/bin/env node
// Make a Tiledesk team match a roster file: show the plan, ask, apply it with a progress bar.
//
//   node examples/sync-roster.mjs --sandbox examples/roster.csv
//   node examples/sync-roster.mjs --sandbox --yes --absent disable examples/roster.json
//
// The roster is a CSV file (columns email,role,user_available,groups; groups separated by `;`) or
// a JSON file (an array of entries, or {"roster": [...]}). The plan lists every change
// (invitations, role and availability updates, group memberships, and with --absent /
// --invitations the people to remove); nothing changes until you say yes (or pass --yes). The
// apply refuses to run if the team changed since the plan was shown. Exit status 0 when the team
// matches (or on --dry-run), 1 when an action failed or you said no, 2 on a usage problem.
import readline from 'node:readline/promises';

import { Conflict, InvalidParams, RosterError, readRoster } from '../index.js';
import { connect, describeError, parseFlags, run, shown } from './_common.mjs';

const USAGE = `usage: sync-roster.mjs [--sandbox] [--dry-run] [--yes] [--absent keep|disable|trash] [--invitations keep|cancel]
                      [--groups add|exact] [--project-id ID] [--binary PATH] ROSTER
  ROSTER   a .csv file (email,role,user_available,groups) or a .json file`;
const BAR_WIDTH = 30;

/** What an action of the plan changes, in a few words. */
function describe(action) {
  const changes = Object.entries(action.changes ?? {});
  if (changes.length) return changes.map(([field, c]) => `${field}: ${shown(c.from)} → ${shown(c.to)}`).join(', ');
  if (action.action === 'invite') return `as ${action.role}`;
  return String(action.group ?? action.group_id ?? '');
}

function printPlan(plan) {
  const width = Math.max(0, ...plan.actions.map((a) => a.email.length));
  if (plan.actions.length) console.log(`${'ACTION'.padEnd(18)} ${'EMAIL'.padEnd(width)}  CHANGE`);
  for (const action of plan.actions) console.log(`${action.action.padEnd(18)} ${action.email.padEnd(width)}  ${describe(action)}`);
  const counts = Object.entries(plan.summary).map(([name, count]) => `${name} ${count}`).join(', ');
  console.log(`${plan.actions.length} action(s)${counts ? ` (${counts})` : ''}; ${plan.unchanged} unchanged`);
  for (const skipped of plan.skipped ?? []) console.log(`skipped: ${skipped.email} (${skipped.skipped})`);
  for (const person of plan.waiting ?? []) {
    const groups = person.groups.map((g) => g.group ?? g.group_id).join(', ');
    console.log(`waiting to sign up before joining ${groups}: ${person.email}`);
  }
}

/** A bar redrawn in place on a terminal; one line per report elsewhere (a log, a pipe). */
function progressBar(stream) {
  const draw = ({ done = 0, total = 0, action = {} }) => {
    const filled = Math.floor((BAR_WIDTH * done) / (total || 1));
    const text = `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${done}/${total || 1} ${action.action ?? ''} ${action.email ?? ''}`;
    stream.write(stream.isTTY ? `\r${text.padEnd(BAR_WIDTH + 60)}` : `${text}\n`);
  };
  draw.finish = () => {
    if (stream.isTTY) stream.write('\n');
  };
  return draw;
}

async function confirm(count) {
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
  const closed = new Promise((resolve) => rl.once('close', () => resolve('')));
  const answer = await Promise.race([rl.question(`Apply these ${count} change(s)? [y/N] `), closed]);
  rl.close();
  return ['y', 'yes'].includes(answer.trim().toLowerCase());
}

/** Print what the apply did; the exit status. */
function report(applied) {
  const total = applied.applied.length + applied.failed.length;
  const kinds = new Map();
  for (const a of applied.applied) kinds.set(a.action, (kinds.get(a.action) ?? 0) + 1);
  const counts = [...kinds].map(([name, count]) => `${name} ${count}`).join(', ');
  console.log(`Applied ${applied.applied.length} of ${total} action(s)${counts ? ` (${counts})` : ''}; ${applied.unchanged} unchanged.`);
  for (const action of applied.failed) console.log(`FAILED ${action.action} ${action.email}: [${action.error?.code}] ${action.error?.message}`);
  return applied.failed.length ? 1 : 0;
}

async function main() {
  const choice = { type: 'string' };
  const parsed = parseFlags({ yes: { type: 'boolean', default: false }, absent: choice, invitations: choice, groups: choice }, USAGE);
  if ('exit' in parsed) return parsed.exit;
  const { values, positionals } = parsed;
  if (positionals.length !== 1) {
    console.error(USAGE);
    return 2;
  }
  let roster;
  try {
    roster = readRoster(positionals[0]);
  } catch (err) {
    console.error(`sync-roster: ${err instanceof RosterError ? err.message : `cannot read ${positionals[0]}: ${err.message}`}`);
    return 2;
  }

  const client = await connect(values);
  const options = { projectId: values['project-id'], absent: values.absent, invitations: values.invitations, groups: values.groups };
  try {
    let plan;
    try {
      plan = await client.team.plan({ roster, ...options });
    } catch (err) {
      if (!(err instanceof InvalidParams)) throw err;
      console.error(`sync-roster: ${roster.where(err.data?.field ?? 'roster')}: ${err.message}`); // where in the file
      return 2;
    }
    printPlan(plan);
    if (plan.actions.length === 0) {
      console.log('Nothing to do: the team matches the roster.');
      return 0;
    }
    if (values['dry-run']) {
      console.log('Dry run: nothing was changed.');
      return 0;
    }
    if (!values.yes && !(await confirm(plan.actions.length))) {
      console.log('Nothing was changed.');
      return 1;
    }
    const bar = progressBar(process.stderr);
    try {
      return report(await client.team.apply({ roster, ...options, fingerprint: plan.fingerprint }, { onProgress: bar }));
    } catch (err) {
      if (!(err instanceof Conflict && err.data?.plan)) throw err;
      console.log('The team changed since the plan was shown; nothing was applied. Run again to see the new plan.');
      return 1;
    } finally {
      bar.finish();
    }
  } catch (err) {
    console.error(`sync-roster: ${describeError(err)}`);
    return 1;
  } finally {
    await client.close();
  }
}

run(main);
