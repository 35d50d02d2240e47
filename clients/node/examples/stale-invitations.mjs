#!/usr/bin/env node
// List a Tiledesk project's pending invitations older than some days, and resend or cancel them.
//
//   node examples/stale-invitations.mjs --sandbox --older-than 30
//   node examples/stale-invitations.mjs --sandbox --older-than 30 --resend
//   node examples/stale-invitations.mjs --sandbox --older-than 90 --cancel --dry-run
//
// Without --resend or --cancel it only lists them. --dry-run checks each resend or cancel as the
// bridge would and says what it would send. Exit status 1 if one failed, 2 on a usage problem.
import { connect, describeError, parseFlags, run } from './_common.mjs';

const USAGE = `usage: stale-invitations.mjs [--sandbox] [--older-than DAYS] [--resend | --cancel] [--dry-run] [--project-id ID] [--binary PATH]
  DAYS   age in days (default 7)`;
const DAY = 24 * 60 * 60 * 1000;

/** How long ago the invitation was sent (`createdAt`), or undefined when the server did not say. */
function ageInDays(invitation, now) {
  const created = Date.parse(invitation.createdAt ?? '');
  return Number.isNaN(created) ? undefined : (now - created) / DAY;
}

/** Resend or cancel one invitation; `[ok, what happened]`. */
async function act(client, invitation, values) {
  const helper = values.resend ? client.invitation.resend : client.invitation.cancel;
  try {
    const out = await helper({ invitationId: invitation.id, projectId: values['project-id'], dryRun: values['dry-run'] || undefined });
    if (out.dry_run) return [true, `would send ${out.request.method} ${out.request.url}`];
    return [true, values.resend ? 'resent' : 'cancelled'];
  } catch (err) {
    return [false, `FAILED ${describeError(err)}`];
  }
}

async function main() {
  const flags = { 'older-than': { type: 'string', default: '7' }, resend: { type: 'boolean', default: false }, cancel: { type: 'boolean', default: false } };
  const parsed = parseFlags(flags, USAGE);
  if ('exit' in parsed) return parsed.exit;
  const { values } = parsed;
  const days = Number(values['older-than']);
  if (!(days >= 0) || (values.resend && values.cancel)) {
    console.error(USAGE);
    return 2;
  }

  const client = await connect(values);
  try {
    const invitations = await client.invitation.list({ projectId: values['project-id'] });
    const now = Date.now();
    const aged = invitations.map((i) => [ageInDays(i, now), i]);
    const stale = aged.filter(([age]) => age !== undefined && age >= days).sort(([a], [b]) => b - a);
    let failed = 0;
    for (const [age, invitation] of stale) {
      let line = `${String(invitation.email ?? '?').padEnd(32)} ${String(invitation.role ?? '?').padEnd(11)} ${age.toFixed(0).padStart(6)} days`;
      if (values.resend || values.cancel) {
        const [ok, outcome] = await act(client, invitation, values);
        if (!ok) failed++;
        line += `  ${outcome}`;
      }
      console.log(line);
    }
    const undated = aged.filter(([age]) => age === undefined).length;
    console.log(
      `${stale.length} of ${invitations.length} pending invitation(s) older than ${days} days` +
        (undated ? `; ${undated} without a date` : '') +
        (values['dry-run'] ? ' (dry run: nothing was sent)' : ''),
    );
    return failed ? 1 : 0;
  } finally {
    await client.close();
  }
}

run(main);
