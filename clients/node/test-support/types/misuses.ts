// Must not compile, one error per line marked `error:` (the test counts them).
import { TiledeskRPC } from 'tiledesk-rpc';

export async function main(): Promise<void> {
  const client = await TiledeskRPC.spawn({ sandbox: true });
  await client.team.update({ projectUserId: 'x', userAvailble: true }); // error: a misspelled option
  await client.team.invite({ email: 'a@example.com', role: 'owner' }); // error: not a role the bridge assigns
  await client.team.get({}); // error: projectUserId is required
  await client.team.list({ status: 'gone' }); // error: not a status
  await client.team.plan({ roster: [{ email: 'a@example.com', role: 'owner' }] }); // error: not a roster role
  await client.team.apply({ roster: [] }, { onProgres: () => {} }); // error: a misspelled progress option
  client.activity.iterate({ page: 2 }); // error: a walk over the pages starts at the first
  client.team.watch({ intervall: 10 }); // error: a misspelled watch option
}
