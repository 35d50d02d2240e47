#!/usr/bin/env node
// Set the team's availability for a shift: the teammates on shift become available
// (user_available: true), the other agents unavailable. The owner is never changed.
//
//   node examples/shift-availability.mjs --sandbox bob@example.com 65f0000000000000000000b2
//   node examples/shift-availability.mjs --dry-run alice@example.com bob@example.com
//
// Teammates on shift are given by e-mail, teammate id (project_user) or user id. Admins and
// supervisors who are not on shift are left as they are unless --all-roles is given.
// Every name is checked first: one that matches no teammate stops the run before any change.
// Only teammates whose availability actually changes are updated. Exit status 1 if any update failed.

import { connect, describeError, parseFlags, run } from './_common.mjs';

const USAGE = `usage: shift-availability.mjs [--sandbox] [--dry-run] [--all-roles] [--project-id ID] [--binary PATH] WHO...
  WHO   a teammate on shift: e-mail, teammate id or user id (several allowed, or comma-separated)`;

/** The user behind a teammate record (id_user is populated by the server, or just an id). */
function userOf(teammate) {
  const u = teammate.id_user;
  if (u && typeof u === 'object') return { id: u.id ?? u._id, email: u.email, name: [u.firstname, u.lastname].filter(Boolean).join(' ') };
  return { id: typeof u === 'string' ? u : undefined, email: teammate.email, name: '' };
}

function label(teammate) {
  const u = userOf(teammate);
  return `${u.email || u.name || u.id || '?'} (${teammate.role}, teammate ${teammate.id})`;
}

async function main() {
  const parsed = parseFlags({ 'all-roles': { type: 'boolean', default: false } }, USAGE);
  if ('exit' in parsed) return parsed.exit;
  const { values, positionals } = parsed;
  const wanted = positionals.flatMap((p) => p.split(',')).map((s) => s.trim()).filter(Boolean);
  if (wanted.length === 0) {
    console.error(USAGE);
    return 2;
  }

  const client = await connect(values);
  try {
    const team = await client.team.list();

    // Resolve every name first, so a typo changes nobody.
    const onShift = new Set();
    const unknown = [];
    for (const who of wanted) {
      const needle = who.toLowerCase();
      const hit = team.find((t) => {
        const u = userOf(t);
        return t.id === who || u.id === who || (u.email && u.email.toLowerCase() === needle);
      });
      if (hit) onShift.add(hit.id);
      else unknown.push(who);
    }
    if (unknown.length) {
      console.error(`not in the team: ${unknown.join(', ')}; nothing was changed`);
      return 2;
    }

    let failed = 0;
    for (const t of team) {
      if (t.role === 'owner') {
        console.log(`skip ${label(t)}: the owner is never changed`);
        continue;
      }
      const available = onShift.has(t.id);
      if (!available && t.role !== 'agent' && !values['all-roles']) {
        console.log(`skip ${label(t)}: not an agent (use --all-roles to include)`);
        continue;
      }
      const state = available ? 'available' : 'unavailable';
      if (t.user_available === available) {
        console.log(`same ${label(t)}: already ${state}`);
        continue;
      }
      try {
        const out = await client.team.update({
          projectUserId: t.id,
          userAvailable: available,
          dryRun: values['dry-run'] || undefined,
        });
        console.log(`${out.dry_run ? 'would' : 'set '} ${label(t)}: ${state}`);
      } catch (err) {
        failed++;
        console.log(`FAIL ${label(t)}: ${describeError(err)}`);
      }
    }
    return failed ? 1 : 0;
  } finally {
    await client.close();
  }
}

run(main);
