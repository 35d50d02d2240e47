// Must compile: the README's uses of the declarations.
import { CallTimeout, Conflict, TiledeskRPC, WatchError, readRoster, type Progress, type Teammate } from 'tiledesk-rpc';

export async function main(): Promise<void> {
  const client = await TiledeskRPC.spawn({ sandbox: true, timeout: 5000 });
  const agents: Teammate[] = await client.team.list({ role: 'agent', includeTrashed: false });
  for (const t of agents) console.log(t.id, t.role, t.user_available);
  const preview = await client.team.update({ projectUserId: 'x', userAvailable: true, dryRun: true });
  console.log(preview.request.method, preview.request.url);
  const bob = await client.team.update({ projectUserId: 'x', maxServedChat: 3 });
  console.log(bob.id, (await client.user.get()).email, (await client.team.getByUser({ userId: 'u' })).id);
  const invited = await client.team.invite({ email: 'a@example.com', role: 'agent', ensure: true });
  if (invited.status === 'pending') console.log(invited.invitation?.email);
  try {
    await client.team.get({ projectUserId: 'x' }, { timeout: 10 });
  } catch (err) {
    if (err instanceof CallTimeout || err instanceof Conflict) console.log(err.code, err.data);
  }
  await client.close();
}

export async function teamJobs(client: TiledeskRPC): Promise<void> {
  for await (const activity of client.activity.iterate({ since: '2026-03-01', verbs: ['PROJECT_USER_INVITE'] })) {
    console.log(activity.createdAt, activity.message ?? activity.verb);
  }

  const roster = readRoster('examples/roster.csv');
  const plan = await client.team.plan({ roster });
  for (const a of plan.actions) console.log(a.action, a.email, a.changes ?? '');
  const applied = await client.team.apply({ roster, fingerprint: plan.fingerprint }, {
    onProgress: ({ done, total, action }: Progress) => console.log(`${done}/${total} ${action.action} ${action.email}`),
  });
  console.log(applied.applied.length, 'applied,', applied.failed.length, 'failed');
  const preview = await client.team.apply({ roster, dryRun: true });
  console.log(preview.fingerprint, roster.where('roster[0].role'));

  const watch = client.team.watch({ interval: 10 });
  await watch.ready;
  console.log(watch.teammates.size, 'teammates,', watch.invitations.size, 'invited');
  for (;;) {
    try {
      for await (const change of watch) console.log(change.kind, change.teammate?.id, change.fields);
      break;
    } catch (err) {
      if (!(err instanceof WatchError)) throw err;
      console.log('a poll failed; still watching:', err.message, err.error.code);
    }
  }
  watch.on('change', (change) => console.log(change.kind)).on('error', (err) => console.log(err.subscription));
  await watch.close();
}
