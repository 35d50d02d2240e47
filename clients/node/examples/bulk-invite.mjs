#!/usr/bin/env node
// Invite a list of people to a Tiledesk project from a CSV file with the columns email,role.
//
//   node examples/bulk-invite.mjs --sandbox examples/team.csv
//   node examples/bulk-invite.mjs --dry-run team.csv        # validate every row, invite no one
//   TILEDESK_TOKEN=... TILEDESK_PROJECT_ID=... node examples/bulk-invite.mjs team.csv
//
// One result line per row; a failing row does not stop the others; the exit status is 1 when any
// row failed. --ensure counts people who are already members as a success ("existing").
// Rate limits are the bridge's job: it paces itself, so a long list needs nothing special here.
import fs from 'node:fs';

import { connect, describeError, parseFlags, run } from './_common.mjs';

const USAGE = `usage: bulk-invite.mjs [--sandbox] [--dry-run] [--ensure] [--project-id ID] [--binary PATH] FILE.csv
  FILE.csv   header row with the columns email and role (agent, supervisor or admin)`;

/** Minimal CSV: commas, double-quoted fields ("" inside quotes), # comments, blank lines. */
function parseCsv(text) {
  const rows = [];
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    if (raw.trim() === '' || raw.trimStart().startsWith('#')) continue;
    const fields = [];
    let field = '';
    let quoted = false;
    for (let i = 0; i < raw.length; i++) {
      const ch = raw[i];
      if (quoted) {
        if (ch === '"' && raw[i + 1] === '"') {
          field += '"';
          i++;
        } else if (ch === '"') quoted = false;
        else field += ch;
      } else if (ch === '"') quoted = true;
      else if (ch === ',') {
        fields.push(field.trim());
        field = '';
      } else field += ch;
    }
    fields.push(field.trim());
    rows.push({ line: index + 1, fields });
  }
  return rows;
}

async function main() {
  const parsed = parseFlags({ ensure: { type: 'boolean', default: false } }, USAGE);
  if ('exit' in parsed) return parsed.exit;
  const { values, positionals } = parsed;
  if (positionals.length !== 1) {
    console.error(USAGE);
    return 2;
  }

  let rows;
  try {
    rows = parseCsv(fs.readFileSync(positionals[0], 'utf8'));
  } catch (err) {
    console.error(`cannot read ${positionals[0]}: ${err.message}`);
    return 2;
  }
  const header = (rows.shift()?.fields ?? []).map((h) => h.toLowerCase());
  const emailCol = header.indexOf('email');
  const roleCol = header.indexOf('role');
  if (emailCol < 0 || roleCol < 0) {
    console.error(`${positionals[0]}: the first row must name the columns email and role`);
    return 2;
  }

  const client = await connect(values);
  let failed = 0;
  try {
    for (const { line, fields } of rows) {
      const email = fields[emailCol] ?? '';
      const role = (fields[roleCol] ?? '').toLowerCase();
      const label = `line ${line}: ${email || '(no email)'} as ${role || '(no role)'}`;
      if (!email || !role) {
        failed++;
        console.log(`FAIL ${label}: missing email or role`);
        continue;
      }
      try {
        const out = await client.team.invite({
          email,
          role,
          ensure: values.ensure || undefined,
          dryRun: values['dry-run'] || undefined,
        });
        if (out.dry_run && out.request === null) {
          // With --ensure, someone already in: nothing would be sent.
          console.log(`ok   ${label}: nothing to send (${out.result.status})`);
        } else if (out.dry_run) {
          console.log(`ok   ${label}: would send ${out.request.method} ${out.request.url}`);
        } else if (out.status === 'pending') {
          console.log(`ok   ${label}: pending (invitation ${out.invitation.id})`);
        } else {
          console.log(`ok   ${label}: ${out.status} (teammate ${out.teammate.id})`);
        }
      } catch (err) {
        failed++;
        console.log(`FAIL ${label}: ${describeError(err)}`);
      }
    }
  } finally {
    await client.close();
  }
  const total = rows.length;
  console.log(
    `${total - failed} of ${total} row(s) ok, ${failed} failed${values['dry-run'] ? ' (dry run: nothing was sent)' : ''}`,
  );
  return failed ? 1 : 0;
}

run(main);
