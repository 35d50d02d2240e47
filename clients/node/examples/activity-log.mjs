#!/usr/bin/env node
// Who changed what in a Tiledesk team: the project's activity log, newest first, every page of it.
//
//   node examples/activity-log.mjs --since 2026-03-01
//   node examples/activity-log.mjs --user 65f0000000000000000000a3 --verbs PROJECT_USER_INVITE,PROJECT_USER_DELETE
//
// The server keeps 30 days of entries, and records them only where its activity history is
// enabled; reading the log needs an admin.
import { connect, describeError, parseFlags, run } from './_common.mjs';

const USAGE = `usage: activity-log.mjs [--sandbox] [--since YYYY-MM-DD] [--until YYYY-MM-DD] [--user USER_ID] [--verbs V,V] [--limit N]
                       [--project-id ID] [--binary PATH]`;

/** `2026-03-01 10:00  Olivia Owner  invited ...`: when, who, what (the server's words where it has them). */
function line(activity) {
  const when = String(activity.createdAt ?? '').slice(0, 16).replace('T', ' ');
  const actor = activity.actor ?? {};
  const target = activity.target ?? {};
  const what = activity.message ?? `${activity.verb} ${target.type ?? ''} ${target.id ?? ''}`.trimEnd();
  return `${when.padEnd(16)}  ${String(actor.name ?? actor.id ?? '?').padEnd(20)}  ${what}`;
}

async function main() {
  const text = { type: 'string' };
  const parsed = parseFlags({ since: text, until: text, user: text, verbs: text, limit: text }, USAGE, { dryRun: false });
  if ('exit' in parsed) return parsed.exit;
  const { values } = parsed;
  const limit = values.limit === undefined ? Infinity : Number(values.limit);

  const client = await connect(values);
  let shown = 0;
  try {
    const activities = client.activity.iterate({
      projectId: values['project-id'],
      verbs: values.verbs?.split(','), // the bridge checks each verb
      userId: values.user,
      since: values.since,
      until: values.until,
      limit: 100,
    });
    for await (const activity of activities) {
      console.log(line(activity));
      if (++shown >= limit) break;
    }
  } catch (err) {
    console.error(`activity-log: ${describeError(err)}`);
    return 1;
  } finally {
    await client.close();
  }
  console.log(`${shown} entr${shown === 1 ? 'y' : 'ies'}`);
  return 0;
}

run(main);
